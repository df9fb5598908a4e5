"""Which reports a rebuild step touches: all of them, or a set kept in a temp table of the connection.

Rebuilds after a crawl touch the few reports whose documents changed; the first build touches all.
Each step writes one SQL condition, ``scope.where(column)``, and works either way.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils

_scopes = itertools.count(1)


@dataclass(frozen=True)
class Scope:
    """The reports a rebuild step touches: every one (``table`` None), or those listed in a temp table."""

    table: str | None = None

    @classmethod
    def of(cls, db: sqlite_utils.Database, report_ids: Iterable[int]) -> "Scope":
        """A scope over the given report ids, kept in a temp table of this connection."""
        table = f"scope_{next(_scopes)}"
        db.execute(f"CREATE TEMP TABLE {table} (id INTEGER PRIMARY KEY)")
        db.conn.executemany(f"INSERT OR IGNORE INTO temp.{table} (id) VALUES (?)", ((rid,) for rid in report_ids))
        return cls(table)

    @property
    def everything(self) -> bool:
        return self.table is None

    def where(self, column: str) -> str:
        """A SQL condition: ``column`` is one of the scope's report ids."""
        return "1" if self.table is None else f"{column} IN (SELECT id FROM temp.{self.table})"

    def drop(self, db: sqlite_utils.Database) -> None:
        if self.table is not None:
            db.execute(f"DROP TABLE IF EXISTS temp.{self.table}")
