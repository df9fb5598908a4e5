"""The three tables of the template as printed: cells with rowspan and colspan, exactly as the
国办公开办函 layouts merge them.

Text and HTML renderers both start from this model, so a value cell is placed once and every layout
(tab rows with gaps, one cell per line, pipe tables, HTML) follows the same printed structure. A value
cell keeps its cell id, so a renderer that loses part of a table knows exactly which cells it lost.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cached_property

from extract.templates import SEC3_COLUMNS, SEC4_CELLS, get


@dataclass
class TCell:
    """One printed cell: its text (``\\n`` = a line break inside the cell), its span, its cell id."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    cell: str | None = None  # the canonical cell id when this is a value cell
    header: bool = False


@dataclass
class TTable:
    """A table as HTML holds it: each row lists only the cells that start in it."""

    section: str  # sec2, sec3, sec4
    rows: list[list[TCell]]
    width: int
    header_rows: int = 0
    row_cell_ids: list[tuple[str, ...]] = field(default_factory=list)  # cell ids of each row

    def __post_init__(self) -> None:
        self.row_cell_ids = [tuple(c.cell for c in row if c.cell) for row in self.rows]

    @cached_property
    def positions(self) -> list[list[tuple[TCell, bool, bool]]]:
        """The expanded grid: for each position, (cell, starts_here_vertically, starts_here_horizontally)."""
        grid: list[list[tuple[TCell, bool, bool] | None]] = [[None] * self.width for _ in self.rows]
        for r, row in enumerate(self.rows):
            c = 0
            for cell in row:
                while c < self.width and grid[r][c] is not None:
                    c += 1
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        if r + dr < len(grid) and c + dc < self.width:
                            grid[r + dr][c + dc] = (cell, dr == 0, dc == 0)
                c += cell.colspan
        empty = TCell("")
        return [[pos or (empty, True, True) for pos in row] for row in grid]


def _v(cell_id: str) -> TCell:
    return TCell("", cell=cell_id)


def _h(text: str, rowspan: int = 1, colspan: int = 1) -> TCell:
    return TCell(text, rowspan, colspan, header=True)


# Section 二 ---------------------------------------------------------------------------------------------


def sec2_table(template: str, labels: dict[str, str] | None = None) -> TTable:
    """Section 二: four columns, the 第二十条 item headings spanning the width, from the template's data.

    Each item heading is followed by a row of column headings and its rows; the last value of a row
    (and its heading) spans the columns left, as the template prints 本年处理决定数量 over three columns.
    ``labels`` respells column headings by column key (``{"repealed": "本年度止件数"}``: a misprint).
    """
    labels = labels or {}
    spec = get(template)
    rows_by_key = {row.key: row for row in spec.sec2}
    rows: list[list[TCell]] = []
    for heading, keys in spec.sec2_groups:
        rows.append([_h(heading, colspan=4)])
        columns = rows_by_key[keys[0]].columns
        texts = [labels.get(c, spec.sec2_column_labels[c]) for c in columns]
        rows.append([_h("信息内容"), *(_h(t, colspan=_span(i, len(columns))) for i, t in enumerate(texts))])
        for key in keys:
            row = rows_by_key[key]
            rows.append([TCell(row.label), *(TCell("", colspan=_span(i, len(row.columns)), cell=f"sec2.{key}.{c}")
                                            for i, c in enumerate(row.columns))])
    return TTable("sec2", rows, 4)


def _span(index: int, count: int) -> int:
    """Columns a section 二 cell covers: one each, the last one whatever is left of the three."""
    return 3 - index if index == count - 1 else 1


# Section 三 ---------------------------------------------------------------------------------------------

SEC3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

# Group labels of the outcome rows, and the row keys each group spans.
SEC3_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("（三）不予公开", tuple(k for k in (r.key for r in get("2021").sec3) if k.startswith("denied_"))),
    ("（四）无法提供", tuple(k for k in (r.key for r in get("2021").sec3) if k.startswith("unavailable_"))),
    ("（五）不予处理", tuple(k for k in (r.key for r in get("2021").sec3) if k.startswith("not_processed_"))),
    ("（六）其他处理", ("other_overdue_correction", "other_overdue_fee", "other_misc")),
)
SEC3_SOLO_LABELS = {
    "granted": "（一）予以公开",
    "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "other_handling": "（六）其他处理",
    "total_processed": "（七）总计",
}
SEC3_HEADER_LABELS = ("自然人", "法人或其他组织", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")


def sec3_row_label(key: str, template: str) -> str:
    """The printed label of one row of section 三 (its innermost label, numbering included)."""
    if key in SEC3_SOLO_LABELS:
        return SEC3_SOLO_LABELS[key]
    return next(r.label for r in get(template).sec3 if r.key == key)


def sec3_group_of(key: str) -> str | None:
    for label, keys in SEC3_GROUPS:
        if key in keys:
            return label
    return None


def sec3_table(template: str, header: dict[str, str] | None = None) -> TTable:
    """Section 三: three label columns (merged as the template merges them) and seven value columns."""
    header = header or {}
    H = lambda text: header.get(text, text)  # noqa: E731 - label spelling chosen by the renderer
    keys = [r.key for r in get(template).sec3]
    values = lambda key: [_v(f"sec3.{key}.{col}") for col in SEC3_COLUMNS]  # noqa: E731
    rows: list[list[TCell]] = [
        [_h(H(SEC3_NOTE), rowspan=3, colspan=3), _h(H("申请人情况"), colspan=7)],
        [_h(H("自然人"), rowspan=2), _h(H("法人或其他组织"), colspan=5), _h(H("总计"), rowspan=2)],
        [_h(H(t)) for t in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")],
        [TCell(H("一、本年新收政府信息公开申请数量"), colspan=3), *values("new_received")],
        [TCell(H("二、上年结转政府信息公开申请数量"), colspan=3), *values("carried_over")],
    ]
    outcome_keys = keys[keys.index("granted") : keys.index("total_processed") + 1]
    first = True
    for key in outcome_keys:
        row: list[TCell] = []
        if first:
            row.append(TCell(H("三、本年度办理结果"), rowspan=len(outcome_keys)))
            first = False
        group = sec3_group_of(key) if key not in SEC3_SOLO_LABELS else None
        if group is None:
            row.append(TCell(H(sec3_row_label(key, template)), colspan=2))
        else:
            members = next(keys_ for label, keys_ in SEC3_GROUPS if label == group)
            if key == members[0]:
                row.append(TCell(H(group), rowspan=len(members)))
            row.append(TCell(H(sec3_row_label(key, template))))
        rows.append(row + values(key))
    rows.append([TCell(H("四、结转下年度继续办理"), colspan=3), *values("carried_forward")])
    return TTable("sec3", rows, 10, header_rows=3)


# Section 四 ---------------------------------------------------------------------------------------------

SEC4_RESULT_LABELS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


def sec4_table(header: dict[str, str] | None = None) -> TTable:
    """Section 四: 行政复议 ×5 and 行政诉讼 (未经复议直接起诉 ×5, 复议后起诉 ×5) over one row of numbers."""
    header = header or {}
    H = lambda text: header.get(text, text)  # noqa: E731
    rows = [
        [_h(H("行政复议"), colspan=5), _h(H("行政诉讼"), colspan=10)],
        [*(_h(H(t), rowspan=2) for t in SEC4_RESULT_LABELS), _h(H("未经复议直接起诉"), colspan=5), _h(H("复议后起诉"), colspan=5)],
        [*(_h(H(t)) for t in SEC4_RESULT_LABELS), *(_h(H(t)) for t in SEC4_RESULT_LABELS)],
        [_v(cell) for cell in SEC4_CELLS],
    ]
    return TTable("sec4", rows, 15, header_rows=3)


def fill(table: TTable, text_of: dict[str, str]) -> TTable:
    """The same table with every value cell's text set from ``text_of`` (cell id → printed text)."""
    for row in table.rows:
        for cell in row:
            if cell.cell:
                cell.text = text_of[cell.cell]
    return table


# Reading a table back as rows of fields --------------------------------------------------------------



def row_cells(table: TTable, r: int, *, pad_colspan: bool) -> list[tuple[str, TCell | None]]:
    """The fields of row ``r`` with the cell each one starts (None for merged-over positions)."""
    fields: list[tuple[str, TCell | None]] = []
    for cell, top, left in table.positions[r]:
        if top and left:
            fields.append((cell.text, cell))
        elif left or pad_colspan:
            fields.append(("", None))
    return fields


def row_fields(table: TTable, r: int, *, pad_colspan: bool) -> list[str]:
    """The fields of row ``r``: merged-over positions empty, colspans printed once or padded."""
    return [text for text, _ in row_cells(table, r, pad_colspan=pad_colspan)]


def label_index(table: TTable, r: int, *, pad_colspan: bool) -> int | None:
    """Index of the row's innermost label: the last printed non-value field before its first value."""
    label = None
    for i, (text, cell) in enumerate(row_cells(table, r, pad_colspan=pad_colspan)):
        if cell is not None and cell.cell:
            return label
        if cell is not None and text:
            label = i
    return None


def split_table(table: TTable, at: int, *, repeat_labels: bool) -> tuple[TTable, TTable]:
    """The table cut before row ``at``; merged cells crossing the cut continue in the second part."""
    grid = table.positions
    first_rows = copy.deepcopy(table.rows[:at])
    second_rows = copy.deepcopy(table.rows[at:])
    continued: list[tuple[int, TCell]] = []
    for r in range(at):
        c = 0
        for cell in table.rows[r]:
            while grid[r][c][0] is not cell:
                c += 1
            if r + cell.rowspan > at:
                first_rows[r][table.rows[r].index(cell)].rowspan = at - r
                text = cell.text if repeat_labels else ""
                continued.append((c, TCell(text, r + cell.rowspan - at, cell.colspan, cell.cell, cell.header)))
            c += cell.colspan
    if continued:
        taken = {col for start, cell in continued for col in range(start, start + cell.colspan)}
        placed: list[tuple[int, TCell]] = []
        c = 0
        for cell in second_rows[0]:
            while c in taken:
                c += 1
            placed.append((c, cell))
            c += cell.colspan
        second_rows[0] = [cell for _, cell in sorted(continued + placed, key=lambda t: t[0])]
    return (
        TTable(table.section, first_rows, table.width, table.header_rows),
        TTable(table.section, second_rows, table.width, 0),
    )
