"""The ink of a scanned line without rulings, where ``ocr_lines`` cuts it into pieces: its text lines,
and where a value printed hard against its label, or two labels printed touching, are cut apart.

A narrow label column prints the row's first value right after the label's last character, with no
blank between them: at the height of the row's middle, between the lines of a wrapped label, its ink
joins them into one (``bridged``); on one line, it is found from the reading (``ocr_lines._unglued``,
where the ink's marks place the cut: ``glued_cut``). A narrow column's label printed touching the next
column's is cut where other rows' labels start (``label_edges``, ``cut_at_edges``). Every cut only
separates what is read: a value's reading is the cell reader's, a number only where both models agree.
"""

from __future__ import annotations

from PIL import Image

from extract.convert.ocr_marks import ink_marks, inked_columns

# Pixel rows with ink closer than this are one text line (a stroke of a character may leave a blank row).
_ROW_JOIN = 3
# A line of the page lower than this (pixels at 300 dpi) is a stray mark, not text; a dash printed
# for a blank (3 pixels high) stands in a line with its row's label.
_MIN_LINE = 8
# A run of ink rows lower than this share of a line is a stroke of a character (二, 三), not a line of
# text; a box taller than this many lines holds lines of a label joined by what stands between them.
STROKE = 0.5
ONE_LINE = 1.15
# A digit is at most this many line heights wide (0.6 in the common fonts, an ideograph about 1).
_DIGIT_WIDTH = 0.8
# Label column edges: the pieces of this many lines start within this share of a line of one another.
_WITNESSES = 3
_EDGE_REACH = 0.1
# A piece as wide as two characters is words (a label); a value is at most as wide as ``NARROW`` lines
# (``ocr_lines`` tells rows of a table by them).
LABEL_WIDTH = 1.8
NARROW = 2.5


def text_lines(mask: Image.Image, shortest: int = _MIN_LINE) -> list[tuple[int, int]]:
    """Runs of pixel rows with ink (top, bottom), joined across blanks of up to ``_ROW_JOIN`` rows, at
    least ``shortest`` rows high."""
    width, height = mask.size
    data = mask.tobytes()
    spans: list[list[int]] = []
    for y in range(height):
        if data.count(1, y * width, (y + 1) * width) < 2:
            continue
        if spans and y - spans[-1][1] <= _ROW_JOIN:
            spans[-1][1] = y + 1
        else:
            spans.append([y, y + 1])
    return [(a, b) for a, b in spans if b - a >= shortest]


def tight(mask: Image.Image, box: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
    """The box cut to the ink inside it, None where it holds none."""
    inside = mask.crop(box).getbbox()
    if inside is None:
        return None
    return box[0] + inside[0], box[1] + inside[1], box[0] + inside[2], box[1] + inside[3]


def sub_lines(crop: Image.Image, height: int) -> list[tuple[int, int]]:
    """The text lines of a piece (top, bottom). The strokes of 二 or 三 stand apart by blank pixel rows
    as wide as the blank between two lines of a wrapped label: a run of ink lower than half a line is
    read with its neighbour where the two are no taller than one line, never alone as a dash."""
    out: list[tuple[int, int]] = []
    for a, b in text_lines(crop, shortest=1):
        if out and min(b - a, out[-1][1] - out[-1][0]) < STROKE * height and b - out[-1][0] <= ONE_LINE * height:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def bridged(mask: Image.Image, box: tuple[int, int, int, int], height: int) -> list[tuple[int, int, int, int]] | None:
    """A value printed hard against a label wrapped over lines, at the height of the row's middle, so
    that its ink joins two of the label's lines into one (``1.本机关不掌握相`` / ``关政府信息`` with ``22``
    between them at the right) or stands lower than the label's line: the label's lines and the value
    as boxes of their own, or None.

    The value is the narrowest part at the right end, after a blank pixel column, without which the
    rest is lines no taller than one; it is one line itself. Its reading is the cell reader's, a number
    only where both models agree, so a cut in the wrong place costs a null, never a number."""
    x0, y0, x1, y1 = box
    crop = mask.crop(box)
    inked = inked_columns(crop)
    for c in range(len(inked) - 2, 0, -1):
        if inked[c] or not inked[c + 1]:
            continue
        if len(inked) - c - 1 > NARROW * height:
            return None
        left = sub_lines(crop.crop((0, 0, c, crop.height)), height)
        if any(b - a > ONE_LINE * height for a, b in left):
            continue
        right = sub_lines(crop.crop((c + 1, 0, crop.width, crop.height)), height)
        if len(right) != 1 or right[0][1] - right[0][0] > ONE_LINE * height:
            return None
        if right[0][1] - right[0][0] < STROKE * height:
            return None  # a mark printed low (、), not a value
        parts = [tight(mask, (x0, y0 + a, x0 + c, y0 + b)) for a, b in left]
        value = tight(mask, (x0 + c + 1, y0 + right[0][0], x1, y0 + right[0][1]))
        return [part for part in [*parts, value] if part is not None]
    return None


def label_edges(rows: list[list[tuple[int, int]]], height: int) -> list[int]:
    """Left edges of label columns: where the pieces of words (as wide as two characters) of
    ``_WITNESSES`` lines or more start, within ``_EDGE_REACH`` of a line height."""
    starts = sorted(x0 for cut in rows for x0, x1 in cut if x1 - x0 >= LABEL_WIDTH * height)
    reach = _EDGE_REACH * height
    clusters: list[list[int]] = []
    for x in starts:
        if clusters and x - clusters[-1][-1] <= reach:
            clusters[-1].append(x)
        else:
            clusters.append([x])
    return [cluster[0] for cluster in clusters if len(cluster) >= _WITNESSES]


def cut_at_edges(mask: Image.Image, band: tuple[int, int], piece: tuple[int, int], edges: list[int],
                 height: int) -> list[tuple[int, int]]:
    """A piece cut where a label column's left edge runs through it and its ink starts again right there:
    two labels of neighbouring columns printed touching (``（四）无`` + ``2.没有现成信息需``, a narrow
    column's label hard against the next column's). Labels only: the edges are where labels start,
    and a label's left part keeps at least a character's width. As ``segment.split_at_columns`` cuts a
    PDF's touching glyphs at a column edge other lines' labels witness."""
    x0, x1 = piece
    inside = [e for e in edges if x0 + height <= e <= x1 - height]
    if not inside:
        return [piece]
    inked = inked_columns(mask.crop((x0, band[0], x1, band[1])))
    reach = int(_EDGE_REACH * height)
    out: list[tuple[int, int]] = []
    start = x0
    for e in inside:
        at = e - x0
        starts = [x for x in range(max(1, at - reach), min(len(inked), at + reach + 1))
                  if inked[x] and not inked[x - 1]]
        if not starts or start >= x0 + starts[0] - 1:
            continue
        end = starts[0] - 1
        while end > 0 and not inked[end - 1]:
            end -= 1
        out.append((start, x0 + end))
        start = x0 + starts[0]
    return [*out, (start, x1)] if out else [piece]


def glued_cut(mask: Image.Image, box: tuple[int, int, int, int], digits: int,
              height: int) -> tuple[int, tuple[int, int, int, int]] | None:
    """Where a line read as a label with a number of ``digits`` marks glued after it is cut: the end of the
    label (x) and the number's box, or None. The line's ink must leave as many marks after the cut as
    the number has (a digit is one mark), no wider than digits are."""
    box = tight(mask, box)
    if box is None or box[3] - box[1] > ONE_LINE * height:
        return None
    marks = ink_marks(inked_columns(mask.crop(box)))
    if len(marks) <= digits:
        return None
    first = marks[-digits]
    if (box[2] - box[0]) - first[0] > digits * _DIGIT_WIDTH * height:
        return None
    value = tight(mask, (box[0] + first[0], box[1], box[2], box[3]))
    return None if value is None else (box[0] + marks[-digits - 1][1], value)
