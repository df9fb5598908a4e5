"""The whole product against the farm: ``nianbao run`` three times, with the farm changed in between.

Run 1 archives everything; run 2 finds nothing new and downloads no report again (the farm's access
log says so); then one report is changed and another removed on the farm, and run 3 (``--full``) must
record the change as a new version and the removal as gone, with coverage, checks and snapshots to match.
The runs are real ``nianbao run`` processes, as cron starts them.
"""

from __future__ import annotations

import importlib

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlite_utils

from archive.paths import DataDir
from nianbao.pipeline import registry_file
from nianbao.pipeline.demo import FARM_CRAWL_SETTINGS
from nianbao.pipeline.service import NIANBAO

farm_server = importlib.import_module("farm.server")
farm_world = importlib.import_module("farm.world")

# One module-scoped story: keep its tests on one xdist worker, or each worker would crawl it again.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("pipeline-end-to-end")]

# Portals of the small world whose habits cost no waiting (no browser, no slow pages, no 429s).
PORTALS = ("gkmlpt", "trs-https")
SEED = 5


@dataclass
class Run:
    code: int
    report: dict
    access: list  # the farm's access-log entries during this run


@dataclass
class Story:
    data: DataDir
    farm: object
    runs: list[Run]
    changed: object  # ReportTruth of the changed report (after the change)
    removed: object  # ReportTruth of the removed report (before the removal)


def _run(data: DataDir, farm: object, *extra: str) -> Run:
    mark = farm.log.mark()
    argv = [*NIANBAO, "--data", str(data.root), "run", "--json", "--no-browser", "--allow-domain", "none.invalid",
            *extra]
    for setting in FARM_CRAWL_SETTINGS:
        argv += ["--set", setting]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=240, check=False)
    assert result.stdout.strip(), result.stderr[-3000:]
    return Run(result.returncode, json.loads(result.stdout.strip().splitlines()[-1]), farm.log.entries_since(mark))


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    root = tmp_path_factory.mktemp("e2e")
    data = DataDir(root / "data").ensure()
    world = farm_world.World(SEED, "small")
    with farm_server.FarmServer(world, log_path=root / "access.jsonl") as farm:
        rows = [row for row in farm.registry_rows() if row["site_id"] in PORTALS]
        registry_file.write_rows(data.registry, rows)
        runs = [_run(data, farm), _run(data, farm)]
        reports = sorted(world.reports(crawlable_only=True), key=lambda truth: truth.article_id)
        reports = [truth for truth in reports if truth.site_id in PORTALS]
        # Both on the portal with no habits: a portal that hides part of a listing (robots.txt, errors)
        # never has anything marked gone, since its missing reports may only be unseen.
        gkmlpt = [truth for truth in reports if truth.site_id == "gkmlpt"]
        changed = world.change_report(next(t for t in gkmlpt if t.inline).article_id)
        removed = next(t for t in gkmlpt if t.inline and t.article_id != changed.article_id)
        world.remove_report(removed.article_id)
        # A normal run is incremental (old reports are not due); a full walk finds changes and removals.
        runs.append(_run(data, farm, "--full"))
        yield Story(data, farm, runs, changed, removed)


def _expected_urls(story: Story) -> set[str]:
    """Every report page and attachment of the chosen portals, at the URL a client ends up on."""
    world = farm_world.World(SEED, "small")
    bases = {**story.farm.base_urls, **story.farm.tls_urls}
    return {
        bases[truth.site_id].rstrip("/") + path
        for truth in world.reports(crawlable_only=True)
        if truth.site_id in PORTALS
        for path in truth.paths
    }


def _archive(story: Story) -> sqlite_utils.Database:
    return sqlite_utils.Database(story.data.archive_db)


def _url(story: Story, site_id: str, path: str) -> set[str]:
    return {base.rstrip("/") + path for base in (story.farm.base_urls[site_id], story.farm.tls_urls.get(site_id, ""))}


def test_first_run_archives_every_report(story: Story) -> None:
    first = story.runs[0]
    assert first.code in (0, 1), first.report
    totals = first.report["totals"]
    assert totals["new"] > 0 and totals["changed"] == 0 and totals["gone"] == 0
    assert first.report["snapshot"], "a changing run writes a snapshot"
    stages = {stage["stage"]: stage for stage in first.report["stages"]}
    assert [stages[name]["status"] for name in ("crawl", "extract", "snapshot")] == ["ok", "ok", "ok"]
    archive = _archive(story)
    expected = _expected_urls(story)
    archived = {row["url"] for row in archive["documents"].rows}
    assert expected <= archived, f"missing from the archive: {sorted(expected - archived)[:5]}"
    unread = [row for row in archive.query("select d.url from documents d left join extractions e on e.document_id = d.id where e.document_id is null")]
    assert unread == [], "every stored document has been extracted (or its failure recorded)"
    assert archive["reports"].count > 0 and archive["cells"].count > 0


def test_second_run_finds_nothing_new_and_downloads_no_report(story: Story) -> None:
    second = story.runs[1]
    assert second.code in (0, 1), second.report
    assert {key: second.report["totals"][key] for key in ("new", "changed", "gone")} == {"new": 0, "changed": 0, "gone": 0}
    assert second.report["snapshot"] is None, "an unchanged run writes no snapshot"
    documents = set()
    for truth in farm_world.World(SEED, "small").reports(crawlable_only=True):
        if truth.site_id in PORTALS:
            documents |= set(truth.paths)
    downloaded = [entry for entry in second.access if entry.path in documents and entry.status == 200]
    assert downloaded == [], f"downloaded again: {[(e.site_id, e.path) for e in downloaded][:5]}"
    # The run report says per portal what the incremental crawl did not ask for.
    assert any(note.startswith("not asked by the incremental crawl") and "gkmlpt" in note
               for note in second.report["notes"]), second.report["notes"]


def test_third_run_records_the_change_and_the_removal(story: Story) -> None:
    third = story.runs[2]
    assert third.code in (0, 1), third.report
    totals = third.report["totals"]
    assert totals["changed"] >= 1 and totals["gone"] >= 1 and totals["new"] == 0
    archive = _archive(story)
    changed_urls = _url(story, "gkmlpt", story.changed.page_path)
    versions = [row["version"] for row in archive["documents"].rows_where(
        f"url in ({','.join('?' * len(changed_urls))})", list(changed_urls), order_by="version")]
    assert versions == [1, 2], "the change is a new version"
    report = next(archive["reports"].rows_where("organ = ? and year = ?", [story.changed.organ, story.changed.year]))
    assert report["editions"] == 2
    removed_urls = _url(story, "gkmlpt", story.removed.page_path)
    gone = [row["gone_on"] for row in archive["documents"].rows_where(
        f"url in ({','.join('?' * len(removed_urls))})", list(removed_urls))]
    assert gone and all(gone), "the removal is marked gone"


def _coverage(story: Story, site_id: str) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    """(what the archive's coverage says was found, what the farm holds) for one portal's own organ."""
    organ = next(row["organ"] for row in registry_file.read_rows(story.data.registry) if row["site_id"] == site_id)
    found = {
        (row["organ"], row["year"])
        for row in _archive(story)["coverage"].rows_where("organ = ? and status in ('found', 'late')", [organ])
    }
    live = {(t.organ, t.year) for t in story.farm.world.reports(site_id, crawlable_only=True) if t.organ == organ}
    return found, live


def test_coverage_and_checks_follow_the_farm(story: Story) -> None:
    found, live = _coverage(story, "trs-https")
    assert live and found == live, "coverage says found exactly where the farm holds the organ's report"
    archive = _archive(story)
    assert archive.execute("select count(*) from coverage where status = 'missing'").fetchone()[0] > 0
    changed_urls = _url(story, "gkmlpt", story.changed.page_path)
    latest = max(row["id"] for row in archive["documents"].rows_where(
        f"url in ({','.join('?' * len(changed_urls))})", list(changed_urls)))
    assert archive.execute("select count(*) from checks where document_id = ?", [latest]).fetchone()[0] > 0, (
        "the new version's 勾稽 checks are in the archive"
    )
    documents = {row["id"] for row in archive["documents"].rows}
    assert {row[0] for row in archive.execute("select distinct document_id from checks")} <= documents


def test_coverage_does_not_credit_the_portal_organ_with_its_departments_reports(story: Story) -> None:
    found, live = _coverage(story, "gkmlpt")
    assert found == live


def test_runs_are_in_the_archive_and_each_changing_run_has_a_snapshot(story: Story) -> None:
    archive = _archive(story)
    rows = list(archive["runs"].rows_where("command = 'run'", order_by="id"))
    assert [row["status"] for row in rows] == [run.report["status"] for run in story.runs]
    snapshots = [json.loads(row["stats"])["snapshot"] for row in rows]
    assert snapshots[0] and snapshots[1] is None
    assert (story.data.snapshots / snapshots[0]).is_dir()


def test_a_second_changing_run_on_the_same_day_has_its_own_snapshot(story: Story) -> None:
    assert story.runs[2].report["snapshot"] and story.runs[2].report["snapshot"] != story.runs[0].report["snapshot"]
