"""Opening the archive database: one function, so every command sees the same schema and settings."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import sqlite_utils

from archive import fts, migrations

# The tables a researcher reads, in the order the site and the exports list them.
MAIN_TABLES: tuple[str, ...] = (
    "reports",
    "organs",
    "portals",
    "documents",
    "cells",
    "items",
    "checks",
    "rules",
    "sec2",
    "sec3",
    "sec4",
    "totals",
    "coverage",
    "rates",
    "editions",
)
# The rest: needed to rebuild or audit, but not what people browse first.
SUPPORT_TABLES: tuple[str, ...] = ("extractions", "fetches", "runs", "snapshots", "rate_rules", "warc_records",
                                   "region_summary", "rate_summary")
# Readable forms of the compact tables: ``cells`` and ``checks`` with their cell ids and rule names.
VIEWS: tuple[str, ...] = ("cell_values", "check_results")
# In the texts file (``archive.fts``), attached as ``nianbao_texts``.
TEXT_TABLES: tuple[str, ...] = ("texts", "text_bodies")


def open_archive(path: Path) -> sqlite_utils.Database:
    """The archive at ``path``, created or migrated to the current schema, its texts file attached.

    WAL lets ``nianbao serve`` on a snapshot and a running ``nianbao extract`` never block each other;
    snapshots are written with ``journal_mode=DELETE`` so a downloaded file is one self-contained file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")  # with WAL: still consistent after a crash, one fsync per checkpoint
    db.execute("PRAGMA cache_size = -131072")  # 128 MiB: a rebuild touches every report's cells
    migrations.apply(db)
    restore_indexes(db)
    return db


def drop_indexes(db: sqlite_utils.Database, tables: Iterable[str]) -> None:
    """Drop the secondary indexes of ``tables`` before a bulk load; :func:`restore_indexes` builds them again.

    Building an index once over sorted rows is several times cheaper than keeping it up to date row by
    row. The definitions are kept in ``_dropped_indexes`` in the same transaction, so an archive opened
    after a crash mid-load gets them back (``open_archive`` calls ``restore_indexes``).
    """
    names = ", ".join(f"'{table}'" for table in tables)
    with db.atomic():
        db.execute("CREATE TABLE IF NOT EXISTS _dropped_indexes (name TEXT PRIMARY KEY, sql TEXT NOT NULL)")
        found = db.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({names})"
        ).fetchall()
        db.conn.executemany("INSERT OR REPLACE INTO _dropped_indexes (name, sql) VALUES (?, ?)", found)
        for name, _ in found:
            db.execute(f"DROP INDEX [{name}]")


def restore_indexes(db: sqlite_utils.Database) -> None:
    """Build again every index :func:`drop_indexes` dropped."""
    if "_dropped_indexes" not in db.table_names():
        return
    with db.atomic():
        for _name, sql in db.execute("SELECT name, sql FROM _dropped_indexes").fetchall():
            db.execute(sql)
        db.execute("DROP TABLE _dropped_indexes")




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
    """Rows per table of both files, for the manifest and the benchmark."""
    counts = {name: db[name].count for name in MAIN_TABLES + SUPPORT_TABLES}
    for name in TEXT_TABLES:
        counts[name] = db.execute(f"SELECT count(*) FROM {fts.SCHEMA}.{name}").fetchone()[0]
    return counts
