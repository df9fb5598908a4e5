"""The home page's figures: what the archive holds, how fresh and how complete it is.

Counts come from ``region_summary`` (``archive.summary``, written by the build: one row per province)
and from the snapshot's own row in ``snapshots`` where there is one (written by ``nianbao snapshot``
with every table's row count and the coverage summary), so the home page does not count millions of
rows on each visit.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from archive import summary
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
    regions = summary.region_rows(conn)
    coverage = json.loads(snapshot["coverage"]) if snapshot and snapshot["coverage"] else {
        status: total for status in summary.COVERAGE_STATUSES if (total := sum(row[status] for row in regions))}
    provinces = sorted((row for row in regions if row["region"] is not None and row["reports"]),
                       key=lambda row: (-row["reports"], row["region"]))
    first = [row["first_year"] for row in regions if row["first_year"] is not None]
    return Home(
        reports=counts["reports"] if "reports" in counts else sum(row["reports"] for row in regions),
        organs=sum(row["organs"] for row in regions),
        regions=len(provinces),
        portals=counts.get("portals") if "portals" in counts else _count(conn, "portals"),
        years=(min(first), max(row["last_year"] for row in regions if row["last_year"] is not None)) if first else None,
        failing_reports=sum(row["failing"] for row in regions),
        coverage=coverage,
        snapshot=snapshot,
        last_run=one(conn, "SELECT id, command, started_at, finished_at, status FROM runs "
                           "WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1"),
        recent=changes.recent(conn, limit=RECENT),
        feeds=changes.with_changes(regions),
        by_region=[{"region": row["region"], "reports": row["reports"], "first": row["first_year"],
                    "last": row["last_year"], "failing": row["failing"]} for row in provinces],
    )


def _count(conn: sqlite3.Connection, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
