"""The data dictionary and the schema agree: every column (of tables and views) of both files is described,
and only columns that exist, Chinese first."""

from __future__ import annotations

import re
from pathlib import Path

import sqlite_utils

from archive.db import open_archive
from archive.dictionary import tables, texts_tables
from archive.fts import SCHEMA


def _described(db: sqlite_utils.Database, described: dict[str, dict], prefix: str = "") -> None:
    # Internal tables: the migrations' record, dropped indexes kept for a reload, full-text shadow tables.
    names = {row[0] for row in db.execute(f"SELECT name FROM {prefix}sqlite_master WHERE type IN ('table', 'view')")}
    shown = {name for name in names if not name.startswith(("_", "sqlite_")) and "_fts" not in name}
    assert set(described) == shown
    for name, table in described.items():
        columns = [row[1] for row in db.execute(f"PRAGMA {prefix}table_info([{name}])")]
        assert sorted(table["columns"]) == sorted(columns), name
        for column, text in table["columns"].items():
            assert re.search(r"[\u4e00-\u9fff].*/.*[A-Za-z]", text), f"{name}.{column}: Chinese first, then English"


def test_every_column_of_the_archive_is_described(tmp_path: Path) -> None:
    _described(open_archive(tmp_path / "nianbao.db"), tables())


def test_every_column_of_the_texts_file_is_described(tmp_path: Path) -> None:
    _described(open_archive(tmp_path / "nianbao.db"), texts_tables(), prefix=f"{SCHEMA}.")
