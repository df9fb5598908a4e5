"""Rows of printed cells to canonical cells: the table interpreter shared by every format.

Every converter delivers rows of cells (a table row, a line of text, a block of one-cell-per-line
text). A row's label is its cells up to the last one that is not a value; its values follow. Rows
that wrap (a label continued on the next line, values continued on the next line) are joined by a
small state machine, so the same code reads tab-separated text, Word tables, HTML grids with merged
cells expanded, and tables that arrived as one cell per line.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace

from extract.convert.alignment import ENUMERATED
from extract.digits import GluedRow, solve
from extract.document import Cell
from extract.headings import HeadingColumns
from extract.labels import clean_label, rows_begun, rows_named, sec2_key, sec2_near_key, sec3_key, sec3_near_key
from extract.labels import without_notes
from extract.record import CellSource, Number
from extract.rows import GluedCell
from extract.templates import SEC3_COLUMNS, SEC4_CELLS, SEC4_COLUMNS, get
from extract.values import parse_value, split_trailing_values

MAX_GLUED_LABEL = 60  # how far back from its digits a run-together row's label is looked for


@dataclass
class Value:
    number: Number | None
    raw: str
    source: Cell | None
    glued: bool = False  # digits that ran together (``000``): maybe several cells, split by ``extract.digits``
    unreadable: bool = False  # a cell where a value stands that holds no number (OCR's 工 for 1): null, named


@dataclass
class TableReading:
    """What the interpreter found: numbers, raw text and provenance by cell id, and what went wrong."""

    cells: dict[str, Number | None] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    sources: dict[str, CellSource] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # Rows (``sec3.granted``) printed with more values than the template's columns: read as a grid, the
    # extras are padding or noise; read from inferred columns, they say the columns are not the row's.
    overfull: set[str] = field(default_factory=set)
    # Rows whose values were read from more than one printed row or line (values continued on the next).
    spread: set[str] = field(default_factory=set)
    off_page: set[str] = field(default_factory=set)  # cells past the page's edge: unknown, not blank

    def put(self, cell_id: str, value: Value) -> None:
        if cell_id in self.raw and not (self.raw[cell_id] == "" and value.raw):
            if self.cells.get(cell_id) != value.number:
                self.warnings.append(
                    f"{cell_id} printed twice ({self.raw[cell_id]!r} and {value.raw!r}); kept the first"
                )
            return
        self.cells[cell_id] = value.number
        self.raw[cell_id] = value.raw
        if value.unreadable:
            self.warnings.append(f"{cell_id}: {value.raw!r} where a number stands; left null")
        src = value.source
        if src is not None:
            self.sources[cell_id] = CellSource(
                page=src.page,
                table=src.table,
                row=src.row,
                col=src.col,
                line=src.line,
                ocr=src.ocr_confidence is not None,
                ocr_confidence=src.ocr_confidence,
            )


@dataclass
class _Pending:
    """A recognised row still waiting for (some of) its values."""

    section: str
    key: str
    expected: int
    values: list[Value]
    lines: int = 0  # how many printed rows (lines) gave it values


def split_row(cells: list[Cell]) -> tuple[list[str], list[Value]]:
    """A row's label texts (up to the last non-value cell) and the value cells after it.

    A cell merged across columns appears in each column it covers; it is one printed value, so
    repeats of the same cell (the same object, or the same table/row/column origin) count once.
    """
    cells = _without_repeats(cells)
    last_label = -1
    parsed: list[tuple[bool, Number | None]] = []
    for index, cell in enumerate(cells):
        is_value, number = parse_value(cell.text)
        parsed.append((is_value, number))
        if not is_value:
            last_label = index
    labels = [cells[i].text for i in range(last_label + 1) if cells[i].text.strip()]
    values = [
        Value(parsed[i][1], cells[i].text.strip(), cells[i], isinstance(cells[i], GluedCell))
        for i in range(last_label + 1, len(cells))
    ]
    if last_label >= 0:
        label, trailing = split_trailing_values(cells[last_label].text)
        if trailing:
            labels[-1:] = [label] if label else []
            values = [Value(parse_value(t)[1], t, cells[last_label]) for t in trailing] + values
    return labels, values


class TableInterpreter:
    """Feed it rows in reading order with the section each belongs to; read ``reading`` at the end."""

    def __init__(self, template: str | None, unruled: set[int] = frozenset()):
        self.template = template
        self.version = template or "2021"  # rows are read the 2021 way until the tables say otherwise
        self.spec = get(self.version)
        self.reading = TableReading()
        self.sec2_width = {row.key: len(row.columns) for row in self.spec.sec2}
        self.sec2_columns = {row.key: row.columns for row in self.spec.sec2}
        self.sec3_keys = {row.key for row in self.spec.sec3}
        self.pending: _Pending | None = None
        self.labels: deque[str] = deque(maxlen=3)
        self.sec4_values: list[Value] = []
        # A row with values whose label names no row, waiting one row for its label's end: (its labels joined,
        # its values, its last label).
        self.deferred: tuple[str, list[Value], str] | None = None
        self.glued: list[tuple[GluedRow, Cell | None]] = []
        self.ocr_row = False  # the row being read was read by OCR: a label may have a character misread
        self.headings = HeadingColumns(set(unruled))  # section 三's headings in tables without rulings

    def feed(self, cells: list[Cell], section: str | None) -> None:
        self.ocr_row = any(cell.ocr_confidence is not None for cell in cells)
        if section == "sec4":
            cells = [_without_overprint(cell) for cell in cells]
        labels, values = self._row_of_values(cells) or split_row(cells)
        if section == "sec4" and any(_numeric_line(label) for label in labels):
            # Section 四 has no row labels: a "label" holding a number on a line of its own is a value
            # cell the page's headings were printed over; taking the rest would shift every column.
            self.reading.warnings.append(
                f"section 四: a row of values with unreadable cells ({' | '.join(labels)!r}); left null"
            )
            return
        if not labels and not any(v.raw for v in values):
            return  # an empty row
        if section == "sec3" and not any(v.raw for v in values):
            self.headings.note(cells)
        deferred = self.deferred
        self._feed(labels, values, section)
        if deferred is not None and self.deferred is deferred:
            self.deferred = None  # a row with values and no known label waits one row for its label's end
            self._unread(deferred)

    def _feed(self, labels: list[str], values: list[Value], section: str | None) -> None:
        if section == "sec4":
            self._sec4(values)  # one row of fifteen numbers, under headings or not
            return
        if labels and not any(v.raw for v in values) and self._is_header(labels):
            self._close()  # a row of column headings: it names no row, whatever its last word
            self.labels.clear()
            return
        if labels and not any(v.raw for v in values) and (
            clean_label(labels[-1]) in self.spec.column_words or self._match(labels[-1]) is None
        ):
            values = []  # a header row, or a label whose cells are all blank padding
        if labels:
            key = None
            if self.deferred is not None and not any(v.raw for v in values):
                key = self._label_end(labels, values)
                if key is not None:
                    deferred_values = self.deferred[1]
                    self.deferred = None
                    self._close()
                    self.labels.clear()
                    self.pending = _Pending(key[0], key[1], self._width(*key), [])
                    self._take(deferred_values)
                    return
            if any(v.glued for v in values):  # the row's own label is the end of all that ran together
                key = self._match_tail(labels[-1])
            else:
                key = self._match(labels[-1]) or self._match("".join(labels))
            rivals = {self._match(label) for label in labels[:-1]} - {None, key}
            if key is not None and rivals:  # ``(七)总计 | 3.其他``: two rows' labels met over one row's values
                self.reading.warnings.append(
                    f"labels {' | '.join(labels)!r} name {len(rivals) + 1} rows; their values left unread")
                self._close()
                self.labels.clear()
                return
            if key is None and self.labels:
                key = self._match("".join(self.labels) + "".join(labels))
            if key is None and values and self.pending and not self.pending.values:
                key = (self.pending.section, self.pending.key)
            if key is None:
                self.labels.append("".join(labels))
                if values:
                    self._close()
                    self.deferred = ("".join(labels), values, labels[-1])
                return
            self._close()
            self.labels.clear()
            section_key, row_key = key
            self.pending = _Pending(section_key, row_key, self._width(section_key, row_key), [])
            self._take(values)
        elif self.pending is not None:
            self._take(values)
        else:
            label_key = self._match("".join(self.labels)) if self.labels else None
            if label_key:
                self.pending = _Pending(*label_key, self._width(*label_key), [])
                self._take(values)
            elif len([v for v in values if v.raw]) >= 15 or self.sec4_values:
                self._sec4(values)

    def _label_end(self, labels: list[str], values: list[Value]) -> tuple[str, str] | None:
        """The row a label-only row completes, whose label began on the deferred row that carried the values.

        Two shapes: the second line of a wrapped label (a line that starts with its number, ``(二)``, is the
        first line of another row's label, never a continuation); and a label a page break cut, whose values
        stay with its first half (``2.其他法律行``) while the rest starts the next page with no values
        (``政法规禁止公开``). The halves are joined only when the first is the beginning of the template label of
        the one row the joined label names, and the second alone names no other row.
        """
        assert self.deferred is not None
        deferred_labels, _, head = self.deferred
        if not values and not ENUMERATED.match(labels[0].strip()):
            key = self._match(deferred_labels + "".join(labels))
            if key is not None:
                return key
        tail = labels[-1]
        if ENUMERATED.match(tail.strip()):
            return None
        key = self._match(head + tail)
        if key is None:
            return None
        row = f"{key[0]}.{key[1]}"
        if row not in rows_begun(head, self.version) or rows_named(head + tail, self.version) != {row}:
            return None
        return key if rows_named(tail, self.version) <= {row} else None

    def _unread(self, deferred: tuple[str, list[Value], str]) -> None:
        """Name a row that carried values under a label naming no template row: its values are not read."""
        label, values, _ = deferred
        printed = [v.raw for v in values if v.raw]
        if printed:
            self.reading.warnings.append(
                f"row {label!r} with values {' '.join(printed)!r} names no template row; its values left unread"
            )

    def finish(self) -> TableReading:
        self._close()
        if self.deferred is not None:
            self._unread(self.deferred)
            self.deferred = None
        sec4 = [v for v in self.sec4_values if v.raw]
        # Fifteen counts of appeals and suits printed as fewer tokens, one of them a long run of digits.
        if len(sec4) < len(SEC4_CELLS) and any(v.glued or (v.raw.isdigit() and len(v.raw) > 6) for v in sec4):
            self.glued.append((GluedRow("sec4", SEC4_CELLS, tuple(v.raw for v in sec4)), sec4[0].source))
            self.sec4_values = []
        for index, value in enumerate(self.sec4_values[: len(SEC4_CELLS)]):
            self.reading.put(SEC4_CELLS[index], value)
        self._split_glued()
        self._name_missing_rows()
        if len(self.sec4_values) > len(SEC4_CELLS):
            self.reading.warnings.append(
                f"section 四 printed {len(self.sec4_values)} values where the template has {len(SEC4_CELLS)}"
            )
        return self.reading

    def _name_missing_rows(self) -> None:
        """One line for each template row of a section that was read whose cells are null for want of a printed
        value: never read under its label, or read with blank cells. A miss is never silent."""
        raw, cells = self.reading.raw, self.reading.cells
        for section, rows in (("sec2", self.spec.sec2), ("sec3", self.spec.sec3)):
            if not any(key.startswith(f"{section}.") for key in raw):
                continue
            for row in rows:
                ids = [f"{section}.{row.key}.{column}" for column in row.columns]
                blank = [i for i in ids if raw.get(i) == ""]
                if not any(cells.get(i) is not None for i in ids):
                    if not any(i in raw for i in ids):
                        why = "no printed row with values names it"
                    elif len(blank) == len(ids):
                        why = "printed with every cell blank"
                    else:
                        why = "no value read"
                    null = ids
                elif blank:
                    why, null = "cells printed blank", blank
                else:
                    continue
                self.reading.warnings.append(f"row {section}.{row.key} ({row.label}): {why}; left null: {', '.join(null)}")

    def _split_glued(self) -> None:
        """Cut the run-together rows where the template's sums allow one cut; the others stay null."""
        if not self.glued:
            return
        solution = solve([row for row, _ in self.glued], self.reading.cells, self.spec.rules)
        for row, source in self.glued:
            if row.name in solution.ambiguous:
                self.reading.warnings.append(
                    f"ambiguous digits: row {row.name} printed as {' '.join(row.tokens)!r}, which the template's "
                    f"sums do not split into its {len(row.cells)} cells one way only; left null: {', '.join(row.cells)}"
                )
            for cell in row.cells:
                number, raw = solution.values.get(cell, (None, " ".join(row.tokens)))
                self.reading.put(cell, Value(number, raw, source))

    def _row_of_values(self, cells: list[Cell]) -> tuple[list[str], list[Value]] | None:
        """A table row of a known label and exactly its row's number of cells, some not numbers (a misread
        ``工``, a stray mark): those are its unreadable values, never the label's end (that shifts the rest)."""
        if len(cells) < 3 or cells[0].col is None:
            return None
        key = self._match(cells[0].text)
        if key is None:
            return None
        cells = _without_repeats(cells)
        if len(cells) - 1 != self._width(*key):
            return None
        parsed = [parse_value(cell.text) for cell in cells[1:]]
        odd = [cell.text.strip() for cell, (is_value, _) in zip(cells[1:], parsed) if not is_value]
        if not odd or len(odd) == len(parsed) or any(len(text) > 2 or self._match(text) for text in odd):
            return None
        values = [
            Value(number, cell.text.strip(), cell, unreadable=not is_value)
            for cell, (is_value, number) in zip(cells[1:], parsed)
        ]
        return [cells[0].text], values

    def _match_tail(self, label: str) -> tuple[str, str] | None:
        """The row a run-together label names at its end: ``…现行有效件数规章`` is 规章's row."""
        text = label.strip()
        for start in range(len(text) - 1, max(-1, len(text) - MAX_GLUED_LABEL - 1), -1):
            key = self._match(text[start:])
            if key is not None:
                return key
        return None

    def _match(self, label: str) -> tuple[str, str] | None:
        key = (sec3_near_key if self.ocr_row else sec3_key)(label, self.version)
        if key is not None and key in self.sec3_keys:
            return "sec3", key
        key = (sec2_near_key if self.ocr_row else sec2_key)(label, self.version)
        if key is not None and key in self.sec2_width:
            if self._names_two_rows(label):
                return None
            return "sec2", key
        return None

    def _names_two_rows(self, label: str) -> bool:
        """Whether a label holds the names of two section 二 rows (``行政处罚行政强制``): two rows' labels met
        over one row of values (a row whose cell was blank printed nothing), so whose values they are is a
        guess, and the row is left unread (its cells null and named as not found)."""
        cleaned = without_notes(clean_label(label))
        named = {key for key, required, forbidden in self.spec.sec2_signatures
                 if all(word in cleaned for word in required) and not any(word in cleaned for word in forbidden)}
        if len(named) < 2:
            return False
        warning = f"label {label!r} names two rows ({', '.join(sorted(named))}); its values left unread"
        if warning not in self.reading.warnings:
            self.reading.warnings.append(warning)
        return True

    def _width(self, section: str, key: str) -> int:
        return len(SEC3_COLUMNS) if section == "sec3" else self.sec2_width[key]

    def _take(self, values: list[Value]) -> None:
        pending = self.pending
        assert pending is not None
        room = pending.expected - len(pending.values)
        if not pending.values:
            values = _trim_padding(values, pending.expected, leading_first=pending.section == "sec3")
        if not pending.values and len(values) > pending.expected:
            # Trailing blanks are padding of the printed grid; anything else beyond the template is noise.
            kept = values[pending.expected - 1].raw
            # A value merged across columns and repeated into each is one value, not an extra.
            extra = [v for v in values[pending.expected :] if v.raw and v.raw != kept]
            if extra:
                self.reading.overfull.add(f"{pending.section}.{pending.key}")
                self.reading.warnings.append(
                    f"row {pending.section}.{pending.key} has {len(values)} values; the template has {pending.expected}"
                )
        pending.values.extend(values[:room])
        pending.lines += any(v.raw for v in values[:room])
        if pending.lines > 1:
            self.reading.spread.add(f"{pending.section}.{pending.key}")
        if len(pending.values) >= pending.expected:
            self._close()

    def _close(self) -> None:
        pending, self.pending = self.pending, None
        if pending is None or not pending.values:
            return
        columns = SEC3_COLUMNS if pending.section == "sec3" else self.sec2_columns[pending.key]
        printed = [v for v in pending.values if v.raw]
        if any(v.glued for v in printed) and len(printed) < len(columns):
            cells = tuple(f"{pending.section}.{pending.key}.{column}" for column in columns)
            row = GluedRow(f"{pending.section}.{pending.key}", cells, tuple(v.raw for v in printed))
            self.glued.append((row, printed[0].source))
            return
        if pending.section == "sec3" and pending.lines == 1 and self.headings.put(self.reading, pending.key, pending.values):
            return  # placed by the headings over its values (``extract.headings``)
        for column, value in zip(columns, pending.values):
            self.reading.put(f"{pending.section}.{pending.key}.{column}", value)

    def _is_header(self, labels: list[str]) -> bool:
        """A row of column headings (``商业企业 … 其他 总计``), whose last word may look like a row label."""
        return len(labels) > 1 and any(clean_label(label) in self.spec.header_words for label in labels)

    def _sec4(self, values: list[Value]) -> None:
        row = _sec4_window(list(values))
        if row is None:
            self.reading.warnings.append(
                f"section 四: a row of {len(values)} cells whose fifteen columns could start at more than one "
                "place, and the group totals do not pick one; left null"
            )
            return
        # An OCR row of fifteen cells is the whole of section 四, its blank last cells too: kept, they say the
        # row was read to its end (OCR holds a row that ends short as one that lost a value). A text row of a
        # table without rulings may have fifteen bands whose blanks are only where its values did not land.
        whole = self.ocr_row and len(row) == len(SEC4_CELLS)
        while not whole and row and not row[-1].raw:
            row.pop()
        while len(row) > len(SEC4_CELLS) and row and not row[0].raw:
            row = row[1:]
        self.sec4_values.extend(row)


def _sec4_window(row: list[Value]) -> list[Value] | None:
    """Section 四's fifteen cells out of a longer row whose extra cells are blank (a label column, a grid
    rebuilt from rows of different widths): the only place they can start, or the only one where every
    group's total is the sum of its parts (blanks as zero); None when that leaves a choice of readings."""
    width = len(SEC4_CELLS)
    if len(row) <= width:
        return row
    starts = [
        start for start in range(len(row) - width + 1)
        if not any(v.raw for v in row[:start]) and not any(v.raw for v in row[start + width :])
    ]
    if len(starts) <= 1:
        return row if not starts else row[starts[0] : starts[0] + width]
    group = len(SEC4_COLUMNS)
    readings = set()
    for start in starts:
        numbers = [v.number or 0 for v in row[start : start + width]]
        if all(sum(numbers[g : g + group - 1]) == numbers[g + group - 1] for g in range(0, width, group)):
            readings.add(start)
    chosen = {tuple(v.raw for v in row[start : start + width]) for start in readings}
    if len(chosen) != 1:
        return None
    start = min(readings)
    return row[start : start + width]


def _numeric_line(text: str) -> bool:
    return any(line.strip() and parse_value(line)[1] is not None for line in text.splitlines())


def _without_overprint(cell: Cell) -> Cell:
    """A value cell under a heading printed one character a line, whose last characters fell into it
    (``正\n1``): the number on its own last line, when the lines above are short and hold no digit."""
    lines = [line.strip() for line in cell.text.splitlines() if line.strip()]
    if len(lines) < 2 or parse_value(lines[-1])[1] is None:
        return cell
    if any(len(line) > 2 or any(ch.isdigit() for ch in line) for line in lines[:-1]):
        return cell
    return replace(cell, text=lines[-1])


def _trim_padding(values: list[Value], expected: int, *, leading_first: bool) -> list[Value]:
    """Drop the blank cells a printed grid adds around a row beyond the template's columns.

    Section 三's labels span two columns, leaving a blank gap before the values in text layouts;
    section 二's last column spans two (本年增/减 in the 2019 template), leaving one after them.
    """
    values = list(values)
    ends = (0, -1) if leading_first else (-1, 0)
    while len(values) > expected:
        end = next((e for e in ends if not values[e].raw), None)
        if end is None:
            break
        values.pop(end)
    return values


def _without_repeats(cells: list[Cell]) -> list[Cell]:
    out: list[Cell] = []
    for cell in cells:
        if out:
            last = out[-1]
            if cell is last or (
                cell.table is not None and cell.col is not None and cell.page == last.page
                and (cell.table, cell.row, cell.col) == (last.table, last.row, last.col)
            ):
                continue
        out.append(cell)
    return out
