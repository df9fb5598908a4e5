"""A line of a page without rulings cut into segments: the glyphs of one cell each.

Kept apart from ``extract.convert.alignment``, which finds tables from the segments: here is only where
one cell's text ends and the next begins, on one line (a cell-wide gap, a label running into its first
value) or between label columns (two labels printed touching).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from extract.convert.geometry import Glyph, is_cjk, line_text

# A gap between glyphs wider than this fraction of their height separates two cells.
CELL_GAP = 0.4
# Units a report prints after a number (as in ``extract.values``): "0件" is a value, and so is
# a unit wrapped under its number in a narrow column.
_UNITS = "万元|件|条|个|项|次|元|份|宗"
VALUE = re.compile(rf"[+\-－]?\d[\d,，.]*(?:{_UNITS})?%?|[/／—–\-－]+|无")
UNIT = re.compile(_UNITS)
# A label ending in these words goes on with its number (``第 3``, ``共 5``): the number is the label's.
_COUNTED = re.compile(r"[第共为]$")
# Labels of this many other lines starting at a label column's edge make it a column a touching glyph begins.
_WITNESSES = 3


@dataclass
class Segment:
    """Glyphs of one line with no cell-wide gap between them."""

    glyphs: list[Glyph]
    text: str = ""
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0

    def __post_init__(self) -> None:
        self.text = line_text(self.glyphs)
        self.x0 = min(g.x0 for g in self.glyphs)
        self.x1 = max(g.x1 for g in self.glyphs)
        self.top = min(g.top for g in self.glyphs)
        self.bottom = max(g.bottom for g in self.glyphs)

    @property
    def is_value(self) -> bool:
        # NFKC: a full-width decimal point or comma (５３．７６) is part of the number, not a cell's edge.
        return bool(VALUE.fullmatch(unicodedata.normalize("NFKC", self.text).replace(" ", "")))

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


def segments(line: list[Glyph]) -> list[Segment]:
    """A line cut where the gap between glyphs is wider than ``CELL_GAP`` of their height."""
    out: list[list[Glyph]] = [[line[0]]]
    for g in line[1:]:
        prev = out[-1][-1]
        size = max(min(prev.height, g.height), 1e-6)
        if g.x0 - prev.x1 > CELL_GAP * size:
            out.append([g])
        else:
            out[-1].append(g)
    return [part for glyphs in out for part in _value_off_label(Segment(glyphs))]


def _value_off_label(seg: Segment) -> list[Segment]:
    """A label that runs into its first value (``…不计其他情形) 0``: the cell's text ends where the value's
    begins) cut before the value: a word gap before a number that ends a label that is no number."""
    glyphs = seg.glyphs
    for i in range(len(glyphs) - 1, 0, -1):
        if " " in line_text(glyphs[i - 1:i + 1]):
            head, tail = Segment(glyphs[:i]), Segment(glyphs[i:])
            if tail.is_value and not head.is_value and not _COUNTED.search(head.text):
                return [head, tail]
            break
    return [seg]


def glued_value_off_label(seg: Segment) -> list[Segment]:
    """A row's first value printed touching the end of a line of its wrapped label (``…不计其`` + ``5``, the
    label going on with ``他情形）`` below): the digits after the label's last Chinese character cut off. Only
    for a label standing on a line with values (``extract.convert.alignment``); a label counting on with its
    number (``第3``) keeps it."""
    glyphs = seg.glyphs
    i = len(glyphs)
    while i > 0 and glyphs[i - 1].text.isdigit():
        i -= 1
    if i < 2 or i == len(glyphs) or not is_cjk(glyphs[i - 1].text[-1]) or _COUNTED.search(glyphs[i - 1].text):
        return [seg]
    return [Segment(glyphs[:i]), Segment(glyphs[i:])]


def split_at_columns(seg: Segment, edges: list[float], starts: list[float]) -> list[Segment]:
    """Cut a segment where one of its glyphs starts exactly at another label column's left edge: two
    labels of neighbouring columns printed with less than a cell gap between them. Glyphs that touch
    (boxes are advance boxes: a narrow column's ``（五）不`` and the next column's wrapped ``版物``) are cut
    only at an edge where the labels of ``_WITNESSES`` other lines start too: one label starting there
    may be a heading's chance alignment (``二、`` + ``主动公开…``); touching allows half a point of overlap, as
    text condensed to fit a narrow column sets its glyphs. Glyphs overlapping more are one label's."""
    def cut_at(i: int) -> bool:
        g, prev = seg.glyphs[i], seg.glyphs[i - 1]
        if g.x0 < prev.x1 - 0.5 or not any(abs(g.x0 - edge) <= 0.5 for edge in edges):
            return False
        return g.x0 > prev.x1 or sum(abs(g.x0 - x) <= 0.5 for x in starts) >= _WITNESSES

    cuts = [i for i in range(1, len(seg.glyphs)) if cut_at(i)]
    if not cuts:
        return [seg]
    bounds = [0, *cuts, len(seg.glyphs)]
    return [Segment(seg.glyphs[a:b]) for a, b in zip(bounds, bounds[1:])]


def label_columns(label_segments: list[Segment]) -> list[float]:
    """Left edges of label columns: segments' left edges, clustered within one glyph height."""
    edges: list[float] = []
    for seg in sorted(label_segments, key=lambda s: s.x0):
        if not edges or seg.x0 - edges[-1] > (seg.bottom - seg.top):
            edges.append(seg.x0)
    return edges or [0.0]


def column_of(x: float, edges: list[float]) -> int:
    """The label column ``x`` stands in: the last whose edge it reaches (a glyph's ink may start a point early)."""
    k = 0
    for i, edge in enumerate(edges):
        if x >= edge - 1.0:
            k = i
    return k
