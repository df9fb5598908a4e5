"""``nianbao run`` as a function: every stage in order, timed, measured, recorded, under one lock.

Order: registry → crawl → extract (documents, reports, checks, coverage) → discover (portals named in
the new reports, and what walking earlier candidates found, into the registry and the archive's
portals table) → snapshot. Each stage is timed and its outcome kept in the run report; a stage that
raises is reported as ``failed``, and the run goes on as far as it sensibly can, so one bad stage
never hides what the others did.

Except when the data directory itself fails (full, read-only, not ours to write): then no later stage
can do anything but fail the same way, so the run stops at once with ``DataDirUnusable``, leaving its
pending mark for the next run, which measures and finishes everything from where this one started.
"""

from __future__ import annotations

import sqlite3
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils
from rich.console import Console

from archive.db import open_archive
from archive.faults import DataDirUnusable, check_writable, storage_fault, unusable
from archive.lock import RunLock
from archive.paths import DataDir
from nianbao.pipeline import registry_file, runs, stages, store_diff
from nianbao.pipeline.discovery import CANDIDATE, DiscoveryPolicy, add_candidates
from nianbao.pipeline.pending import Pending
from nianbao.pipeline.progress import stage_progress
from nianbao.pipeline.report import RunReport, StageResult
from nianbao.pipeline.stages import StageOutcome


@dataclass
class RunOptions:
    """Everything a run can be asked to do differently; the defaults are the cron job's."""

    data: DataDir
    command: str = "run"
    only: set[str] | None = None  # crawl just these site_ids (the scheduler's due portals)
    policy: DiscoveryPolicy = field(default_factory=DiscoveryPolicy)
    snapshot: bool = True
    samples: bool = False  # also archive the bundled sample reports
    lock_wait: float = 0.0
    browser: bool = True  # Chromium for JavaScript-only portals (the crawler decides where it is needed)
    crawl_settings: tuple[str, ...] = ()  # Scrapy settings NAME=VALUE for this run's crawl


def lock_for(data: DataDir) -> RunLock:
    return RunLock(data.root / "run.lock")


def pending_for(data: DataDir) -> Pending:
    return Pending(data.root / ".pipeline" / "pending.json")


def snapshot_owed_for(data: DataDir) -> Path:
    """Present while the archive holds changes no snapshot has: the next run snapshots even if idle."""
    return data.root / ".pipeline" / "snapshot-owed"


class _Stages:
    """Runs stages one by one into a report, turning exceptions into stage outcomes.

    A stage that fails on a data directory that can no longer take a small file stopped because of
    the directory, whatever it raised (the crawler, a child process, only says "exit status 1"): that
    ends the run, as ``DataDirUnusable``.
    """

    def __init__(self, report: RunReport, console: Console, data: DataDir):
        self.report = report
        self.console = console
        self.data = data

    @contextmanager
    def stage(self, name: str, *, required: bool = True) -> Iterator[StageResult]:
        result = StageResult(stage=name, status="ok", required=required)
        started = time.monotonic()
        try:
            yield result
        except Exception as exc:  # noqa: BLE001 - a failed stage is reported, the run goes on
            result.status, result.error = "failed", f"{type(exc).__name__}: {exc}"
            self.report.tracebacks.append(f"{name}:\n" + traceback.format_exc(limit=8))
            problem = unusable(self.data.root, exc)
            if problem is None:
                try:
                    check_writable(self.data.root)
                except DataDirUnusable as found:
                    problem = found
            if problem is not None:
                raise DataDirUnusable(f"{problem} (in the {name} stage)") from exc
        finally:
            result.seconds = round(time.monotonic() - started, 2)
            self.report.stages.append(result)

    def run(self, name: str, call: Callable[[stages.Progress], StageOutcome], *, required: bool = True) -> StageResult:
        with self.stage(name, required=required) as result:
            with stage_progress(self.console, name) as progress:
                outcome = call(progress)
            result.counts.update(outcome.counts)
            self.report.notes.extend(outcome.notes)
        return self.report.stages[-1]


def run_pipeline(options: RunOptions, console: Console | None = None) -> RunReport:
    """One complete run; raises ``LockHeld`` when another run holds the data directory, and
    ``DataDirUnusable`` (one line: which directory, what is wrong) when it cannot be written."""
    console = console or Console()
    try:
        data = options.data.ensure()
        check_writable(data.root)  # a read-only directory is refused before anything, the lock included
        with _locked(lock_for(data), options.lock_wait):
            return _run_locked(options, data, console)
    except (OSError, sqlite3.Error) as exc:
        problem = unusable(options.data.root, exc)
        if problem is None:
            raise
        raise problem from exc


@contextmanager
def _locked(lock: RunLock, wait: float) -> Iterator[RunLock]:
    lock.acquire(wait=wait)
    try:
        yield lock
    finally:
        lock.release()


def _run_locked(options: RunOptions, data: DataDir, console: Console) -> RunReport:
    archive = open_archive(data.archive_db)
    args = {"only": sorted(options.only) if options.only else None, "snapshot": options.snapshot}
    run_id, stale = runs.start_run(archive, options.command, args)
    report = RunReport(run_id=run_id, started_at=runs.now_iso(), resumed=stale)
    runner = _Stages(report, console, data)
    pending = pending_for(data)
    left = pending.load()
    mark = left[1] if left else store_diff.mark(data)
    if left:
        report.notes.append(f"finishing the interrupted run {left[0]}: figures count from where it started")
        if left[0] is not None and left[0] not in report.resumed:
            report.resumed.append(left[0])
    pending.save(run_id, mark)
    chosen: list[dict[str, str]] = []
    try:
        with runner.stage("registry") as result:
            if registry_file.ensure_registry(data.registry):
                report.notes.append(f"no registry yet: started {data.registry} from the shipped one")
            rows = registry_file.read_rows(data.registry)
            chosen = registry_file.crawlable(rows, options.only)
            result.counts = {"portals": len(rows), "to_visit": len(chosen), "candidates": _count(rows, CANDIDATE)}
        crawl = runner.run(
            "crawl",
            lambda progress: stages.crawl(
                data, chosen, progress, browser=options.browser, settings=options.crawl_settings
            ),
            required=False,
        )
        if options.samples:
            runner.run("samples", lambda progress: stages.ingest_samples(data))
        figures = store_diff.figures_since(data, mark, [row["site_id"] for row in chosen])
        if crawl.status != "ok":
            _unvisited(figures, chosen, crawl)
        report.portals = list(figures.values())
        runner.run("extract", lambda progress: stages.extract(data, progress))
        with runner.stage("discover", required=False) as discovered:
            discovered.counts = _discover(data, options.policy, mark, figures, chosen, report)
        if discovered.counts.get("added") or discovered.counts.get("walked"):
            runner.run("archive registry", lambda progress: stages.sync_registry(data), required=False)
        owed = snapshot_owed_for(data)
        if options.snapshot and (report.changed_anything or owed.exists()):
            owed.touch()
            # The snapshot carries this run's own rows (the site shows them), as complete as they are now.
            runs.record_portals(archive, run_id, report.portals, report.started_at)
            runs.finish_run(archive, run_id, report.status, report.to_stats())
            with runner.stage("snapshot", required=False) as result:
                try:
                    report.snapshot = stages.snapshot(data)
                    result.counts = {"written": 1}
                    owed.unlink(missing_ok=True)
                except stages.SnapshotDeferred as exc:
                    result.status = "deferred"
                    report.notes.append(f"snapshot deferred to the next run on a new date: {exc}")
        pending.clear()
    except KeyboardInterrupt:
        # Stopped by Ctrl-C or the scheduler: the pending mark stays, so the next run finishes this one.
        report.finished_at = runs.now_iso()
        runs.finish_run(archive, run_id, "interrupted", report.to_stats())
        raise
    except Exception as exc:  # noqa: BLE001 - whatever escaped the stages still ends in a recorded run
        if isinstance(exc, DataDirUnusable) or storage_fault(exc):
            _record_if_possible(archive, run_id, report)
            raise
        report.stages.append(StageResult("pipeline", "failed", error=f"{type(exc).__name__}: {exc}"))
    report.finished_at = runs.now_iso()
    runs.record_portals(archive, run_id, report.portals, report.started_at)
    runs.finish_run(archive, run_id, report.status, report.to_stats())
    return report


def _record_if_possible(archive: sqlite_utils.Database, run_id: int, report: RunReport) -> None:
    """Mark the run broken if the archive can still take it; if not, the next run marks it interrupted."""
    report.finished_at = runs.now_iso()
    try:
        runs.finish_run(archive, run_id, "broken", report.to_stats())
    except (OSError, sqlite3.Error):
        pass


def _unvisited(
    figures: dict[str, store_diff.PortalFigures], chosen: list[dict[str, str]], crawl: StageResult
) -> None:
    """Portals a failed or missing crawl never reached count as failed visits, so the calendar backs off."""
    for row in chosen:
        figures_of = figures[row["site_id"]]
        if figures_of.fetched:
            continue
        figures_of.failed = figures_of.fetched = 1
        figures_of.reasons = [f"crawl {crawl.status}: {crawl.error or ''}".strip()[:200]]


def _count(rows: list[dict[str, str]], status: str) -> int:
    return sum(1 for row in rows if row.get("status") == status)


def _discover(
    data: DataDir,
    policy: DiscoveryPolicy,
    mark: store_diff.StoreMark,
    figures: dict[str, store_diff.PortalFigures],
    chosen: list[dict[str, str]],
    report: RunReport,
) -> dict[str, int]:
    """Add the portals that new reports mention, and record what walking earlier candidates found."""
    rows = registry_file.read_rows(data.registry)
    walked = _record_walks(data, rows, figures, {row["site_id"] for row in chosen})
    new_ids = store_diff.new_document_ids(data, mark)
    result = add_candidates(rows, stages.mentions(data, new_ids), policy)  # appends the new rows to ``rows``
    if walked or result.added:
        registry_file.write_rows(data.registry, rows)
    report.candidates_added = len(result.added)
    return {
        "read": len(new_ids),
        "added": len(result.added),
        "known": result.known,
        "refused": len(result.refused),
        "walked": walked,
    }


def _record_walks(
    data: DataDir, rows: list[dict[str, str]], figures: dict[str, store_diff.PortalFigures], visited: set[str]
) -> int:
    """Write what this run found on each candidate it walked into its registry row.

    A candidate with reports becomes ``active`` (with the family the crawler recognised); one that
    answered but holds no annual report becomes ``disabled``, so it is not walked again until a person
    says so; one that failed stays a candidate and is tried again next run.
    """
    candidates = [row for row in rows if row.get("status") == CANDIDATE and row.get("site_id") in visited]
    if not candidates:
        return 0
    families = stages.detected_families(data, [row["site_id"] for row in candidates])
    today = datetime.now(timezone.utc).date().isoformat()
    for row in candidates:
        found = figures.get(row["site_id"])
        if found is None:
            continue
        if found.found:
            row["status"] = "active"
            row["family"] = families.get(row["site_id"], row.get("family") or "auto")
            row["notes"] = _note(row, f"walked {today}: {found.found} reports, family {row['family']}")
        elif found.status in ("failed", "blocked"):
            row["notes"] = _note(row, f"walked {today}: {found.status} ({'; '.join(found.reasons) or 'no reason'})")
        else:
            row["status"] = "disabled"
            row["family"] = families.get(row["site_id"], row.get("family") or "auto")
            row["notes"] = _note(row, f"walked {today}: no annual reports found")
    return len(candidates)


def _note(row: dict[str, str], text: str) -> str:
    """Notes keep the discovery sentence and the latest walk, not a growing log."""
    first = (row.get("notes") or "").split(" | ")[0]
    return f"{first} | {text}" if first else text
