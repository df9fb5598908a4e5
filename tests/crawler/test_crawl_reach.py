"""Issue 17's families in the session's crawl of the small farm, archived through ``nianbao extract``:
every report each portal holds, and nothing else; the generic adapter on a CMS it has never seen; a
portal it cannot walk."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

import pytest

from archive.paths import DataDir
from farm.server import FarmServer
from tests.crawler.helpers import Crawl, nianbao_crawl, query

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("crawler-farm")]

NEW = ("jpaas", "xxgk", "ah-column", "chinatax", "govcn", "county-static")


def archive(data: DataDir, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(data.archive_db) as db:
        return db.execute(sql, params).fetchall()


@pytest.mark.parametrize("site_id", NEW)
def test_every_report_archived_and_nothing_else(first_archive: DataDir, farm: FarmServer, site_id: str) -> None:
    base = farm.base_urls[site_id].rstrip("/")
    truths = farm.world.reports(site_id, crawlable_only=True)
    assert truths, "each new portal holds reports"
    expected = {base + path for truth in truths for path in truth.paths}
    documents = archive(first_archive, "select url, report_id from documents where portal_id = ?", site_id)
    assert {url for url, _ in documents} == expected
    assert all(report_id is not None for _, report_id in documents), "every document belongs to a report"
    failed = archive(first_archive, "select d.url, e.error from documents d join extractions e on e.document_id = d.id"
                                    " where d.portal_id = ? and e.status != 'ok'", site_id)
    assert failed == []
    # Every document sits in a report of its report's year, and no report mixes two of the World's.
    report_of = dict(archive(first_archive, "select url, report_id from documents where portal_id = ?", site_id))
    year_of = dict(archive(first_archive, "select id, year from reports"))
    owners: dict[int, set[int]] = {}
    for truth in truths:
        for path in truth.paths:
            report_id = report_of[base + path]
            assert year_of[report_id] == truth.year, path
            owners.setdefault(report_id, set()).add(truth.article_id)
    assert all(len(articles) == 1 for articles in owners.values())

def test_no_failures_and_nothing_else_requested(first_crawl: Crawl, farm: FarmServer) -> None:
    marks = ",".join("?" * len(NEW))
    bad = query(first_crawl.data, "select portal_id, url, outcome, reason from fetches where run_id = 1"
                                  f" and portal_id in ({marks}) and outcome not in ('downloaded', 'unchanged',"
                                  " 'not_modified')", *NEW)
    assert bad == []
    requested = {entry.path for entry in first_crawl.requests if entry.site_id in NEW}
    for site_id in NEW:
        for other in farm.world.non_reports(site_id):
            assert other.page_path not in requested and not set(other.attachment_paths) & requested


def test_generic_renders_script_lists_once_and_pages_both_ways(first_crawl: Crawl, farm: FarmServer) -> None:
    portal = farm.world.portals["county-static"]
    rendered = query(first_crawl.data, "select url from fetches where portal_id = 'county-static' and run_id = 1"
                                       " and reason = 'rendered in the browser'")
    streets = {farm.url("county-static", c.path) for c in portal.leaf_columns() if c.unit == "street"}
    assert sorted(url for (url,) in rendered) == sorted(streets), "each script-held column once, nothing else"
    # Later pages: even years number them in a createPageHTML call counted from 1, odd years link 下一页.
    expected, years = set(), set()
    for column in portal.leaf_columns():
        pages = math.ceil(len(portal.listed(column)) / portal.page_size)
        if column.unit != "street" and pages > 1:
            expected |= {f"{column.path}index_{k}.shtml" for k in range(2, pages + 1)}
            years.add(column.year % 2)
    assert years == {0, 1}, "the world pages columns both ways"
    assert {e.path for e in first_crawl.requests if e.site_id == "county-static" and "index_" in e.path} == expected


def test_xxgk_organ_years_found_by_enumeration(first_crawl: Crawl, farm: FarmServer) -> None:
    asked = {e.path for e in first_crawl.requests if e.site_id == "xxgk" and "xxgkAnnualReport.jsp" in e.path}
    codes = {p.split("area=")[1].split("&")[0] for p in asked}
    assert len(codes) == len({t.organ for t in farm.world.reports("xxgk")}) and len(asked) > len(codes) * 3
    marks = ",".join("?" * len(NEW))
    families = dict(query(first_crawl.data, "select distinct portal_id, family from fetches where kind = 'page'"
                                            f" and portal_id in ({marks})", *NEW))
    assert families == {"jpaas": "hanweb_jpaas", "xxgk": "hanweb_xxgk", "ah-column": "anhui_column",
                        "chinatax": "chinatax", "govcn": "govcn", "county-static": "generic"}


@pytest.mark.parametrize("browser", [True, False], ids=["browser", "no-browser"])
def test_a_portal_the_generic_adapter_cannot_walk_is_failed(farm: FarmServer, tmp_path: Path, browser: bool) -> None:
    """A start address that shows no report and no way on (here: an article that is not a report)."""
    other = farm.world.non_reports("county-static")[0]
    options = [] if browser else ["--no-browser"]
    nianbao_crawl(tmp_path, "--start-url", farm.url("county-static", other.page_path), *options)
    (row,) = query(tmp_path, "select kind, outcome, reason from fetches where reason != 'rendered in the browser'"
                             " and reason not like '%re-read in the browser'")
    why = "even in the browser" if browser else "browser disabled"
    assert row == ("listing", "failed", f"the generic adapter found no report link or further page{' ' if browser else '; '}{why}")
    assert query(tmp_path, "select count(*) from documents") == [(0,)]
