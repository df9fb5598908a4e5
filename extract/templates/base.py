"""The shape of a template's data: rows, sum rules and the words that identify rows, columns and sections.

A ``Template`` is plain data taken from ../shared/TEMPLATE.md (and, for the free-form reports of
2008–2018, from the 2008 regulations). The parser, the 勾稽 checks and the farm's renderers all read it
from ``extract.templates``; none of them spells a label, a column word or a rule of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# (row key, words of which one suffices, words that must be absent): the first entry that fits wins.
Signature = tuple[str, tuple[str, ...], tuple[str, ...]]


@dataclass(frozen=True)
class Row:
    """One printed row of a table: its key, its label in the template and its value columns."""

    key: str
    label: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class SumRule:
    """A 勾稽 rule of TEMPLATE.md: the cells in ``parts`` sum to the cells in ``totals``."""

    name: str
    parts: tuple[str, ...]
    totals: tuple[str, ...]

    @property
    def cells(self) -> tuple[str, ...]:
        return self.parts + self.totals


@dataclass(frozen=True)
class Template:
    """Everything the code knows about one template version, as data."""

    version: str  # "2021", "2019" or "2008"
    name: str  # the circular or regulation that fixes the format
    first_year: int  # the first report year it applies to
    last_year: int | None  # the last one, None while in force
    circulars: tuple[str, ...] = ()  # how reports cite the circular (``〔2021〕30号``), after normalisation
    markers: tuple[str, ...] = ()  # column labels only this template's tables print
    sec2: tuple[Row, ...] = ()
    sec3: tuple[Row, ...] = ()
    sec4_groups: tuple[str, ...] = ()
    sec4_columns: tuple[str, ...] = ()
    sec2_groups: tuple[tuple[str, tuple[str, ...]], ...] = ()  # 第二十条 item headings over their rows
    sec2_column_labels: dict[str, str] = field(default_factory=dict)
    sec3_column_labels: dict[str, str] = field(default_factory=dict)
    sec4_group_labels: dict[str, str] = field(default_factory=dict)
    sec4_column_labels: dict[str, str] = field(default_factory=dict)
    sec2_signatures: tuple[Signature, ...] = ()
    sec3_signatures: tuple[Signature, ...] = ()
    exact_labels: dict[str, str] = field(default_factory=dict)  # a whole cleaned label → its sec3 row key
    short_labels: dict[str, str] = field(default_factory=dict)  # a sec2 label that may only carry a unit after it
    header_words: frozenset[str] = frozenset()  # column headings, never row labels
    column_words: frozenset[str] = frozenset()  # row labels that are also column headings (``其他``, ``总计``)
    outcome_prefixes: tuple[str, ...] = ()  # rows that sum to (七) 总计
    rules: tuple[SumRule, ...] = ()

    @property
    def free_form(self) -> bool:
        """A report format with no fixed tables (2008–2018): no cells at all."""
        return not (self.sec2 or self.sec3 or self.sec4_groups)

    @property
    def sec4_cells(self) -> tuple[str, ...]:
        return tuple(f"sec4.{g}.{c}" for g in self.sec4_groups for c in self.sec4_columns)

    def cell_ids(self) -> list[str]:
        """Every cell id, in the order the report prints them."""
        ids = [f"sec2.{row.key}.{col}" for row in self.sec2 for col in row.columns]
        ids += [f"sec3.{row.key}.{col}" for row in self.sec3 for col in row.columns]
        return ids + list(self.sec4_cells)

    def row(self, section: str, key: str) -> Row:
        return next(r for r in (self.sec2 if section == "sec2" else self.sec3) if r.key == key)

    def cell_label(self, cell_id: str) -> str:
        """A Chinese label for a cell id, for people: ``行政许可 · 本年处理决定数量``."""
        section, row_key, column = cell_id.split(".")
        if section == "sec4":
            return f"{self.sec4_group_labels[row_key]} · {self.sec4_column_labels[column]}"
        labels = self.sec2_column_labels if section == "sec2" else self.sec3_column_labels
        return f"{self.row(section, row_key).label} · {labels[column]}"
