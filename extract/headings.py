"""Section 三's values placed by the column headings printed over them, in a table without rulings.

A row of section 三 is read by counting its cells: the first value is 自然人's, the last 总计's. That
holds where the row has a cell for every column. A table rebuilt from text positions
(``extract.convert.alignment``) may not: the page's right edge cuts a table wider than the page (its
last columns, with their headings, are not on it), or another table's column printed in the same
block stands before section 三's. There the headings say which cell is which column: every row of such
a table has its cells in the same bands as its headings. A column whose heading is not in the table
is not on the page: its cell is unknown, never blank. A grid read from a word processor's file numbers
each row's cells apart (a merged cell counts once), so its headings place nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from extract.document import Cell
from extract.labels import clean_label
from extract.templates import SEC3_COLUMNS
from extract.templates.common import SEC3_COLUMN_LABELS

if TYPE_CHECKING:
    from extract.tables import TableReading, Value

_NAMES = {label: column for column, label in SEC3_COLUMN_LABELS.items()}


@dataclass
class HeadingColumns:
    """Where section 三's column headings (自然人 … 总计) stand in the tables without rulings."""

    unruled: set[int]  # indices of the tables rebuilt from text positions (``Table.ruled`` False)
    at: dict[tuple[int, int], str] = field(default_factory=dict)  # (table, col) -> column

    def note(self, cells: Sequence[Cell]) -> None:
        """Remember the headings of a row of column headings."""
        for cell in cells:
            column = _NAMES.get(clean_label(cell.text))
            if column is not None and cell.table in self.unruled and cell.col is not None:
                self.at[(cell.table, cell.col)] = column

    def place(self, values: Sequence[Value]) -> dict[str, Value] | None:
        """The row's values by the column whose heading stands over each, blanks included; None where
        counting the cells places the printed values as the headings do, or where the headings cannot
        place them (a value under no heading, values from two tables, headings that repeat a column)."""
        sources = [value.source for value in values]
        if not sources or any(src is None or src.table is None or src.col is None for src in sources):
            return None
        tables = {src.table for src in sources if src is not None}
        heads = {col: column for (table, col), column in self.at.items() if table in tables}
        if len(tables) != 1 or len(heads) < 2 or len(set(heads.values())) != len(heads):
            return None
        placed = {heads[v.source.col]: v for v in values if v.source is not None and v.source.col in heads}
        if any(v.source is None or v.source.col not in heads for v in values if v.raw):
            return None
        counted = {column: v for column, v in zip(SEC3_COLUMNS, values) if v.raw}
        return None if counted == {column: v for column, v in placed.items() if v.raw} else placed

    def put(self, reading: TableReading, key: str, values: Sequence[Value]) -> bool:
        """Put section 三's row ``key`` by the headings over its values, when they place it otherwise than
        counting does; the columns with no heading in its table are not on the page: null, named, and
        unknown to the sums (``TableReading.off_page``). False when the row is left to counting."""
        placed = self.place(values)
        if placed is None:
            return False
        row = f"sec3.{key}"
        for column in SEC3_COLUMNS:
            if column in placed:
                reading.put(f"{row}.{column}", placed[column])
        missing = [f"{row}.{column}" for column in SEC3_COLUMNS if column not in placed]
        reading.off_page.update(missing)
        if missing:
            reading.warnings.append(f"row {row}: no heading of its table stands over a column of values for "
                                    f"{', '.join(missing)} (past the page's edge, or its column not found): "
                                    "not on the page, left null")
        return True
