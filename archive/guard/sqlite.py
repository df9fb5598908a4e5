"""Limits on every SQLite connection the site opens, so no statement can grow the server without bound.

Datasette's ``sql_time_limit_ms`` counts virtual-machine steps, and a single step can allocate a
gigabyte: ``select zeroblob(1000000000)`` grew the server to 23 GB before the kernel killed it. Time is
not the measure of such a query; size is, at three places:

1. ``SQLITE_LIMIT_LENGTH``: no value longer than ``max_value_bytes`` is ever built ("string or blob
   too big"), whatever function builds it;
2. ``PRAGMA hard_heap_limit``: SQLite's whole heap in this process. A result row of many large columns
   (``with a(x) as (select zeroblob(1e6)) select x, x, x, …``) is expanded column by column inside
   SQLite; past the limit the statement fails with ``MemoryError`` and nothing else is disturbed;
3. a result budget: a row factory counts the bytes of the values each statement hands to Python and
   stops it past ``max_result_bytes``, since Datasette keeps every fetched row before it renders.
"""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Callable
from typing import Any

from archive.guard.config import GuardConfig

RowFactory = Callable[[sqlite3.Cursor, tuple[Any, ...]], Any]
_NUMBER_BYTES = 8  # an integer or a real, as Python holds it, roughly


class ResultTooLarge(sqlite3.OperationalError):
    """A statement returned more bytes than the site hands to one response.

    An ``OperationalError``, so Datasette reports it as it reports any failed query (status 400, the
    message on the query page), not as a server error.
    """


class ResultBudget:
    """A row factory that counts each statement's bytes, then delegates to the connection's own factory.

    One budget per connection; a connection runs one statement at a time, and a new cursor starts a new
    count. The cursor is held weakly: a fresh cursor may reuse a dead one's ``id``, never its identity.
    """

    def __init__(self, limit: int, inner: RowFactory | None):
        self.limit = limit
        self.inner = inner
        self._cursor: weakref.ref[sqlite3.Cursor] | None = None
        self._used = 0

    def __call__(self, cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> Any:
        if self._cursor is None or self._cursor() is not cursor:
            self._cursor, self._used = weakref.ref(cursor), 0
        self._used += sum(len(value) if isinstance(value, (str, bytes)) else _NUMBER_BYTES for value in row)
        if self._used > self.limit:
            raise ResultTooLarge(
                f"result too large: more than {self.limit // 1024} KB; select fewer rows or columns, "
                "or download the snapshot (/downloads)"
            )
        return self.inner(cursor, row) if self.inner is not None else row


def bound_connection(conn: sqlite3.Connection, config: GuardConfig) -> None:
    """Apply the value, SQL-length, heap and result limits to one connection (idempotent)."""
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, config.max_value_bytes)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, config.max_sql_bytes)
    # Process-wide: lower it when it is off (0) or higher, never raise what someone else lowered.
    current = conn.execute("PRAGMA hard_heap_limit").fetchone()[0]
    if current == 0 or current > config.sqlite_heap_bytes:
        conn.execute(f"PRAGMA hard_heap_limit = {int(config.sqlite_heap_bytes)}")
    if not isinstance(conn.row_factory, ResultBudget):
        conn.row_factory = ResultBudget(config.max_result_bytes, conn.row_factory)
