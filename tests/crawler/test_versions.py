"""A report that changes gets a new version; one that disappears is marked gone; a new one is fetched."""

from __future__ import annotations

from pathlib import Path

import pytest

from farm.server import FarmServer
from farm.world import World
from tests.crawler.helpers import nianbao_crawl, query, write_registry

SITE = "gkmlpt"

# Whole crawls: kept on one xdist worker so the session farm and its crawls are made once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("crawler-farm")]


def test_changed_removed_and_added_reports(tmp_path: Path) -> None:
    with FarmServer(World(seed=3, size="small")) as farm:
        registry = write_registry(farm, tmp_path / "portals.csv")
        nianbao_crawl(tmp_path, "--registry", str(registry), "--site", SITE, "--no-browser")
        reports = farm.world.reports(SITE)
        changed = next(r for r in reports if r.attachment_paths)
        removed = next(r for r in reports if r is not changed)
        farm.world.change_report(changed.article_id)
        farm.world.remove_report(removed.article_id)
        added = farm.world.add_report(SITE, formats=("pdf",))
        mark = farm.log.mark()
        nianbao_crawl(tmp_path, "--registry", str(registry), "--site", SITE, "--no-browser")
        requests = farm.log.entries_since(mark)

    versions = dict(query(tmp_path, "select url, max(version) from documents group by url"))
    by_path = {"/" + url.split("/", 3)[3]: v for url, v in versions.items()}
    assert all(by_path[p] == 2 for p in changed.paths)
    gone_urls = query(tmp_path, "select url from documents where gone_on is not null")
    gone = {"/" + url.split("/", 3)[3] for (url,) in gone_urls}
    assert gone == set(removed.paths)
    assert all(by_path[p] == 1 for p in added.paths)
    # Only what changed or is new crossed the wire as a 200.
    fetched = {e.path for e in requests if e.status == 200 and ("/content/" in e.path or "/attachment/" in e.path)}
    assert fetched == set(changed.paths) | set(added.paths)
