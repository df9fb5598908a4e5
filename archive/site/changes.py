"""What changed between two published states of a report: cell by cell, and line by line in the text.

``archive.editions`` records each state (first seen, corrected, changed silently, gone); here the
report page's history is made of them, each change with its full list of differing cells and a diff of
the text, and the newest changes across the archive are listed for ``/editions`` and the Atom feed.
"""

from __future__ import annotations

import difflib
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from archive import summary
from archive.site.labels import document_text, placeholders, rows
from archive.site_tables import EDITION_KINDS

CONTEXT_LINES = 2
MAX_DIFF_LINES = 400  # a re-typeset report differs everywhere; past this the page links the two originals


@dataclass(frozen=True)
class CellChange:
    cell_id: str
    label: str
    before: Any
    after: Any


@dataclass(frozen=True)
class TextLine:
    op: str  # "same", "del", "add", or "gap" (unchanged lines left out)
    text: str


@dataclass
class Change:
    seq: int
    kind: str
    seen: str
    url: str
    version: int
    edition: int
    document_id: int
    previous_document_id: int | None
    summary: str | None
    cell_changes: list[CellChange] = field(default_factory=list)
    text_diff: list[TextLine] = field(default_factory=list)
    text_truncated: bool = False

    @property
    def kind_label(self) -> str:
        return EDITION_KINDS.get(self.kind, self.kind)


def report_history(conn: sqlite3.Connection, report_id: int, labels: dict[str, str]) -> list[Change]:
    """Every published state of a report, oldest first; changes carry their differences in full."""
    history = []
    for row in rows(conn, "SELECT * FROM editions WHERE report_id = ? ORDER BY seq", [report_id]):
        change = Change(row["seq"], row["kind"], row["seen"], row["url"], row["version"], row["edition"],
                        row["document_id"], row["previous_document_id"], row["summary"])
        if row["kind"] in ("corrected", "changed") and row["previous_document_id"]:
            change.cell_changes = cell_differences(conn, row["previous_document_id"], row["document_id"], labels)
            old, new = (document_text(conn, doc) for doc in (row["previous_document_id"], row["document_id"]))
            if old is not None and new is not None:
                change.text_diff, change.text_truncated = text_differences(old, new)
        history.append(change)
    return history


def cell_differences(conn: sqlite3.Connection, before: int, after: int, labels: dict[str, str]) -> list[CellChange]:
    """Cells whose value differs between two documents (a cell only one of them has counts), in report order."""
    values: dict[int, dict[str, Any]] = {before: {}, after: {}}
    for document_id, cell_id, value in conn.execute(
        "SELECT document_id, cell_id, value FROM cell_values WHERE document_id IN (?, ?)", [before, after]
    ):
        values[document_id][cell_id] = value
    order = dict(conn.execute("SELECT cell_id, sort_order FROM items"))
    differing = sorted((cell for cell in set(values[before]) | set(values[after])
                        if values[before].get(cell) != values[after].get(cell)),
                       key=lambda cell: (order.get(cell, 10**6), cell))
    return [CellChange(cell, labels.get(cell, cell), values[before].get(cell), values[after].get(cell))
            for cell in differing]


def text_differences(old: str, new: str) -> tuple[list[TextLine], bool]:
    """A line diff with a little context; True when it was cut at ``MAX_DIFF_LINES``."""
    a, b = _lines(old), _lines(new)
    out: list[TextLine] = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(CONTEXT_LINES):
        if out:
            out.append(TextLine("gap", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [TextLine("same", line) for line in a[i1:i2]]
                continue
            out += [TextLine("del", line) for line in a[i1:i2]]
            out += [TextLine("add", line) for line in b[j1:j2]]
        if len(out) > MAX_DIFF_LINES:
            return out[:MAX_DIFF_LINES], True
    return out, False


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def recent(conn: sqlite3.Connection, *, region: str | None = None, kinds: tuple[str, ...] = (),
           limit: int = 50) -> list[dict[str, Any]]:
    """The newest published states across the archive (one province, some kinds), newest first."""
    where, params = [], []
    if region:
        where.append("region = ?")
        params.append(region)
    if kinds:
        where.append(f"kind IN ({placeholders(kinds)})")
        params += list(kinds)
    sql = "SELECT * FROM editions" + (" WHERE " + " AND ".join(where) if where else "")
    return rows(conn, sql + " ORDER BY seen DESC, report_id DESC, seq DESC LIMIT ?", [*params, limit])


def regions_with_changes(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """Provinces with at least one published state, and how many, for the per-region feeds: from the
    build's ``region_summary`` (a count over every edition was a third of the /editions page at 100,000)."""
    return with_changes(summary.region_rows(conn))


def with_changes(regions: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """(province, published states) of the summary's rows that have any, in the order of the provinces."""
    return sorted((row["region"], row["changes"]) for row in regions if row["region"] is not None and row["changes"])
