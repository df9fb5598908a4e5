"""The home page's figures: what the archive holds, how fresh and how complete it is.

Counts come from the snapshot's own row in ``snapshots`` where there is one (written by ``nianbao
snapshot`` with every table's row count and the coverage summary), so the home page does not count
millions of rows on each visit; an archive served without a snapshot row is counted directly.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from archive.site import changes
from archive.site.labels import one, rows

RECENT = 8


@dataclass
class Home:
    reports: int
    organs: int
    regions: int
    portals: int
    years: tuple[int, int] | None
    failing_reports: int
    coverage: dict[str, int]
    snapshot: dict[str, Any] | None
    last_run: dict[str, Any] | None
    recent: list[dict[str, Any]]
    feeds: list[tuple[str, int]]
    by_region: list[dict[str, Any]]

    @property
    def published_share(self) -> float | None:
        """Share of organ-years judged so far that have a report (found or late), in %."""
        judged = sum(self.coverage.get(key, 0) for key in ("found", "late", "missing", "unreachable"))
        published = self.coverage.get("found", 0) + self.coverage.get("late", 0)
        return round(100 * published / judged, 1) if judged else None


def home(conn: sqlite3.Connection) -> Home:
    snapshot = one(conn, "SELECT date, created_at, row_counts, coverage, git_commit FROM snapshots "
                         "ORDER BY date DESC LIMIT 1")
    counts = json.loads(snapshot["row_counts"]) if snapshot and snapshot["row_counts"] else {}
    coverage = json.loads(snapshot["coverage"]) if snapshot and snapshot["coverage"] else dict(
        conn.execute("SELECT status, count(*) FROM coverage GROUP BY status"))
    years = conn.execute("SELECT min(year), max(year) FROM reports").fetchone()
    return Home(
        reports=counts.get("reports") if "reports" in counts else _count(conn, "reports"),
        organs=conn.execute("SELECT count(DISTINCT organ_id) FROM reports").fetchone()[0],
        regions=conn.execute("SELECT count(DISTINCT region) FROM reports").fetchone()[0],
        portals=counts.get("portals") if "portals" in counts else _count(conn, "portals"),
        years=(years[0], years[1]) if years[0] is not None else None,
        failing_reports=conn.execute("SELECT count(*) FROM reports WHERE check_status = 'fail'").fetchone()[0],
        coverage=coverage,
        snapshot=snapshot,
        last_run=one(conn, "SELECT id, command, started_at, finished_at, status FROM runs "
                           "WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1"),
        recent=changes.recent(conn, limit=RECENT),
        feeds=changes.regions_with_changes(conn),
        by_region=rows(conn, """SELECT region, count(*) AS reports, min(year) AS first, max(year) AS last,
                                       sum(check_status = 'fail') AS failing
                                FROM reports WHERE region IS NOT NULL GROUP BY region ORDER BY reports DESC"""),
    )


def _count(conn: sqlite3.Connection, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
