"""Requests Datasette 0.65 reads without checking, refused with a 400 before they reach it.

Found by fuzzing the site's routes (``tests/archive/test_site_bounds.py``); each of these raised an
uncaught exception in Datasette, which answers 500:

- ``_through`` is ``json.loads``-ed and indexed: anything but an object with ``table``, ``column`` and
  ``value`` fails (``JSONDecodeError``, ``KeyError``, ``TypeError``);
- ``_timelimit`` goes through ``int()``; ``_json_infinity`` through ``value_as_boolean``;
- a database page as CSV (``/nianbao.csv``) without a ``sql`` query has no columns to write.

Datasette 1.0 checks these itself; until the site moves to it, this is where they are checked.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl

BOOLEANS = {"on", "off", "true", "false", "1", "0"}
_DATABASE_CSV = re.compile(r"^/[^/.]+\.csv$")  # Datasette's database route with the csv format


def malformed(path: str, query_string: bytes) -> str | None:
    """Why this request would crash Datasette 0.65, or None when it would not."""
    # Datasette decodes the query string as Latin-1, then percent-escapes as UTF-8; so does this.
    params = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    for name, value in params:
        if name == "_through" and not _through_ok(value):
            return '_through must be JSON like {"table": …, "column": …, "value": …}'
        if name == "_timelimit" and value and not _integer(value):
            return "_timelimit must be a whole number of milliseconds"
        if name == "_json_infinity" and value.lower() not in BOOLEANS:
            return "_json_infinity must be on or off"
    if _DATABASE_CSV.match(path) and not next((value for name, value in params if name == "sql"), "").strip():
        return "CSV of a database needs a query: ?sql=select …"
    return None


def _through_ok(value: str) -> bool:
    try:
        through = json.loads(value)
    except ValueError:
        return False
    return (isinstance(through, dict) and isinstance(through.get("table"), str)
            and isinstance(through.get("column"), str) and "value" in through)


def _integer(value: str) -> bool:
    try:
        int(value)
    except ValueError:
        return False
    return True
