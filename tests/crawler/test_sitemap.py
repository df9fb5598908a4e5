"""A sitemap as the site's change signal (issue 15): the farm's gov.cn names ``/sitemap.xml`` in robots.txt,
with a ``<lastmod>`` per report page. A re-crawl reads it (conditionally) before the start page, and a report
the sitemap says changed is asked for although the schedule would have left it for weeks."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.schedule import parse_time
from farm.server import FarmServer
from farm.world import World
from tests.crawler.helpers import nianbao_crawl, query, write_registry

# Whole crawls: kept on one xdist worker with the other farm crawls.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("crawler-farm")]

SITE = "govcn"


def test_a_recrawl_finds_a_change_the_sitemap_names(tmp_path: Path) -> None:
    with FarmServer(World(seed=0, size="small")) as farm:
        registry = write_registry(farm, tmp_path / "portals.csv")
        crawl = ("--registry", str(registry), "--site", SITE, "--no-browser")
        first_mark = farm.log.mark()
        nianbao_crawl(tmp_path, *crawl)
        first = farm.log.entries_since(first_mark)
        mark = farm.log.mark()
        nianbao_crawl(tmp_path, *crawl)
        second = farm.log.entries_since(mark)
        # An old report with a file: by its age the schedule would not ask for it again for a while.
        old = next(r for r in farm.world.reports(SITE) if r.attachment_paths and r.crawlable and r.year <= 2023)
        changed = farm.world.change_report(old.article_id)
        mark = farm.log.mark()
        nianbao_crawl(tmp_path, *crawl)
        third = farm.log.entries_since(mark)
        base = farm.base_urls[SITE].rstrip("/")

    # The first crawl knew no robots.txt yet: no sitemap. The next ones read it first, then conditionally.
    assert "/sitemap.xml" not in {e.path for e in first}
    assert [e.path for e in second][:1] == ["/sitemap.xml"]
    assert [(e.status, e.conditional) for e in third if e.path == "/sitemap.xml"] == [(200, True)]
    # Unchanged, the sitemap leads to nothing more: no document asked in the second crawl.
    document_paths = set(farm.world.expected_paths(SITE)[SITE])
    assert not [e for e in second if e.path in document_paths]
    # Changed: not due by its age, asked all the same, and its new file is a second version.
    file_url = base + changed.attachment_paths[0]
    (next_check,) = query(tmp_path, "select next_check from schedule where url = ?", file_url)[0]
    assert parse_time(next_check) > datetime.now(UTC)
    assert {e.path for e in third if e.status == 200} >= {"/sitemap.xml", changed.attachment_paths[0]}
    assert query(tmp_path, "select max(version) from documents where url = ?", file_url) == [(2,)]
    # Nothing else was downloaded again (the report's page too, when its template prints the update time).
    assert {e.path for e in third if e.status == 200 and e.path in document_paths} <= set(changed.paths)
