"""The pipeline's own record in the archive: a ``runs`` row per run and a ``run_portals`` row per portal.

These tables live in the archive database (their schema is the archive's, ``archive/migrations.py``)
so the site shows them beside the data they produced: a reader can see when the archive was last
refreshed, which portals failed and what each run found.
They are also the history the scheduler's calendar learns from. A run row is written ``running`` at
the start and completed at the end, so a row left ``running`` is the trace of an interrupted run,
which the next run marks ``interrupted`` and finishes.
"""

from __future__ import annotations

import json
import socket
from dataclasses import asdict
from datetime import datetime, timezone
from typing import Any

import sqlite_utils

from archive.snapshot import current_commit as git_commit
from extract.parse import PARSER_VERSION
from nianbao import __version__
from nianbao.pipeline.calendar import Visit
from nianbao.pipeline.store_diff import PortalFigures

RUNS = "runs"
RUN_PORTALS = "run_portals"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


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
            "parser_version": PARSER_VERSION,
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
    for row in db.execute(
        f"select site_id, visited_at, status, new + changed from [{RUN_PORTALS}] order by visited_at"
    ).fetchall():
        site_id, visited_at, status, new = row
        outcome = "failed" if status in ("failed", "blocked") else "ok"
        history.setdefault(site_id, []).append(Visit(datetime.fromisoformat(visited_at), outcome, int(new or 0)))
    return history
