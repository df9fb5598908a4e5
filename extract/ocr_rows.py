"""Rows OCR read from a table without rulings that hold a blank: the blank is no evidence of the row.

In a table without rulings a blank prints nothing, so where a row's values stand is known only from
the text's positions. On a scan those positions come from OCR, which misreads the marks a label
starts with (``(四)`` as ``《了0四``); the reader may then give a label the values of the row above
it, and where that row prints fewer values than the template has cells, the cell it lacks reads as
a blank and the row's sums, blanks counted as zero, still hold (real case 48 scanned with one table
a row: ``1.本机关不掌握…`` took the row above's ``0 0 0 0 0 0`` for its ``37 0 0 0 0 0 37``).
So a row of an OCR document read from such a table with a cell read blank is null throughout, and
named: a null, never a number from another row.
"""

from __future__ import annotations

from extract.crosscheck import template_rows
from extract.document import Document, Table
from extract.record import CellSource, Number


def distrust_ocr_blank_rows(
    cells: dict[str, Number | None], raw: dict[str, str], sources: dict[str, CellSource], doc: Document
) -> list[str]:
    """Null, in place, the rows read by OCR from a table without rulings that hold a blank; the warnings."""
    if not doc.ocr:
        return []
    unruled = {b.index for b in doc.blocks if isinstance(b, Table) and not b.ruled}
    warnings: list[str] = []
    for name, keys in template_rows(cells).items():
        from_scan = [key for key in keys if key in sources and sources[key].table in unruled]
        blank = [key for key in from_scan if raw.get(key) == "" and cells[key] is None]
        read = [key for key in from_scan if cells[key] is not None and sources[key].ocr]
        if not (blank and read):
            continue
        for key in read:
            cells[key] = None
        warnings.append(f"row {name} read by OCR from a table without rulings has a blank ({', '.join(blank)}), "
                        f"which may be a value another row took: uncertain row, left null {', '.join(read)}")
    return warnings
