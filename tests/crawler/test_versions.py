"""A new report is found by a normal (incremental) re-crawl; a changed one gets a new version and a
removed one is marked gone on a full walk (``--full``), which a normal re-crawl never marks."""

from __future__ import annotations

from pathlib import Path

import pytest

from farm.server import FarmServer
from farm.world import World
from tests.crawler.helpers import nianbao_crawl, query, write_registry

SITE = "gkmlpt"

# Whole crawls: kept on one xdist worker so the session farm and its crawls are made once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("crawler-farm")]


def _paths(rows: list[tuple]) -> set[str]:
    return {"/" + url.split("/", 3)[3] for (url, *_) in rows}


def test_new_report_then_change_and_removal_on_a_full_walk(tmp_path: Path) -> None:
    with FarmServer(World(seed=3, size="small")) as farm:
        registry = write_registry(farm, tmp_path / "portals.csv")
        crawl = ("--registry", str(registry), "--site", SITE, "--no-browser")
        nianbao_crawl(tmp_path, *crawl)
        reports = farm.world.reports(SITE)
        changed = next(r for r in reports if r.attachment_paths)
        removed = next(r for r in reports if r is not changed)
        farm.world.change_report(changed.article_id)
        farm.world.remove_report(removed.article_id)
        added = farm.world.add_report(SITE, formats=("pdf",))
        mark = farm.log.mark()
        normal = nianbao_crawl(tmp_path, *crawl)
        incremental = farm.log.entries_since(mark)
        gone_after_normal = query(tmp_path, "select url from documents where gone_on is not null")
        mark = farm.log.mark()
        nianbao_crawl(tmp_path, *crawl, "--full")
        full = farm.log.entries_since(mark)

    # The normal re-crawl: the new report, from the head of the list, and nothing else over the wire.
    fetched = {e.path for e in incremental if e.status == 200 and ("/content/" in e.path or "/attachment/" in e.path)}
    assert fetched == set(added.paths)
    assert gone_after_normal == [], "an incremental crawl does not see what it skipped: it marks nothing gone"
    assert "documents" in normal.output
    # The full walk: every known document asked again, the change downloaded, the removal marked gone.
    asked = {e.path for e in full if "/content/" in e.path or "/attachment/" in e.path}
    assert set(changed.paths) | set(added.paths) <= asked
    versions = dict(query(tmp_path, "select url, max(version) from documents group by url"))
    by_path = {"/" + url.split("/", 3)[3]: v for url, v in versions.items()}
    assert all(by_path[p] == 2 for p in changed.paths)
    assert all(by_path[p] == 1 for p in added.paths)
    assert _paths(query(tmp_path, "select url from documents where gone_on is not null")) == set(removed.paths)
