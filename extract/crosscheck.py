"""The template's sums as a check on columns that were inferred: a wrong number is worse than none.

A table printed without ruling lines is rebuilt from where its words stand
(``extract.convert.alignment``); a value there can end up in the wrong column when the page lies
about its columns (a heading over two columns, a table cut at the page edge). The template's 勾稽 rules
catch that: a row's total is the sum of its parts, and so on. Cells read from such a table that take
part in a rule that fails are made null and named in the warnings, so the archive holds no number whose
column is in doubt. Cells from ruled tables, DOCX, HTML and text are left as read: there a failed rule
is the report's own mistake, which researchers look for.

A row whose values stand at places no other row or heading shares (a row printed as its own table)
has values in a known order but columns that are a guess: ``extract.placement`` keeps only the cells
every placement the template's sums admit agrees on, and the rest are null and named. A row that lost
a value whose column was uncertain is null throughout: its other values could fill any of its cells.

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
from extract.placement import BLANK, LooseRow, place
from extract.record import CellSource, Number
from extract.templates import get

_ROW_RULES = ("sec3.row_total.", "sec4.total.")
_PDF_FORMATS = ("pdf", "ocr-pdf")


def distrust_inferred_columns(
    cells: dict[str, Number | None], sources: dict[str, CellSource], doc: Document, template: str | None,
    raw: dict[str, str] | None = None, overfull: set[str] = frozenset(), spread: set[str] = frozenset(),
    off_page: set[str] = frozenset(),
) -> list[str]:
    """Null, in place, the cells from tables without rulings whose column is a guess or that a failing
    sum involves, and the OCR cells no sum confirms or whose column is in doubt; the warnings. ``raw``
    (the printed text of each cell) follows a value to the cell its one admitted placement puts it in.
    ``off_page``: cells of columns a page's edge cut off, unknown in the sums, never blank."""
    if template is None:
        return []
    unplaced, warnings = _split_rows(cells, sources, doc, overfull, spread)
    more, placed = _place_loose_rows(cells, sources, raw if raw is not None else {}, doc, template, unplaced)
    unplaced |= more
    warnings += placed
    warnings += _distrust_inferred(cells, sources, doc, template, unplaced | off_page)
    if doc.ocr:
        warnings += _distrust_ocr(cells, sources, doc, template, DEFAULT_LIMITS.ocr_min_confidence)
    return warnings


def template_rows(keys) -> dict[str, list[str]]:
    """Cell ids by the printed row they belong to; section 四 is one row of fifteen."""
    rows: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        rows["sec4" if key.startswith("sec4.") else key.rsplit(".", 1)[0]].append(key)
    return rows


def _split_rows(
    cells: dict[str, Number | None], sources: dict[str, CellSource], doc: Document, overfull: set[str],
    spread: set[str],
) -> tuple[set[str], list[str]]:
    """Null, in place, every row of the template read from inferred columns (a table without rulings, or a
    PDF's text lines) whose printed rows do not match it one to one: read from more than one printed row
    or line (``spread``; there a printed row is the values standing at one height, and a row the reader
    continued with the next one's values took a neighbour's, which the sums may well accept), or printed with more values
    than the template has columns (``overfull``: the columns inferred for it are not the row's)."""
    unruled = {b.index for b in doc.blocks if isinstance(b, Table) and not b.ruled}
    lines = doc.source_format in _PDF_FORMATS
    unplaced: set[str] = set()
    warnings: list[str] = []
    for name, keys in template_rows(cells).items():
        printed = {(sources[key].table, sources[key].row) for key in keys if key in sources}
        inferred = any(table in unruled or (lines and table is None) for table, _ in printed)
        if not inferred:
            continue
        if len(printed) > 1 or name in spread:
            why = "was read from more than one printed row (or PDF text line), whose values stand at different heights"
        elif name in overfull:
            why = "has more values than the template's columns in a table without rulings"
        else:
            continue
        for key in keys:
            cells[key] = None
        unplaced.update(keys)
        warnings.append(f"row {name} {why}: uncertain row, left null {', '.join(keys)}")
    return unplaced, warnings


def _place_loose_rows(
    cells: dict[str, Number | None], sources: dict[str, CellSource], raw: dict[str, str], doc: Document, template: str,
    settled: set[str],
) -> tuple[set[str], list[str]]:
    """Re-place, in place, the values of rows whose columns were not seen (``extract.placement``):
    the cells left null for want of one placement, and the warnings naming them."""
    tables = {b.index: b for b in doc.blocks if isinstance(b, Table) and not b.ruled}

    def table_of(key: str) -> tuple[Table | None, CellSource | None]:
        source = sources.get(key)
        return (tables.get(source.table) if source is not None else None), source

    def is_loose(key: str) -> bool:
        table, source = table_of(key)
        return table is not None and (source.row, source.col) in table.loose_cells

    def lost_a_value(keys: list[str]) -> bool:
        """Whether the row's table rows lost a value for want of a column. Then the columns of its others
        are in doubt too: a value that stood over two columns, or where none was, says the columns the
        reader inferred for that row are not the row's (they may be one off, or two merged), and the
        row reader may have trimmed the hole as padding and moved the values after it."""
        read = {(source.table, source.row) for key in keys for table, source in [table_of(key)] if table is not None}
        return any(r == row for index, row in read for r, _ in tables[index].lost_cells)

    loose: list[tuple[LooseRow, list[str]]] = []
    unplaced: set[str] = set()
    warnings: list[str] = []
    for name, keys in template_rows(cells).items():
        if settled & set(keys):
            continue
        printed = [key for key in keys if raw.get(key, "").strip() or cells[key] is not None]
        if lost_a_value(keys):
            for key in keys:
                cells[key] = None
            unplaced.update(keys)
            warnings.append(f"row {name} of a table without rulings lost a value whose column is uncertain, so the "
                            f"columns of its others are too: uncertain column, left null {', '.join(keys)}")
            continue
        free = [key for key in printed if is_loose(key)]
        if not free:
            continue
        fixed = tuple(None if key in free else keys.index(key) for key in printed)
        loose.append((LooseRow(name, tuple(keys), tuple(cells[key] for key in printed), fixed), printed))
    if not loose:
        return unplaced, warnings
    guessed = {key for row, _ in loose for key in row.cells}
    known = {key: value for key, value in cells.items() if key not in guessed and key not in unplaced | settled}
    decided = place([row for row, _ in loose], known, get(template).rules)
    for row, printed in loose:
        read = {key: (cells[key], raw.get(key, ""), sources.get(key)) for key in printed}
        doubtful = []
        for key in row.cells:
            at = decided[key]
            if at is None:
                cells[key] = None
                doubtful.append(key)
            elif at == BLANK:
                cells[key] = None
                raw[key] = ""
            else:
                cells[key], raw[key], source = read[printed[at]]
                if source is not None:
                    sources[key] = source
        if doubtful:
            unplaced.update(doubtful)
            warnings.append(f"row {row.name} of a table without rulings stands where no other row or heading "
                            f"marks its columns, and the template's sums leave more than one placement of its "
                            f"values: uncertain column, left null {', '.join(doubtful)}")
    return unplaced, warnings


def _distrust_inferred(
    cells: dict[str, Number | None], sources: dict[str, CellSource], doc: Document, template: str,
    unplaced: set[str],
) -> list[str]:
    inferred = {b.index for b in doc.blocks if isinstance(b, Table) and not b.ruled}
    # A PDF's rows read as lines of text (no table was found) lost their blanks and columns as well.
    lines = doc.source_format in _PDF_FORMATS

    def is_inferred(cell: str) -> bool:
        source = sources.get(cell)
        if source is None or source.table is None:
            return lines and cells.get(cell) is not None
        return source.table in inferred

    if not inferred and not lines:
        return []
    warnings: list[str] = []
    # A blank prints nothing, so in a table without rulings it cannot be told from a value that was
    # not placed (no certain column) or not seen: every blank read from one is named.
    blanks = [key for key, s in sources.items()
              if key in cells and cells[key] is None and s.table in inferred and key not in unplaced]
    if blanks:
        warnings.append(f"read blank from a table without rulings, which cannot tell a blank from a value "
                        f"it could not place: {', '.join(blanks)}")
    # A row's own sums (its total, section 四's group totals) are checked with blanks as zero: a value
    # moved into a blank's column leaves a blank behind, which would otherwise make the row uncheckable.
    # Cells left null for want of a placement are unknown, not blank.
    filled = {key: 0 if value is None and key not in unplaced else value for key, value in cells.items()}
    row_rules = [c for c in record_checks(filled, template, None, []) if c.rule.startswith(_ROW_RULES)]
    other_rules = [c for c in record_checks(cells, template, None, []) if not c.rule.startswith(_ROW_RULES)]
    for check in row_rules + other_rules:
        if check.ok is not False:
            continue
        # Its blanks are as doubtful as its values: a value moved out of a cell leaves it blank.
        doubtful = [cell for cell in check.cells if is_inferred(cell)]
        for cell in doubtful:
            cells[cell] = None
        if doubtful:
            warnings.append(
                f"{check.rule} fails on a table without rulings (or PDF text lines), whose columns are inferred: "
                f"left null {', '.join(doubtful)}"
            )
    return warnings


def _distrust_ocr(
    cells: dict[str, Number | None], sources: dict[str, CellSource], doc: Document, template: str, threshold: float
) -> list[str]:
    warnings: list[str] = []
    read_by_ocr = {key for key, source in sources.items() if key in cells and source.ocr}
    cut = _cut_rows(cells, sources, doc)
    # section 四 is read as one run of values: a lost one moves all after it
    for row, keys in template_rows(cells).items():
        read = [key for key in keys if key in read_by_ocr and cells[key] is not None]
        if row in cut:
            warnings.append(f"row {row} runs past the right edge of page {cut[row]}, which cuts its table: "
                            f"not on the page, left null {', '.join(key for key in keys if key not in sources)}")
        elif read and any(key not in sources for key in keys):
            for key in read:
                cells[key] = None
            warnings.append(
                f"row {row} read by OCR is short of values (a number taken for a word?): its columns are "
                f"uncertain, left null {', '.join(read)}"
            )
    # Every value of an OCR document was read by OCR: one taken from a line of prose (a paragraph keeps
    # no word confidences) or from a table cell that lost its confidence is as doubtful as a marginal one.
    unknown = {key for key, source in sources.items()
               if key in cells and cells[key] is not None and source.ocr_confidence is None}
    marginal = [
        key for key in sorted(read_by_ocr | unknown)
        if key in unknown or sources[key].ocr_confidence < threshold
    ]
    confirmed = {cell for check in record_checks(cells, template, None, []) if check.ok for cell in check.cells}
    doubtful = [key for key in marginal if cells[key] is not None and key not in confirmed]
    for key in doubtful:
        cells[key] = None
    low = [key for key in doubtful if key not in unknown]
    if low:
        warnings.append(f"read by OCR below confidence {threshold:g} and confirmed by no sum: left null {', '.join(low)}")
    blind = [key for key in doubtful if key in unknown]
    if blind:
        warnings.append(f"read by OCR from prose or a cell without a confidence, and confirmed by no sum: left null "
                        f"{', '.join(blind)}")
    unread = [key for key in marginal if key not in doubtful and key not in unknown and cells[key] is None]
    if unread:
        warnings.append(f"not read by OCR (no legible value): null {', '.join(unread)}")
    return warnings


def _cut_rows(cells: dict[str, Number | None], sources: dict[str, CellSource], doc: Document) -> dict[str, int]:
    """Template rows read from a table the page's right edge cuts that end short only for that: their
    cells found are the first of the row, from the table's first value column on (a number taken for a
    word starts the row's values a column later), and the rest lie past the edge. Row name -> page."""
    cut = {b.index for b in doc.blocks if isinstance(b, Table) and b.cut_right}
    rows = template_rows(cells)
    first: dict[int, int] = {}
    found: dict[str, tuple[int, int, int]] = {}  # row -> (table, first column, page)
    for row, keys in rows.items():
        read = [sources[key] for key in keys if key in sources]
        tables = {source.table for source in read}
        if len(tables) != 1 or not tables <= cut or any(source.col is None for source in read):
            continue
        (table,) = tables
        start = min(source.col for source in read)
        first[table] = min(first.get(table, start), start)
        found[row] = (table, start, read[0].page or 0)
    out: dict[str, int] = {}
    for row, (table, start, page) in found.items():
        keys = rows[row]
        have = [key in sources for key in keys]
        if start == first[table] and not all(have) and have == sorted(have, reverse=True):
            out[row] = page
    return out
