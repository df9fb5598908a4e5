"""The schema's descriptions and the schema agree: every column (of tables and views) is described, and only columns."""

from __future__ import annotations

import re
from pathlib import Path

from archive.db import open_archive
from archive.descriptions import TABLES


def test_every_column_of_the_archive_is_described(tmp_path: Path) -> None:
    db = open_archive(tmp_path / "nianbao.db")
    # Internal tables: the migrations' record and the full-text indexes' shadow tables.
    tables = {name for name in db.table_names() if not name.startswith("_") and "_fts" not in name}
    assert set(TABLES) == tables | set(db.view_names())
    for name, table in TABLES.items():
        columns = [column.name for column in (db.view(name) if name in db.view_names() else db.table(name)).columns]
        assert sorted(table.columns) == sorted(columns), name
        for column, text in table.columns.items():
            assert re.search(r"[\u4e00-\u9fff].*/.*[A-Za-z]", text), f"{name}.{column}: Chinese first, then English"
