"""Opening the archive database: one function, so every command sees the same schema and settings."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from archive import migrations

# The tables a researcher reads, in the order the site and the exports list them.
MAIN_TABLES: tuple[str, ...] = (
    "reports",
    "organs",
    "portals",
    "documents",
    "cells",
    "items",
    "checks",
    "sec2",
    "sec3",
    "sec4",
    "coverage",
    "rates",
    "editions",
)
# The rest: needed to rebuild or audit, but not what people browse first.
SUPPORT_TABLES: tuple[str, ...] = ("texts", "extractions", "fetches", "runs", "snapshots", "rate_rules", "warc_records")


def open_archive(path: Path) -> sqlite_utils.Database:
    """The archive at ``path``, created or migrated to the current schema.

    WAL lets ``nianbao serve`` on a snapshot and a running ``nianbao extract`` never block each other;
    snapshots are written with ``journal_mode=DELETE`` so a downloaded file is one self-contained file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")  # with WAL: still consistent after a crash, one fsync per checkpoint
    db.execute("PRAGMA cache_size = -131072")  # 128 MiB: a rebuild touches every report's cells
    migrations.apply(db)
    return db


def insert_rows(db: sqlite_utils.Database, table: str, rows: list[dict], *, replace: bool = False) -> None:
    """Plain ``executemany`` for the hot paths (200 cells a document, a million cross-year checks).

    sqlite-utils' ``insert_all`` inspects the table and converts values on every call; here the tables
    exist and the values are plain, so this is several times faster.
    """
    if not rows:
        return
    columns = list(rows[0])
    verb = "INSERT OR REPLACE" if replace else "INSERT"
    sql = f"{verb} INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    db.conn.executemany(sql, [tuple(row[column] for column in columns) for row in rows])


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def row_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Rows per table, for the manifest and the benchmark."""
    return {name: db[name].count for name in MAIN_TABLES + SUPPORT_TABLES}
