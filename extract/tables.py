"""Rows of printed cells to canonical cells: the table interpreter shared by every format.

Every converter delivers rows of cells (a table row, a line of text, a block of one-cell-per-line
text). A row's label is its cells up to the last one that is not a value; its values follow. Rows
that wrap (a label continued on the next line, values continued on the next line) are joined by a
small state machine, so the same code reads tab-separated text, Word tables, HTML grids with merged
cells expanded, and tables that arrived as one cell per line.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from extract.document import Cell
from extract.labels import sec2_key, sec3_key
from extract.record import CellSource, Number
from extract.template import SEC3_COLUMNS, SEC4_CELLS, sec2_rows, sec3_rows
from extract.values import parse_value, split_trailing_values


@dataclass
class Value:
    number: Number | None
    raw: str
    source: Cell | None


@dataclass
class TableReading:
    """What the interpreter found: numbers, raw text and provenance by cell id, and what went wrong."""

    cells: dict[str, Number | None] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    sources: dict[str, CellSource] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def put(self, cell_id: str, value: Value) -> None:
        if cell_id in self.raw:
            if self.cells.get(cell_id) != value.number:
                self.warnings.append(
                    f"{cell_id} printed twice ({self.raw[cell_id]!r} and {value.raw!r}); kept the first"
                )
            return
        self.cells[cell_id] = value.number
        self.raw[cell_id] = value.raw
        src = value.source
        if src is not None:
            self.sources[cell_id] = CellSource(
                page=src.page,
                table=src.table,
                row=src.row,
                col=src.col,
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


def split_row(cells: list[Cell]) -> tuple[list[str], list[Value]]:
    """A row's label texts (up to the last non-value cell) and the value cells after it."""
    last_label = -1
    parsed: list[tuple[bool, Number | None]] = []
    for index, cell in enumerate(cells):
        is_value, number = parse_value(cell.text)
        parsed.append((is_value, number))
        if not is_value:
            last_label = index
    labels = [cells[i].text for i in range(last_label + 1) if cells[i].text.strip()]
    values = [Value(parsed[i][1], cells[i].text.strip(), cells[i]) for i in range(last_label + 1, len(cells))]
    if last_label >= 0:
        label, trailing = split_trailing_values(cells[last_label].text)
        if trailing:
            labels[-1:] = [label] if label else []
            values = [Value(parse_value(t)[1], t, cells[last_label]) for t in trailing] + values
    return labels, values


class TableInterpreter:
    """Feed it rows in reading order with the section each belongs to; read ``reading`` at the end."""

    def __init__(self, template: str | None):
        self.template = template
        self.reading = TableReading()
        self.sec2_width = {row.key: len(row.columns) for row in sec2_rows(template or "2021")}
        self.sec2_columns = {row.key: row.columns for row in sec2_rows(template or "2021")}
        self.sec3_keys = {row.key for row in sec3_rows(template or "2021")}
        self.pending: _Pending | None = None
        self.labels: deque[str] = deque(maxlen=3)
        self.sec4_values: list[Value] = []

    def feed(self, cells: list[Cell], section: str | None) -> None:
        labels, values = split_row(cells)
        if not labels and not any(v.raw for v in values):
            return  # an empty row
        if section == "sec4":
            if not labels:
                self._sec4(values)
            return
        if labels and not any(v.raw for v in values):
            values = []  # a header row, or a label whose cells are all blank padding
        if labels:
            key = self._match(labels[-1]) or self._match("".join(labels))
            if key is None and self.labels:
                key = self._match("".join(self.labels) + "".join(labels))
            if key is None and values and self.pending and not self.pending.values:
                key = (self.pending.section, self.pending.key)
            if key is None:
                self.labels.append("".join(labels))
                if values:
                    self._close()
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

    def finish(self) -> TableReading:
        self._close()
        for index, value in enumerate(self.sec4_values[: len(SEC4_CELLS)]):
            self.reading.put(SEC4_CELLS[index], value)
        if len(self.sec4_values) > len(SEC4_CELLS):
            self.reading.warnings.append(
                f"section 四 printed {len(self.sec4_values)} values where the template has {len(SEC4_CELLS)}"
            )
        return self.reading

    def _match(self, label: str) -> tuple[str, str] | None:
        key = sec3_key(label, self.template)
        if key is not None and key in self.sec3_keys:
            return "sec3", key
        key = sec2_key(label)
        if key is not None and key in self.sec2_width:
            return "sec2", key
        return None

    def _width(self, section: str, key: str) -> int:
        return len(SEC3_COLUMNS) if section == "sec3" else self.sec2_width[key]

    def _take(self, values: list[Value]) -> None:
        pending = self.pending
        assert pending is not None
        room = pending.expected - len(pending.values)
        if not pending.values:
            values = _trim_padding(values, pending.expected)
        if not pending.values and len(values) > pending.expected:
            # Trailing blanks are padding of the printed grid; anything else beyond the template is noise.
            extra = [v for v in values[pending.expected :] if v.raw]
            if extra:
                self.reading.warnings.append(
                    f"row {pending.section}.{pending.key} has {len(values)} values; the template has {pending.expected}"
                )
        pending.values.extend(values[:room])
        if len(pending.values) >= pending.expected:
            self._close()

    def _close(self) -> None:
        pending, self.pending = self.pending, None
        if pending is None or not pending.values:
            return
        columns = SEC3_COLUMNS if pending.section == "sec3" else self.sec2_columns[pending.key]
        for column, value in zip(columns, pending.values):
            self.reading.put(f"{pending.section}.{pending.key}.{column}", value)

    def _sec4(self, values: list[Value]) -> None:
        row = list(values)
        while row and not row[-1].raw:
            row.pop()
        while len(row) > len(SEC4_CELLS) and row and not row[0].raw:
            row = row[1:]
        if not self.sec4_values:
            while row and not row[0].raw and len(row) > 1:
                row = row[1:]
        self.sec4_values.extend(row)


def _trim_padding(values: list[Value], expected: int) -> list[Value]:
    """Drop the blank cells a printed grid adds around a row (rowspan gaps, trailing tabs) beyond the template."""
    values = list(values)
    while len(values) > expected:
        if not values[-1].raw:
            values.pop()
        elif not values[0].raw:
            values.pop(0)
        else:
            break
    return values
