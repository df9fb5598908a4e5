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

from archive.db import insert_rows
from extract.checks import cross_year_carried_over, sec2_in_force_balance
from extract.record import CheckResult, Number
from extract.templates import SEC3_COLUMNS

# The only cells the cross-year rules read: fetch these, not every cell of every report.
CROSS_YEAR_CELLS: tuple[str, ...] = tuple(
    [f"sec3.carried_forward.{col}" for col in SEC3_COLUMNS]
    + [f"sec3.carried_over.{col}" for col in SEC3_COLUMNS]
    + [f"sec2.{row}.{col}" for row in ("regulations", "normative_documents") for col in ("issued", "repealed", "in_force")]
)


def rebuild_cross_year(db: sqlite_utils.Database) -> int:
    """Replace every cross-year check; returns how many were written."""
    db.execute("DELETE FROM checks WHERE cross_year = 1")
    placeholders = ", ".join("?" for _ in CROSS_YEAR_CELLS)
    cells: dict[int, dict[str, Number | None]] = defaultdict(dict)
    for row in db.execute(
        f"""SELECT r.id, c.cell_id, c.value FROM reports r
            JOIN cells c ON c.document_id = r.primary_document_id AND c.cell_id IN ({placeholders})""",
        CROSS_YEAR_CELLS,
    ):
        cells[row[0]][row[1]] = row[2]
    reports = db.execute(
        "SELECT id, organ_id, year, primary_document_id, template, region, level FROM reports "
        "WHERE primary_document_id IS NOT NULL ORDER BY organ_id, year"
    ).fetchall()
    rows = []
    previous = None
    for report in reports:
        report_id, organ_id, year, document_id, template, region, level = report
        if previous is not None and previous[1] == organ_id and previous[2] == year - 1:
            before, now = cells[previous[0]], cells[report_id]
            results = cross_year_carried_over(before, now)
            if template == "2021" and previous[4] == "2021":
                results += sec2_in_force_balance(before, now)
            dims = {"report_id": report_id, "organ_id": organ_id, "region": region, "level": level, "year": year}
            rows += [check_row(result, document_id, dims, cross_year=True) for result in results]
        previous = report
    insert_rows(db, "checks", rows)
    return len(rows)


def check_status(ok: bool | None) -> str:
    """``pass`` / ``fail`` / ``unchecked`` (a cell the rule needs is blank): the facet people filter on."""
    return {True: "pass", False: "fail", None: "unchecked"}[ok]


def check_row(result: CheckResult, document_id: int, dims: dict, *, cross_year: bool) -> dict:
    """One ``checks`` row; ``rule_group`` drops the column or row (``sec3.balance.total`` -> ``sec3.balance``).

    ``dims`` are the report's ``report_id``, ``organ_id``, ``region``, ``level`` and ``year``, written with
    the row so that the millions of checks never need a second pass to be faceted.

    The cells involved are written for results that did not pass; a passing rule's cells are those its
    name says, and listing them on millions of passing rows would make ``checks`` the archive's biggest table.
    """
    status = check_status(result.ok)
    return {
        **dims,
        "document_id": document_id,
        "rule": result.rule,
        "rule_group": result.rule.rsplit(".", 1)[0] if result.rule.count(".") > 1 else result.rule,
        "cross_year": int(cross_year),
        "status": status,
        "expected": result.expected,
        "actual": result.actual,
        "cells": None if status == "pass" else json.dumps(result.cells, ensure_ascii=False),
    }
