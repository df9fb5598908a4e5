"""The wide tables' columns: which canonical cell each column of ``sec2``, ``sec3`` and ``sec4`` holds.

The long ``cells`` table is the archive's truth; the wide tables are one row per report for people who
browse, facet and chart. Their columns are derived from ``extract.templates`` so they cannot drift from
the cell ids: a column is the cell id without its section, dots turned into underscores
(``sec3.new_received.total`` -> ``sec3.new_received_total``).
"""

from __future__ import annotations

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
