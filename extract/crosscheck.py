"""The template's sums as a check on columns that were inferred: a wrong number is worse than none.

A table printed without ruling lines is rebuilt from where its words stand
(``extract.convert.alignment``); a value there can end up in the wrong column when the page lies
about its columns (a heading over two columns, a table cut at the page edge). The template's 勾稽 rules
catch that: a row's total is the sum of its parts, and so on. Cells read from such a table that take
part in a rule that fails are made null and named in the warnings, so the archive holds no number whose
column is in doubt. Cells from ruled tables, DOCX, HTML and text are left as read: there a failed rule
is the report's own mistake, which researchers look for.

OCR is held to the same standard. A value read by OCR at a confidence below
``Limits.ocr_min_confidence`` stands only where a sum the template defines confirms it; otherwise it
is made null and named. And a row of which OCR read some values while others were never found had a
cell taken for part of its label (a number read as a word), so the values it did read may stand one
column off: they are made null and named too.
"""

from __future__ import annotations

from collections import defaultdict

from extract.checks import record_checks
from extract.convert.limits import DEFAULT_LIMITS
from extract.document import Document, Table
from extract.record import CellSource, Number

_ROW_RULES = ("sec3.row_total.", "sec4.total.")


def distrust_inferred_columns(
    cells: dict[str, Number | None], sources: dict[str, CellSource], doc: Document, template: str | None
) -> list[str]:
    """Null, in place, the cells from tables without rulings that a failing sum involves, and the OCR
    cells no sum confirms or whose column is in doubt; the warnings."""
    if template is None:
        return []
    warnings = _distrust_inferred(cells, sources, doc, template)
    if doc.ocr:
        warnings += _distrust_ocr(cells, sources, template, DEFAULT_LIMITS.ocr_min_confidence)
    return warnings


def _distrust_inferred(
    cells: dict[str, Number | None], sources: dict[str, CellSource], doc: Document, template: str
) -> list[str]:
    inferred = {b.index for b in doc.blocks if isinstance(b, Table) and not b.ruled}
    if not inferred:
        return []
    warnings: list[str] = []
    # A blank prints nothing, so in a table without rulings it cannot be told from a value that was
    # not placed (no certain column) or not seen: every blank read from one is named.
    blanks = [key for key, s in sources.items() if key in cells and cells[key] is None and s.table in inferred]
    if blanks:
        warnings.append(f"read blank from a table without rulings, which cannot tell a blank from a value "
                        f"it could not place: {', '.join(blanks)}")
    # A row's own sums (its total, section 四's group totals) are checked with blanks as zero: a value
    # moved into a blank's column leaves a blank behind, which would otherwise make the row uncheckable.
    filled = {key: 0 if value is None else value for key, value in cells.items()}
    row_rules = [c for c in record_checks(filled, template, None, []) if c.rule.startswith(_ROW_RULES)]
    other_rules = [c for c in record_checks(cells, template, None, []) if not c.rule.startswith(_ROW_RULES)]
    for check in row_rules + other_rules:
        if check.ok is not False:
            continue
        # Its blanks are as doubtful as its values: a value moved out of a cell leaves it blank.
        doubtful = [cell for cell in check.cells if sources.get(cell) is not None and sources[cell].table in inferred]
        for cell in doubtful:
            cells[cell] = None
        if doubtful:
            warnings.append(
                f"{check.rule} fails on a table without rulings, whose columns are inferred: "
                f"left null {', '.join(doubtful)}"
            )
    return warnings


def _distrust_ocr(
    cells: dict[str, Number | None], sources: dict[str, CellSource], template: str, threshold: float
) -> list[str]:
    warnings: list[str] = []
    read_by_ocr = {key for key, source in sources.items() if key in cells and source.ocr}
    rows: dict[str, list[str]] = defaultdict(list)
    for key in cells:  # section 四 is read as one run of values: a lost one moves all after it
        rows["sec4" if key.startswith("sec4.") else key.rsplit(".", 1)[0]].append(key)
    for row, keys in rows.items():
        read = [key for key in keys if key in read_by_ocr and cells[key] is not None]
        if read and any(key not in sources for key in keys):
            for key in read:
                cells[key] = None
            warnings.append(
                f"row {row} read by OCR is short of values (a number taken for a word?): its columns are "
                f"uncertain, left null {', '.join(read)}"
            )
    marginal = [
        key for key in sorted(read_by_ocr)
        if sources[key].ocr_confidence is not None and sources[key].ocr_confidence < threshold
    ]
    confirmed = {cell for check in record_checks(cells, template, None, []) if check.ok for cell in check.cells}
    doubtful = [key for key in marginal if cells[key] is not None and key not in confirmed]
    for key in doubtful:
        cells[key] = None
    if doubtful:
        warnings.append(f"read by OCR below confidence {threshold:g} and confirmed by no sum: left null {', '.join(doubtful)}")
    unread = [key for key in marginal if key not in doubtful and cells[key] is None]
    if unread:
        warnings.append(f"not read by OCR (no legible value): null {', '.join(unread)}")
    return warnings
