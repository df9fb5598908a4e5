"""The wide tables ``sec2``, ``sec3``, ``sec4`` and ``totals``: which cell each column holds, and their rebuild.

The long ``cells`` table is the archive's truth; the wide tables are one row per report for people who
browse, facet and chart. Their columns are derived from ``extract.templates`` so they cannot drift from
the cell ids: a column is the cell id without its section, dots turned into underscores
(``sec3.new_received.total`` -> ``sec3.new_received_total``).
"""

from __future__ import annotations

import sqlite_utils

from archive.codes import Codes
from archive.scope import Scope
from extract.templates import SEC3_APPLICANT_COLUMNS, SEC4_CELLS, v2019, v2021


def column_name(cell_id: str) -> str:
    """``sec2.regulations.in_force`` -> ``regulations_in_force``."""
    return cell_id.split(".", 1)[1].replace(".", "_")


def _unique(cells: list[str]) -> list[str]:
    return list(dict.fromkeys(cells))


SEC2_CELLS: list[str] = _unique(
    [f"sec2.{row.key}.{col}" for rows in (v2021.SEC2, v2019.SEC2) for row in rows for col in row.columns]
)
# Section 三: every row's 总计 column (both templates), then row 一 split by the six applicant types.
SEC3_CELLS: list[str] = _unique(
    [f"sec3.{row.key}.total" for row in v2021.SEC3]
    + [f"sec3.{row.key}.total" for row in v2019.SEC3]
    + [f"sec3.new_received.{col}" for col in SEC3_APPLICANT_COLUMNS]
)

WIDE_TABLES: dict[str, dict[str, str]] = {
    "sec2": {column_name(cell): cell for cell in SEC2_CELLS},
    "sec3": {column_name(cell): cell for cell in SEC3_CELLS},
    "sec4": {column_name(cell): cell for cell in SEC4_CELLS},
}

# Every wide table starts with these, copied from the report so Datasette can facet on them.
FACET_COLUMNS: tuple[str, ...] = (
    "report_id",
    "organ_id",
    "organ",
    "region",
    "level",
    "year",
    "template",
    "check_status",
    "document_id",
)
# The reports columns the facet columns are copied from, in the same order.
_REPORT_FACETS: tuple[str, ...] = ("id", "organ_id", "organ", "region", "level", "year", "template", "check_status",
                                   "primary_document_id")


def rebuild(db: sqlite_utils.Database, scope: Scope, *, removed: list[int] = ()) -> None:
    """The wide rows of the scope's reports (and of ``removed`` reports, deleted): the primary
    document's cells pivoted into columns, with the facets copied in.

    The pivot is done here rather than in SQL: one pass over each primary document's cells of the wide
    columns (by the primary key) beats a ``max(CASE ...)`` per column per cell by an order of magnitude.
    A report gets a row in a wide table when its primary document has any of that table's cells.
    """
    codes = Codes(db)
    items = {table: [codes.item(cell) for cell in columns.values()] for table, columns in WIDE_TABLES.items()}
    wanted = ", ".join(str(item) for item in sorted({item for ids in items.values() for item in ids}))
    for table in WIDE_TABLES:
        db.execute(f"DELETE FROM {table} WHERE {scope.where('report_id')}")
        db.conn.executemany(f"DELETE FROM {table} WHERE report_id = ?", ((rid,) for rid in removed))
    reports = db.execute(
        f"""SELECT {', '.join(f'r.{column}' for column in _REPORT_FACETS)} FROM reports r
            WHERE r.primary_document_id IS NOT NULL AND {scope.where('r.id')} ORDER BY r.id"""
    )
    inserts = {
        table: f"INSERT INTO {table} ({', '.join(FACET_COLUMNS + tuple(columns))}) "
        f"VALUES ({', '.join('?' for _ in range(len(FACET_COLUMNS) + len(columns)))})"
        for table, columns in WIDE_TABLES.items()
    }
    while batch := reports.fetchmany(2000):
        documents = {row[-1]: row for row in batch}
        values: dict[int, dict[int, object]] = {doc: {} for doc in documents}
        ids = list(documents)
        for document_id, item_id, value in db.execute(
            f"""SELECT document_id, item_id, value FROM cells
                WHERE document_id IN ({', '.join('?' for _ in ids)}) AND item_id IN ({wanted})""",
            ids,
        ):
            values[document_id][item_id] = value
        for table, table_items in items.items():
            db.conn.executemany(
                inserts[table],
                [
                    documents[doc] + tuple(map(found.get, table_items))
                    for doc, found in values.items()
                    if not found.keys().isdisjoint(table_items)
                ],
            )


def rebuild_totals(db: sqlite_utils.Database) -> None:
    """``totals``: reports and the sum of every ``sec3`` and ``sec4`` column by region and year.

    What the trend charts and the refusal-reasons query add up, summed once per rebuild (a few hundred
    rows) instead of over every report on every page view.
    """
    sums = [f"sum(s3.{column})" for column in WIDE_TABLES["sec3"]] + [f"sum(s4.{column})" for column in WIDE_TABLES["sec4"]]
    columns = list(WIDE_TABLES["sec3"]) + list(WIDE_TABLES["sec4"])
    db.execute("DELETE FROM totals")
    db.execute(
        f"""INSERT INTO totals (region, year, reports, {', '.join(columns)})
            SELECT r.region, r.year, count(*), {', '.join(sums)}
            FROM reports r LEFT JOIN sec3 s3 ON s3.report_id = r.id LEFT JOIN sec4 s4 ON s4.report_id = r.id
            GROUP BY r.region, r.year"""
    )
