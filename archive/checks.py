"""The 勾稽 rules that need two years of one organ, applied by the archive because only it holds both.

``extract.checks`` owns the rules (``cross_year_carried_over``, ``sec2_in_force_balance``); this module
only pairs each report with the same organ's report of the year before and stores the results in
``checks`` with ``cross_year = 1``, against the later report. A gap year pairs nothing: a rule is never
applied across two years.
"""

from __future__ import annotations

import json
from collections import defaultdict

import sqlite_utils

from archive.codes import Codes
from archive.scope import Scope
from extract.checks import cross_year_carried_over, sec2_in_force_balance
from extract.record import CheckResult, Number
from extract.templates import SEC3_COLUMNS

# The only cells the cross-year rules read: fetch these, not every cell of every report.
CROSS_YEAR_CELLS: tuple[str, ...] = tuple(
    [f"sec3.carried_forward.{col}" for col in SEC3_COLUMNS]
    + [f"sec3.carried_over.{col}" for col in SEC3_COLUMNS]
    + [f"sec2.{row}.{col}" for row in ("regulations", "normative_documents") for col in ("issued", "repealed", "in_force")]
)
CHECK_COLUMNS = ("document_id", "rule_id", "report_id", "cross_year", "status", "expected", "actual", "cells")


def rebuild_cross_year(db: sqlite_utils.Database, scope: Scope = Scope()) -> int:
    """Replace the cross-year checks of the reports in ``scope``; returns how many were written.

    A report's cross-year checks read its own cells and those of the year before, so a scope that
    holds a changed report must hold the same organ's next report as well (``reports.rebuild`` sees to it).
    """
    codes = Codes(db)
    db.execute(f"DELETE FROM checks WHERE cross_year = 1 AND {scope.where('report_id')}")
    pairs = db.execute(
        f"""SELECT r.id, r.primary_document_id, r.template, p.primary_document_id, p.template
            FROM reports r JOIN reports p ON p.organ_id = r.organ_id AND p.year = r.year - 1
            WHERE r.primary_document_id IS NOT NULL AND p.primary_document_id IS NOT NULL
              AND {scope.where('r.id')}"""
    ).fetchall()
    cells = _cross_year_cells(db, codes, {doc for pair in pairs for doc in (pair[1], pair[3])})
    rows = []
    for report_id, document_id, template, previous_document_id, previous_template in pairs:
        before, now = cells[previous_document_id], cells[document_id]
        results = cross_year_carried_over(before, now)
        if template == "2021" and previous_template == "2021":
            results += sec2_in_force_balance(before, now)
        rows += [check_row(codes, result, document_id, report_id, cross_year=True) for result in results]
    insert_checks(db, rows)
    return len(rows)


def _cross_year_cells(db: sqlite_utils.Database, codes: Codes, documents: set[int]) -> dict[int, dict[str, Number | None]]:
    names = {codes.item(cell): cell for cell in CROSS_YEAR_CELLS}
    items = ", ".join(str(item) for item in names)
    found: dict[int, dict[str, Number | None]] = defaultdict(dict)
    ids = sorted(documents)
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        for document_id, item_id, value in db.execute(
            f"""SELECT document_id, item_id, value FROM cells
                WHERE document_id IN ({', '.join('?' for _ in chunk)}) AND item_id IN ({items})""",
            chunk,
        ):
            found[document_id][names[item_id]] = value
    return found


def check_status(ok: bool | None) -> str:
    """``pass`` / ``fail`` / ``unchecked`` (a cell the rule needs is blank): the facet people filter on."""
    return {True: "pass", False: "fail", None: "unchecked"}[ok]


def check_row(codes: Codes, result: CheckResult, document_id: int, report_id: int | None, *, cross_year: bool) -> tuple:
    """One ``checks`` row, in ``CHECK_COLUMNS`` order; the rule by its id in ``rules``.

    The cells involved are written for results that did not pass; a passing rule's cells are those its
    name says, and listing them on millions of passing rows would make ``checks`` the archive's biggest table.
    """
    status = check_status(result.ok)
    return (
        document_id,
        codes.rule(result.rule, cross_year=cross_year),
        report_id,
        int(cross_year),
        status,
        result.expected,
        result.actual,
        None if status == "pass" else json.dumps(result.cells, ensure_ascii=False),
    )


def insert_checks(db: sqlite_utils.Database, rows: list[tuple]) -> None:
    if rows:
        marks = ", ".join("?" for _ in CHECK_COLUMNS)
        db.conn.executemany(f"INSERT INTO checks ({', '.join(CHECK_COLUMNS)}) VALUES ({marks})", rows)
