"""Stages 1–3 of the layout engine: ruling segments to table grids with their merged regions.

Named pure functions in the manner of pdfplumber's table finder: ``merge_edges`` (snap and join),
``find_tables`` (connected groups of rulings that frame at least 2×2), ``stacked_tables`` (a group that is
tables printed one under another, each with its own columns), ``grid_regions`` (which grid positions are
one merged cell) and ``grid_to_table`` (the grid with its texts, as a ``Table``).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable

from extract.convert.geometry import Edge, LayoutSettings, TableGrid
from extract.document import Cell, Table


# Rulings -----------------------------------------------------------------------------------------------


def merge_edges(edges: list[Edge], settings: LayoutSettings) -> list[Edge]:
    """Snap collinear rulings to one position and join overlapping or nearly touching pieces; drop those
    shorter than ``min_edge`` but a box's side, which closes a narrow cell between two vertical rulings."""
    out: list[Edge] = []
    for horizontal in (True, False):
        group = sorted((e for e in edges if e.horizontal == horizontal), key=lambda e: e.pos)
        clusters: list[list[Edge]] = []
        for e in group:
            if clusters and e.pos - clusters[-1][0].pos <= settings.snap:  # no chaining past ``snap``
                clusters[-1].append(e)
            else:
                clusters.append([e])
        for cluster in clusters:
            # Each joined ruling stands at the mean of its own pieces: rulings of other rows that are
            # merely near it (tables printed one per row, each with its own columns) do not move it.
            spans = sorted((min(e.start, e.end), max(e.start, e.end), e.pos) for e in cluster)
            run = [spans[0]]
            for span in spans[1:]:
                if span[0] <= max(s[1] for s in run) + settings.snap:
                    run.append(span)
                else:
                    out.append(_joined(horizontal, run))
                    run = [span]
            out.append(_joined(horizontal, run))
    long = [e for e in out if e.end - e.start >= settings.min_edge]
    short = [e for e in out if e.horizontal and e.end - e.start < settings.min_edge]
    return long + box_sides(short, [e for e in long if not e.horizontal], settings.snap * 1.5)


def box_sides(candidates: list[Edge], verticals: list[Edge], tol: float) -> list[Edge]:
    """The short horizontal runs that close a box: both ends on a vertical ruling that reaches their level.

    A table drawn as boxes (cell spacing, a double border wider than the join tolerance) has each cell's
    top and bottom only as long as the cell: in a narrow column, shorter than the run a scanned page's
    ruling finder takes for a ruling, since a text stroke can be as long. A run whose two ends stand on
    vertical rulings is a cell's side; a stroke of text stands clear of the rulings around it.
    """
    order = sorted(verticals, key=lambda v: v.pos)
    positions = [v.pos for v in order]

    def stands_on(x: float, y: float) -> bool:
        lo, hi = bisect.bisect_left(positions, x - tol), bisect.bisect_right(positions, x + tol)
        return any(v.start - tol <= y <= v.end + tol for v in order[lo:hi])

    return [c for c in candidates if stands_on(c.start, c.pos) and stands_on(c.end, c.pos)]


def _joined(horizontal: bool, run: list[tuple[float, float, float]]) -> Edge:
    return Edge(horizontal, sum(p for _, _, p in run) / len(run), run[0][0], max(end for _, end, _ in run))


def _touches(h: Edge, v: Edge, tol: float) -> bool:
    return h.start - tol <= v.pos <= h.end + tol and v.start - tol <= h.pos <= v.end + tol


def find_tables(edges: list[Edge], settings: LayoutSettings) -> list[TableGrid]:
    """Connected groups of rulings that form at least a 2×2 frame, as grids (top to bottom)."""
    hs = [e for e in edges if e.horizontal]
    vs = [e for e in edges if not e.horizontal]
    tables = []
    for g_hs, g_vs in boxed_groups(hs, vs, settings):
        g_hs = close_cut_ends(g_hs, g_vs, settings)
        if len(g_hs) < 2 or len(g_vs) < 2:
            continue
        for b_hs, b_vs in stacked_tables(g_hs, g_vs, settings):
            grid = grid_regions(b_hs, b_vs, settings)
            if grid is not None:
                tables.append(grid)
    tables.sort(key=lambda t: t.ys[0])
    return tables


def connected(hs: list[Edge], vs: list[Edge], tol: float) -> list[int]:
    """A component label for each ruling (``hs`` then ``vs``): rulings that cross or touch within ``tol``,
    directly or through others, share one."""
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    vs_sorted = sorted(range(len(vs)), key=lambda j: vs[j].pos)
    v_pos = [vs[j].pos for j in vs_sorted]
    for i, h in enumerate(hs):
        lo = bisect.bisect_left(v_pos, h.start - tol)
        hi = bisect.bisect_right(v_pos, h.end + tol)
        for k in range(lo, hi):
            j = vs_sorted[k]
            if _touches(h, vs[j], tol):
                a, b = find(i), find(len(hs) + j)
                if a != b:
                    parent[a] = b
    return [find(i) for i in range(len(parent))]


def boxed_groups(hs: list[Edge], vs: list[Edge], settings: LayoutSettings) -> list[tuple[list[Edge], list[Edge]]]:
    """The rulings as groups, one per table: rulings that touch, and the boxes of a boxed table.

    A table drawn with cell spacing, or with double borders wider than the join tolerance, draws each
    cell as a frame of its own, a gutter (the spacing, or the gap between the two lines) from its
    neighbours' frames and from the table's. Those frames touch nothing: each would be a one-cell table.
    Groups that come within ``2 * min_cell`` of each other are one table when together their rulings
    stand in pairs that far apart, every one of them (``doubled``): two tables printed close together,
    or a rule under a heading near a table, do not.
    """
    lines = [*hs, *vs]
    near = connected(hs, vs, settings.snap * 1.5)
    far = connected(hs, vs, 2 * settings.min_cell)
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(near):
        groups.setdefault(label, []).append(i)
    supergroups: dict[int, list[int]] = {}
    for label, members in groups.items():
        supergroups.setdefault(far[members[0]], []).append(label)
    out: list[list[int]] = []
    for labels in supergroups.values():
        members = [i for label in labels for i in groups[label]]
        if len(labels) > 1 and doubled([lines[i] for i in members], settings) is not None:
            out.append(members)
        else:
            out += [groups[label] for label in labels]
    return [([lines[i] for i in m if lines[i].horizontal], [lines[i] for i in m if not lines[i].horizontal]) for m in out]


def stacked_tables(hs: list[Edge], vs: list[Edge], settings: LayoutSettings) -> list[tuple[list[Edge], list[Edge]]]:
    """A group of rulings cut where the tables printed one under another meet, each part with its own rulings.

    Editors make a table by pasting rows, each row a table of its own; the word processor sizes each
    one's columns by its own text, and prints them touching, so their rulings form one connected group.
    Read as one grid, the rows' vertical rulings combine: a narrow cell of one row collapses against a
    ruling of another a few points off, and values are placed by columns that row never had. In one
    table, the vertical rulings above and below a horizontal one are the same lines, or one side has
    only some of them (a merged cell); where each side has a ruling the other lacks, two tables meet.
    """
    tol = settings.snap * 1.5
    ys = _positions([h.pos for h in hs], settings.min_cell)

    def columns(keep: Callable[[Edge], bool]) -> list[float]:
        return _positions([v.pos for v in vs if keep(v)], settings.snap)

    def within(small: list[float], big: list[float]) -> bool:
        return all(any(abs(x - y) <= settings.snap for y in big) for x in small)

    cuts = [ys[0]]
    for y in ys[1:-1]:
        above = columns(lambda v: v.start < y - tol and v.end > y - tol)
        below = columns(lambda v: v.end > y + tol and v.start < y + tol)
        if len(above) >= 2 and len(below) >= 2 and not (within(above, below) or within(below, above)):
            cuts.append(y)
    if len(cuts) == 1:
        return [(hs, vs)]
    cuts.append(ys[-1])
    parts = []
    for top, bottom in zip(cuts, cuts[1:]):
        b_hs = [h for h in hs if top - tol <= h.pos <= bottom + tol]
        b_vs = [Edge(False, v.pos, max(v.start, top), min(v.end, bottom))
                for v in vs if v.start < bottom - tol and v.end > top + tol]
        if len(_positions([h.pos for h in b_hs], settings.min_cell)) < 2 or len(b_vs) < 2:
            return [(hs, vs)]  # a part that frames no grid: the group is not cleanly stacked tables
        parts.append((b_hs, b_vs))
    return parts


def close_cut_ends(hs: list[Edge], vs: list[Edge], settings: LayoutSettings) -> list[Edge]:
    """The horizontal rulings of one group, with the one a page break cut away put back.

    A table split by a page break has no ruling along the cut (LibreOffice draws none there): its
    vertical rulings run on past its last horizontal one to the page's edge of the table. Where two or
    more of them end level beyond the last horizontal ruling, their ends are that ruling.
    """
    if not hs or len(vs) < 2:
        return hs
    out = list(hs)
    top, bottom = min(h.pos for h in hs), max(h.pos for h in hs)
    for ends in (
        [(v.start, v.pos) for v in vs if v.start < top - settings.min_cell],
        [(v.end, v.pos) for v in vs if v.end > bottom + settings.min_cell],
    ):
        levels = [y for y, _ in ends]
        if len(ends) >= 2 and max(levels) - min(levels) <= settings.snap:
            xs = [x for _, x in ends]
            out.append(Edge(True, sum(levels) / len(levels), min(xs), max(xs)))
    return out


def _positions(values: list[float], min_gap: float) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] < min_gap:
            continue
        out.append(v)
    return out


def _pairs(values: list[float], gap: float, settings: LayoutSettings) -> tuple[list[float], int, int]:
    """``values`` with each two ``gap`` apart (within ``snap``) as their middle, from the first on; how
    many pairs there were, and how many values stood alone."""
    out: list[float] = []
    i = paired = alone = 0
    while i < len(values):
        if i + 1 < len(values) and abs(values[i + 1] - values[i] - gap) <= settings.snap:
            out.append((values[i] + values[i + 1]) / 2)
            paired += 1
            i += 2
            continue
        alone += 1
        out.append(values[i])
        i += 1
    return out, paired, alone


def doubled(edges: list[Edge], settings: LayoutSettings) -> tuple[list[float], list[float]] | None:
    """Column and row positions of a table whose rulings are two lines a few points apart, each pair as
    its middle; None when the rulings are not so paired.

    Both double borders and cell spacing draw so: the two lines of a double border, or the frames of two
    neighbouring cells a gutter apart. The frame's left or right side gives the distance (under
    ``2 * min_cell``); across the page, nearly every column ruling is a pair that far apart (a line a
    word processor draws inside a cell, or the page's edge cutting a table wider than the page, may
    stand alone); down it, most row rulings are (a page break draws one line, and so may a rule under a
    paragraph). A line standing alone stays a ruling: a double border only 3 points wide is one line
    already (``min_col``). A narrow blank cell of a table printed alone is no pair: the other rulings
    are single.
    """
    xs = _positions([e.pos for e in edges if not e.horizontal], settings.min_col)
    ys = _positions([e.pos for e in edges if e.horizontal], settings.min_col)
    if len(xs) < 4 or len(ys) < 2:
        return None
    for gap in (xs[1] - xs[0], xs[-1] - xs[-2]):
        if not settings.snap < gap < 2 * settings.min_cell:
            continue
        across, paired, alone = _pairs(xs, gap, settings)
        if paired < 2 or 3 * alone > paired:
            continue
        down, paired, alone = _pairs(ys, gap, settings)
        if paired >= 2 and alone <= paired:
            return across, down
    return None


def grid_positions(hs: list[Edge], vs: list[Edge], settings: LayoutSettings) -> tuple[list[float], list[float]]:
    """The x positions of a table's column rulings and the y positions of its row rulings.

    Every distinct column ruling counts, however narrow the cell it bounds: a blank cell of a table
    printed alone can be 4 points wide, and dropping its ruling moves every value after it one column
    left. Rulings closer than ``min_col`` are one line drawn twice; rows closer than ``min_cell`` are
    an empty sliver. A double border (or a gutter between cells drawn as boxes) is two lines a few
    points apart drawn as a pair all along the table: where every ruling is such a pair (``doubled``),
    each pair is one ruling at its middle. Else, when the frame's left and right sides, its top and its
    bottom are each a pair of lines the same distance apart, every pair of rulings that close is one
    ruling. A narrow blank cell at each end of a row is no double border: its row's top and bottom are
    single lines.
    """
    pairs = doubled([*hs, *vs], settings)
    if pairs is not None:
        return pairs
    xs = _positions([v.pos for v in vs], settings.min_col)
    ys = _positions([h.pos for h in hs], settings.snap)
    if len(xs) >= 4 and len(ys) >= 4:
        gaps = (xs[1] - xs[0], xs[-1] - xs[-2], ys[1] - ys[0], ys[-1] - ys[-2])
        if max(gaps) < 2 * settings.min_cell and max(gaps) - min(gaps) <= settings.snap:
            pair = max(gaps) + settings.snap / 2
            return _positions(xs, pair), _positions(ys, max(pair, settings.min_cell))
    return xs, _positions(ys, settings.min_cell)


def grid_regions(hs: list[Edge], vs: list[Edge], settings: LayoutSettings) -> TableGrid | None:
    """The grid of one table and its merged regions: neighbours with no ruling between them are one cell."""
    xs, ys = grid_positions(hs, vs, settings)
    if len(xs) < 2 or len(ys) < 2:
        return None
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    tol = settings.min_cell / 2 + settings.snap

    def crossing(edges: list[Edge], at: float, grid: list[float]) -> set[int]:
        """Grid lines that a ruling crossing ``at`` stands on: each ruling counts for its nearest grid
        line only, so one ruling never closes a sliver between two grid lines a few points apart."""
        out = set()
        for e in edges:
            if e.start - settings.snap <= at <= e.end + settings.snap:
                k = min(range(len(grid)), key=lambda i: abs(grid[i] - e.pos))
                if abs(grid[k] - e.pos) <= tol:
                    out.add(k)
        return out

    v_at = [crossing(vs, (ys[r] + ys[r + 1]) / 2, xs) for r in range(n_rows)]
    h_at = [crossing(hs, (xs[c] + xs[c + 1]) / 2, ys) for c in range(n_cols)]

    def has_v(x: float, y: float) -> bool:
        return xs.index(x) in v_at[bisect.bisect_right(ys, y) - 1]

    def has_h(y: float, x: float) -> bool:
        return ys.index(y) in h_at[bisect.bisect_right(xs, x) - 1]

    # Stage 3a: within a row, neighbours with no vertical ruling between them are one run of columns.
    runs: list[list[tuple[int, int]]] = []  # per row: the (first, last) column of the run over each column
    for r in range(n_rows):
        ymid = (ys[r] + ys[r + 1]) / 2
        row_runs: list[tuple[int, int]] = []
        start = 0
        for c in range(n_cols):
            if c + 1 == n_cols or has_v(xs[c + 1], ymid):
                row_runs += [(start, c)] * (c - start + 1)
                start = c + 1
        runs.append(row_runs)
    # Stage 3b: a run and the run under it are one merged cell when they have the same columns and no
    # ruling runs between them anywhere along them. A region is always a rectangle: where rulings are
    # missing unevenly (tables printed one per row), cells do not chain into one across rows.
    region = [[r * n_cols + run[0] for run in runs[r]] for r in range(n_rows)]
    for r in range(n_rows - 1):
        for c in range(n_cols):
            first, last = runs[r][c]
            if c != first or runs[r + 1][c] != (first, last):
                continue
            if any(has_h(ys[r + 1], (xs[k] + xs[k + 1]) / 2) for k in range(first, last + 1)):
                continue
            for k in range(first, last + 1):
                region[r + 1][k] = region[r][k]
    # A position is a cell some table drew when a ruling runs along its top or bottom and it lies
    # between the first and last vertical ruling of its row: a table pasted row by row shares the
    # ruling between two rows with its neighbour, which may reach further than the row's own cells.
    inside = [range(min(v), max(v)) if len(v) >= 2 else range(n_cols) for v in v_at]
    drawn = {region[r][c] for r in range(n_rows) for c in inside[r] if {r, r + 1} & h_at[c]}
    return TableGrid(xs=xs, ys=ys, region=region, drawn=drawn)


def grid_to_table(t: TableGrid, page: int, index: int, ocr: bool) -> Table:
    """The grid as a ``Table``: a region merged across columns is one ``Cell`` in every position of its
    row (its ``col`` is where it starts), as the HTML and DOCX readers give it, so the parser counts a
    merged value once whatever the format."""
    rows = []
    for r, region_row in enumerate(t.region):
        made: dict[int, Cell] = {}
        row = []
        for c, rid in enumerate(region_row):
            if rid not in made:
                made[rid] = Cell(
                    t.texts.get(rid, ""),
                    page=page,
                    table=index,
                    row=r,
                    col=c,
                    ocr_confidence=t.confs.get(rid) if ocr else None,
                )
            row.append(made[rid])
        rows.append(_undrawn_ends(row, region_row, t))
    return Table(rows=rows, page=page, index=index)


def _undrawn_ends(row: list[Cell], region_row: list[int], t: TableGrid) -> list[Cell]:
    """Empty positions at a row's ends that no table drew take the neighbouring cell (the same object,
    counted once), so a row of a table pasted row by row starts with its own first cell."""
    if t.drawn is None:
        return row
    real = [c for c, rid in enumerate(region_row) if rid in t.drawn or t.texts.get(rid, "").strip()]
    if not real:
        return row
    first, last = real[0], real[-1]
    return [row[first]] * first + row[first : last + 1] + [row[last]] * (len(row) - last - 1)
