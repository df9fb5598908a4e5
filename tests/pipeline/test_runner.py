"""The runner's own logic on a fake crawler: figures, exit codes, runs rows, snapshots, interrupted runs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner
from rich.console import Console

from nianbao.cli import cli
from archive.db import open_archive
from archive.paths import DataDir
from archive.store import open_store_db
from archive.store_reader import StoreReader
from nianbao.pipeline import registry_file, runs, stages, store_diff
from nianbao.pipeline.discovery import DiscoveryPolicy
from nianbao.pipeline.runner import RunOptions, lock_for, pending_for, run_pipeline
from nianbao.pipeline.stages import StageOutcome

from .conftest import FakeWeb

QUIET = Console(file=open("/dev/null", "w"), width=120)  # noqa: SIM115 - lives as long as the tests


@pytest.fixture
def snapshots(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    written: list[str] = []

    def snapshot(data: DataDir) -> str:
        written.append(f"snapshot-{len(written) + 1}")
        return written[-1]

    monkeypatch.setattr(stages, "snapshot", snapshot)
    monkeypatch.setattr(stages, "extract", lambda data, progress: StageOutcome(counts={"extracted": 0}))
    return written


def run(data: DataDir, **kwargs: object):
    return run_pipeline(RunOptions(data=data, policy=DiscoveryPolicy(allowed=("*.invalid",)), **kwargs), QUIET)


def by_site(report) -> dict[str, store_diff.PortalFigures]:
    return {figures.site_id: figures for figures in report.portals}


def test_new_unchanged_changed_gone(data: DataDir, fake_web: FakeWeb, samples: list[bytes], snapshots: list[str]) -> None:
    fake_web.pages = {
        "alpha": {"http://www.alpha.gov.cn/a1.txt": samples[0], "http://www.alpha.gov.cn/a2.txt": samples[1]},
        "beta": {"http://www.beta.gov.cn/b1.txt": samples[2]},
    }
    first = run(data)
    assert first.exit_code == 0 and first.status == "clean"
    assert {site: (f.found, f.new, f.changed, f.gone) for site, f in by_site(first).items()} == {
        "alpha": (2, 2, 0, 0),
        "beta": (1, 1, 0, 0),
    }
    assert first.snapshot == "snapshot-1"

    second = run(data)
    assert second.totals() == {"found": 3, "new": 0, "changed": 0, "gone": 0, "failed": 0, "blocked": 0}
    assert second.snapshot is None and snapshots == ["snapshot-1"], "an unchanged run writes no snapshot"

    fake_web.pages["alpha"]["http://www.alpha.gov.cn/a1.txt"] = samples[3]
    del fake_web.pages["beta"]["http://www.beta.gov.cn/b1.txt"]
    third = run(data)
    assert {site: (f.found, f.new, f.changed, f.gone) for site, f in by_site(third).items()} == {
        "alpha": (2, 0, 1, 0),
        "beta": (0, 0, 0, 1),
    }
    assert third.snapshot == "snapshot-2"

    archive = sqlite_utils.Database(data.archive_db)
    rows = list(archive[runs.RUNS].rows_where("command = 'run'", order_by="id"))
    assert [row["status"] for row in rows] == ["clean", "clean", "clean"]
    assert [json.loads(row["stats"])["snapshot"] for row in rows] == ["snapshot-1", None, "snapshot-2"]
    assert json.loads(rows[2]["stats"])["totals"]["changed"] == 1
    portal_rows = list(archive[runs.RUN_PORTALS].rows_where("run_id = ?", [rows[2]["id"]], order_by="site_id"))
    assert [(row["site_id"], row["changed"], row["gone"]) for row in portal_rows] == [("alpha", 1, 0), ("beta", 0, 1)]


def test_failing_portal_makes_the_run_partial(data: DataDir, fake_web: FakeWeb, samples: list[bytes], snapshots: list[str]) -> None:
    fake_web.pages = {"alpha": {"http://www.alpha.gov.cn/a1.txt": samples[0]}}
    fake_web.failing = {"beta"}
    report = run(data)
    assert report.exit_code == 1 and report.status == "partial"
    beta = by_site(report)["beta"]
    assert (beta.status, beta.failed, beta.reasons) == ("failed", 1, ["HTTP 503"])
    history = runs.visit_history(sqlite_utils.Database(data.archive_db))
    assert [visit.outcome for visit in history["beta"]] == ["failed"]
    assert [visit.new_reports for visit in history["alpha"]] == [1]


def test_a_failing_stage_makes_the_run_broken(data: DataDir, fake_web: FakeWeb, monkeypatch: pytest.MonkeyPatch, snapshots: list[str]) -> None:
    def explode(data: DataDir, progress: stages.Progress) -> StageOutcome:
        raise RuntimeError("disk full")

    monkeypatch.setattr(stages, "extract", explode)
    report = run(data)
    assert report.exit_code == 2
    extract = next(stage for stage in report.stages if stage.stage == "extract")
    assert (extract.status, extract.error) == ("failed", "RuntimeError: disk full")
    row = sqlite_utils.Database(data.archive_db)[runs.RUNS].get(report.run_id)
    assert row["status"] == "broken"


def test_only_the_named_portals_are_visited(data: DataDir, fake_web: FakeWeb, snapshots: list[str]) -> None:
    run(data, only={"beta"})
    assert fake_web.crawls == [["beta"]]


def test_an_interrupted_run_is_finished_by_the_next(
    data: DataDir, fake_web: FakeWeb, samples: list[bytes], snapshots: list[str]
) -> None:
    fake_web.pages = {"alpha": {"http://www.alpha.gov.cn/a1.txt": samples[0]}}
    # A run that crawled and then died (SIGKILL) before extracting and snapshotting:
    archive = open_archive(data.archive_db)
    dead_id, _ = runs.start_run(archive, "run", {})
    pending_for(data).save(dead_id, store_diff.mark(data))
    fake_web.crawl(data, registry_file.read_rows(data.registry), stages.no_progress)

    report = run(data)
    assert report.resumed == [dead_id]
    assert by_site(report)["alpha"].new == 1, "what the dead run fetched is reported by the run that finishes it"
    assert report.snapshot == "snapshot-1"
    assert archive[runs.RUNS].get(dead_id)["status"] == "interrupted"
    assert not pending_for(data).path.exists()
    assert run(data).resumed == []


def test_overlapping_run_is_refused_with_exit_75(data: DataDir, fake_web: FakeWeb) -> None:
    with lock_for(data):
        result = CliRunner().invoke(cli, ["--data", str(data.root), "run"])
    assert result.exit_code == 75
    assert "another nianbao run holds" in result.output


def test_candidates_from_reports_are_walked_and_recorded(
    data: DataDir, fake_web: FakeWeb, samples: list[bytes], snapshots: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_web.pages = {"alpha": {"http://www.alpha.gov.cn/a1.txt": samples[0], "http://www.alpha.gov.cn/a2.txt": samples[1]}}
    mentioned = [
        stages.Mention("http://www.found-one.gov.cn/xxgk/", "http://www.alpha.gov.cn/a1.txt", organ="丙县人民政府", year=2023),
        stages.Mention("http://www.found-two.gov.cn/xxgk/", "http://www.alpha.gov.cn/a2.txt", organ="丁县人民政府"),
        stages.Mention("http://www.found-three.gov.cn/", "http://www.alpha.gov.cn/a2.txt"),
        stages.Mention("http://10.0.0.8/xxgk/", "http://www.alpha.gov.cn/a2.txt"),
    ]
    monkeypatch.setattr(stages, "mentions", lambda data, ids: iter(mentioned if ids else []))
    monkeypatch.setattr(stages, "detected_families", lambda data, ids: {site: "trs" for site in ids})
    first = run_pipeline(RunOptions(data=data), QUIET)
    assert first.candidates_added == 3
    listed = registry_file.read_rows(data.registry)
    assert len(listed) == 2 + 3, "the two portals and three candidates, each once"
    rows = {row["start_url"]: row for row in listed}
    one, two, three = (rows[f"http://www.found-{n}.gov.cn/{p}"] for n, p in (("one", "xxgk/"), ("two", "xxgk/"), ("three", "")))
    assert one["status"] == "candidate" and one["source"] == "http://www.alpha.gov.cn/a1.txt"
    assert "http://10.0.0.8/xxgk/" not in rows

    fake_web.pages[one["site_id"]] = {"http://www.found-one.gov.cn/xxgk/r.txt": samples[2]}
    fake_web.failing = {three["site_id"]}
    second = run_pipeline(RunOptions(data=data), QUIET)
    assert set(fake_web.crawls[1]) == {"alpha", "beta", one["site_id"], two["site_id"], three["site_id"]}
    assert second.candidates_added == 0
    rows = {row["site_id"]: row for row in registry_file.read_rows(data.registry)}
    assert (rows[one["site_id"]]["status"], rows[one["site_id"]]["family"]) == ("active", "trs")
    assert "1 reports, family trs" in rows[one["site_id"]]["notes"]
    assert rows[two["site_id"]]["status"] == "disabled"
    assert rows[three["site_id"]]["status"] == "candidate" and "failed (HTTP 503)" in rows[three["site_id"]]["notes"]
    assert rows["alpha"] == {**rows["alpha"], "status": "active"}


def test_a_deferred_snapshot_is_written_by_the_next_run(
    data: DataDir, fake_web: FakeWeb, samples: list[bytes], monkeypatch: pytest.MonkeyPatch, snapshots: list[str]
) -> None:
    fake_web.pages = {"alpha": {"http://www.alpha.gov.cn/a1.txt": samples[0]}}

    def exists(data: DataDir) -> str:
        raise stages.SnapshotDeferred("snapshot 2025-01-02 exists")

    monkeypatch.setattr(stages, "snapshot", exists)
    first = run(data)
    assert first.snapshot is None and first.exit_code == 0
    assert next(stage for stage in first.stages if stage.stage == "snapshot").status == "deferred"
    monkeypatch.setattr(stages, "snapshot", lambda data: "2025-01-03")
    second = run(data)
    assert second.totals()["new"] == 0 and second.snapshot == "2025-01-03"
    assert run(data).snapshot is None


def test_detected_family_is_the_one_the_crawler_used_most(data: DataDir) -> None:
    from archive.store import open_store_db

    db = open_store_db(data)
    for portal, family in [("a", "auto"), ("a", "trs"), ("a", "trs"), ("a", "generic"), ("b", "hanweb"), ("c", None)]:
        db["fetches"].insert({"portal_id": portal, "family": family, "kind": "listing", "url": f"http://{portal}/"})
    assert stages.detected_families(data, ["a", "b", "c"]) == {"a": "trs", "b": "hanweb"}


def test_the_snapshot_holds_the_run_that_wrote_it(
    data: DataDir, fake_web: FakeWeb, samples: list[bytes], monkeypatch: pytest.MonkeyPatch, snapshots: list[str]
) -> None:
    seen: list[tuple[str, int]] = []

    def snapshot(data: DataDir) -> str:
        archive = sqlite_utils.Database(data.archive_db)
        seen.append((archive[runs.RUNS].get(1)["status"], archive[runs.RUN_PORTALS].count))
        return "snap"

    monkeypatch.setattr(stages, "snapshot", snapshot)
    fake_web.pages = {"alpha": {"http://www.alpha.gov.cn/a1.txt": samples[0]}}
    run(data)
    assert seen == [("clean", 2)]


def test_samples_are_versioned_by_the_store(
    data: DataDir, fake_web: FakeWeb, samples: list[bytes], snapshots: list[str], tmp_path: Path
) -> None:
    first = run(data, samples=True)
    assert by_site(first)[stages.SAMPLES_PORTAL].new == len(samples)
    assert run(data, samples=True).totals()["new"] == 0, "the same bodies are no new version"
    folder = tmp_path / "more"
    folder.mkdir()
    name = sorted(stages.SAMPLES_DIR.glob("*.txt"))[0].name
    (folder / name).write_bytes(samples[1])  # another body at the first sample's URL
    assert stages.ingest_samples(data, folder).counts == {"samples": 1, "added": 1}
    with StoreReader(data) as store:
        versions = [d.version for d in store.documents() if d.url == f"nianbao:samples/{name}"]
    assert versions == [1, 2]


KILLED_CRAWLER = """
import os, signal, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("insert into runs (started_at, spider, status) values ('2025-01-01T00:00:00', 'portal', 'running')")
db.commit()
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_crawler_killed_mid_run_leaves_its_run_interrupted(data: DataDir, monkeypatch: pytest.MonkeyPatch) -> None:
    """The crawler opens its run in the store and dies without closing it: the stage closes it."""
    monkeypatch.setattr(stages, "crawl_command",
                        lambda data, **options: ([sys.executable, "-c", KILLED_CRAWLER, str(data.store_db)], "job"))
    store = open_store_db(data)
    store["runs"].insert({"started_at": "2024-01-01T00:00:00", "spider": "portal", "status": "finished"})
    row = {"site_id": "alpha", "start_url": "http://www.alpha.gov.cn/", "status": "active"}
    with pytest.raises(RuntimeError, match="crawler exited with status -9"):
        stages.crawl(data, [row])
    assert [r["status"] for r in open_store_db(data)["runs"].rows] == ["finished", "interrupted"]
