"""Two reports, or two organs, side by side with their differences marked.

Two reports are compared cell by cell over the union of their cells (two templates may differ: a cell
only one of them has is shown with a blank on the other side); two organs year by year on the figures
people compare first and on the derived rates. An organ to compare with can be found by part of its
name (``candidates``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from archive.rates import RATES
from archive.site.labels import cell_labels, one, placeholders, rows

SECTIONS = {"sec2": "二、主动公开政府信息情况", "sec3": "三、收到和处理政府信息公开申请情况",
            "sec4": "四、政府信息公开行政复议、行政诉讼情况"}
# The figures two organs are compared on, year by year (wide-table columns) …
ORGAN_FIGURES = (
    ("sec3", "new_received_total", "本年新收申请 / requests received"),
    ("sec3", "total_processed_total", "办理结果总计 / requests handled"),
    ("sec3", "granted_total", "予以公开 / granted"),
    ("sec3", "partially_granted_total", "部分公开 / partly granted"),
    ("sec4", "review_total", "行政复议 / reviews"),
    ("sec4", "litigation_direct_total", "直接起诉 / lawsuits"),
    ("sec4", "litigation_after_review_total", "复议后起诉 / lawsuits after review"),
)
MAX_CANDIDATES = 20


@dataclass
class PairRow:
    cell_id: str
    label: str
    a: Any
    b: Any

    @property
    def differs(self) -> bool:
        return self.a != self.b

    @property
    def difference(self) -> Any:
        return None if self.a is None or self.b is None else round(self.b - self.a, 4)


@dataclass
class ReportPair:
    a: dict[str, Any]
    b: dict[str, Any]
    sections: list[tuple[str, list[PairRow]]]
    rates: list[tuple[Any, dict | None, dict | None]]

    @property
    def differences(self) -> int:
        return sum(row.differs for _, section in self.sections for row in section)


def compare_reports(conn: sqlite3.Connection, a: int, b: int) -> ReportPair | None:
    first = one(conn, "SELECT * FROM reports WHERE id = ?", [a])
    second = one(conn, "SELECT * FROM reports WHERE id = ?", [b])
    if first is None or second is None:
        return None
    values: dict[int | None, dict[str, Any]] = {first["primary_document_id"]: {}, second["primary_document_id"]: {}}
    docs = [doc for doc in values if doc is not None]
    if docs:
        for document_id, cell_id, value in conn.execute(
            f"SELECT document_id, cell_id, value FROM cell_values WHERE document_id IN ({placeholders(docs)})", docs
        ):
            values[document_id][cell_id] = value
    left, right = values[first["primary_document_id"]], values[second["primary_document_id"]]
    labels = cell_labels(conn)
    order = dict(conn.execute("SELECT cell_id, sort_order FROM items"))
    sections = []
    for key, title in SECTIONS.items():
        cells = sorted((cell for cell in set(left) | set(right) if cell.startswith(key + ".")),
                       key=lambda cell: (order.get(cell, 10**6), cell))
        if cells:
            sections.append((title, [PairRow(cell, labels.get(cell, cell), left.get(cell), right.get(cell))
                                     for cell in cells]))
    rates = {(row["report_id"], row["rate"]): row
             for row in rows(conn, "SELECT * FROM rates WHERE report_id IN (?, ?)", [a, b])}
    return ReportPair(first, second, sections,
                      [(rate, rates.get((a, rate.key)), rates.get((b, rate.key))) for rate in RATES])


@dataclass
class OrganPair:
    a: dict[str, Any]
    b: dict[str, Any]
    years: list[int]
    figures: list[tuple[str, list[tuple[int, Any, Any]]]]  # label, (year, a, b) per year
    rates: list[tuple[Any, list[tuple[int, Any, Any]]]]
    reports: dict[tuple[int, int], int]  # (organ id, year) -> report id


def compare_organs(conn: sqlite3.Connection, a: int, b: int) -> OrganPair | None:
    first = one(conn, "SELECT * FROM organs WHERE id = ?", [a])
    second = one(conn, "SELECT * FROM organs WHERE id = ?", [b])
    if first is None or second is None:
        return None
    reports = {(row["organ_id"], row["year"]): row["id"]
               for row in rows(conn, "SELECT id, organ_id, year FROM reports WHERE organ_id IN (?, ?)", [a, b])}
    years = sorted({year for _, year in reports})
    ids = list(reports.values())
    wide: dict[str, dict[int, dict[str, Any]]] = {}
    for table in {table for table, _, _ in ORGAN_FIGURES}:
        wide[table] = {row["report_id"]: row for row in rows(
            conn, f"SELECT * FROM {table} WHERE report_id IN ({placeholders(ids)})", ids)} if ids else {}

    def value(table: str, column: str, organ: int, year: int) -> Any:
        report = reports.get((organ, year))
        return wide[table].get(report, {}).get(column) if report else None

    figures = [(label, [(year, value(table, column, a, year), value(table, column, b, year)) for year in years])
               for table, column, label in ORGAN_FIGURES]
    rate_rows = {(row["report_id"], row["rate"]): row["percent"] for row in rows(
        conn, f"SELECT report_id, rate, percent FROM rates WHERE report_id IN ({placeholders(ids)})", ids)} if ids else {}
    rates = [(rate, [(year, rate_rows.get((reports.get((a, year)), rate.key)),
                      rate_rows.get((reports.get((b, year)), rate.key))) for year in years]) for rate in RATES]
    return OrganPair(first, second, years, figures, rates, reports)


def candidates(conn: sqlite3.Connection, text: str, *, exclude: int | None = None) -> list[dict[str, Any]]:
    """Organs whose name contains ``text``, those with most reports first."""
    text = text.strip()
    if not text:
        return []
    return rows(
        conn,
        """SELECT o.id, o.name, o.region, o.level, (SELECT count(*) FROM reports r WHERE r.organ_id = o.id) AS reports
           FROM organs o WHERE instr(o.name, ?) > 0 AND o.id IS NOT ?
           ORDER BY reports DESC, length(o.name), o.id LIMIT ?""",
        [text, exclude, MAX_CANDIDATES],
    )
