"""A borderless table found on one page (``extract.convert.alignment``), continued onto the next page
and made into the document's ``Table``.

Kept apart from the alignment itself, which finds the table: here are what a found table holds and
the two things done with it afterwards, neither of which looks at glyphs again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from extract.document import Cell, Table


@dataclass
class AlignedTable:
    """A borderless table found on one page: its bands (value columns) and rows of label and band texts."""

    page: int
    top: float
    bands: list[tuple[float, float]]
    label_cols: list[float]  # left edges of the label columns
    rows: list[tuple[list[str], list[str], int]]  # (label texts, one text per band, page)
    warnings: list[str] = field(default_factory=list)
    confs: dict[tuple[int, int], float] = field(default_factory=dict)  # (row, band) -> OCR confidence
    loose: set[tuple[int, int]] = field(default_factory=set)  # (row, band): a value no other row stands with
    lost: set[tuple[int, int]] = field(default_factory=set)  # (row, band) a value with no certain column left empty; band -1: none
    # In a block that shares no grid (``grid`` False), a row's values fill its first cells in order; their
    # x-spans, by row, let a table continued from the previous page take that page's columns.
    grid: bool = True
    spans: dict[int, list[tuple[float, float]]] = field(default_factory=dict)
    cut_right: bool = False  # the page's right edge cuts it: its columns past the edge are not on the page


def continue_aligned(previous: AlignedTable, table: AlignedTable) -> bool:
    """Append ``table`` (at the top of the next page) to ``previous`` when every band of it lies in one
    band of the previous page's table; its values then take the previous page's columns. A row of a
    block that shares no grid holds its values in order: each goes to the band of the previous page its
    own span lies in, or, when the previous page shares no grid either, the values stay in order."""
    if not previous.grid and table.grid:
        return False
    band_map = _mapping(table.bands, previous.bands) if previous.grid else list(range(len(table.bands)))
    maps: list[list[int]] = []
    for r, (_, cells, _) in enumerate(table.rows):
        row_map = band_map
        if r in table.spans:
            row_map = _mapping(table.spans[r], previous.bands) if previous.grid else list(range(len(cells)))
        if row_map is None or any(text for text in cells[len(row_map):]):
            return False
        maps.append(row_map)
    width = max([len(previous.bands), *(len(cells) for _, cells, _ in previous.rows), *(len(m) for m in maps)])
    for r, ((labels, cells, page), mapping) in enumerate(zip(table.rows, maps)):
        moved = ["" for _ in range(width)]
        for b, (text, target) in enumerate(zip(cells, mapping)):
            moved[target] = text
            if (r, b) in table.confs:
                previous.confs[(len(previous.rows), target)] = table.confs[(r, b)]
        previous.loose.update((len(previous.rows), mapping[b]) for row, b in table.loose if row == r)
        previous.lost.update((len(previous.rows), mapping[b] if b >= 0 else -1) for row, b in table.lost if row == r)
        previous.rows.append((labels, moved, page))
    previous.warnings += table.warnings
    previous.cut_right |= table.cut_right
    return True


def _mapping(spans: list[tuple[float, float]], bands: list[tuple[float, float]]) -> list[int] | None:
    """For each span, the one band it overlaps, all different; None when a span overlaps none or two."""
    mapping = []
    for x0, x1 in spans:
        hit = [b for b, (a0, a1) in enumerate(bands) if x0 < a1 and x1 > a0]
        if len(hit) != 1:
            return None
        mapping.append(hit[0])
    return mapping if len(set(mapping)) == len(mapping) else None


def aligned_to_table(table: AlignedTable, index: int) -> Table:
    """Rows of label cells (padded to the widest) and one cell per band."""
    width = max(len(labels) for labels, _, _ in table.rows)
    rows = []
    for r, (labels, cells, page) in enumerate(table.rows):
        texts = [*labels, *([""] * (width - len(labels))), *cells]
        row = [Cell(text, page=page, table=index, row=r, col=c) for c, text in enumerate(texts)]
        for b in range(len(cells)):
            row[width + b].ocr_confidence = table.confs.get((r, b))
        rows.append(row)
    return Table(rows=rows, page=table.page, index=index, ruled=False, cut_right=table.cut_right,
                 loose_cells=frozenset((r, width + b) for r, b in table.loose), lost_cells=frozenset((r, width + b if b >= 0 else -1) for r, b in table.lost))
