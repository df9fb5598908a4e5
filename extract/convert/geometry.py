"""From positioned glyphs and ruling lines to paragraphs and table grids: the shared layout engine.

PDF (text layer), OFD and OCR all end in the same shape — characters (or OCR words) with boxes, and
horizontal/vertical ruling segments — so they share one pipeline of named pure stages:

1. ``merge_edges``: collinear segments within ``snap`` points are joined (borders are drawn per cell).
2. ``find_tables``: segments that touch form connected groups; a group with at least two horizontal
   and two vertical rulings is a table. Its distinct x and y positions are the grid.
3. ``grid_regions``: neighbouring grid positions with no ruling between them are one merged cell.
4. Glyphs are assigned to the cell under their centre; a cell's glyphs become lines joined by ``\\n``.
5. Glyphs outside tables become lines, lines become paragraphs (indent, short last line, larger gap).
6. ``join_pages``: a table that ends a page and one that starts the next with the same columns are one
   table; a repeated header is dropped, and a vertically merged label cut by the page break is carried.

All coordinates are top-down (y grows downwards) in the source's own unit; tolerances are given in
the same unit through ``LayoutSettings``, so points (PDF), millimetres (OFD) and pixels (OCR) work alike.
Text is assembled with CJK spacing repaired: no space is ever put between CJK characters or between
CJK and Latin/digits; a space is inserted between Latin/digit glyphs only when the gap shows one.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from extract.document import Cell, Paragraph, Table


@dataclass(frozen=True)
class LayoutSettings:
    """Tolerances in the page's unit. Defaults are for PDF points.

    snap: rulings closer than this are one ruling, and a gap this small in a ruling is closed.
    min_cell: grid lines closer than this collapse (double borders), and so do empty slivers.
    min_edge: segments shorter than this are ignored (ticks, underline fragments, dots).
    """

    snap: float = 2.0
    min_cell: float = 4.0
    min_edge: float = 6.0

    def __post_init__(self) -> None:
        for name in ("snap", "min_cell", "min_edge"):
            if getattr(self, name) <= 0:
                raise ValueError(f"LayoutSettings.{name} must be positive")

    def scaled(self, factor: float) -> LayoutSettings:
        return LayoutSettings(self.snap * factor, self.min_cell * factor, self.min_edge * factor)


@dataclass
class Glyph:
    """One character (or an OCR word) with its box; ``conf`` is the OCR confidence, if any."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    conf: float | None = None

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass
class Edge:
    """A horizontal (``horizontal=True``: at ``pos`` = y, from ``start`` to ``end`` in x) or vertical ruling."""

    horizontal: bool
    pos: float
    start: float
    end: float


@dataclass
class PageContent:
    """What a converter read from one page, ready for layout."""

    number: int  # 1-based
    width: float
    height: float
    glyphs: list[Glyph]
    edges: list[Edge]
    ocr: bool = False


@dataclass
class TableGrid:
    """A ruled table found on a page: grid positions and which merged region each grid cell belongs to."""

    xs: list[float]
    ys: list[float]
    region: list[list[int]]  # [row][col] -> region id
    texts: dict[int, str] = field(default_factory=dict)
    confs: dict[int, float | None] = field(default_factory=dict)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]

    def contains(self, x: float, y: float) -> bool:
        return self.xs[0] <= x <= self.xs[-1] and self.ys[0] <= y <= self.ys[-1]


# Text assembly ----------------------------------------------------------------------------------------

_CJK_RANGES = ((0x2E80, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x2FA1F))


def is_cjk(ch: str) -> bool:
    """CJK ideographs, CJK and full-width punctuation: characters that never take a space between them."""
    code = ord(ch[0]) if ch else 0
    return any(lo <= code <= hi for lo, hi in _CJK_RANGES) or ch in "“”‘’…—·"


def group_lines(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Glyphs into text lines: sorted by top, a glyph joins a line its vertical centre falls within."""
    lines: list[list[Glyph]] = []
    bounds: list[tuple[float, float]] = []
    for g in sorted(glyphs, key=lambda g: (g.top, g.x0)):
        for i in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
            top, bottom = bounds[i]
            if top - 0.1 <= g.cy <= bottom + 0.1 and g.top < bottom:
                lines[i].append(g)
                bounds[i] = (min(top, g.top), max(bottom, g.bottom))
                break
        else:
            lines.append([g])
            bounds.append((g.top, g.bottom))
    for line in lines:
        line.sort(key=lambda g: g.x0)
    return lines


def line_text(line: list[Glyph]) -> str:
    """Join a line's glyphs, putting spaces only where a Latin/digit word gap shows one."""
    parts: list[str] = []
    prev: Glyph | None = None
    for g in line:
        if prev is not None:
            gap = g.x0 - prev.x1
            size = max(min(prev.height, g.height), 1e-6)
            if not is_cjk(prev.text[-1]) and not is_cjk(g.text[0]) and gap > 0.22 * size:
                parts.append(" ")
        parts.append(g.text)
        prev = g
    return "".join(parts)


# Rulings -----------------------------------------------------------------------------------------------


def merge_edges(edges: list[Edge], settings: LayoutSettings) -> list[Edge]:
    """Snap collinear rulings to one position and join overlapping or nearly touching pieces."""
    out: list[Edge] = []
    for horizontal in (True, False):
        group = sorted((e for e in edges if e.horizontal == horizontal), key=lambda e: e.pos)
        clusters: list[list[Edge]] = []
        for e in group:
            if clusters and e.pos - clusters[-1][-1].pos <= settings.snap:
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
        if len(g_hs) < 2 or len(g_vs) < 2:
            continue
        grid = grid_regions(g_hs, g_vs, settings)
        if grid is not None:
            tables.append(grid)
    tables.sort(key=lambda t: t.ys[0])
    return tables


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

    def has_v(x: float, y: float) -> bool:
        return any(abs(v.pos - x) <= tol and v.start - settings.snap <= y <= v.end + settings.snap for v in vs)

    def has_h(y: float, x: float) -> bool:
        return any(abs(h.pos - y) <= tol and h.start - settings.snap <= x <= h.end + settings.snap for h in hs)

    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(n_rows):
        ymid = (ys[r] + ys[r + 1]) / 2
        for c in range(n_cols):
            xmid = (xs[c] + xs[c + 1]) / 2
            if c + 1 < n_cols and not has_v(xs[c + 1], ymid):
                parent[find(r * n_cols + c)] = find(r * n_cols + c + 1)
            if r + 1 < n_rows and not has_h(ys[r + 1], xmid):
                parent[find(r * n_cols + c)] = find((r + 1) * n_cols + c)
    region = [[find(r * n_cols + c) for c in range(n_cols)] for r in range(n_rows)]
    return TableGrid(xs=xs, ys=ys, region=region)


# Page layout -------------------------------------------------------------------------------------------

_PAGE_NUMBER = re.compile(r"^[\s\-—–－~·•第]*([0-9]+|[一二三四五六七八九十]+)[\s\-—–－~·•页/共0-9]*$")


def layout_page(page: PageContent, settings: LayoutSettings) -> list[Paragraph | Table | _Line]:
    """One page's tables and text lines in reading order (lines become paragraphs in ``assemble``)."""
    edges = merge_edges(page.edges, settings)
    grids = find_tables(edges, settings)
    table_glyphs: dict[int, dict[int, list[Glyph]]] = {id(t): {} for t in grids}
    free: list[Glyph] = []
    for g in page.glyphs:
        for t in grids:
            if t.contains(g.cx, g.cy):
                r = min(max(bisect.bisect_right(t.ys, g.cy) - 1, 0), len(t.ys) - 2)
                c = min(max(bisect.bisect_right(t.xs, g.cx) - 1, 0), len(t.xs) - 2)
                table_glyphs[id(t)].setdefault(t.region[r][c], []).append(g)
                break
        else:
            free.append(g)
    items: list[tuple[float, object]] = []
    for t in grids:
        for rid, glyphs in table_glyphs[id(t)].items():
            t.texts[rid] = "\n".join(line_text(line) for line in group_lines(glyphs))
            confs = [g.conf for g in glyphs if g.conf is not None]
            t.confs[rid] = min(confs) if confs else None
        items.append((t.ys[0], t))
    lines = [_Line.of(line) for line in group_lines(free)]
    lines = [ln for ln in lines if not _is_page_furniture(ln, page)]
    items += [(ln.top, ln) for ln in lines]
    items.sort(key=lambda item: item[0])
    return [obj for _, obj in items]  # type: ignore[misc]


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    conf: float | None

    @classmethod
    def of(cls, glyphs: list[Glyph]) -> _Line:
        confs = [g.conf for g in glyphs if g.conf is not None]
        return cls(
            text=line_text(glyphs),
            x0=min(g.x0 for g in glyphs),
            x1=max(g.x1 for g in glyphs),
            top=min(g.top for g in glyphs),
            bottom=max(g.bottom for g in glyphs),
            conf=min(confs) if confs else None,
        )


def _is_page_furniture(line: _Line, page: PageContent) -> bool:
    """Page numbers in the top or bottom margin band are not part of the report's text."""
    in_margin = line.bottom > page.height * 0.9 or line.top < page.height * 0.06
    return in_margin and bool(_PAGE_NUMBER.match(line.text.strip()))


def grid_to_table(t: TableGrid, page: int, index: int, ocr: bool) -> Table:
    rows = []
    for r, region_row in enumerate(t.region):
        rows.append(
            [
                Cell(
                    t.texts.get(rid, ""),
                    page=page,
                    table=index,
                    row=r,
                    col=c,
                    ocr_confidence=t.confs.get(rid) if ocr else None,
                )
                for c, rid in enumerate(region_row)
            ]
        )
    return Table(rows=rows, page=page, index=index)


@dataclass
class _PendingTable:
    grid: TableGrid
    table: Table
    page: int


def assemble(pages: list[PageContent], settings: LayoutSettings) -> tuple[list[Paragraph | Table], list[str]]:
    """All pages into blocks: paragraphs rebuilt from lines, tables continued across page breaks."""
    blocks: list[Paragraph | Table] = []
    warnings: list[str] = []
    para_lines: list[_Line] = []
    para_page = 1
    last_table: _PendingTable | None = None
    body_left = body_right = None
    table_index = 0
    frames: set[int] = set()

    def flush() -> None:
        nonlocal para_lines
        if para_lines:
            text = para_lines[0].text
            for ln in para_lines[1:]:
                latin_break = text[-1:].isascii() and text[-1:].isalnum() and ln.text[:1].isascii() and ln.text[:1].isalnum()
                text += (" " if latin_break else "") + ln.text
            blocks.append(Paragraph(text=text, page=para_page))
        para_lines = []

    laid_out = [(page, layout_page(page, settings)) for page in pages]
    # The text block's margins, from every page: a page holding only headings would mislead.
    all_lines = [it for _, items in laid_out for it in items if isinstance(it, _Line)]
    if all_lines:
        # The right margin is where most full lines end: the median end of the longest lines, so a
        # URL overflowing the margin does not make every justified line look short.
        body_left = min(ln.x0 for ln in all_lines)
        widest = max(ln.x1 - ln.x0 for ln in all_lines)
        ends = sorted(ln.x1 for ln in all_lines if ln.x1 - ln.x0 >= 0.7 * widest)
        body_right = ends[len(ends) // 2]
    for page, items in laid_out:
        first_on_page = True
        for it in items:
            if isinstance(it, TableGrid):
                flush()
                if first_on_page and last_table is not None and _same_columns(last_table.grid, it, settings):
                    _continue_table(last_table, it, page.number, page.ocr, settings)
                else:
                    table = grid_to_table(it, page.number, table_index, page.ocr)
                    table_index += 1
                    if len({rid for row in it.region for rid in row}) == 1:
                        frames.add(id(table))
                    blocks.append(table)
                    last_table = _PendingTable(it, table, page.number)
                first_on_page = False
                continue
            line = it
            size = max(line.bottom - line.top, 1e-6)
            if para_lines:
                prev = para_lines[-1]
                ends_short = body_right is not None and prev.x1 < body_right - 1.5 * size
                indented = body_left is not None and line.x0 > body_left + 0.8 * size
                gap = line.top - prev.bottom if not first_on_page else 0.0
                centred = body_left is not None and body_right is not None and all(
                    abs((ln.x0 + ln.x1) / 2 - (body_left + body_right) / 2) < 0.5 * size for ln in (prev, line)
                )
                if centred and gap <= 1.2 * size and prev.x1 - prev.x0 > line.x1 - line.x0:
                    pass  # a centred title wrapped onto a shorter second line
                elif ends_short or indented or gap > 1.2 * size:
                    flush()
            if not para_lines:
                para_page = page.number
            para_lines.append(line)
            if first_on_page:
                last_table = None  # text between: a table on this page is a new one
            first_on_page = False
    flush()
    # A single box around text that no continuation joined is a frame, not a table.
    out: list[Paragraph | Table] = []
    for block in blocks:
        if isinstance(block, Table) and id(block) in frames and len(block.rows) == 1:
            out.append(Paragraph(text=block.rows[0][0].text, page=block.page))
        else:
            out.append(block)
    return out, warnings


def _same_columns(a: TableGrid, b: TableGrid, settings: LayoutSettings) -> bool:
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
    """Re-grid rows onto finer column rulings: a cell covering several new columns is repeated in each."""
    mapping: list[int] = []
    for k in range(len(union) - 1):
        mid = (union[k] + union[k + 1]) / 2
        mapping.append(min(max(bisect.bisect_right(xs, mid) - 1, 0), len(xs) - 2))
    out = []
    for row in rows:
        new_row = []
        for k, old in enumerate(mapping):
            cell = row[old]
            new_row.append(Cell(cell.text, cell.page, cell.table, cell.row, k, cell.ocr_confidence))
        out.append(new_row)
    return out


def _union_positions(a: list[float], b: list[float], tol: float) -> list[float]:
    out: list[float] = []
    for x in sorted(a + b):
        if out and x - out[-1] <= tol:
            continue
        out.append(x)
    return out


def _continue_table(pending: _PendingTable, grid: TableGrid, page: int, ocr: bool, settings: LayoutSettings) -> None:
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
    return TableGrid(xs=union, ys=grid.ys, region=region, texts=grid.texts, confs=grid.confs)


def _same_row(a: list[Cell], b: list[Cell], fuzzy: bool) -> bool:
    """Rows print the same text; OCR readings of one header on two pages differ a little."""
    ta = [re.sub(r"\s+", "", c.text) for c in a]
    tb = [re.sub(r"\s+", "", c.text) for c in b]
    if ta == tb:
        return True
    if not fuzzy or len(ta) != len(tb):
        return False
    import difflib

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


