"""Scanned pages whose tables have no rulings: OCR words with their boxes, as pdfplumber gives them for PDFs.

A page read whole by tesseract (``--psm 6``) loses a borderless table: its layout analysis joins words
of neighbouring columns into one line in the wrong order, cuts labels into stray pieces and reads a
lone ``1`` as 虱 or a ``0`` as 必, at a confidence nothing flags. Here the page is cut where its
ink is, as a reader's eye cuts it: into text lines (runs of pixel rows with ink), and each line into
pieces wherever a blank wider than a cell's padding stands (a column's gap; the gaps inside a word or a
number are narrower). Every piece is read alone, by the same reader as a ruled table's cells
(``ocr_cells.read_cells``: a short piece is a number only where the Chinese and the digit models agree,
else it is unread and flagged), and its words keep their boxes on the page.

The words then take the path a PDF's characters take (``layout`` and ``alignment``): columns only where
other rows or headings confirm them, values whose column is uncertain null and named, cross-checked
against the template's sums (``extract.crosscheck``). Nothing here places a value in a column.
"""

from __future__ import annotations

from PIL import Image

from extract.convert.geometry import Glyph, TableGrid, is_cjk
from extract.convert.limits import Limits
from extract.convert.ocr_cells import INK, read_cells

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
# starts: its number (``2.`` before 其他法律…, ``三、`` before 收到…), whose full-width mark prints its ink
# at the left of its place and leaves a blank wider than a cell's padding. It is read with what follows.
_LEAD_WIDTH = 1.5
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
    # What stands above the first row of the table (a title, the organ's name, an opening paragraph) is
    # prose, which the page reader reads whole and better than piece by piece (``ocr.ocr_image``).
    pieces = pieces[rows[0]:]
    # A line of the page may hold a label wrapped over two lines beside a value: each piece is read by
    # its own lines, so that a number always stands alone in its box (the digit models read it too).
    boxes = [
        (x0, y0 + a, x1, y0 + b)
        for y0, y1, cut in pieces for x0, x1 in cut
        for a, b in _text_lines(mask.crop((x0, y0, x1, y1)), shortest=1)
    ]
    sheet, places = _sheet(image, boxes, height)
    grids = [TableGrid(xs=[x, x + x1 - x0 + 2 * m], ys=[y, y + y1 - y0 + 2 * m], region=[[0]])
             for (x, y, m), (x0, y0, x1, y1) in zip(places, boxes)]
    read: list[list[Glyph]] = [[] for _ in boxes]
    for word in read_cells(sheet, grids, limits):
        read[_piece_of(word, grids)].append(word)
    return [glyph for box, words in zip(boxes, read) for glyph in _piece_glyph(box, words, height)]


def _line_height(mask: Image.Image, lines: list[tuple[int, int]]) -> int:
    """The usual height of a line of text on the page (pixels), measured on its words.

    A line of the page is every pixel row with ink across its width: where each row of a table is
    printed as its own table, its label wraps over two lines and its values stand a line apart from their
    unit (``0`` over ``件``), so most of the page's lines are two lines of text high, and a blank between
    two values looks narrow beside them. The lines of text inside each piece (cut at the first guess)
    are what a line is; of them only words (twice as wide as high or more), not a lone digit or unit."""
    first = sorted(y1 - y0 for y0, y1 in lines)[len(lines) // 2]
    heights = sorted(
        b - a
        for y0, y1 in lines for x0, x1 in _pieces(mask, y0, y1, first)
        for a, b in _text_lines(mask.crop((x0, y0, x1, y1)), shortest=1)
        if x1 - x0 >= 2 * (b - a)
    )
    return heights[len(heights) // 2] if heights else first


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
        # A lead starts its line or follows a label (``(三)不予公开`` before ``1、属于国家秘密``); a narrow
        # piece after a narrow one is a value after a value (``0`` before ``0件`` in a row printed as its
        # own table, whose cells stand a padding apart), read alone.
        if merged and len(merged[-1]) == 2 and (len(merged) == 1 or _wide(merged[-2], height)):
            lead = merged[-1]
            if (lead[1] - lead[0] <= _LEAD_WIDTH * height and run[0] - lead[1] < _LEAD_GAP * height
                    and _wide(run, height)):
                merged[-1] = [lead[0], run[1], 0]  # marked: a label is never a lead
                continue
        merged.append(run)
    # A scanner's speck is a piece of its own: a few pixels, never a character (a dash for a blank, the
    # smallest mark a cell holds, has several times as many).
    return [(run[0], run[1]) for run in merged if data.count(1, run[0] * rows, run[1] * rows) >= _SPECK]


def _wide(run: list[int], height: int) -> bool:
    """Whether a piece is as wide as a label (a few characters), wider than a value."""
    return run[1] - run[0] >= _LABEL_WIDTH * height


def _sheet(image: Image.Image, boxes: list[tuple[int, int, int, int]], height: int):
    """The pieces pasted apart on a white sheet, each with a margin of half a line around it, and where
    each went (left, top, margin). A piece cut tight is no cell: the cell reader takes a stroke that
    runs the height or width of its box for a ruling's remnant and whitens it (开 read as 无)."""
    margin = max(8, height // 2)
    width = max([image.width] + [x1 - x0 + 2 * margin for x0, _, x1, _ in boxes])
    places: list[tuple[int, int, int]] = []
    x = y = shelf = 0
    for x0, y0, x1, y1 in boxes:
        w, h = x1 - x0 + 2 * margin, y1 - y0 + 2 * margin
        if x + w > width:
            x, y, shelf = 0, y + shelf, 0
        places.append((x, y, margin))
        x, shelf = x + w, max(shelf, h)
    sheet = Image.new("L", (width, max(1, y + shelf)), 255)
    for (x, y, m), box in zip(places, boxes):
        sheet.paste(image.crop(box), (x + m, y + m))
    return sheet, places

