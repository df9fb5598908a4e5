"""The archive's migrations upgrade archives in place, including those the pipeline added tables to itself."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from archive import migrations
from archive.db import open_archive


def columns(db: sqlite_utils.Database, table: str) -> list[tuple[str, str, bool]]:
    return [(c.name, c.type, bool(c.is_pk)) for c in db[table].columns]


def test_run_portals_made_by_the_old_pipeline_is_kept(tmp_path: Path) -> None:
    old = sqlite_utils.Database(tmp_path / "old.db")
    migrations.migrations.apply(old, stop_before="m005_run_portals")
    # What nianbao/pipeline/runs.py created itself before the table was a migration (commit 1ae0202).
    old["run_portals"].create(
        {"run_id": int, "site_id": str, "status": str, "found": int, "new": int, "changed": int, "gone": int,
         "failed": int, "blocked": int, "fetched": int, "robots": int, "reasons": str, "visited_at": str},
        pk=("run_id", "site_id"),
    )
    old["run_portals"].create_index(["site_id", "visited_at"])
    old["run_portals"].insert({"run_id": 1, "site_id": "a", "status": "ok", "visited_at": "2025-01-02T00:00:00"})
    old.close()
    upgraded = open_archive(tmp_path / "old.db")
    fresh = open_archive(tmp_path / "fresh.db")
    assert columns(upgraded, "run_portals") == columns(fresh, "run_portals")
    assert [i.columns for i in upgraded["run_portals"].indexes] == [i.columns for i in fresh["run_portals"].indexes]
    assert [row["site_id"] for row in upgraded["run_portals"].rows] == ["a"]
    assert upgraded.execute("PRAGMA user_version").fetchone()[0] == len(migrations.migrations.applied(fresh)) == 5
