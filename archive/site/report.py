"""The report page: one report whole, every number beside its raw text and position, and its proof.

What a researcher needs to trust or cite a number: the six sections as the template lays them out
(section 三 as its full grid of rows × applicant types), each value with the text it was read from and
where (page, table, row, column), the archived original and its WARC record, the checks with their
rules in words, what changed between editions, and the same organ's neighbouring years.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from archive.rates import RATES
from archive.site import changes
from archive.site.labels import NO_TABLE, cell_labels, document_text, explain_rule, one, placeholders, rows
from archive.site.originals import warc_records
from extract.record import CellSource
from extract.sections import heading_section
from extract.templates import SEC3_COLUMNS, TABLE_TEMPLATES, Template
from extract.templates import get as get_template

PROSE_SECTIONS = {"sec1": "一、总体情况", "sec5": "五、存在的主要问题及改进情况", "sec6": "六、其他需要报告的事项"}
# The headings section 三 prints above groups of rows (the template's rows are the numbered ones under them).
SEC3_GROUPS = (("granted", "三、本年度办理结果"), ("denied_", "（三）不予公开"), ("unavailable_", "（四）无法提供"),
               ("not_processed_", "（五）不予处理"), ("other_overdue", "（六）其他处理"))


@dataclass
class Cell:
    cell_id: str
    label: str
    value: Any = None
    raw: str | None = None
    source: CellSource = field(default_factory=CellSource)
    failing: bool = False

    @property
    def position(self) -> str:
        """Where the number was printed, counted from 1 as a reader counts: ``第2页 表1 第5行 第3列``."""
        source, parts = self.source, []
        if source.page is not None:
            parts.append(f"第{source.page}页")
        if source.table is not None:
            parts.append(f"表{source.table + 1}")
        if source.row is not None:
            parts.append(f"第{source.row + 1}行")
        if source.col is not None:
            parts.append(f"第{source.col + 1}列")
        if source.ocr:
            parts.append(f"OCR {source.ocr_confidence:.0f}" if source.ocr_confidence is not None else "OCR")
        return " ".join(parts)


@dataclass
class Grid:
    """A section's table: column headings, and rows of a label and one cell per column (None: not in it).

    A row whose cells are None is a heading over the rows below it.
    """

    columns: list[str]
    rows: list[tuple[str, list[Cell | None] | None]]


@dataclass
class Check:
    rule: str
    status: str
    cross_year: bool
    expected: Any
    actual: Any
    rule_zh: str
    rule_en: str
    cells: list[str]  # cell ids involved when it did not pass; ``prev:`` marks the year before
    cell_names: list[str]


@dataclass
class ReportPage:
    report: dict[str, Any]
    organ: dict[str, Any] | None
    coverage: dict[str, Any] | None
    previous: dict[str, Any] | None
    next: dict[str, Any] | None
    prose: dict[str, str]
    full_text: str | None
    no_table: str | None
    sec2: list[Cell]
    sec3: Grid | None
    sec4: Grid | None
    documents: list[dict[str, Any]]
    checks: list[Check]
    history: list[changes.Change]
    rates: list[dict[str, Any]]
    extraction: dict[str, Any] | None
    cell_count: int = 0
    failing_cells: set[str] = field(default_factory=set)


def report_page(conn: sqlite3.Connection, report_id: int) -> ReportPage | None:
    report = one(conn, "SELECT * FROM reports WHERE id = ?", [report_id])
    if report is None:
        return None
    primary = report["primary_document_id"]
    labels = cell_labels(conn)
    checks = _checks(conn, report_id, primary, labels)
    failing = {cell.removeprefix("prev:") for check in checks if check.status == "fail" for cell in check.cells
               if not cell.startswith("prev:")}
    cells = _cells(conn, primary, labels, failing)
    template = get_template(report["template"]) if report["template"] in TABLE_TEMPLATES else None
    text = document_text(conn, primary) if primary else None
    neighbours = "SELECT id, year, title FROM reports WHERE organ_id = ? AND year {} ? ORDER BY year {} LIMIT 1"
    return ReportPage(
        report=report,
        organ=one(conn, "SELECT * FROM organs WHERE id = ?", [report["organ_id"]]),
        coverage=one(conn, "SELECT status, deadline, published_on FROM coverage WHERE organ_id = ? AND year = ?",
                     [report["organ_id"], report["year"]]),
        previous=one(conn, neighbours.format("<", "DESC"), [report["organ_id"], report["year"]]),
        next=one(conn, neighbours.format(">", "ASC"), [report["organ_id"], report["year"]]),
        prose=prose_sections(text) if text else {},
        full_text=text,
        no_table=None if template else NO_TABLE.get(report["template"], NO_TABLE[None]),
        sec2=[cells[cell] for cell in _sec2_cells(template) if cell in cells],
        sec3=_grid(cells, _sec3_layout(template), [template.sec3_column_labels[col] for col in SEC3_COLUMNS])
        if template else None,
        sec4=_grid(cells, [(template.sec4_group_labels[g], [f"sec4.{g}.{col}" for col in template.sec4_columns])
                           for g in template.sec4_groups],
                   [template.sec4_column_labels[col] for col in template.sec4_columns]) if template else None,
        documents=_documents(conn, report_id, primary),
        checks=checks,
        history=changes.report_history(conn, report_id, labels),
        rates=_rates(conn, report_id),
        extraction=one(conn, "SELECT status, error, warnings, parser_version, source_format FROM extractions "
                             "WHERE document_id = ?", [primary]) if primary else None,
        cell_count=sum(cell.value is not None for cell in cells.values()),
        failing_cells=failing,
    )


def prose_sections(text: str) -> dict[str, str]:
    """Sections 一, 五 and 六 of a report's text, found by their headings as the parser finds them."""
    found: dict[str, list[str]] = {}
    section = None
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        opened = heading_section(line)
        if opened:
            section = opened
            continue
        if section in PROSE_SECTIONS:
            found.setdefault(section, []).append(line.replace("\t", " "))
    return {key: "\n".join(lines) for key, lines in found.items()}


def _sec2_cells(template: Template | None) -> list[str]:
    if template is None:
        return []
    return [f"sec2.{row.key}.{col}" for row in template.sec2 for col in row.columns]


def _cells(conn: sqlite3.Connection, document_id: int | None, labels: dict[str, str], failing: set[str]) -> dict[str, Cell]:
    if document_id is None:
        return {}
    found = {}
    for row in rows(conn, "SELECT cell_id, value, raw, page, table_index, row_index, col_index, ocr, ocr_confidence "
                          "FROM cell_values WHERE document_id = ?", [document_id]):
        cell_id = row["cell_id"]
        source = CellSource(row["page"], row["table_index"], row["row_index"], row["col_index"], bool(row["ocr"]),
                            row["ocr_confidence"])
        found[cell_id] = Cell(cell_id, labels.get(cell_id, cell_id), row["value"], row["raw"], source, cell_id in failing)
    return found


def _sec3_layout(template: Template) -> list[tuple[str, list[str] | None]]:
    layout: list[tuple[str, list[str] | None]] = []
    headed: set[str] = set()
    for row in template.sec3:
        for prefix, heading in SEC3_GROUPS:
            if row.key.startswith(prefix) and prefix not in headed:
                headed.add(prefix)
                layout.append((heading, None))
        layout.append((row.label, [f"sec3.{row.key}.{col}" for col in SEC3_COLUMNS]))
    return layout


def _grid(cells: dict[str, Cell], layout: list[tuple[str, list[str] | None]], columns: list[str]) -> Grid:
    return Grid(columns, [(label, None if ids is None else [cells.get(cell) for cell in ids]) for label, ids in layout])


def _checks(conn: sqlite3.Connection, report_id: int, primary: int | None, labels: dict[str, str]) -> list[Check]:
    found = []
    for row in rows(conn, """SELECT rule, status, cross_year, expected, actual, cells FROM check_results
                             WHERE report_id = ? AND (cross_year = 1 OR document_id = ?)""", [report_id, primary]):
        zh, en = explain_rule(row["rule"], labels)
        involved = json.loads(row["cells"]) if row["cells"] else []
        names = [("上年 " if cell.startswith("prev:") else "") + labels.get(cell.removeprefix("prev:"), cell)
                 for cell in involved]
        found.append(Check(row["rule"], row["status"], bool(row["cross_year"]), row["expected"], row["actual"], zh, en,
                           involved, names))
    order = {"fail": 0, "unchecked": 1, "pass": 2}
    return sorted(found, key=lambda check: (order.get(check.status, 3), check.cross_year, check.rule))


def _documents(conn: sqlite3.Connection, report_id: int, primary: int | None) -> list[dict[str, Any]]:
    docs = rows(conn, """SELECT d.id, d.url, d.kind, d.format, d.edition, d.version, d.first_seen, d.last_seen,
                                d.gone_on, d.size, d.sha256, d.filename, d.content_type, e.status AS extraction,
                                e.error
                         FROM documents d LEFT JOIN extractions e ON e.document_id = d.id
                         WHERE d.report_id = ? ORDER BY d.edition DESC, d.id""", [report_id])
    warcs = warc_records(conn, [doc["id"] for doc in docs])
    for doc in docs:
        doc["primary"] = doc["id"] == primary
        doc["warc"] = warcs.get(doc["id"])
    docs.sort(key=lambda doc: (not doc["primary"], -(doc["edition"] or 0), doc["id"]))
    return docs


def _rates(conn: sqlite3.Connection, report_id: int) -> list[dict[str, Any]]:
    found = {row["rate"]: row for row in rows(
        conn, f"SELECT * FROM rates WHERE report_id = ? AND rate IN ({placeholders(RATES)})",
        [report_id, *(rate.key for rate in RATES)])}
    return [{**found[rate.key], "rule": rate} for rate in RATES if rate.key in found]
