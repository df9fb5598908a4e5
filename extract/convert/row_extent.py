"""Which text lines of a table without rulings belong to a row of values: the row's vertical extent.

A borderless table's row is a band of the page: its cells' lines stand together, a line apart at most
(a label wrapped onto two or three lines, its values on the first, the middle or the last line, or
a number over its unit wrapped in a narrow column), and rows stand apart by the cells' padding. Text
that the nearest row of values cannot reach through such lines is not part of that row, however near:
a heading line over the value columns (``信息内容 本年制发件数 …``), a subtitle between two tables
(``第二十条第（五）项``), a label row whose values are blank. Put into a row of values, it makes that
row's label name no template row, or two, and its values are lost; left a row of its own, it is read as
the heading or empty row it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from extract.convert.segment import Segment

# Lines of one cell are at most this fraction of the glyph height apart (a wrapped line's leading);
# rows stand further apart than this by their cells' padding.
WRAP_GAP = 0.5
# Lines further apart than this fraction of the glyph height are not a cell's wrapped lines (rows, or
# a heading over its table); the gaps below it measure the table's leading.
LEADING = 0.6
# A unit wrapped under its number starts within this fraction of the glyph height below it.
UNIT_BELOW = 0.6


def _unit_under(value: Segment, units: list[Segment], size: float) -> Segment | None:
    return next((u for u in units
                 if u.x0 < value.x1 and u.x1 > value.x0 and 0 <= u.top - value.bottom <= UNIT_BELOW * size), None)


def cell_centres(values: list[Segment], units: list[Segment], size: float) -> dict[int, float]:
    """Each value's cell centre (by ``id``): its own, or, over a unit wrapped under it in a narrow column
    (``0`` over ``件``), the middle of the two lines. Cells of a row are centred alike, so a row's values
    printed on one line (``0件``) and over two stand at one height."""
    out = {}
    for value in values:
        unit = _unit_under(value, units, size)
        out[id(value)] = (value.top + unit.bottom) / 2 if unit else value.cy
    return out


def value_rows(values: list[Segment], units: list[Segment], size: float) -> tuple[list[list[Segment]], list[float]]:
    """Values at one height (their cells' centres within 0.8 of the glyph height of the row's first) are
    a row; each row's height is the mean of its values' centres."""
    centre = cell_centres(values, units, size)
    rows: list[list[Segment]] = []
    for seg in sorted(values, key=lambda s: centre[id(s)]):
        if rows and centre[id(seg)] - centre[id(rows[-1][0])] <= 0.8 * size:
            rows[-1].append(seg)
        else:
            rows.append([seg])
    return rows, [sum(centre[id(s)] for s in row) / len(row) for row in rows]


def wrap_gap(texts: list[Segment], size: float) -> float:
    """How far apart two lines may stand and still be one cell's: ``WRAP_GAP`` of the glyph height, or
    twice the table's own leading where its lines are set wider (the usual gap between a text line and
    the one under it, where less than ``LEADING`` of the glyph height). Where rows stand no further apart
    than that, every line near a row is reached, and the nearest row takes it."""
    gaps = []
    for seg in texts:
        below = [o.top - seg.bottom for o in texts
                 if o.x0 < seg.x1 and o.x1 > seg.x0 and 0 < o.top - seg.bottom < LEADING * size]
        if below:
            gaps.append(min(below))
    gaps.sort()
    return max(WRAP_GAP * size, 2 * gaps[len(gaps) // 2] if gaps else 0.0)


def row_extents(rows: list[list[Segment]], units: list[Segment], size: float) -> list[tuple[float, float]]:
    """Top and bottom of each row of values, counting a unit wrapped under one of its numbers."""
    out = []
    for row in rows:
        top, bottom = min(s.top for s in row), max(s.bottom for s in row)
        for value in row:
            unit = _unit_under(value, units, size)
            bottom = max(bottom, unit.bottom) if unit else bottom
        out.append((top, bottom))
    return out


def reached(
    extent: tuple[float, float], texts: list[Segment], gap: float, *, headings: Sequence[Segment] = (),
    above: Sequence[Segment] = (), starts_row: Callable[[Segment], bool] = lambda seg: False,
) -> tuple[list[Segment], list[Segment]]:
    """The texts a row reaches from its extent, line by line (each within ``gap`` of the row or of a line
    already reached: ``wrap_gap``), and the others.

    ``headings``: text over the value columns on no row's line. A text beside one, on its line, is that
    heading line's (``信息内容`` heading the label column), never reached.
    ``starts_row``: the first line of a row's label (a numbered label): one that starts below the row's
    values is another row's, and so is a line above one of the row's own in its column (the end of the
    label above, ``…政府信息公开申请`` over ``3.其他``), never reached.
    ``above``: label text above the table's first row of values, further than a row's label usually
    reaches: a heading, unless the lines the row reaches through it begin with a row's first line
    (``starts_row``: a numbered label), whose values stand on its last line."""
    elsewhere = {id(seg) for seg in texts
                 if _beside(seg, headings, extent) or _starts_elsewhere(seg, texts, extent, starts_row)}
    kept, rest = _reach(extent, [seg for seg in texts if id(seg) not in elsewhere], gap)
    rest += [seg for seg in texts if id(seg) in elsewhere]
    if above:
        reach = (min([extent[0], *(s.top for s in kept)]), max([extent[1], *(s.bottom for s in kept)]))
        more, _ = _reach(reach, [seg for seg in above if not _beside(seg, headings, extent)], gap)
        if more and starts_row(min(more, key=lambda s: s.top)):
            taken = {id(seg) for seg in more}
            kept, rest = kept + more, rest + [seg for seg in above if id(seg) not in taken]
        else:
            rest += above
    return sorted(kept, key=lambda s: (s.cy, s.x0)), rest


def _starts_elsewhere(
    seg: Segment, texts: list[Segment], extent: tuple[float, float], starts_row: Callable[[Segment], bool],
) -> bool:
    """Whether a text belongs to another row by where a row's label starts (see ``reached``)."""
    if starts_row(seg):
        return seg.top >= extent[1]
    height = seg.bottom - seg.top
    return any(starts_row(n) and n.top < extent[1] and abs(n.x0 - seg.x0) <= height and seg.cy < n.top
               for n in texts)


def _beside(seg: Segment, headings: Sequence[Segment], extent: tuple[float, float]) -> bool:
    """Whether a text off the row's values stands on a heading's line (shares most of its height)."""
    if seg.top < extent[1] and seg.bottom > extent[0]:
        return False
    height = seg.bottom - seg.top
    return any(h is not seg and min(seg.bottom, h.bottom) - max(seg.top, h.top) > 0.5 * height for h in headings)


def _reach(extent: tuple[float, float], texts: list[Segment], gap: float) -> tuple[list[Segment], list[Segment]]:
    top, bottom = extent
    kept: list[Segment] = []
    rest = list(texts)
    grown = True
    while grown:
        grown = False
        for seg in [seg for seg in rest if seg.top <= bottom + gap and seg.bottom >= top - gap]:
            kept.append(seg)
            top, bottom = min(top, seg.top), max(bottom, seg.bottom)
            grown = True
        rest = [seg for seg in rest if all(seg is not k for k in kept)]
    return kept, rest


def text_rows(texts: list[Segment], size: float) -> list[list[Segment]]:
    """Texts that no row of values took, in rows of their own: those at one height (within 0.8 of the
    glyph height of the row's first) are one row."""
    out: list[list[Segment]] = []
    for seg in sorted(texts, key=lambda s: (s.cy, s.x0)):
        if out and abs(seg.cy - out[-1][0].cy) <= 0.8 * size:
            out[-1].append(seg)
        else:
            out.append([seg])
    return out
