"""Stages 1–3 of the layout engine: ruling segments to table grids with their merged regions.

Named pure functions in the manner of pdfplumber's table finder: ``merge_edges`` (snap and join),
``find_tables`` (connected groups of rulings that frame at least 2×2), ``grid_regions`` (which grid
positions are one merged cell) and ``grid_to_table`` (the grid with its texts, as a ``Table``).
"""

from __future__ import annotations

import bisect

from extract.convert.geometry import Edge, LayoutSettings, TableGrid
from extract.document import Cell, Table


# Rulings -----------------------------------------------------------------------------------------------


def merge_edges(edges: list[Edge], settings: LayoutSettings) -> list[Edge]:
    """Snap collinear rulings to one position and join overlapping or nearly touching pieces."""
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
            pos = sum(e.pos for e in cluster) / len(cluster)
            spans = sorted((min(e.start, e.end), max(e.start, e.end)) for e in cluster)
            cur_start, cur_end = spans[0]
            for start, end in spans[1:]:
                if start <= cur_end + settings.snap:
                    cur_end = max(cur_end, end)
                else:
                    out.append(Edge(horizontal, pos, cur_start, cur_end))
                    cur_start, cur_end = start, end
            out.append(Edge(horizontal, pos, cur_start, cur_end))
    return [e for e in out if e.end - e.start >= settings.min_edge]


def _touches(h: Edge, v: Edge, tol: float) -> bool:
    return h.start - tol <= v.pos <= h.end + tol and v.start - tol <= h.pos <= v.end + tol


def find_tables(edges: list[Edge], settings: LayoutSettings) -> list[TableGrid]:
    """Connected groups of rulings that form at least a 2×2 frame, as grids (top to bottom)."""
    hs = [e for e in edges if e.horizontal]
    vs = [e for e in edges if not e.horizontal]
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    tol = settings.snap * 1.5
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
    groups: dict[int, tuple[list[Edge], list[Edge]]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    tables = []
    for g_hs, g_vs in groups.values():
        g_hs = close_cut_ends(g_hs, g_vs, settings)
        if len(g_hs) < 2 or len(g_vs) < 2:
            continue
        grid = grid_regions(g_hs, g_vs, settings)
        if grid is not None:
            tables.append(grid)
    tables.sort(key=lambda t: t.ys[0])
    return tables


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


def grid_regions(hs: list[Edge], vs: list[Edge], settings: LayoutSettings) -> TableGrid | None:
    """The grid of one table and its merged regions: neighbours with no ruling between them are one cell."""
    xs = _positions([v.pos for v in vs], settings.min_cell)
    ys = _positions([h.pos for h in hs], settings.min_cell)
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
