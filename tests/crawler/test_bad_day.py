"""A bad day: every fault of farm/faults.py ends as a recorded failure, and the rest of the portal is archived.

The ``faults`` portal answers one report page with 503s, one with 429 + Retry-After, one with a redirect
loop and one with a gzip bomb; four PDFs come slowly, cut, with a Content-Length too long and too short;
one page links a PDF on a host that does not resolve; and a burst of 503s hits whatever is asked next.
Expected outcomes come from the fault's definition, not from the crawler.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import pytest

from crawler.cli import PARTIAL
from farm.faults import BURST_LENGTH, FILE_FAULTS, LINK_FAULTS, PAGE_FAULTS
from farm.server import FarmServer
from tests.crawler.helpers import FAST, NO_DNS, Crawl, documents, nianbao_crawl, query

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("crawler-bad-day")]
SITE = "faults"

# fault → (outcome, words the reason must contain)
EXPECTED = {
    "server_error": ("failed", "HTTP 503"),
    "rate_limited": ("failed", "HTTP 429"),
    "redirect_loop": ("failed", "redirect loop"),
    "gzip_bomb": ("too_large", "DOWNLOAD_MAXSIZE"),
    "slow_body": ("failed", "timeout"),
    "truncated_body": ("failed", "data loss"),
    "length_long": ("failed", "data loss"),
    "length_short": ("failed", "truncated PDF"),
    "dns_failure": ("failed", "DNS lookup failed"),
}
# Short enough that the slow body and the 429s end soon; a bomb cap that keeps the test's memory small.
BAD_DAY_SETTINGS = (*FAST, NO_DNS, "DOWNLOAD_TIMEOUT=3", "RETRY_TIMES=2", f"DOWNLOAD_MAXSIZE={32 << 20}")


def test_every_fault_of_the_farm_is_expected() -> None:
    assert set(EXPECTED) == set(PAGE_FAULTS) | set(FILE_FAULTS) | set(LINK_FAULTS)


@pytest.fixture(scope="module")
def bad_day(bad_day_farm: FarmServer, bad_day_registry: Path, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    bad_day_farm.reset_habits()
    data = tmp_path_factory.mktemp("bad-day")
    mark = bad_day_farm.log.mark()
    result = nianbao_crawl(data, "--registry", str(bad_day_registry), "--site", SITE, settings=BAD_DAY_SETTINGS,
                           expect=(PARTIAL,))  # portals with failures make the crawl exit 1
    return Crawl(data, result.output, bad_day_farm.log.entries_since(mark))


def faults_of(farm: FarmServer) -> dict[str, str]:
    """fault → the URL that must end as a recorded failure."""
    base = farm.base_urls[SITE]
    port = base.rstrip("/").rsplit(":", 1)[1]
    return {fault: urljoin(base, where.format(port=port))
            for truth in farm.world.reports(SITE) for where, fault in truth.faults}


def test_every_fault_ends_as_a_recorded_failure(bad_day: Crawl, bad_day_farm: FarmServer) -> None:
    urls = faults_of(bad_day_farm)
    assert set(urls) == set(EXPECTED)
    for fault, url in urls.items():
        rows = query(bad_day.data, "select outcome, reason from fetches where url = ? order by id desc limit 1", url)
        assert rows, f"{fault}: no fetch recorded for {url}"
        outcome, reason = rows[0]
        expected_outcome, words = EXPECTED[fault]
        assert (outcome, words in reason) == (expected_outcome, True), (fault, outcome, reason)


def test_the_rest_of_the_portal_is_archived(bad_day: Crawl, bad_day_farm: FarmServer) -> None:
    assert documents(bad_day.data)[SITE] == bad_day_farm.world.expected_paths(SITE)[SITE]
    # A body cut short is kept as evidence, never as a document a later crawl would trust.
    failed_urls = set(faults_of(bad_day_farm).values())
    assert not failed_urls & {url for (url,) in query(bad_day.data, "select url from documents")}


def test_the_burst_of_503s_was_retried_through(bad_day: Crawl, bad_day_farm: FarmServer) -> None:
    always = {truth.page_path for truth in bad_day_farm.world.reports(SITE) if truth.reason == "server_error"}
    burst = [e for e in bad_day.requests if e.site_id == SITE and e.status == 503 and e.path not in always]
    assert len(burst) == BURST_LENGTH
    for entry in burst:
        later = [e.status for e in bad_day.requests if e.path == entry.path and e.time > entry.time]
        assert 200 in later, (entry.path, later)


def test_the_crawl_says_which_portal_failed(bad_day: Crawl) -> None:
    assert "crawl run 1 (finished)" in bad_day.output
    (failed,) = query(bad_day.data, "select count(distinct url) from fetches where portal_id = ? and outcome in"
                                    " ('failed', 'too_large')", SITE)[0]
    assert failed == len(EXPECTED)
