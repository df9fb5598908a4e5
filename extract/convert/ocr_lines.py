"""Scanned pages whose tables have no rulings: OCR words with their boxes, as pdfplumber gives them for PDFs.

A page read whole by tesseract (``--psm 6``) loses a borderless table: its layout analysis joins words
of neighbouring columns into one line in the wrong order, cuts labels into stray pieces and reads a
lone ``1`` as 虱 or a ``0`` as 必, at a confidence nothing flags. Here the page is cut where its
ink is, as a reader's eye cuts it: into text lines (runs of pixel rows with ink), and each line into
pieces wherever a blank wider than a cell's padding stands (a column's gap; the gaps inside a word or a
number are narrower). Every piece is read alone, by the same reader as a ruled table's cells
(``ocr_cells.read_cells``: a short piece is a number only where the Chinese and the digit models agree,
else it is unread and flagged; a piece wider than a value left unread is read again as a line of words,
kept only as words), and its words keep their boxes on the page. Only a table's lines are
read so (its rows, its column headings, a value alone); a section's heading or a paragraph between two
tables is read by the page reader, its words joined into lines (``prose_lines``).

The words then take the path a PDF's characters take (``layout`` and ``alignment``): columns only where
other rows or headings confirm them, values whose column is uncertain null and named, cross-checked
against the template's sums (``extract.crosscheck``). Nothing here places a value in a column.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from PIL import Image

from extract.convert.geometry import Glyph, TableGrid, is_cjk
from extract.convert.limits import Limits
from extract.convert.ocr_cells import INK, PAGE_EDGE, read_cells
from extract.convert.ocr_ink import LABEL_WIDTH as _LABEL_WIDTH
from extract.convert.ocr_ink import NARROW as _NARROW
from extract.convert.ocr_ink import ONE_LINE, STROKE, bridged, cut_at_edges, glued_cut, label_edges, sub_lines, tight
from extract.convert.ocr_ink import text_lines as _text_lines
from extract.convert.ocr_marks import VALUE_MARK, ends_in_mark, join_marks
from extract.convert.ocr_unread import DIGIT_HEIGHT as _DIGIT_HEIGHT
from extract.convert.ocr_unread import NUMBER as _NUMBER
from extract.convert.ocr_unread import UNREAD_VALUE as _UNREAD_VALUE
from extract.convert.ocr_unread import units_kept, words_reread
from extract.convert.segment import UNIT, VALUE
from extract.convert.tesseract import run_tesseract_many

# A blank wider than this share of the page's usual line height cuts a line into pieces: wider than the
# gaps between the characters of a word or the digits of a number (a tenth to a sixth of it), narrower
# than the blank between two values of neighbouring cells (a row printed as its own table leaves about
# half of it). Two numbers read as one piece would be read as one number, which a cut never risks.
_PIECE_GAP = 0.35
# A piece this narrow (line heights) and this close to a wide piece after it on its line is where a label
# starts: its number (``2.`` before 其他法律…, ``三、`` before 收到…, a heading's bold ``二、``), whose
# full-width mark prints its ink at the left of its place and leaves a blank wider than a cell's padding.
# It is read with what follows, and so are a few of them in a row, no wider together than ``_LEADS``
# (``（`` ``一`` ``）`` before 主动公开情况: full-width brackets leave blanks as wide).
_LEAD_WIDTH = 1.7
_LEAD_GAP = 1.0
_LEADS = 3.0
# A page is read this way when this many of its lines end in two pieces as narrow as a number (at most
# ``ocr_ink.NARROW`` line heights wide), or in one after a column's gap (a blank a line high): rows of a table
# without rulings, whose values end them. A line of prose cut at its commas ends in a clause; one cut
# at the blanks around a number (``自 2024 年 1 月 1 日起``) is read by pieces too, which reads it right.
_TABLE_LINES = 3
_COLUMN_GAP = 1.0
# Full-width marks that end a clause inside a label or a heading, never a value (``_joined_at_marks``).
_MARKS = ("，", "、", "；", "：", ",", ";", ":")
# A reading of values only (``0 0件``, ``1件0件``), or of a unit alone, which a number before it takes.
_VALUES = re.compile(rf"(?:\s*(?:{VALUE.pattern}|{UNIT.pattern}))*\s*")
# Fewer dark pixels than this (at 300 dpi) in a piece is a speck of the scan, not ink of the print.
_SPECK = 12


class Piece(NamedTuple):
    """A piece of a text line (pixel columns); of leads read with their label, the runs of ink it joins
    (each lead's, the label's)."""

    x0: int
    x1: int
    runs: tuple[tuple[int, int], ...] = ()


class TableLines(NamedTuple):
    """What ``read_lines`` read of a page: the words of its table's lines (pixels, with confidences), and
    those lines (top, bottom); the rest of the page is prose, for the page reader."""

    glyphs: list[Glyph]
    bands: list[tuple[int, int]]
    height: int  # of a line of text on the page


def prose_lines(words: list[Glyph], height: float) -> list[Glyph]:
    """The page reader's words on a page with a table without rulings, as one glyph for each run of words
    on a line with no column's gap between them, a line high.

    Tesseract cuts a line of Chinese into words where it likes, each boxed tight on its ink (``一`` three
    pixels high): the layout, which cuts a line where a blank is wide beside its glyphs' height, would cut
    a section's heading between two tables into cells of the table (``四 | 、政 | 府信息 | …``)."""
    lines: list[list[Glyph]] = []
    for word in sorted(words, key=lambda g: g.cy):  # a line: words whose middles stand within half a line
        if lines and abs(word.cy - sum(g.cy for g in lines[-1]) / len(lines[-1])) < height / 2:
            lines[-1].append(word)
        else:
            lines.append([word])
    runs: list[list[Glyph]] = []
    for line in lines:
        for word in sorted(line, key=lambda g: g.x0):
            if runs and runs[-1][0] in line and word.x0 - runs[-1][-1].x1 < _COLUMN_GAP * height:
                runs[-1].append(word)
            else:
                runs.append([word])
    out = []
    for run in runs:
        top, bottom = min(g.top for g in run), max(g.bottom for g in run)
        middle = (top + bottom) / 2
        out.append(Glyph(_joined([g.text for g in run]), run[0].x0, min(top, middle - height / 2), run[-1].x1,
                         max(bottom, middle + height / 2), min((g.conf or 0.0) for g in run)))
    return out


def read_lines(image: Image.Image, limits: Limits) -> TableLines | None:
    """The lines of a page without ruled tables that belong to a table, read piece by piece; None when
    the page holds no table at all (prose is read whole, which is cheaper)."""
    mask = image.point(lambda v: 1 if v < INK else 0)
    lines = _text_lines(mask)
    if not lines:
        return None
    height = _line_height(mask, lines)
    pieces = [(y0, y1, _pieces(mask, y0, y1, height)) for y0, y1 in lines]
    # Where a line is a table's is told from its runs of ink: what was taken for a lead may be a value
    # (``77`` before ``132``, numbers as wide as a label in a large type), read apart (``_chosen``).
    runs = [_runs_of(cut) for _, _, cut in pieces]
    rows = [i for i, cut in enumerate(runs) if _row(cut, height)]
    if len(rows) < _TABLE_LINES:
        return None
    # What stands above the table (a title, the organ's name, an opening paragraph) is prose, which the
    # page reader reads whole and better than piece by piece (``ocr.ocr_image``). The table starts at its
    # first row, or at the column headings right above it: words a column's gap apart, the first no
    # label's lead (a section's heading ``三、收到和…`` in a large type leaves a column's gap after 、).
    start = rows[0]
    while start > 0 and _headings(runs[start - 1], height):
        start -= 1
    # Labels of neighbouring columns printed touching are cut apart on the rows of the table only: the
    # pieces of prose start anywhere, and three of its lines' pieces meet at one place by chance.
    edges = label_edges([[(p.x0, p.x1) for p in pieces[i][2]] for i in rows], height)
    pieces = [(y0, y1, [part for p in cut for part in _cut_at_edges(mask, (y0, y1), p, edges, height)])
              if i in rows else (y0, y1, cut) for i, (y0, y1, cut) in enumerate(pieces)]
    # Below it too, a line of one wide piece (a section's heading, a paragraph between two tables) or of
    # words no column's gap apart is prose: the cell reader misreads a heading's large bold type
    # (三、 as ——一一人), and the section is lost.
    pieces = [(y0, y1, cut) for (y0, y1, cut), line in zip(pieces[start:], runs[start:])
              if _tabular(line, height) or (line and _digits(mask, y0, y1, line[-1], height))]
    # A line of the page may hold a label wrapped over two lines beside a value: each piece is read by
    # its own lines, so that a number always stands alone in its box (the digit models read it too). A
    # label's lead is read with its label, and apart too (``_chosen``).
    units = [
        (_boxes(mask, y0, y1, p.x0, p.x1, height),
         [_boxes(mask, y0, y1, a, b, height) for a, b in p.runs] or None)
        for y0, y1, cut in pieces for p in cut
    ]
    boxes = list(dict.fromkeys(
        box for whole, parts in units for box in whole + [b for part in parts or () for b in part]
    ))
    read = _read_boxes(image, boxes, height, limits)
    _reread_tall_dashes(image, boxes, read, height, limits)
    words = dict(zip(boxes, read))
    words.update(words_reread(image, [b for b in boxes if not any(w.text for w in words[b])], height, limits))
    glyphs = [glyph for whole, parts in units for glyph in _chosen(whole, parts, words, height)]
    glyphs = units_kept(mask, _unglued(image, mask, glyphs, height, limits), height)
    placed = [(g, g.x1 - g.x0 >= _LABEL_WIDTH * height and ends_in_mark(mask, _ink_box(g), height),
               g.x1 - g.x0 > _NARROW * height) for g in glyphs]
    return TableLines(_joined_at_marks(join_marks(placed, height), height), [(y0, y1) for y0, y1, _ in pieces],
                      height)


def _ink_box(g: Glyph) -> tuple[int, int, int, int]:
    """The pixel box of a glyph read from a piece (its top and bottom widened to a line's height)."""
    return int(g.x0), int(g.top), int(g.x1), int(g.bottom)


def _boxes(mask: Image.Image, top: int, bottom: int, x0: int, x1: int,
           height: int) -> list[tuple[int, int, int, int]]:
    """The boxes of a piece's own lines of text, each as wide as the piece (the lines of a heading centred
    over its column stand where the heading does), and a value printed between two lines of its wrapped
    label or below its line (``_bridged``) apart from them."""
    out: list[tuple[int, int, int, int]] = []
    for a, b in sub_lines(mask.crop((x0, top, x1, bottom)), height):
        box = (x0, top + a, x1, top + b)
        parts = bridged(mask, tight(mask, box) or box, height) if b - a > ONE_LINE * height else None
        out += parts or [box]
    return out


def _chosen(whole, parts, words: dict, height: int) -> list[Glyph]:
    """A piece's glyphs; of leads read with their label, the readings of each apart where the reading
    together gives no words, only values or nothing: what was taken for leads were values, read alone
    (``0`` before ``0件``, read as one piece, is unread or ``0 0件``; ``1`` ``件`` before ``0件``, read as
    ``1件0件``), a unit alone joined to the number before it. Where one of the parts then reads as
    words, they were a label and its lead after all (``7.`` before 属于行政执法案卷, the two unread
    together): one glyph of their readings, never a lead's number standing as a value."""
    together = [g for box in whole for g in _piece_glyph(box, words[box], height)]
    if parts is None or not all(_VALUES.fullmatch(g.text) for g in together):
        return together
    apart = [g for part in parts for box in part for g in _piece_glyph(box, words[box], height)]
    if all(_VALUES.fullmatch(g.text) for g in apart):
        out: list[Glyph] = []
        for g in apart:
            if out and UNIT.fullmatch(g.text) and _NUMBER.fullmatch(out[-1].text) and abs(g.cy - out[-1].cy) < height / 2:
                g = _union([out.pop(), g], "")
            out.append(g)
        return out
    return [_union([g for g in apart if g.text != "—" or g.conf], None)]


def _union(glyphs: list[Glyph], sep: str | None) -> Glyph:
    """Glyphs as one, over their boxes: their texts joined by ``sep`` (None: as words are, ``_joined``)."""
    texts = [g.text for g in glyphs]
    return Glyph(_joined(texts) if sep is None else sep.join(texts), min(g.x0 for g in glyphs),
                 min(g.top for g in glyphs), max(g.x1 for g in glyphs), max(g.bottom for g in glyphs),
                 min((g.conf or 0.0) for g in glyphs))


def _joined_at_marks(glyphs: list[Glyph], height: int) -> list[Glyph]:
    """Pieces cut after a full-width mark joined again with the words that follow it on their line.

    A full-width comma or enumeration mark (，、；：) prints its ink at the left of its place and leaves a
    blank as wide as a column's padding: ``四、政府信息公开行政复议、行政诉讼情况`` is cut into three
    pieces, which the layout takes for three cells of a row (the section's heading lost in a table). A
    value never ends in such a mark, so the words after it, on the same line and nearer than a line's
    height, and starting with an ideograph or an opening bracket (not a digit, not a dash), continue
    the words before it."""
    out = list(glyphs)
    k = 0
    while k < len(out):
        g = out[k]
        follow = [
            j for j, h in enumerate(out)
            if j != k and g.text.endswith(_MARKS) and h.text and (is_cjk(h.text[0]) or h.text[0] in "（(《“")
            and abs(h.cy - g.cy) < height / 3 and 0 <= h.x0 - g.x1 < _LEAD_GAP * height
        ]
        if not follow:
            k += 1
            continue
        j = min(follow, key=lambda j: out[j].x0)
        h = out[j]
        out[k] = Glyph(g.text + h.text, g.x0, min(g.top, h.top), h.x1, max(g.bottom, h.bottom),
                       min(g.conf or 0.0, h.conf or 0.0))
        del out[j]
        if j < k:
            k -= 1
    return out


def _row(cut: list[Piece], height: int) -> bool:
    """Whether a line's pieces are a row of a table without rulings (``_TABLE_LINES``): its last two
    pieces as narrow as numbers, or its last one and a column's gap before."""
    narrow = [p.x1 - p.x0 <= _NARROW * height for p in cut]
    return (len(cut) >= 3 and all(narrow[-2:])) or (len(cut) >= 2 and narrow[-1] and _gapped(cut, height))


def _runs_of(cut: list[Piece]) -> list[Piece]:
    """A line's pieces with leads and their label apart again."""
    return [Piece(a, b) for p in cut for a, b in (p.runs or [(p.x0, p.x1)])]


def _tabular(cut: list[Piece], height: int) -> bool:
    """Whether a line at or below a table's start is part of the table: words a column's gap apart, or
    ending in a piece as narrow as a number (a row, ``行政许可 2629`` with its one value close by, a value
    alone, a label's last character wrapped to a line of its own)."""
    return _gapped(cut, height) or (bool(cut) and cut[-1].x1 - cut[-1].x0 <= _NARROW * height)


def _digits(mask: Image.Image, top: int, bottom: int, piece: Piece, height: int) -> bool:
    """Whether a piece's ink is one line lower than a line of text, as digits are (a number wider than
    ``_NARROW`` in a large type: ``行政许可 2629``), not an ideograph's full height."""
    lines = _text_lines(mask.crop((piece.x0, top, piece.x1, bottom)), shortest=1)
    return len(lines) == 1 and lines[0][1] - lines[0][0] < _DIGIT_HEIGHT * height


def _headings(cut: list[Piece], height: int) -> bool:
    """Whether a line's pieces are column headings over a table's first row (``read_lines``)."""
    return bool(cut) and cut[0].x1 - cut[0].x0 > _LEAD_WIDTH * height and _gapped(cut, height)


def _gapped(cut: list[Piece], height: int) -> bool:
    """Whether a line's pieces stand a column's gap apart somewhere (prose never leaves one)."""
    return any(b.x0 - a.x1 >= _COLUMN_GAP * height for a, b in zip(cut, cut[1:]))


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
        for y0, y1 in lines for x0, x1, _ in _pieces(mask, y0, y1, first)
        for a, b in _text_lines(mask.crop((x0, y0, x1, y1)), shortest=1)
        if x1 - x0 >= 2 * (b - a)
    )
    return heights[len(heights) // 2] if heights else first


def _cut_at_edges(mask: Image.Image, band: tuple[int, int], piece: Piece, edges: list[int],
                  height: int) -> list[Piece]:
    """A piece cut where a label column's edge runs through it (``ocr_ink.cut_at_edges``); a lead's runs
    are kept only by a piece not cut."""
    parts = cut_at_edges(mask, band, (piece.x0, piece.x1), edges, height)
    return [piece] if len(parts) == 1 else [Piece(a, b) for a, b in parts]


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
            if box[3] - box[1] > STROKE * height and words and all(w.text == "—" for w in words)]
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


# A number glued after a label's last character on one line: ``…申请数量64``.
_GLUED = re.compile(r"(.*[\u3400-\u9fff）)”\"：:])(\d[\d.,]*)")


def _unglued(image: Image.Image, mask: Image.Image, glyphs: list[Glyph], height: int,
             limits: Limits) -> list[Glyph]:
    """A number printed hard against the end of its label on one line (the label column no wider than the
    label, the value left-aligned in the next) is cut from it: the label and the number as glyphs of
    their own, the number read alone again.

    The cut is where the line's ink leaves as many marks after it as the reading has digits (a digit
    is one mark; the ideograph before it is not part of the cut); the number read alone (both models
    agreeing, as any value) must be the number read in the line, else it is an unread blank, flagged,
    which keeps its place in the row."""
    cuts: dict[int, tuple[int, tuple[int, int, int, int], str, str]] = {}
    for k, g in enumerate(glyphs):
        found = _GLUED.fullmatch(g.text)
        if found is None:
            continue
        label, number = found.groups()
        cut = glued_cut(mask, (int(g.x0), int(g.top), int(g.x1), int(g.bottom)), len(number), height)
        if cut is not None:
            cuts[k] = (cut[0], cut[1], label, number)
    if not cuts:
        return glyphs
    alone = dict(zip(cuts, _read_boxes(image, [value for _, value, _, _ in cuts.values()], height, limits)))
    out: list[Glyph] = []
    for k, g in enumerate(glyphs):
        if k not in cuts:
            out.append(g)
            continue
        end, value, label, number = cuts[k]
        again = [w for w in alone[k] if w.text]
        agreed = _joined([w.text for w in again]) == number
        out += [Glyph(label, g.x0, g.top, end, g.bottom, g.conf), *_piece_glyph(value, again if agreed else [], height)]
    return out


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


def _pieces(mask: Image.Image, top: int, bottom: int, height: int) -> list[Piece]:
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
    i = 0
    while i < len(runs):
        # Leads start their line, or follow a label (``(三)不予公开`` before ``1、属于国家秘密``) or a column's
        # gap (``(三)`` in a cell of its own); a narrow piece close after one as narrow as a value is a
        # value after a value (``0`` after ``0件`` and before ``0件`` in a row printed as its own table,
        # whose cells stand a padding apart), read alone.
        j = i
        if (not merged or merged[-1][1] - merged[-1][0] > _NARROW * height
                or runs[i][0] - merged[-1][1] >= _COLUMN_GAP * height):
            while (j + 1 < len(runs) and runs[j][1] - runs[j][0] <= _LEAD_WIDTH * height
                   and runs[j + 1][0] - runs[j][1] < _LEAD_GAP * height):
                j += 1
        if j > i and _wide(runs[j], height) and runs[j - 1][1] - runs[i][0] <= _LEADS * height:
            merged.append([runs[i][0], runs[j][1], *(x for run in runs[i : j + 1] for x in run)])
            i = j + 1
            continue
        merged.append(runs[i])
        i += 1
    # A scanner's speck is a piece of its own: a few pixels, never a character (a dash for a blank, the
    # smallest mark a cell holds, has several times as many).
    def inked(a: int, b: int) -> bool:
        return data.count(1, a * rows, b * rows) >= _SPECK

    return [Piece(run[0], run[1], tuple((a, b) for a, b in zip(run[2::2], run[3::2]) if inked(a, b)))
            for run in merged if inked(run[0], run[1])]


def _wide(run: list[int], height: int) -> bool:
    """Whether a piece is as wide as a label (a few characters), wider than a value."""
    return run[1] - run[0] >= _LABEL_WIDTH * height


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

