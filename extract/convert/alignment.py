"""Stage 5 of the layout engine: tables printed without ruling lines, found from where their words stand.

A borderless table reaches the page as lines of words with wide gaps between them. Read as prose, its
numbers lose their columns: a blank cell prints nothing, so the values of a row slide left. Here the
columns come from the text positions instead, in the manner of pdfplumber's ``text`` strategy but
built on what a report's tables are:

1. ``segments``: a line is cut into segments where the gap between glyphs is wider than a fraction of
   the glyph height (CJK text has no spaces; a cell's padding is wider than any gap inside a word).
2. ``table_blocks``: runs of consecutive tabular lines (several segments, a lone value or a short
   label) holding at least two lines with values.
3. ``value_bands``: the value segments of a block, overlapping in x, are one column each; a column
   blank in every row keeps the band of its header when the header stands clear of the others.
4. ``aligned_rows``: each line with values anchors a row; label lines wrapped above or below join the
   nearest row where it reaches them (``row_extent``); each value goes to the band it overlaps.

A value that overlaps no band, or shares a band with another value of its row, has an uncertain
column: its cell is left empty and named in the warnings, never put in the next column. A value over
two bands or more that no other value of its row stands in keeps its place among the row's values but
not its column: it is put in the first of them, loose (below), never as a value whose column was seen.

A band is only as good as the rows that make it. A value stands in a real column where another row
prints a value at the same place (the same centre, left or right edge), or a heading stands centred
over it; a row printed as its own borderless table, centred on its own, shares no place with any
other row (except rows of the same shape, printed alike, which prove nothing). Such a row is
*loose*: its values are in the right order, but which columns they fill is a guess, and
``extract.crosscheck`` keeps them only where the template's sums and column counts leave one placement.
A block whose rows share no grid (or whose bands leave many rows a value over two bands or two in
one, however often its values meet by chance) has bands that say nothing of a row: every row's values
fill its first cells in order, all loose. A table continued on the next page keeps the previous page's
bands (``continue_aligned``).
"""

from __future__ import annotations

import re
import unicodedata

from extract.convert.aligned import AlignedTable
from extract.convert.row_extent import reached, row_extents, text_rows, value_rows, wrap_gap
from extract.convert.segment import (
    UNIT, Segment, column_of, glued_value_off_label, label_columns, segments, split_at_columns,
)

# A short line (a heading or a label on its own) is at most this fraction of the text block's width.
SHORT_LINE = 0.45
# A line whose words (values aside) cover this much of the text block's width is prose, gaps or not.
PROSE_FILL = 0.7
# Lines of one table are at most this many line heights apart.
ROW_GAP = 3.0
# A label line closer than this fraction of the row pitch to the first row belongs to it, not the header.
LABEL_REACH = 0.6
# Two positions this fraction of the glyph height apart or closer are one place (a shared column).
SAME_PLACE = 0.15
# A block whose values are witnessed this often shares a grid; a long row witnessed this often keeps it.
GRID_SHARE = 0.9
ROW_SHARE = 0.8
# A label that starts with its number (一、 （二） 3. (4)) is the first line of its cell.
ENUMERATED = re.compile(r"[（(]?[一二三四五六七八九十\d]{1,3}[)）、.．]")


def line_height(lines: list[list[Segment]]) -> float:
    heights = sorted(s.bottom - s.top for line in lines for s in line)
    return heights[len(heights) // 2] if heights else 1.0


def table_blocks(lines: list[list[Segment]], body: tuple[float, float]) -> list[tuple[int, int]]:
    """Index ranges [start, end) of runs of tabular lines with values: two lines of them, or one line
    with a label and a value apart."""
    width = max(body[1] - body[0], 1e-6)
    size = line_height(lines)

    def tabular(line: list[Segment]) -> bool:
        if len(line) > 1:  # cells apart, unless words fill the line as prose does (justified, gaps widened);
            # a line ending in three values apart is a row (of a long label), as no prose ends so
            return (has_values(line) and len(values_of(line)) >= 3
                    or sum(s.x1 - s.x0 for s in line if not s.is_value) < PROSE_FILL * width)
        return line[0].is_value or (line[0].x1 - line[0].x0) < SHORT_LINE * width

    blocks: list[tuple[int, int]] = []
    start = None
    for i, line in enumerate(lines + [[]]):
        joined = (
            bool(line)
            and tabular(line)
            and (start is None or line[0].top - max(s.bottom for s in lines[i - 1]) <= ROW_GAP * size)
        )
        if joined and start is None:
            start = i
            continue
        if joined:
            continue
        if start is not None:
            blocks.append((start, i))
        start = i if line and tabular(line) else None
    return [(a, b) for a, b in blocks if _aligned(lines[a:b], width)]


def _aligned(block: list[list[Segment]], width: float) -> bool:
    """Values in columns: a line of three values or more apart (no prose puts numbers so), two lines
    or more whose values mostly share columns, or one short line of a label and its values apart (a
    prose line that happens to end in a number runs to the margin, with its numbers at no common place)."""
    rows = [line for line in block if has_values(line)]
    if any(len(values_of(line)) >= 3 for line in rows):
        return True
    if len(rows) == 1:
        line = rows[0]
        values = values_of(line)
        size = max(values[0].bottom - values[0].top, 1e-6)
        gap = values[0].x0 - line[len(line) - len(values) - 1].x1 if len(line) > len(values) else 0.0
        return len(line) - len(values) == 1 and (line[-1].x1 - line[0].x0 < 0.8 * width or gap >= 2 * size)
    if len(rows) < 2:
        return False
    bands = value_bands(rows)
    support = [
        len({id(line) for line in rows for seg in values_of(line) if overlaps(seg, band)}) for band in bands
    ]
    values = sum(len(values_of(line)) for line in rows)
    shared = sum(
        1 for line in rows for seg in values_of(line)
        if any(n > 1 and overlaps(seg, band) for n, band in zip(support, bands))
    )
    return shared * 2 >= values


def has_values(line: list[Segment]) -> bool:
    """A line with values ends in them, and has no value before its last label: the labels of a row
    stand left of its values (prose with numbers in it has words after them)."""
    values = values_of(line)
    return bool(values) and not any(seg.is_value for seg in line[: len(line) - len(values)])


def overlaps(seg: Segment, band: tuple[float, float]) -> bool:
    return seg.x0 < band[1] and seg.x1 > band[0]


def value_bands(lines: list[list[Segment]]) -> list[tuple[float, float]]:
    """Columns of values: x-intervals of value segments that overlap, merged; then header-only columns.

    A value much wider than most (a long number run over its cell's edge) does not make a column: it
    would join two columns into one."""
    spans = sorted((s.x0, s.x1) for line in lines if has_values(line) for s in values_of(line))
    widths = sorted(x1 - x0 for x0, x1 in spans)
    usual = widths[len(widths) // 2] if widths else 0.0
    bands: list[list[float]] = []
    for x0, x1 in spans:
        if x1 - x0 > 3 * usual and len(spans) > 3:
            continue
        if bands and x0 < bands[-1][1]:
            bands[-1][1] = max(bands[-1][1], x1)
        else:
            bands.append([x0, x1])
    out = _merge_alternating([(a, b) for a, b in bands], lines)
    if not out:
        return out
    left = out[0][0]
    headers = [line for line in lines if not has_values(line)]
    seen = list(out)  # the columns values were seen in: a header-only column stands a glyph clear of them
    for line in headers:
        for seg in line:
            size = seg.bottom - seg.top
            if seg.x0 <= left or any(overlaps(seg, band) for band in out) or _group_heading(seg, left, headers):
                continue
            if all(seg.x1 + size < b[0] or seg.x0 - size > b[1] for b in seen):
                out.append((seg.x0, seg.x1))  # a column with a header and no value in any row
                out.sort()
    return out


def _group_heading(seg: Segment, left: float, headers: list[list[Segment]]) -> bool:
    """Whether a heading names a group of columns, not one: it stands over two headings or more of another
    header line, or centred over the span of a header line below it (申请人情况 over 自然人 … 总计, 法人或其他
    组织 over 商业企业 … 其他), whose headings lie either side of it. Taken for a column, it would crowd out the
    band of a column below it that no row fills, and the row's values would be counted into other columns."""
    size = seg.bottom - seg.top
    for line in headers:
        over = [other for other in line if other is not seg and other.x0 > left - size]
        if seg in line or len(over) < 2:
            continue
        if sum(overlaps(other, (seg.x0, seg.x1)) for other in over) >= 2:
            return True
        x0, x1 = min(o.x0 for o in over), max(o.x1 for o in over)
        below = min(o.top for o in over) > seg.top
        if below and x0 < seg.x0 and x1 > seg.x1 and abs((x0 + x1) - (seg.x0 + seg.x1)) / 2 <= size:
            return True
    return False


def _merge_alternating(bands: list[tuple[float, float]], lines: list[list[Segment]]) -> list[tuple[float, float]]:
    """Neighbouring bands that no row fills both of, a glyph apart, are one column whose values stand a
    little left in some rows and a little right in others (padding, alignment): kept apart, each row
    would get a blank cell beside its value, and the values after it would move."""
    rows = [[s for s in values_of(line)] for line in lines if has_values(line)]
    size = line_height(lines)
    merged = list(bands)
    k = 0
    while k + 1 < len(merged):
        a, b = merged[k], merged[k + 1]
        both = any(any(overlaps(s, a) for s in row) and any(overlaps(s, b) for s in row) for row in rows)
        if not both and b[0] - a[1] < size:
            merged[k : k + 2] = [(a[0], b[1])]
        else:
            k += 1
    return merged


def split_glued(line: list[Segment], bands: list[tuple[float, float]]) -> list[Segment]:
    """Cut a label from a number printed too close after it, where the number starts inside a value
    band ("行政规范性文件77" in a narrow label column)."""
    out: list[Segment] = []
    for seg in line:
        cut = next(
            (i for i, g in enumerate(seg.glyphs)
             if i > 0 and g.text.isdigit() and not seg.glyphs[i - 1].text.isdigit()
             and unicodedata.normalize("NFKC", seg.glyphs[i - 1].text) not in ".,-" and any(b0 - 1 <= g.x0 <= b1 for b0, b1 in bands)),
            None,
        )
        if cut is None:
            out.append(seg)
        else:
            out += [Segment(seg.glyphs[:cut]), Segment(seg.glyphs[cut:])]
    return out


def values_of(line: list[Segment]) -> list[Segment]:
    """The trailing value segments of a line: its labels end at the last segment that is not a value."""
    k = len(line)
    while k > 0 and line[k - 1].is_value:
        k -= 1
    return line[k:]


def aligned_rows(lines: list[list[Segment]], bands: list[tuple[float, float]], page: int) -> AlignedTable:
    """The rows of one block: values at one height are a row, label and header text within reach of a
    row joins it (a label wrapped above or below its values), any other text is a row of its own."""
    size = line_height(lines)
    label_edge = bands[0][0] if bands else float("inf")
    lines = [[part for seg in line for part in (glued_value_off_label(seg) if seg.x0 < label_edge else [seg])]
             if has_values(line) else line for line in lines]
    bare = [[s for s in line if not UNIT.fullmatch(s.text)] for line in lines]  # a unit wrapped under its number
    values = [s for line in bare if has_values(line) for s in values_of(line)]  # is no label before values
    units = [s for line in lines for s in line if s not in values and UNIT.fullmatch(s.text)]
    others = [s for line in lines for s in line if s not in values and s not in units]
    rows, anchors = value_rows(values, units, size)  # value rows, by height, and the height of each
    label_segments = [s for s in others if s.x0 < label_edge]
    label_cols = label_columns(label_segments)
    starts = [s.x0 for s in label_segments]
    others = [part for seg in others for part in split_at_columns(seg, label_cols, starts)]
    attached: list[list[Segment]] = [[] for _ in rows]
    pitch = _pitch_of(anchors, size)
    alone: list[Segment] = []
    for seg in sorted(others, key=lambda s: (s.cy, s.x0)):
        # A label line belongs to the row of values nearest to it: a label wrapped around its values
        # (they stand in the middle of its lines, or on its first) is nearer to them than to the next
        # row's. Text above the first row or below the last, further than a row's reach, is a row of its own.
        near = range(len(rows))
        if ENUMERATED.match(seg.text):  # a numbered label starts its cell: its values are on or below it
            near = [n for n in near if anchors[n] >= seg.top] or near
        k = min(near, key=lambda n: (abs(anchors[n] - seg.cy), -anchors[n]))
        outside = seg.cy < anchors[0] or seg.cy > anchors[-1]
        # Text over the value columns at another height than a row's values is a heading of those
        # columns, never part of the row: put after its values, it would make them part of its label.
        # A numbered label left of its row's values is that row's (rows printed each as a table of its own).
        heading = seg.x0 >= label_edge and abs(anchors[k] - seg.cy) > 0.8 * size and not (
            ENUMERATED.match(seg.text) and seg.x1 <= min(v.x0 for v in rows[k]))
        near_enough = not heading and not (outside and abs(anchors[k] - seg.cy) > LABEL_REACH * pitch)
        (attached[k] if near_enough else alone).append(seg)
    gap = wrap_gap(others, size)  # text a row cannot reach, lines this far apart at most, stands alone
    headings = [s for s in alone if s.x0 >= label_edge]
    for k, extent in enumerate(row_extents(rows, units, size)):
        above = [s for s in alone if k == 0 and s.cy < anchors[0] and s.x0 < label_edge]
        attached[k], rest = reached(extent, attached[k], gap, headings=headings, above=above,
                                    starts_row=lambda s: bool(ENUMERATED.match(s.text)))
        alone = [s for s in alone if all(s is not a for a in above)] + rest
    free = text_rows(alone, size)  # text rows with no values (headers, labels standing alone)
    ordered = [(anchors[k], rows[k], attached[k]) for k in range(len(rows))]
    ordered += [(sum(s.cy for s in row) / len(row), [], row) for row in free]
    unwitnessed, grid = unwitnessed_values(rows, [s for s in others if s.x0 >= label_edge], size)
    grid = grid and _bands_place(rows, bands)
    table = AlignedTable(page=page, top=min(s.top for line in lines for s in line), bands=bands,
                         label_cols=label_cols, rows=[], grid=grid)
    crowded = {id(attached[k]) for k in range(len(rows)) if _two_labels(attached[k], label_cols, label_edge, size)}
    # A block that shares no grid has bands that say nothing of a row's columns: each row's values fill
    # its first cells in order, so the table is as wide as its longest row of values.
    width = len(bands) if grid else max([len(bands), *map(len, rows)])
    for _, row_values, texts in sorted(ordered, key=lambda item: item[0]):
        if id(texts) in crowded:  # two rows' labels at one row of values: whose values they are is a guess
            table.warnings.append(f"page {page}: the values {' '.join(s.text for s in row_values)!r} of a table "
                                  "without rulings stand between two numbered labels; left empty")
            table.lost.add((len(table.rows), -1))
        labels = ["" for _ in label_cols]
        cells = ["" for _ in range(width)]
        for seg in texts:  # a row's labels stand left of its values (its own table's, printed one a row)
            if seg.x0 < label_edge or seg.x1 <= min((v.x0 for v in row_values), default=-1):
                labels[column_of(seg.x0, label_cols)] += seg.text
                continue
            hit = [b for b, band in enumerate(bands) if overlaps(seg, band)]
            if hit and (grid or not row_values):  # header text over the value columns; a number there is lost
                cells[hit[0]] += seg.text
                table.lost.update({(len(table.rows), hit[0])} if row_values and seg.is_value else set())
            else:
                labels[-1] += seg.text
        _place_values(row_values, units, bands, cells, table, page, size, unwitnessed if grid else None)
        table.rows.append((labels, cells, page))
    return table


def _bands_place(rows: list[list[Segment]], bands: list[tuple[float, float]]) -> bool:
    """Whether the bands are the columns of most rows: in a grid the rows share, a value stands in one band
    and no other value of its row does. Rows of small values printed each as its own table, densely, can
    meet one another's values by chance often enough to look like a grid; their bands then merge columns,
    and many rows have a value over two bands or two values in one: the bands are not columns."""
    def placed(row: list[Segment]) -> bool:
        hits = [[b for b, band in enumerate(bands) if overlaps(seg, band)] for seg in row]
        return all(len(hit) == 1 for hit in hits) and len({hit[0] for hit in hits}) == len(hits)

    return sum(not placed(row) for row in rows) * 4 <= len(rows)


def _two_labels(texts: list[Segment], label_cols: list[float], label_edge: float, size: float) -> bool:
    """Whether one label column gives a row of values two numbered labels at different heights: each
    starts a row of its own (``一、…`` and ``二、…``), so one of them has lost its values to the other."""
    starts: dict[int, list[float]] = {}
    for seg in texts:
        if seg.x0 < label_edge and ENUMERATED.match(seg.text):
            starts.setdefault(column_of(seg.x0, label_cols), []).append(seg.cy)
    return any(max(ys) - min(ys) > 0.8 * size for ys in starts.values())


def _place_values(
    row: list[Segment], units: list[Segment], bands: list[tuple[float, float]], cells: list[str],
    table: AlignedTable, page: int, size: float, unwitnessed: set[int] | None,
) -> None:
    """Each value into the one band it overlaps; a value with no such band, or two values in one band,
    leave their cells empty and are named in the warnings; a value over bands no other value of its row
    overlaps goes to the first of them, loose. A value no other row or heading stands with
    is placed, and marked loose (``AlignedTable.loose``). ``unwitnessed`` None: the block shares no grid
    (every value loose), so its bands say nothing of a row, and values they could not place are not
    dropped: the row's values fill its first cells in order, all loose, for ``extract.placement``."""
    if unwitnessed is None:
        for b, seg in enumerate(sorted(row, key=lambda s: s.x0)):
            _put(table, cells, b, seg, units, (seg.x0, seg.x1), size)
            table.loose.add((len(table.rows), b))
            table.spans.setdefault(len(table.rows), []).append((seg.x0, seg.x1))
        return
    placed: dict[int, Segment] = {}
    doubtful: set[int] = set()
    hits = {id(seg): [b for b, band in enumerate(bands) if overlaps(seg, band)] for seg in row}
    spread: list[tuple[int, Segment]] = []
    for seg in row:
        hit = hits[id(seg)]
        if len(hit) > 1 and not any(set(hit) & set(hits[id(other)]) for other in row if other is not seg):
            # A value over several bands no other value of its row stands in (a cell merged over columns,
            # a long number run over its cell's edge): its place among the row's values is known, its
            # column is not. It takes the first of its bands, loose, for the template's sums to settle.
            spread.append((hit[0], seg))
            continue
        if len(hit) != 1 or hit[0] in placed:
            doubtful.update(hit)
            table.warnings.append(
                f"page {page}: value {seg.text!r} of a table without rulings has no certain column; left empty"
            )
            table.lost.update((len(table.rows), b) for b in hit or [-1])
            continue
        placed[hit[0]] = seg
    for b, seg in placed.items():
        if b in doubtful:
            continue
        _put(table, cells, b, seg, units, bands[b], size)
        if id(seg) in unwitnessed:
            table.loose.add((len(table.rows), b))
    for b, seg in spread:
        _put(table, cells, b, seg, units, bands[b], size)
        table.loose.add((len(table.rows), b))


def _put(
    table: AlignedTable, cells: list[str], b: int, seg: Segment, units: list[Segment], span: tuple[float, float],
    size: float,
) -> None:
    """A value into cell ``b`` of the row being built, with its unit when one is wrapped under it (in ``span``)."""
    unit = next((u for u in units if overlaps(u, span) and 0 < u.cy - seg.cy <= 1.6 * size), None)
    cells[b] = seg.text + (unit.text if unit else "")
    confs = [g.conf for g in seg.glyphs + (unit.glyphs if unit else []) if g.conf is not None]
    if confs:  # read by OCR: the cell keeps its lowest word confidence, so a doubtful read is flagged
        table.confs[(len(table.rows), b)] = min(confs)


def _same_place(a: Segment, b: Segment, tolerance: float) -> bool:
    """Two values in one column: centred, left- or right-aligned alike."""
    return min(abs(a.x0 - b.x0), abs(a.x1 - b.x1), abs((a.x0 + a.x1) - (b.x0 + b.x1)) / 2) <= tolerance


def unwitnessed_values(rows: list[list[Segment]], headings: list[Segment], size: float) -> tuple[set[int], bool]:
    """The values (``id`` of their segments) whose columns are a guess: no shared grid vouches for them.

    A value is witnessed where a value of another row stands (same centre, left or right edge), or a
    heading is centred or aligned over it. One witness can be chance: rows printed each as its own
    table, centred on its own, meet other rows' values here and there. So a value's column counts as
    seen only in a block where nearly all values are witnessed (a grid the rows share), and there in a
    row all of whose values are, or a row of four values or more of which most are (its unwitnessed
    ones stay loose). Also whether the block shares a grid at all. A row of the same shape (as many values, each with the same edges) is no witness:
    rows printed alike look alike wherever their columns are."""
    tolerance = SAME_PLACE * size
    rows = [sorted(row, key=lambda seg: seg.x0) for row in rows]

    def same_shape(a: list[Segment], b: list[Segment]) -> bool:
        return len(a) == len(b) and all(
            abs(x.x0 - y.x0) <= tolerance and abs(x.x1 - y.x1) <= tolerance for x, y in zip(a, b)
        )

    lone: list[set[int]] = []
    for k, row in enumerate(rows):
        witnesses = [seg for j, other in enumerate(rows) if j != k and not same_shape(row, other) for seg in other]
        witnesses += headings
        lone.append({id(value) for value in row if not any(_same_place(value, seg, tolerance) for seg in witnesses)})
    values = sum(len(row) for row in rows)
    shared_grid = values - sum(len(ids) for ids in lone) >= GRID_SHARE * values
    out: set[int] = set()
    for row, ids in zip(rows, lone):
        if shared_grid and (not ids or (len(row) >= 4 and len(ids) <= (1 - ROW_SHARE) * len(row))):
            out |= ids
        else:
            out.update(id(value) for value in row)
    return out, shared_grid


def _pitch_of(anchors: list[float], size: float) -> float:
    """The usual distance between rows of values (two line heights when there is one row)."""
    gaps = sorted(b - a for a, b in zip(anchors, anchors[1:]))
    return gaps[len(gaps) // 2] if gaps else 2 * size
