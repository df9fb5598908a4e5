"""The shapes of the shared layout engine, and how a line of positioned glyphs becomes text.

PDF (text layer), OFD and OCR all end in the same shape — characters (or OCR words) with boxes, and
horizontal/vertical ruling segments — so they share one pipeline of named pure stages, one module each:

1. ``rulings.merge_edges``: collinear segments within ``snap`` points are joined (borders are drawn per cell).
2. ``rulings.find_tables``: segments that touch form connected groups; a group with at least two
   horizontal and two vertical rulings is a table, cut where tables printed one under another meet
   (``stacked_tables``: one table per row, each with its own columns). Its distinct x and y positions
   are the grid (``grid_positions``: a narrow cell is a cell, a double border one ruling).
3. ``rulings.grid_regions``: neighbouring grid positions with no ruling between them are one merged cell.
4. ``layout.layout_page``: glyphs are assigned to the cell under their centre; a cell's glyphs become
   lines joined by ``\\n``; glyphs outside tables become lines.
5. ``alignment.find_aligned_tables``: lines outside ruled tables whose words stand in common columns
   are a table without rulings (columns from text positions, cross-checked by the template's sums).
6. ``layout.assemble``: lines become paragraphs (indent, short last line, larger gap), and
   ``continuation.continue_table`` joins a table that ends a page to the one that starts the next with
   the same columns; a repeated header is dropped, and a vertically merged label cut by the break is carried.

All coordinates are top-down (y grows downwards) in the source's own unit; tolerances are given in
the same unit through ``LayoutSettings``, so points (PDF), millimetres (OFD) and pixels (OCR) work alike.
Text is assembled with CJK spacing repaired: no space is ever put between CJK characters, nor between
CJK and Latin/digits at the word processor's usual gap; a space is inserted between Latin/digit glyphs
only when the gap shows one.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class LayoutSettings:
    """Tolerances in the page's unit. Defaults are for PDF points.

    snap: rulings closer than this are one ruling, and a gap this small in a ruling is closed.
    min_cell: row rulings closer than this collapse (double borders, empty slivers); so do column
        rulings in a double-bordered table (``rulings.grid_positions``).
    min_edge: segments shorter than this are ignored (ticks, underline fragments, dots).
    min_col: column rulings closer than this are one line. Narrower than ``min_cell``: a blank cell
        printed alone is as narrow as its padding (4 points in LibreOffice's PDFs), and it is a cell.
    """

    snap: float = 2.0
    min_cell: float = 4.0
    min_edge: float = 6.0
    min_col: float = 3.0

    def __post_init__(self) -> None:
        for name in ("snap", "min_cell", "min_edge", "min_col"):
            if getattr(self, name) <= 0:
                raise ValueError(f"LayoutSettings.{name} must be positive")

    def scaled(self, factor: float) -> LayoutSettings:
        return LayoutSettings(self.snap * factor, self.min_cell * factor, self.min_edge * factor, self.min_col * factor)


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
    # Regions with a ruling along their top or bottom: the cells some table drew. Positions of the grid
    # no table drew in a row (other rows of a table pasted row by row reach further) are not cells.
    drawn: set[int] | None = None
    cut_right: bool = False  # the table runs past the right edge of its page (see ``Table.cut_right``)

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


# Word processors set a quarter-em gap between CJK and Latin or digits (0.22–0.29 of the glyph height in
# LibreOffice's PDFs); a wider one is a space typed or the gap between two cells of a table set as text
# (0.33 and more), which the text must keep: "行政规范性文件 77 132 470" is a label and three values,
# "行政规范性文件77 132 470" a label with a number in it and two values.
CJK_LATIN_SPACE = 0.31


def line_text(line: list[Glyph]) -> str:
    """Join a line's glyphs, putting spaces where a Latin/digit word gap shows one, and between CJK and
    Latin/digits only where the gap is wider than the word processor's own (``CJK_LATIN_SPACE``)."""
    parts: list[str] = []
    prev: Glyph | None = None
    for g in line:
        if not g.text:
            continue  # an OCR cell read as nothing (confidence 0): it flags the cell, it adds no text
        if prev is not None:
            gap = g.x0 - prev.x1
            size = max(min(prev.height, g.height), 1e-6)
            left, right = is_cjk(prev.text[-1]), is_cjk(g.text[0])
            if (not left and not right and gap > 0.22 * size) or (left != right and gap > CJK_LATIN_SPACE * size):
                parts.append(" ")
        parts.append(g.text)
        prev = g
    return "".join(parts)
