"""The request policy on a real crawl: hostile portals lead everywhere, the crawler goes nowhere (issue 13).

The farm's ``hostile`` (TRS) and ``hostile-js`` (a list built by JavaScript, read in Chromium) portals link
``file://``, private, link-local and metadata addresses, other domains and schemes, directly, by 302 and
by JavaScript (farm/faults.py). Every such link must end as a ``refused`` fetch with its reason, and
the portals' real reports must all be archived. The address check itself is proven without a network
in test_netns.py; here the resolver is the test one, so names resolve to what the test says.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import urljoin

import pytest

from crawler.cli import CLEAN, PARTIAL
from farm.faults import BROWSER_TARGETS, HOSTILE_FILES, HOSTILE_LINKS, REDIRECTS, SHELL_TARGET
from farm.server import FarmServer
from tests.crawler.helpers import FAST, NO_DNS, SHIPPED_POLICY, Crawl, documents, nianbao_crawl, query

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("crawler-bad-day")]
HOSTILE = ("hostile", "hostile-js")


def fake_dns(farm: FarmServer) -> str:
    """files.<domain> of each hostile portal resolves to a private address (a name that passes the
    domain rule must still be refused by its address)."""
    pairs = [f"files.{farm.world.portals[site].domain}=10.0.0.{7 + n}" for n, site in enumerate(HOSTILE)]
    return "FAKEDNS_HOSTS=" + ",".join(pairs)


@pytest.fixture(scope="module")
def hostile_crawl(bad_day_farm: FarmServer, bad_day_registry: Path, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    data = tmp_path_factory.mktemp("hostile")
    mark = bad_day_farm.log.mark()
    result = nianbao_crawl(data, "--registry", str(bad_day_registry), *(f"--site={site}" for site in HOSTILE),
                           settings=(*FAST, NO_DNS, fake_dns(bad_day_farm)), expect=(CLEAN,))
    return Crawl(data, result.output, bad_day_farm.log.entries_since(mark))


def refusals(data: Path) -> dict[str, str]:
    return dict(query(data, "select url, reason from fetches where outcome = 'refused'"))


def test_every_hostile_link_is_refused_with_its_reason(hostile_crawl: Crawl, bad_day_farm: FarmServer) -> None:
    refused = refusals(hostile_crawl.data)
    for site in HOSTILE:
        base = bad_day_farm.base_urls[site]
        port = base.rstrip("/").rsplit(":", 1)[1]
        for href, _title in HOSTILE_LINKS:
            url = urljoin(base, href.format(port=port))
            assert url in refused, f"{site}: {url} was not refused"
        for path, target in REDIRECTS.items():
            if path.endswith(".pdf"):
                continue
            assert refused[urljoin(base, path)].startswith(f"redirect to {target}: ")
        assert refused[urljoin(base, "/hostile/shell.html")] == f"{SHELL_TARGET.split('/')[2]}: a private address"
    expected_reasons = {
        "file:///etc/passwd": "scheme file: only http and https are fetched",
        "http://169.254.169.254/latest/meta-data/": "169.254.169.254: a link-local address",
        "http://[::ffff:10.0.0.1]/nb2016.html": "::ffff:10.0.0.1: mapped to 10.0.0.1, a private address",
        "http://www.another-county.gov.cn/zfxxgk/nb2022.html":
            "host www.another-county.gov.cn is not the portal's (127.0.0.1; registry column aliases)",
    }
    assert {url: refused[url] for url in expected_reasons} == expected_reasons


def test_hostile_attachments_are_refused(hostile_crawl: Crawl, bad_day_farm: FarmServer) -> None:
    refused = refusals(hostile_crawl.data)
    for n, site in enumerate(HOSTILE):
        domain = bad_day_farm.world.portals[site].domain
        for href, _name in HOSTILE_FILES:
            assert urljoin(bad_day_farm.base_urls[site], href.format(domain=domain)) in refused
        assert refused[f"http://files.{domain}/files/nb2023.pdf"] == (
            f"files.{domain} resolves to 10.0.0.{7 + n}: a private address")
        assert refused[urljoin(bad_day_farm.base_urls[site], "/hostile/go/file.pdf")] == (
            "redirect to file:///etc/passwd: scheme file: only http and https are fetched")


def test_what_the_browser_asks_for_is_refused(hostile_crawl: Crawl, bad_day_farm: FarmServer) -> None:
    rows = query(hostile_crawl.data, "select url, reason from fetches where portal_id = 'hostile-js'"
                                     " and kind = 'resource' and outcome = 'refused'")
    refused = dict(rows)
    for target in BROWSER_TARGETS:  # a script, an iframe, fetch(), and the hop of a redirect inside an iframe
        assert target in refused, f"{target} was not refused in the browser"
        assert refused[target].startswith("in the browser: ")
    domain = bad_day_farm.world.portals["hostile-js"].domain
    assert refused[f"http://files.{domain}/api/list.json"] == (
        f"in the browser: files.{domain} resolves to 10.0.0.8: a private address")


def test_the_reports_and_nothing_else_are_stored(hostile_crawl: Crawl, bad_day_farm: FarmServer) -> None:
    got = documents(hostile_crawl.data)
    assert {site: got.get(site, set()) for site in HOSTILE} == {
        site: bad_day_farm.world.expected_paths(site)[site] for site in HOSTILE}
    passwd = Path("/etc/passwd").read_bytes()
    blobs = [path for path in (hostile_crawl.data / "store" / "blobs").rglob("*") if path.is_file()]
    assert blobs and not any(path.read_bytes() == passwd for path in blobs)
    hosts = {url.split("/")[2] for (url,) in query(hostile_crawl.data, "select coalesce(final_url, url) from fetches"
                                                                      " where status is not null")}
    assert all(host.startswith("127.0.0.1:") for host in hosts), hosts
    # The summary counts what was found, not what was refused, and refusals are no failure.
    assert "refused" in hostile_crawl.output


def test_without_the_allowance_the_farm_itself_is_refused(bad_day_farm: FarmServer, bad_day_registry: Path,
                                                          tmp_path: Path) -> None:
    mark = bad_day_farm.log.mark()
    result = nianbao_crawl(tmp_path, "--registry", str(bad_day_registry), "--site", "hostile",
                           settings=SHIPPED_POLICY, expect=(PARTIAL,))
    assert [e for e in bad_day_farm.log.entries_since(mark) if e.site_id == "hostile"] == []  # not even robots.txt
    assert query(tmp_path, "select kind, outcome, reason from fetches") == [
        ("listing", "refused", "127.0.0.1: a loopback address")]
    assert "Error" not in result.output


def test_refused_rows_keep_the_listing_they_came_from(hostile_crawl: Crawl) -> None:
    with sqlite3.connect(hostile_crawl.data / "store" / "store.db") as db:
        rows = db.execute("select listing_url, title from fetches where url = 'file:///etc/passwd'").fetchall()
    assert rows and all(listing and "年度报告" in title for listing, title in rows)
