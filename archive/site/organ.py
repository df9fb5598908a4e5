"""The organ page: every year of one organ side by side, the changes year on year, the checks that
join the years, every document, and a chart on a time axis.

The figures are the wide tables' columns (``sec2``, ``sec3``, ``sec4``: one row per report, read from
its primary document); a row of the side-by-side table is left out when no year has a value in it.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from archive.dashboards import YEAR_AXIS
from archive.rates import RATES
from archive.site.labels import cell_labels, explain_rule, one, placeholders, rows
from archive.wide import WIDE_TABLES

# What the chart draws: requests received, handled, and disclosed (fully or in part).
CHART_SERIES = (("new_received_total", "本年新收申请 / received"), ("total_processed_total", "办理总计 / handled"),
                ("granted_total", "予以公开 / granted"))


@dataclass
class FigureRow:
    section: str
    column: str
    label: str
    values: list[Any]  # one per report, in year order
    changes: list[tuple[Any, float | None] | None]  # (difference, percent) from the report before, or None


@dataclass
class OrganPage:
    organ: dict[str, Any]
    coverage: list[dict[str, Any]]
    reports: list[dict[str, Any]]
    figures: list[FigureRow]
    rates: list[tuple[Any, list[dict[str, Any] | None]]]
    cross_year: list[dict[str, Any]]
    documents: dict[int, list[dict[str, Any]]]
    chart: str  # a Vega-Lite spec, JSON


def organ_page(conn: sqlite3.Connection, organ_id: int) -> OrganPage | None:
    organ = one(conn, "SELECT * FROM organs WHERE id = ?", [organ_id])
    if organ is None:
        return None
    organ["spellings"] = json.loads(organ.get("names") or "[]")
    reports = rows(conn, "SELECT * FROM reports WHERE organ_id = ? ORDER BY year", [organ_id])
    ids = [report["id"] for report in reports]
    labels = cell_labels(conn)
    wide = {table: _wide(conn, table, ids) for table in WIDE_TABLES}
    figures = [_figure(table, column, labels.get(cell, column), [wide[table].get(i, {}).get(column) for i in ids])
               for table, columns in WIDE_TABLES.items() for column, cell in columns.items()]
    cross_year = []
    if ids:
        for check in rows(conn, f"""SELECT c.report_id, r.year, c.rule, c.status, c.expected, c.actual
                                    FROM check_results c JOIN reports r ON r.id = c.report_id
                                    WHERE c.report_id IN ({placeholders(ids)}) AND c.cross_year = 1
                                    ORDER BY r.year, c.status != 'fail', c.rule""", ids):
            check["rule_zh"], check["rule_en"] = explain_rule(check["rule"], labels)
            cross_year.append(check)
    documents: dict[int, list[dict[str, Any]]] = {}
    if ids:
        for doc in rows(conn, f"""SELECT id, report_id, url, kind, format, edition, version, first_seen, gone_on,
                                         sha256, size FROM documents WHERE report_id IN ({placeholders(ids)})
                                  ORDER BY report_id, edition, id""", ids):
            documents.setdefault(doc["report_id"], []).append(doc)
    rates = _rates(conn, ids)
    return OrganPage(
        organ=organ,
        coverage=rows(conn, "SELECT year, status, deadline, published_on, report_id, evidence FROM coverage "
                            "WHERE organ_id = ? ORDER BY year", [organ_id]),
        reports=reports,
        figures=[figure for figure in figures if any(value is not None for value in figure.values)],
        rates=[(rate, [rates.get((i, rate.key)) for i in ids]) for rate in RATES
               if any((i, rate.key) in rates for i in ids)],
        cross_year=cross_year,
        documents=documents,
        chart=json.dumps(_chart(reports, wide["sec3"]), ensure_ascii=False),
    )


def _wide(conn: sqlite3.Connection, table: str, ids: list[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    return {row["report_id"]: row for row in rows(conn, f"SELECT * FROM {table} WHERE report_id IN ({placeholders(ids)})",
                                                  ids)}


def _figure(table: str, column: str, label: str, values: list[Any]) -> FigureRow:
    changes: list[tuple[Any, float | None] | None] = [None]
    for before, after in zip(values, values[1:]):
        if before is None or after is None:
            changes.append(None)
            continue
        difference = after - before
        changes.append((round(difference, 4), round(100 * difference / before, 1) if before else None))
    return FigureRow(table, column, label, values, changes)


def _rates(conn: sqlite3.Connection, ids: list[int]) -> dict[tuple[int, str], dict[str, Any]]:
    if not ids:
        return {}
    return {(row["report_id"], row["rate"]): row
            for row in rows(conn, f"SELECT * FROM rates WHERE report_id IN ({placeholders(ids)})", ids)}


def _chart(reports: list[dict[str, Any]], sec3: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Vega-Lite: the organ's requests by year on a time axis (a missing year is a gap); a point opens its report."""
    values = [
        {"year": str(report["year"]), "series": label, "n": sec3[report["id"]][column], "href": f"/report/{report['id']}"}
        for report in reports if report["id"] in sec3
        for column, label in CHART_SERIES if sec3[report["id"]].get(column) is not None
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": "container",
        "height": 220,
        "data": {"values": values},
        "mark": {"type": "line", "point": {"size": 60}, "tooltip": True},
        "encoding": {
            "x": YEAR_AXIS,
            "y": {"field": "n", "type": "quantitative", "title": "件 / count"},
            "color": {"field": "series", "type": "nominal", "title": None, "legend": {"orient": "bottom"}},
            "href": {"field": "href"},
        },
    }
