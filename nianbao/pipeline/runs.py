"""The pipeline's own record in the archive: a ``runs`` row per run and a ``run_portals`` row per portal.

These tables live in the archive database so the site shows them beside the data they produced: a
reader can see when the archive was last refreshed, which portals failed and what each run found.
They are also the history the scheduler's calendar learns from. A run row is written ``running`` at
the start and completed at the end, so a row left ``running`` is the trace of an interrupted run,
which the next run marks ``interrupted`` and finishes.
"""

from __future__ import annotations

import json
import socket
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlite_utils

from archive.snapshot import current_commit as git_commit
from nianbao import __version__
from nianbao.pipeline.calendar import Visit
from nianbao.pipeline.store_diff import PortalFigures

RUNS = "runs"
RUN_PORTALS = "run_portals"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def open_archive(path: Path) -> sqlite_utils.Database:
    """The archive database, brought to the archive's current schema first when that stage is installed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    try:
        from archive.migrations import apply
    except ImportError:
        apply = None
    if apply is not None:
        apply(db)
    ensure_schema(db)
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Make sure both tables exist; ``runs`` has the archive's own columns (its migrations own it)."""
    db[RUNS].create(
        {
            "id": int,
            "command": str,  # run, demo, schedule; extract and snapshot when run alone
            "args": str,  # JSON
            "started_at": str,
            "finished_at": str,
            "status": str,  # running, clean, partial, broken, interrupted
            "parser_version": str,
            "git_commit": str,
            "stats": str,  # JSON: the run report (per stage and totals)
        },
        pk="id",
        if_not_exists=True,
    )
    db[RUN_PORTALS].create(
        {
            "run_id": int,
            "site_id": str,
            "status": str,  # ok, partial, failed, blocked
            "found": int,
            "new": int,
            "changed": int,
            "gone": int,
            "failed": int,
            "blocked": int,
            "fetched": int,
            "robots": int,
            "reasons": str,
            "visited_at": str,
        },
        pk=("run_id", "site_id"),
        if_not_exists=True,
    )
    db[RUN_PORTALS].create_index(["site_id", "visited_at"], if_not_exists=True)


def parser_version() -> str | None:
    try:
        from extract.parse import PARSER_VERSION
    except ImportError:
        return None
    return PARSER_VERSION




def start_run(db: sqlite_utils.Database, command: str, args: dict[str, Any]) -> tuple[int, list[int]]:
    """Open a run row; mark rows left ``running`` by dead runs as ``interrupted``; return (id, their ids).

    Only called under the run lock, so any other ``running`` row of ours belongs to a process that died.
    """
    stale = [row["id"] for row in db[RUNS].rows_where("status = ? and command in ('run', 'demo', 'schedule')", ["running"])]
    for run_id in stale:
        db[RUNS].update(run_id, {"status": "interrupted", "finished_at": now_iso()})
    run_id = db[RUNS].insert(
        {
            "command": command,
            "args": json.dumps({**args, "host": socket.gethostname(), "nianbao": __version__}, ensure_ascii=False),
            "started_at": now_iso(),
            "status": "running",
            "parser_version": parser_version(),
            "git_commit": git_commit(),
        }
    ).last_pk
    return int(run_id), stale


def finish_run(db: sqlite_utils.Database, run_id: int, status: str, stats: dict[str, Any]) -> None:
    db[RUNS].update(
        run_id,
        {"status": status, "finished_at": now_iso(), "stats": json.dumps(stats, ensure_ascii=False)},
    )


def record_portals(db: sqlite_utils.Database, run_id: int, figures: list[PortalFigures], visited_at: str) -> None:
    rows = []
    for item in figures:
        row = asdict(item)
        row.pop("family", None)
        row["reasons"] = json.dumps(item.reasons, ensure_ascii=False)
        rows.append({**row, "run_id": run_id, "status": item.status, "visited_at": visited_at})
    db[RUN_PORTALS].upsert_all(rows, pk=("run_id", "site_id"))


def visit_history(db: sqlite_utils.Database) -> dict[str, list[Visit]]:
    """Every portal's past visits, oldest first, as the calendar wants them."""
    history: dict[str, list[Visit]] = {}
    if RUN_PORTALS not in db.table_names():
        return history
    for row in db.execute(
        f"select site_id, visited_at, status, new + changed from [{RUN_PORTALS}] order by visited_at"
    ).fetchall():
        site_id, visited_at, status, new = row
        outcome = "failed" if status in ("failed", "blocked") else "ok"
        history.setdefault(site_id, []).append(Visit(datetime.fromisoformat(visited_at), outcome, int(new or 0)))
    return history
