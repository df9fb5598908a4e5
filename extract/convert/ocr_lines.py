"""Scanned pages whose tables have no rulings: OCR words with their boxes, as pdfplumber gives them for PDFs.

A page read whole by tesseract (``--psm 6``) loses a borderless table: its layout analysis joins words
of neighbouring columns into one line in the wrong order, cuts labels into stray pieces and reads a
lone ``1`` as 虱 or a ``0`` as 必, at a confidence nothing flags. Here the page is cut where its
ink is, as a reader's eye cuts it: into text lines (runs of pixel rows with ink), and each line into
pieces wherever a blank wider than a cell's padding stands (a column's gap; the gaps inside a word or a
number are narrower). Every piece is read alone, by the same reader as a ruled table's cells
(``ocr_cells.read_cells``: a short piece is a number only where the Chinese and the digit models agree,
else it is unread and flagged), and its words keep their boxes on the page.

Where a narrow label column prints the row's first value hard against the label's last character, no
blank separates them: the value is cut from the label where it stands between or below the lines of a
wrapped label (``_bridged``), or where the reading ends in digits the ink shows as separate marks
(``_unglued``; read alone again, kept only where both readings agree); labels of two columns printed
touching are cut where other rows' labels start (``_cut_at_edges``); pieces a full-width mark's blank cut
apart are joined (``ocr_marks``). A table's headings are read with its rows (``_headings``).

The words then take the path a PDF's characters take (``layout`` and ``alignment``): columns only where
other rows or headings confirm them, values whose column is uncertain null and named, cross-checked
against the template's sums (``extract.crosscheck``). Nothing here places a value in a column.
"""

from __future__ import annotations

import re

from PIL import Image

from extract.convert.geometry import Glyph, TableGrid, is_cjk
from extract.convert.limits import Limits
from extract.convert.ocr_cells import INK, PAGE_EDGE, read_cells
from extract.convert.ocr_marks import VALUE_MARK, ends_in_mark, ink_marks, inked_columns, join_marks
from extract.convert.tesseract import run_tesseract_many

# Pixel rows with ink closer than this are one text line (a stroke of a character may leave a blank row).
_ROW_JOIN = 3
# A line of the page lower than this (pixels at 300 dpi) is a stray mark, not text; a dash printed
# for a blank (3 pixels high) stands in a line with its row's label.
_MIN_LINE = 8
# A blank wider than this share of the page's usual line height cuts a line into pieces: wider than the
# gaps between the characters of a word or the digits of a number (a tenth to a sixth of it), narrower
# than the blank between two values of neighbouring cells (a row printed as its own table leaves about
# half of it). Two numbers read as one piece would be read as one number, which a cut never risks.
_PIECE_GAP = 0.35
# A piece this narrow (line heights) and this close to a wide piece after it on its line is where a label
# starts: its number (``2.`` before 其他法律…, ``三、`` before 收到…, ``二、`` 1.6 lines wide), whose
# full-width mark prints its ink at the left of its place and leaves a blank wider than a cell's padding.
# It is read with what follows.
_LEAD_WIDTH = 1.7
_LEAD_GAP = 1.0
_LABEL_WIDTH = 1.8
# A page is read this way when this many of its lines stand in three pieces or more, the last two as
# narrow as a number (at most this many line heights wide): rows of a table without rulings, whose
# values end them. A line of prose cut at its commas ends in a clause, not in two numbers.
_TABLE_LINES = 3
_NARROW = 2.5
# A piece that could not be read, no wider than this many line heights, stood where a number does: it
# is kept as a blank read at confidence 0 (flagged, never a value), so the values after it keep their
# places in the row rather than sliding into its column.
_UNREAD_VALUE = 2.0
# A run of ink rows lower than this share of a line is a stroke of a character (二, 三), not a line of
# text; a box taller than this many lines holds lines of a label joined by what stands between them.
_STROKE = 0.5
_ONE_LINE = 1.15
# A digit is at most this many line heights wide (0.6 in the common fonts, an ideograph about 1).
_DIGIT_WIDTH = 0.8
# Headings read with a table's rows: this many lines above its first row at most, each at most this many
# line heights above the next, none of prose (ink over this share of the text's width, as
# ``alignment.PROSE_FILL`` tells a PDF's lines of prose).
_HEADING_LINES = 4
_HEADING_GAP = 2.0
_PROSE_FILL = 0.7
# Strips (pixels) in which a page's lines of text are measured where its rows are lines of ink two lines
# high or more (below this share of the median line of ink).
_STRIP = 120
_TALL_ROWS = 0.8
# Label column edges: the pieces of this many lines start within this share of a line of one another.
_WITNESSES = 3
_EDGE_REACH = 0.1
# Fewer dark pixels than this (at 300 dpi) in a piece is a speck of the scan, not ink of the print.
_SPECK = 12


def read_lines(image: Image.Image, limits: Limits) -> list[Glyph] | None:
    """The words of a page without ruled tables, read piece by piece (pixels, with confidences); None
    when the page holds no table at all (prose is read whole, which is cheaper)."""
    mask = image.point(lambda v: 1 if v < INK else 0)
    lines = _text_lines(mask)
    if not lines:
        return None
    height = _line_height(mask, lines)
    pieces = [(y0, y1, _pieces(mask, y0, y1, height)) for y0, y1 in lines]
    rows = [i for i, (_, _, cut) in enumerate(pieces)
            if len(cut) >= 3 and all(x1 - x0 <= _NARROW * height for x0, x1 in cut[-2:])]
    if len(rows) < _TABLE_LINES:
        return None
    # What stands above the table (a title, the organ's name, an opening paragraph) is prose, which the
    # page reader reads whole and better than piece by piece (``ocr.ocr_image``); the table's headings
    # (``_headings``) are read with its rows.
    # Labels of neighbouring columns printed touching are cut apart on the rows of the table only: the
    # pieces of prose start anywhere, and three of its lines' pieces meet at one place by chance.
    edges = _label_edges([pieces[i] for i in rows], height)
    pieces = [(y0, y1, [part for run in cut for part in _cut_at_edges(mask, (y0, y1), run, edges, height)])
              if i in rows else (y0, y1, cut) for i, (y0, y1, cut) in enumerate(pieces)]
    pieces = pieces[_headings(pieces, rows[0], height):]
    # A line of the page may hold a label wrapped over two lines beside a value: each piece is read by
    # its own lines, so that a number always stands alone in its box (the digit models read it too).
    boxes = [box for y0, y1, cut in pieces for x0, x1 in cut for box in _boxes(mask, (x0, y0, x1, y1), height)]
    read = _read_boxes(image, boxes, height, limits)
    _reread_tall_dashes(image, boxes, read, height, limits)
    boxes, read = _unglued(image, mask, boxes, read, height, limits)
    placed = [(glyph, box[2] - box[0] >= _LABEL_WIDTH * height and ends_in_mark(mask, box, height),
               box[2] - box[0] > _NARROW * height)
              for box, words in zip(boxes, read) for glyph in _piece_glyph(box, words, height)]
    return join_marks(placed, height)


def _headings(pieces: list[tuple[int, int, list[tuple[int, int]]]], first: int, height: int) -> int:
    """The first line read piece by piece: the table's first row, or the lines of its headings just
    above it (the section's heading, the column headings): up to ``_HEADING_LINES`` lines, each close
    to the next and none a line of prose (its ink over ``_PROSE_FILL`` of the text's width). Read
    whole by the page reader, a heading's words come out of order (收到和处理 as 收到和 处 政府信息理)
    and the column headings apart from their columns."""
    inked = [(cut[0][0], cut[-1][1]) for _, _, cut in pieces if cut]
    if not inked:
        return first
    width = max(x1 for _, x1 in inked) - min(x0 for x0, _ in inked)
    start = first
    while start > 0 and first - start < _HEADING_LINES:
        y0, y1, cut = pieces[start - 1]
        if not cut or pieces[start][0] - y1 > _HEADING_GAP * height:
            break
        if sum(x1 - x0 for x0, x1 in cut) >= _PROSE_FILL * width:
            break
        start -= 1
    return start


def _line_height(mask: Image.Image, lines: list[tuple[int, int]]) -> int:
    """The page's usual height of a line of text, in pixels: the median height of its lines of ink.

    Where most rows of a table print a label wrapped over two lines with the value between them, the
    value's ink joins the lines, and most lines of ink are two lines of text high: every measure taken
    in line heights would be doubled (two values half a line apart read as one number). The lines of
    text are then measured in strips of the page as narrow as a few characters, where a wrapped label's
    lines stand apart (the upper quartile: the ideographs' height, not the digits'); that measure is
    taken where it is well below the median line of ink."""
    bands = sorted(y1 - y0 for y0, y1 in lines)
    height = bands[len(bands) // 2]
    runs: list[int] = []
    for y0, y1 in lines:
        for x in range(0, mask.width, _STRIP):
            runs += [b - a for a, b in _text_lines(mask.crop((x, y0, min(mask.width, x + _STRIP), y1)))]
    if not runs:
        return height
    runs.sort()
    text = runs[3 * len(runs) // 4]
    return text if text < _TALL_ROWS * height else height


def _label_edges(pieces: list[tuple[int, int, list[tuple[int, int]]]], height: int) -> list[int]:
    """Left edges of label columns: where the pieces of words (as wide as two characters) of
    ``_WITNESSES`` lines or more start, within ``_EDGE_REACH`` of a line height."""
    starts = sorted(x0 for _, _, cut in pieces for x0, x1 in cut if x1 - x0 >= _LABEL_WIDTH * height)
    reach = _EDGE_REACH * height
    clusters: list[list[int]] = []
    for x in starts:
        if clusters and x - clusters[-1][-1] <= reach:
            clusters[-1].append(x)
        else:
            clusters.append([x])
    return [cluster[0] for cluster in clusters if len(cluster) >= _WITNESSES]


def _cut_at_edges(mask: Image.Image, band: tuple[int, int], run: tuple[int, int], edges: list[int],
                  height: int) -> list[tuple[int, int]]:
    """A piece cut where a label column's left edge runs through it and its ink starts again right there:
    two labels of neighbouring columns printed touching (``（四）无`` + ``2.没有现成信息需``, a narrow
    column's label hard against the next column's). Labels only: the edges are where labels start,
    and a label's left part keeps at least a character's width. As ``segment.split_at_columns`` cuts a
    PDF's touching glyphs at a column edge other lines' labels witness."""
    x0, x1 = run
    inside = [e for e in edges if x0 + height <= e <= x1 - height]
    if not inside:
        return [run]
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
    return [*out, (start, x1)]


def _read_boxes(image: Image.Image, boxes: list[tuple[int, int, int, int]], height: int,
                limits: Limits) -> list[list[Glyph]]:
    """Every box read alone by the cell reader, on a sheet where they stand apart: the words of each."""
    sheet, places = _sheet(image, boxes, height)
    grids = [TableGrid(xs=[x, x + x1 - x0 + 2 * m], ys=[y, y + y1 - y0 + 2 * m], region=[[0]])
             for (x, y, m), (x0, y0, x1, y1) in zip(places, boxes)]
    read: list[list[Glyph]] = [[] for _ in boxes]
    for word in read_cells(sheet, grids, limits) if boxes else []:
        read[_piece_of(word, grids)].append(word)
    return read


def _reread_tall_dashes(image: Image.Image, boxes: list[tuple[int, int, int, int]], read: list[list[Glyph]],
                        height: int, limits: Limits) -> None:
    """Pieces read as a dash whose ink is taller than a stroke, read again as one word by the Chinese model.

    A dash printed for a blank is a stroke a few pixels high; 三 or 二 alone in a piece of a label spaced
    out over its cell (``三 、 本``) is read as a line by the Chinese model as 一, which stands for a dash,
    and that dash would be a blank value before the row's label. Read as a word, the model gives the
    character. What that reading does not make words (a dash again, digits, nothing) is left unread."""
    tall = [k for k, (box, words) in enumerate(zip(boxes, read))
            if box[3] - box[1] > _STROKE * height and words and all(w.text == "—" for w in words)]
    pad = max(8, height // 2)
    crops = []
    for k in tall:
        crop = image.crop(boxes[k])
        sheet = Image.new("L", (crop.width + 2 * pad, crop.height + 2 * pad), 255)
        sheet.paste(crop, (pad, pad))
        crops.append(sheet)
    for k, words in zip(tall, run_tesseract_many(crops, limits, psm=8)):
        text = _joined([w.text for w in words if w.text])
        x0, y0, x1, y1 = boxes[k]
        conf = min((w.conf or 0.0 for w in words), default=0.0)
        legible = bool(text) and not VALUE_MARK.fullmatch(text) and not any(ch.isdigit() for ch in text)
        read[k] = [Glyph(text, x0, y0, x1, y1, conf)] if legible else []


def _boxes(mask: Image.Image, piece: tuple[int, int, int, int], height: int) -> list[tuple[int, int, int, int]]:
    """The boxes a piece is read in: its text lines, each as wide as the piece (the lines of a heading
    centred over its column stand where the heading does), and a value printed between two lines of its
    wrapped label (``_bridged``) apart from them."""
    x0, y0, x1, y1 = piece
    out: list[tuple[int, int, int, int]] = []
    for a, b in _sub_lines(mask.crop(piece), height):
        box = (x0, y0 + a, x1, y0 + b)
        parts = _bridged(mask, _tight(mask, box) or box, height) if b - a > _ONE_LINE * height else None
        out += parts or [box]
    return out


def _tight(mask: Image.Image, box: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
    """The box cut to the ink inside it, None where it holds none."""
    inside = mask.crop(box).getbbox()
    if inside is None:
        return None
    return box[0] + inside[0], box[1] + inside[1], box[0] + inside[2], box[1] + inside[3]


def _sub_lines(crop: Image.Image, height: int) -> list[tuple[int, int]]:
    """The text lines of a piece (top, bottom). The strokes of 二 or 三 stand apart by blank pixel rows
    as wide as the blank between two lines of a wrapped label: a run of ink lower than half a line is
    read with its neighbour where the two are no taller than one line, never alone as a dash."""
    out: list[tuple[int, int]] = []
    for a, b in _text_lines(crop, shortest=1):
        if out and min(b - a, out[-1][1] - out[-1][0]) < _STROKE * height and b - out[-1][0] <= _ONE_LINE * height:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _bridged(mask: Image.Image, box: tuple[int, int, int, int], height: int) -> list[tuple[int, int, int, int]] | None:
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
        if len(inked) - c - 1 > _NARROW * height:
            return None
        left = _sub_lines(crop.crop((0, 0, c, crop.height)), height)
        if any(b - a > _ONE_LINE * height for a, b in left):
            continue
        right = _sub_lines(crop.crop((c + 1, 0, crop.width, crop.height)), height)
        if len(right) != 1 or right[0][1] - right[0][0] > _ONE_LINE * height:
            return None
        if right[0][1] - right[0][0] < _STROKE * height:
            return None  # a mark printed low (、), not a value
        parts = [_tight(mask, (x0, y0 + a, x0 + c, y0 + b)) for a, b in left]
        value = _tight(mask, (x0 + c + 1, y0 + right[0][0], x1, y0 + right[0][1]))
        return [part for part in [*parts, value] if part is not None]
    return None


# A number glued after a label's last character on one line: ``…申请数量64``.
_GLUED = re.compile(r"(.*[\u3400-\u9fff）)”\"：:])(\d[\d.,]*)")


def _unglued(image: Image.Image, mask: Image.Image, boxes: list[tuple[int, int, int, int]], read: list[list[Glyph]],
             height: int, limits: Limits) -> tuple[list[tuple[int, int, int, int]], list[list[Glyph]]]:
    """A number printed hard against the end of its label on one line (the label column no wider than the
    label, the value left-aligned in the next) is cut from it: the label and the number as boxes of
    their own, the number read alone again.

    The cut is where the line's ink leaves as many marks after it as the reading has digits (a digit
    is one mark; the ideograph before it is not part of the cut); the number read alone (both models
    agreeing, as any value) must be the number read in the line, else it is an unread blank, flagged,
    which keeps its place in the row."""
    cuts: dict[int, tuple[int, int, str, str]] = {}
    for k, (box, words) in enumerate(zip(boxes, read)):
        found = _GLUED.fullmatch(_joined([w.text for w in words if w.text]))
        if found is None or box[3] - box[1] > _ONE_LINE * height:
            continue
        label, number = found.groups()
        marks = ink_marks(inked_columns(mask.crop(box)))
        if len(marks) <= len(number):
            continue
        first = marks[-len(number)]
        if (box[2] - box[0]) - first[0] > len(number) * _DIGIT_WIDTH * height:
            continue
        cuts[k] = (box[0] + marks[-len(number) - 1][1], box[0] + first[0], label, number)
    if not cuts:
        return boxes, read
    numbers = {k: _tight(mask, (left, boxes[k][1], boxes[k][2], boxes[k][3])) for k, (_, left, _, _) in cuts.items()}
    alone = dict(zip(numbers, _read_boxes(image, list(numbers.values()), height, limits)))
    out_boxes: list[tuple[int, int, int, int]] = []
    out_read: list[list[Glyph]] = []
    for k, (box, words) in enumerate(zip(boxes, read)):
        if k not in cuts:
            out_boxes.append(box)
            out_read.append(words)
            continue
        end, _, label, number = cuts[k]
        conf = min(w.conf or 0.0 for w in words)
        x0, y0, x1, y1 = box
        out_boxes += [(x0, y0, end, y1), numbers[k]]
        again = [w for w in alone[k] if w.text]
        agreed = _joined([w.text for w in again]) == number
        out_read += [[Glyph(label, x0, y0, end, y1, conf)], again if agreed else []]
    return out_boxes, out_read


def _piece_glyph(box: tuple[int, int, int, int], words: list[Glyph], height: int) -> list[Glyph]:
    """One piece's reading as one glyph with the piece's own box, as tall as a line of text.

    Tesseract's word boxes within a line are loose (a word of two characters may span four), and a
    dash is three pixels high: the layout compares glyphs' edges and heights, so the piece, which is
    cut where the ink is, gives the place, and every glyph the height of a line, as a PDF's glyphs have."""
    x0, y0, x1, y1 = box
    middle = (y0 + y1) / 2
    top, bottom = min(y0, middle - height / 2), max(y1, middle + height / 2)
    text = _joined([w.text for w in words if w.text])
    if text:
        return [Glyph(text, x0, top, x1, bottom, min(w.conf or 0.0 for w in words))]
    if x1 - x0 <= _UNREAD_VALUE * height:
        return [Glyph("—", x0, top, x1, bottom, 0.0)]
    return []


def _joined(texts: list[str]) -> str:
    """Words of one piece as its text: a space only between two words that are not Chinese."""
    out = ""
    for text in texts:
        if out and not is_cjk(out[-1]) and not is_cjk(text[0]):
            out += " "
        out += text
    return out


def _piece_of(word: Glyph, grids: list[TableGrid]) -> int:
    """The piece (its grid on the sheet) a word was read in."""
    for k, grid in enumerate(grids):
        if grid.xs[0] <= word.cx <= grid.xs[1] and grid.ys[0] <= word.cy <= grid.ys[1]:
            return k
    raise ValueError(f"OCR word {word.text!r} outside every piece of the sheet")


def _text_lines(mask: Image.Image, shortest: int = _MIN_LINE) -> list[tuple[int, int]]:
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


def _pieces(mask: Image.Image, top: int, bottom: int, height: int) -> list[tuple[int, int]]:
    """The pieces of one text line (left, right): runs of pixel columns with ink, cut at blanks wider
    than ``_PIECE_GAP`` of the usual line height."""
    band = mask.crop((0, top, mask.width, bottom)).transpose(Image.Transpose.TRANSPOSE)
    rows = bottom - top
    data = band.tobytes()
    gap = max(4, int(_PIECE_GAP * height))
    runs: list[list[int]] = []
    for x in range(band.height):
        if data.count(1, x * rows, (x + 1) * rows) == 0:
            continue
        if runs and x - runs[-1][1] < gap:
            runs[-1][1] = x + 1
        else:
            runs.append([x, x + 1])
    merged: list[list[int]] = []
    for run in runs:
        if merged and len(merged[-1]) == 2:
            lead = merged[-1]
            if (lead[1] - lead[0] <= _LEAD_WIDTH * height and run[0] - lead[1] < _LEAD_GAP * height
                    and run[1] - run[0] >= _LABEL_WIDTH * height):
                merged[-1] = [lead[0], run[1], 0]  # marked: a label is never a lead
                continue
        merged.append(run)
    # A scanner's speck is a piece of its own: a few pixels, never a character (a dash for a blank, the
    # smallest mark a cell holds, has several times as many).
    return [(run[0], run[1]) for run in merged if data.count(1, run[0] * rows, run[1] * rows) >= _SPECK]


def _sheet(image: Image.Image, boxes: list[tuple[int, int, int, int]], height: int):
    """The pieces pasted apart on a white sheet, each with a margin of half a line around it, and where
    each went (left, top, margin). A piece cut tight is no cell: the cell reader takes a stroke that
    runs the height or width of its box for a ruling's remnant and whitens it (开 read as 无)."""
    margin = max(8, height // 2)
    # The cell reader leaves unread a cell that reaches the image's right edge (a table the page cuts):
    # no piece is placed that near the sheet's edge.
    width = max([image.width] + [x1 - x0 + 2 * margin for x0, _, x1, _ in boxes]) + 2 * PAGE_EDGE
    places: list[tuple[int, int, int]] = []
    x = y = shelf = 0
    for x0, y0, x1, y1 in boxes:
        w, h = x1 - x0 + 2 * margin, y1 - y0 + 2 * margin
        if x + w > width - 2 * PAGE_EDGE and x > 0:
            x, y, shelf = 0, y + shelf, 0
        places.append((x, y, margin))
        x, shelf = x + w, max(shelf, h)
    sheet = Image.new("L", (width, max(1, y + shelf)), 255)
    for (x, y, m), box in zip(places, boxes):
        sheet.paste(image.crop(box), (x + m, y + m))
    return sheet, places

