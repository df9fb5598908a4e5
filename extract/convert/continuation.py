"""Tables continued over a page break: the part of stage 6 that joins a page's first table to the last one.

A table that ends a page and one that starts the next with the same columns are one table
(``same_columns``); ``continue_table`` appends the continuation's rows, dropping a repeated header and
carrying a vertically merged label that the break cut in two.
"""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass

from extract.convert.geometry import LayoutSettings, TableGrid
from extract.convert.rulings import grid_to_table
from extract.document import Cell, Table


@dataclass
class PendingTable:
    """The table last placed, with its grid, while the next page may continue it."""

    grid: TableGrid
    table: Table
    page: int


def same_columns(a: TableGrid, b: TableGrid, settings: LayoutSettings) -> bool:
    """Same outer frame, and one table's column rulings a subset of the other's.

    A fragment whose header merges columns (section 三's label block) lacks some inner rulings that
    the body rows have; the fragments are still one table.
    """
    tol = settings.min_cell
    if abs(a.xs[0] - b.xs[0]) > tol or abs(a.xs[-1] - b.xs[-1]) > tol:
        return False

    def subset(small: list[float], big: list[float]) -> bool:
        return all(any(abs(x - y) <= tol for y in big) for x in small)

    return subset(a.xs, b.xs) or subset(b.xs, a.xs)


def _split_columns(rows: list[list[Cell]], xs: list[float], union: list[float], tol: float) -> list[list[Cell]]:
    """Re-grid rows onto finer column rulings: a cell covering several new columns stands in each, as one
    ``Cell`` starting at the first of them (a merged value is still printed once)."""
    mapping: list[int] = []
    for k in range(len(union) - 1):
        mid = (union[k] + union[k + 1]) / 2
        mapping.append(min(max(bisect.bisect_right(xs, mid) - 1, 0), len(xs) - 2))
    out = []
    for row in rows:
        made: dict[int, Cell] = {}
        new_row = []
        for k, old in enumerate(mapping):
            cell = row[old]
            if id(cell) not in made:
                made[id(cell)] = Cell(cell.text, cell.page, cell.table, cell.row, k, cell.ocr_confidence)
            new_row.append(made[id(cell)])
        out.append(new_row)
    return out


def _union_positions(a: list[float], b: list[float], tol: float) -> list[float]:
    out: list[float] = []
    for x in sorted(a + b):
        if out and x - out[-1] <= tol:
            continue
        out.append(x)
    return out


def continue_table(pending: PendingTable, grid: TableGrid, page: int, ocr: bool, settings: LayoutSettings) -> None:
    """Append a continuation's rows, dropping a repeated header and carrying labels cut by the break.

    A vertically merged label that the page break cuts prints on the first page only; on the next page
    its part is an empty cell left of the values. Such a cell takes the label of the row above it, in
    every continuation row its region covers.
    """
    table = pending.table
    cont = grid_to_table(grid, page, table.index or 0, ocr)
    tol = settings.min_cell
    if len(pending.grid.xs) != len(grid.xs) or any(abs(x - y) > tol for x, y in zip(pending.grid.xs, grid.xs)):
        union = _union_positions(pending.grid.xs, grid.xs, tol)
        table.rows[:] = _split_columns(table.rows, pending.grid.xs, union, tol)
        cont.rows[:] = _split_columns(cont.rows, grid.xs, union, tol)
        grid = _regrid(grid, union)
        pending.grid = _regrid(pending.grid, union)
    k = min(len(table.rows), len(cont.rows) - 1)
    while k > 0 and not all(_same_row(a, b, ocr) for a, b in zip(table.rows[:k], cont.rows[:k])):
        k -= 1
    rows = cont.rows[k:]
    if rows:
        _carry_split_labels(table.rows, pending.grid, rows, grid, k)
    base = len(table.rows)
    for i, row in enumerate(rows):
        for cell in row:
            cell.row = base + i
            cell.table = table.index
        table.rows.append(row)
    pending.grid = grid
    pending.page = page
    table.cut_right |= grid.cut_right


def _carry_split_labels(
    before: list[list[Cell]], before_grid: TableGrid, after: list[list[Cell]], after_grid: TableGrid, skip: int
) -> None:
    """Give both halves of a merged label cell cut by a page break the label printed in one of them.

    LibreOffice and Word print a merged cell's text in one fragment only (the first, or the one with
    room for it) and leave the other empty. Only label columns (left of the first value) are touched.
    """
    limit = min(_first_value_col(before[-1]), _first_value_col(after[0]))
    for c in range(min(limit, len(before[-1]), len(after[0]))):
        tail_rid = before_grid.region[-1][c]
        n_before = 0
        for region_row in reversed(before_grid.region):
            if region_row[c] != tail_rid or n_before >= len(before):
                break
            n_before += 1
        head_rid = after_grid.region[skip][c]
        n_after = 0
        for region_row in after_grid.region[skip:]:
            if region_row[c] != head_rid:
                break
            n_after += 1
        top, bottom = before[-1][c].text, after[0][c].text
        if top and not bottom:
            for row in after[:n_after]:
                row[c].text = top
        elif bottom and not top:
            for row in before[len(before) - n_before :]:
                row[c].text = bottom


def _regrid(grid: TableGrid, union: list[float]) -> TableGrid:
    """The same table's region map on finer column rulings (for carrying labels over a break)."""
    mapping = [
        min(max(bisect.bisect_right(grid.xs, (union[k] + union[k + 1]) / 2) - 1, 0), len(grid.xs) - 2)
        for k in range(len(union) - 1)
    ]
    region = [[row[old] for old in mapping] for row in grid.region]
    return TableGrid(xs=union, ys=grid.ys, region=region, texts=grid.texts, confs=grid.confs, drawn=grid.drawn,
                     cut_right=grid.cut_right)


_NUMBER = re.compile(r"[\d.,]*\d[\d.,]*")


def _same_row(a: list[Cell], b: list[Cell], fuzzy: bool) -> bool:
    """Rows print the same text; OCR readings of one header on two pages differ a little."""
    ta = [re.sub(r"\s+", "", c.text) for c in a]
    tb = [re.sub(r"\s+", "", c.text) for c in b]
    if ta == tb:
        return True
    if not fuzzy or len(ta) != len(tb):
        return False
    # A row with values is data, never a repeated header: 行政处罚 0 0 0 ending one page and 行政强制 0 0 0
    # starting the next read alike but are two rows.
    if any(_NUMBER.fullmatch(t) for t in ta + tb):
        return False
    # Numbering is what tells two sub-headings apart (第二十条第（一）项 / 第二十条第（五）项): it must agree.
    numerals = re.compile(r"[0-9一二三四五六七八九十]")
    if numerals.findall("".join(ta)) != numerals.findall("".join(tb)):
        return False
    return difflib.SequenceMatcher(None, "|".join(ta), "|".join(tb), autojunk=False).ratio() >= 0.8


def _first_value_col(row: list[Cell]) -> int:
    for c, cell in enumerate(row):
        if re.fullmatch(r"[\d.,\-/—无\s]*\d[\d.,\s]*|/|—|-|无", cell.text.strip() or "x"):
            return c
    return len(row)
