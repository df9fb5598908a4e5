"""Browser-built listings on a re-crawl (issue 15): an unchanged one is not rendered again, a changed one
is found. Counted in renders (the crawl's own stats) and in the farm's access log, never in time.

``jsonly`` builds its list from data inline in its page, so a 304 for the page says the list is
unchanged; ``ruishu`` answers a plain request with a 412 challenge whose script the browser runs, so
only the schedule can say when to render it again.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from farm.server import FarmServer
from farm.world import World
from tests.crawler.helpers import nianbao_crawl, query, write_registry

# Whole crawls through Chromium: kept on one xdist worker with the other farm crawls.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("crawler-farm")]

SITES = ("jsonly", "ruishu")


def _stats(data: Path) -> dict:
    (stats,) = query(data, "select stats from runs order by id desc limit 1")[0]
    return json.loads(stats)


def _skips(data: Path) -> dict[str, dict[str, int]]:
    run = query(data, "select max(id) from runs")[0][0]
    out: dict[str, dict[str, int]] = {}
    for portal, what, count in query(data, "select portal_id, what, count from skips where run_id = ?", run):
        out.setdefault(portal, {})[what] = count
    return out


def _crawl(farm: FarmServer, data: Path, registry: Path, *extra: str, output: list[str] | None = None) -> list:
    mark = farm.log.mark()
    ran = nianbao_crawl(data, "--registry", str(registry), *(arg for site in SITES for arg in ("--site", site)), *extra)
    if output is not None:
        output.append(ran.output)
    return farm.log.entries_since(mark)


@pytest.fixture()
def farm() -> FarmServer:
    """A farm of its own: the test publishes reports in it."""
    with FarmServer(World(seed=0, size="small")) as server:
        yield server


def test_unchanged_browser_listings_are_not_rendered_and_changed_ones_are(farm: FarmServer, tmp_path: Path) -> None:
    world = farm.world
    registry = write_registry(farm, tmp_path / "portals.csv")
    data = tmp_path / "data"
    jsonly_host = farm.base_urls["jsonly"]
    _crawl(farm, data, registry)
    assert _stats(data)["nianbao/browser/renders"] >= 2

    # Unchanged: no page rendered, Chromium (and Playwright) never started.
    printed: list[str] = []
    second = _crawl(farm, data, registry, output=printed)
    stats = _stats(data)
    assert "nianbao/browser/renders" not in stats and "playwright/browser_count" not in stats
    # jsonly: its page asked once, conditionally, and answered 304; nothing else.
    shell = world.portals["jsonly"].start_path
    jsonly = [e for e in second if e.site_id == "jsonly"]
    assert [(e.path, e.status, e.conditional) for e in jsonly] == [(shell, 304, True)]
    # ruishu: only the plain request that meets the challenge; its script is not loaded, nothing rendered.
    ruishu = [e for e in second if e.site_id == "ruishu"]
    assert [e.status for e in ruishu] == [412]
    assert {portal: counts.get("renders") for portal, counts in _skips(data).items()} == {"jsonly": 1, "ruishu": 1}
    assert "renders: browser-built listing not rendered again" in printed[0]  # the "not asked" table says why

    # A new report on jsonly: its page changed, so it is rendered and the report found.
    added = world.add_report("jsonly")
    third = _crawl(farm, data, registry)
    assert _stats(data)["nianbao/browser/renders"] == 1
    fetched = {e.path for e in third if e.site_id == "jsonly" and e.status == 200}
    assert set(added.paths) <= fetched
    new_url = jsonly_host + added.paths[0].lstrip("/")
    assert query(data, "select count(*) from documents where url = ?", new_url) == [(1,)]

    # A new report on ruishu is found when its rendering is due (here: made due by hand).
    added = world.add_report("ruishu")
    with_due = ("update schedule set due_at = '2000-01-01T00:00:00+00:00', next_check = due_at"
                " where portal_id = 'ruishu' and kind = 'listing'")
    query(data, with_due)
    fourth = _crawl(farm, data, registry)
    assert _stats(data)["nianbao/browser/renders"] >= 1
    assert set(added.paths) <= {e.path for e in fourth if e.site_id == "ruishu" and e.status == 200}

    # A full walk renders every browser-built listing, whatever the schedule says.
    _crawl(farm, data, registry, "--full")
    assert _stats(data)["nianbao/browser/renders"] >= 2
