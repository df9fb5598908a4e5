"""The template's sums as a check on columns that were inferred: a wrong number is worse than none.

A table printed without ruling lines is rebuilt from where its words stand
(``extract.convert.alignment``); a value there can end up in the wrong column when the page lies
about its columns (a heading over two columns, a table cut at the page edge). The template's 勾稽 rules
catch that: a row's total is the sum of its parts, and so on. Cells read from such a table that take
part in a rule that fails are made null and named in the warnings, so the archive holds no number whose
column is in doubt. Cells from ruled tables, DOCX, HTML and text are left as read: there a failed rule
is the report's own mistake, which researchers look for.
"""

from __future__ import annotations

from extract.checks import record_checks
from extract.document import Document, Table
from extract.record import CellSource, Number

_ROW_RULES = ("sec3.row_total.", "sec4.total.")


def distrust_inferred_columns(
    cells: dict[str, Number | None], sources: dict[str, CellSource], doc: Document, template: str | None
) -> list[str]:
    """Null, in place, the cells from tables without rulings that a failing sum involves; the warnings."""
    inferred = {b.index for b in doc.blocks if isinstance(b, Table) and not b.ruled}
    if not inferred or template is None:
        return []
    warnings: list[str] = []
    # A row's own sums (its total, section 四's group totals) are checked with blanks as zero: a value
    # moved into a blank's column leaves a blank behind, which would otherwise make the row uncheckable.
    filled = {key: 0 if value is None else value for key, value in cells.items()}
    row_rules = [c for c in record_checks(filled, template, None, []) if c.rule.startswith(_ROW_RULES)]
    other_rules = [c for c in record_checks(cells, template, None, []) if not c.rule.startswith(_ROW_RULES)]
    for check in row_rules + other_rules:
        if check.ok is not False:
            continue
        doubtful = [
            cell for cell in check.cells
            if cells.get(cell) is not None and sources.get(cell) is not None and sources[cell].table in inferred
        ]
        for cell in doubtful:
            cells[cell] = None
        if doubtful:
            warnings.append(
                f"{check.rule} fails on a table without rulings, whose columns are inferred: "
                f"left null {', '.join(doubtful)}"
            )
    return warnings
