"""One report, one row; one organ, one identity: the session's crawl of the small farm, extracted into an archive.

The farm says which URLs carry one report (a page and its files; a planted re-issue or mirror names
its original in ``same_as``), and where each portal is (its county, read by hand from NBS 2023 below),
so the archive's reports, organs, codes and coverage are checked against the farm's own ground truth.
"""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import urlsplit

import pytest
import sqlite_utils

from archive.paths import DataDir
from farm.server import FarmServer

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("crawler-farm")]

# The farm's counties (farm/names.py REGIONS) and their GB/T 2260 codes, read by hand from NBS 2023.
COUNTY_CODES = {
    "安徽省铜陵市铜官区": "340705", "湖南省怀化市鹤城区": "431202", "广东省广州市海珠区": "440105",
    "江苏省盐城市盐都区": "320903", "陕西省咸阳市秦都区": "610402", "甘肃省张掖市甘州区": "620702",
    "河南省平顶山市鲁山县": "410423", "贵州省黔西南州兴仁市": "522302", "北京市密云区": "110118",
    "湖北省武汉市硚口区": "420104", "山东省济宁市邹城市": "370883",
    "甘肃省临夏州和政县": "622925", "山东省济宁市嘉祥县": "370829", "安徽省六安市霍山县": "341525",
    "北京市西城区": "110102", "北京市东城区": "110101", "陕西省渭南市富平县": "610528",
}
# The farm's unit types and the levels their organs have (a 铜陵 社区 may be a township-level 社区街道).
LEVELS = {"government": {"county"}, "department": {"county"}, "township": {"township"}, "street": {"township"},
          "community": {"community", "township"}}


@pytest.fixture(scope="module")
def archive(first_archive: DataDir) -> sqlite_utils.Database:
    return sqlite_utils.Database(first_archive.archive_db)


def _report_of_path(db: sqlite_utils.Database) -> dict[tuple[str, str], int | None]:
    out = {}
    for row in db.query("SELECT portal_id, url, report_id FROM documents"):
        parts = urlsplit(row["url"])
        out[row["portal_id"], parts.path + (f"?{parts.query}" if parts.query else "")] = row["report_id"]
    return out


def test_each_farm_report_is_one_archive_report(archive: sqlite_utils.Database, farm: FarmServer) -> None:
    reports = _report_of_path(archive)
    truths = {truth.article_id: truth for truth in farm.world.reports(crawlable_only=True)}
    groups: dict[int, set[int | None]] = defaultdict(set)  # farm report (the original) -> archive reports
    for truth in truths.values():
        for path in truth.paths:
            groups[truth.same_as or truth.article_id].add(reports[truth.site_id, path])
    assert all(len(found) == 1 and None not in found for found in groups.values()), {
        article: found for article, found in groups.items() if len(found) != 1 or None in found}
    # Distinct farm reports are distinct archive reports, and the archive holds no other.
    ids = [next(iter(found)) for found in groups.values()]
    assert len(set(ids)) == len(ids)
    assert set(ids) == {row[0] for row in archive.execute("SELECT id FROM reports")}
    for original, found in groups.items():
        report = archive["reports"].get(next(iter(found)))
        truth = truths[original]
        assert report["year"] == truth.year
        assert report["region_code"][:6] == COUNTY_CODES[farm.world.portals[truth.site_id].region], report
        assert report["level"] in LEVELS[truth.level], (report, truth.level)


def test_planted_duplicates_end_as_one_report(archive: sqlite_utils.Database, farm: FarmServer) -> None:
    reports = _report_of_path(archive)
    copies = [truth for truth in farm.world.reports(crawlable_only=True) if truth.same_as]
    assert {truth.site_id for truth in copies} == {"trs-https", "openness"}  # a re-issue and a mirror
    for copy in copies:
        original = next(t for t in farm.world.reports() if t.article_id == copy.same_as)
        report = archive["reports"].get(reports[copy.site_id, copy.page_path])
        assert report["id"] == reports[original.site_id, original.page_path]
        assert report["documents"] == len(copy.paths) + len(original.paths)
        primary = archive["documents"].get(report["primary_document_id"])
        if copy.spec.cells != original.spec.cells:  # a correction: a second edition, and its numbers win
            assert report["editions"] == 2 and (primary["portal_id"], urlsplit(primary["url"]).path) in {
                (copy.site_id, path) for path in copy.paths}
        else:  # the same numbers on another portal: one edition
            assert report["editions"] == 1


def test_done_when(archive: sqlite_utils.Database) -> None:
    """Issue 11's conditions on an archive of the farm."""
    assert archive.execute("SELECT count(*) FROM documents WHERE report_id IS NOT NULL").fetchone()[0] > 100
    pairs = archive.execute("SELECT count(*), count(DISTINCT organ_id || '/' || year) FROM reports").fetchone()
    assert pairs[0] == pairs[1]
    stems = defaultdict(list)
    for row in archive.query("SELECT id, name, region_code FROM organs WHERE id IN (SELECT organ_id FROM reports)"):
        stems[row["region_code"][:6], re.sub(r"(人民政府|办事处|居民委员会)$", "", row["name"])].append(row["name"])
    assert not {stem: names for stem, names in stems.items() if len(names) > 1}
    for row in archive.query("SELECT id, organ, level, region_code FROM reports"):
        assert row["level"] and re.fullmatch(r"\d{6}|\d{9}|\d{12}", row["region_code"] or ""), row
    uncovered = archive.execute(
        """SELECT count(*) FROM reports r WHERE NOT EXISTS
           (SELECT 1 FROM coverage c WHERE c.organ_id = r.organ_id AND c.year = r.year AND c.report_id = r.id)"""
    ).fetchone()[0]
    assert uncovered == 0
