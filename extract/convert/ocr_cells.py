"""Table cells of a scanned page read one by one: every cell's lines cut out and read alone.

Read alone, a cell's text is never mixed with its neighbours' and short numbers are read as lines of
their own, which is what makes OCR of the template's dense tables dependable.

A line short enough to be a number is read twice, by the Chinese model and by the English one
restricted to digits. Tesseract misreads clean glyphs with high confidence (2629 as 2029 at 86), so a
number stands only where two readings give it and none gives another; where they disagree the line
is read three times more (binarised as a line, and as a word by both models) and the vote taken
again, tesseract's guesses (under confidence 40) abstaining. In a column of numbers a reading that is
not a number is never passed on as words: it would become part of the row's label and move every
value after it one column to the left. What the readings do not agree on is an unread cell (empty,
confidence 0), flagged, so the record holds null rather than a guess.
"""

from __future__ import annotations

import re

from PIL import Image, ImageDraw, ImageFilter

from extract.convert.geometry import Glyph
from extract.convert.limits import Limits
from extract.convert.tesseract import run_tesseract_many

INK = 150  # grey level below which a pixel is ink
_NUMBER = re.compile(r"[0-9][0-9.,]*")
_LATIN_DIGITS = re.compile(r"(?=.*[0-9])(?=.*[A-Za-z])[0-9A-Za-z.,]+")
_DASHES = re.compile(r"[一—\-_=~－ー‐–]+")


def _erase_line_remnants(crop: Image.Image) -> Image.Image:
    """Whiten pixel columns and rows of a cell crop that are mostly ink: pieces of a ruling too faint
    to be found as one, which tesseract would read as 1, | or a CJK stroke. Nearly all of the crop's
    height or width: a digit's stroke in a row no taller than its line covers three quarters of it."""
    width, height = crop.size
    if width < 3 or height < 3:
        return crop
    dark = crop.point(lambda v: 1 if v < 200 else 0)
    columns = dark.transpose(Image.Transpose.TRANSPOSE).tobytes()
    rows = dark.tobytes()
    bad_cols = [x for x in range(width) if columns[x * height : (x + 1) * height].count(1) > _REMNANT * height]
    bad_rows = [y for y in range(height) if rows[y * width : (y + 1) * width].count(1) > _REMNANT * width]
    if not bad_cols and not bad_rows:
        return crop
    crop = crop.copy()
    draw = ImageDraw.Draw(crop)
    for x in bad_cols:
        draw.line([(x, 0), (x, height - 1)], fill=255)
    for y in bad_rows:
        draw.line([(0, y), (width - 1, y)], fill=255)
    return crop


_REMNANT = 0.9
# How far inside a cell's box a ruling must stand to cross it rather than be the box's own border,
# found a little off its place (rulings of different rows are snapped together by up to 3 pt).
_CROSSING_MARGIN = 16


def _crossings(crop: Image.Image) -> tuple[list[int], list[int]]:
    """The columns and rows of a cell's box (before its rulings were whitened) that a ruling runs
    through away from the box's borders: the grid put the box across two printed cells (rows of a
    table split one row per table, each with its own columns, taken as one grid)."""
    width, height = crop.size
    dark = crop.point(lambda v: 1 if v < 200 else 0)
    columns = dark.transpose(Image.Transpose.TRANSPOSE).tobytes()
    rows = dark.tobytes()
    xs = [x for x in range(_CROSSING_MARGIN, width - _CROSSING_MARGIN)
          if columns[x * height : (x + 1) * height].count(1) >= _REMNANT * height]
    ys = [y for y in range(_CROSSING_MARGIN, height - _CROSSING_MARGIN)
          if rows[y * width : (y + 1) * width].count(1) >= _REMNANT * width]
    return xs, ys


def _one_side(ink: Image.Image, crossings: tuple[list[int], list[int]]) -> tuple[int, int, int, int] | None:
    """The part of a crossed box that holds all its ink, or None where ink stands on both sides of a
    ruling (252 | 12 would be read as one number, 212): such a cell is not read, and is flagged."""
    xs, ys = crossings
    cuts_x = [-1, *xs, ink.width]  # the parts lie between the ruling's own lines of pixels
    cuts_y = [-1, *ys, ink.height]
    inked = [
        (a + 1, b + 1, c, d)
        for a, c in zip(cuts_x, cuts_x[1:]) if c - a > 2
        for b, d in zip(cuts_y, cuts_y[1:]) if d - b > 2
        if ink.crop((a + 1, b + 1, c, d)).getbbox() is not None
    ]
    return inked[0] if len(inked) == 1 else None


# A ruling ending this close to the image's right edge (6 pt) runs off it: its table goes on past it.
PAGE_EDGE = 25
# Where a glyph runs across a ruling: ink in the pixel rows just off its line on both sides (the
# ruling's own pixels, whitened, lie between; text keeps at least a millimetre from its cell's ruling),
# at the same places (two pixels either way: a diagonal stroke moves), over at least this many columns.
_OVERPRINT_REACH = (3, 7)
_OVERPRINT_STROKES = 3


def overprinted(image: Image.Image, ruled: Image.Image, box: tuple[int, int, int, int], y: int) -> bool:
    """Whether text of the row above runs across the ruling at ``y`` into the cell ``box`` below it: a
    heading printed one character a line in a cell too short for it spills over the first row of values
    (case 48's section 四). ``image`` has its rulings whitened, not the strokes that crossed them; ``ruled``
    is the page before, where the ruling must be drawn over the cell's width (a grid line other columns'
    rulings make runs through a cell's text, not between two cells). A vertical ruling through the cell
    (rows of a table pasted row by row, each with its own columns) is no stroke: it runs its full height."""
    x0, _, x1, bottom = box
    near, far = _OVERPRINT_REACH
    if y - far < 0 or y + far > image.height or x1 - x0 < 1 or bottom - y <= far:
        return False
    line = ruled.crop((x0, y - near, x1, y + near + 1)).point(lambda v: 255 if v < 200 else 0)
    if max(line.resize((1, line.height), Image.Resampling.BOX).tobytes()) < 255 * _REMNANT:
        return False

    def inked_columns(top: int, bottom: int) -> bytes:
        strip = image.crop((x0, top, x1, bottom)).point(lambda v: 255 if v < INK else 0)
        return strip.filter(ImageFilter.MaxFilter(5)).resize((strip.width, 1), Image.Resampling.BOX).tobytes()

    cell = image.crop((x0, y + near, x1, bottom)).point(lambda v: 255 if v < INK else 0)
    rulings = cell.resize((cell.width, 1), Image.Resampling.BOX).point(lambda v: 255 if v >= _REMNANT * 255 else 0)
    rulings = rulings.filter(ImageFilter.MaxFilter(7)).tobytes()
    above, below = inked_columns(y - far, y - near), inked_columns(y + near, y + far)
    return sum(1 for a, b, r in zip(above, below, rulings) if a and b and not r) >= _OVERPRINT_STROKES


# Cell boxes run from ruling to ruling, whose pixels are already whitened (``ocr.erase_rulings``): a
# small inset leaves what is left of them out without cutting into digits printed against them.
_INSET = 2


def _whole_on_page(image: Image.Image, box: tuple[int, int, int, int], right: float) -> bool:
    """Whether a cell near the page's right edge holds its text whole: a ruling of its own closes it
    inside the page (``right``, short of the ruling ``ocr.page_edge_rulings`` draws on the edge), or its
    ink stops half a line's height or more short of the edge (a table whose last ruling fell just past
    the page, its last column's text printed in full). A gap inside a number or a word is far narrower,
    so ink the edge cut through, or cut between two of its glyphs, touches the edge or stands closer to
    it. A cell with no ink is not known blank: what it held may lie past the edge."""
    if right < image.width - 1 - _INSET:
        return True
    ink = image.crop(box).point(lambda v: 255 if v < INK else 0).filter(ImageFilter.MedianFilter(3))
    bbox = ink.getbbox()
    return bbox is not None and (box[2] - box[0]) - bbox[2] >= (bbox[3] - bbox[1]) / 2


def read_cells(image: Image.Image, grids, limits: Limits, ruled: Image.Image | None = None) -> list[Glyph]:
    """OCR every merged cell of every table once, line by line; words in page pixels.

    Each cell's ink is cut into its text lines, and every line is read alone as a single line
    (tesseract ``--psm 7``), all of a page's lines in one tesseract process. A cell with ink that
    yields no word gets an empty glyph of confidence 0, so it is flagged. ``image`` has its rulings
    whitened; ``ruled`` is the page before, in which a ruling crossing a cell's box is found
    (``_crossings``): the cell is read from the side of it that holds ink, or flagged unread. A cell
    the image's right edge cuts (a table wider than its page) is not read: flagged unread.
    """
    lines: list[tuple[int, tuple[int, int], Image.Image]] = []  # (cell, page origin, padded line image)
    columns: list[tuple[int, int]] = []  # (table, first grid column) of each cell
    boxes: list[tuple[int, int, int, int]] = []
    for g_index, grid in enumerate(grids):
        seen: set[int] = set()
        for r in range(len(grid.ys) - 1):
            for c in range(len(grid.xs) - 1):
                rid = grid.region[r][c]
                if rid in seen:
                    continue
                seen.add(rid)
                rows = [i for i, row in enumerate(grid.region) if rid in row]
                cols = [j for j in range(len(grid.xs) - 1) if any(grid.region[i][j] == rid for i in rows)]
                box = (
                    int(grid.xs[min(cols)]) + _INSET,
                    int(grid.ys[min(rows)]) + _INSET,
                    int(grid.xs[max(cols) + 1]) - _INSET,
                    int(grid.ys[max(rows) + 1]) - _INSET,
                )
                if box[2] - box[0] < 4 or box[3] - box[1] < 4:
                    continue
                right = grid.xs[max(cols) + 1]
                cut = right >= image.width - PAGE_EDGE and not _whole_on_page(image, box, right)
                top = int(grid.ys[min(rows)])
                if cut or (ruled is not None and min(rows) > 0 and overprinted(image, ruled, box, top)):
                    # The page's edge cuts the cell, or the row above prints over it: what shows is part
                    # of its text, or its text mixed with another's, and a part of a number is another
                    # number (12 as 1, 0 under 结 as 6). Unread, so flagged.
                    boxes.append(box)
                    columns.append((g_index, min(cols)))
                    continue
                crop = _erase_line_remnants(image.crop(box))
                ink = crop.point(lambda v: 255 if v < INK else 0).filter(ImageFilter.MedianFilter(3))
                bbox = ink.getbbox()
                if bbox is None or ink.histogram()[255] < _MIN_INK:
                    continue  # a blank cell, or a few specks left by the scanner
                cell = len(boxes)
                boxes.append(box)
                columns.append((g_index, min(cols)))
                crossings = _crossings(ruled.crop(box)) if ruled is not None else ([], [])
                if crossings != ([], []):
                    part = _one_side(ink, crossings)
                    if part is None:
                        continue  # unread, so flagged
                    inside = Image.new("L", ink.size, 0)
                    inside.paste(ink.crop(part), part[:2])
                    ink, bbox = inside, inside.getbbox()
                x0, _, x1, _ = bbox
                for y0, y1 in _text_lines(ink, bbox):
                    tight = crop.crop((x0, y0, x1, y1))
                    # Tesseract reads badly what touches the image border: give each line a margin.
                    padded = Image.new("L", (tight.width + 2 * _PAD, tight.height + 2 * _PAD), 255)
                    padded.paste(tight, (_PAD, _PAD))
                    lines.append((cell, (box[0] + x0 - _PAD, box[1] + y0 - _PAD), padded))
    if not lines:  # nothing to read; the cells left unread are still flagged
        return [Glyph("", box[0], box[1], box[2], box[3], 0.0) for box in boxes]
    line_readings = run_tesseract_many([im for _, _, im in lines], limits, psm=7)
    lines_of: dict[int, list[int]] = {}
    for n, (cell, _, _) in enumerate(lines):
        lines_of.setdefault(cell, []).append(n)
    _read_silent_numbers(lines, line_readings, lines_of, limits)
    short = [n for n, (cell, _, im) in enumerate(lines) if len(lines_of[cell]) == 1 and im.width <= _SHORT_WIDTH]
    digits = run_tesseract_many([lines[n][2] for n in short], limits, psm=7, lang="eng", extra=_DIGIT_WHITELIST)

    def placed(n: int, reading: list[Glyph]) -> list[Glyph]:
        ox, oy = lines[n][1]
        return [Glyph(g.text, g.x0 + ox, g.top + oy, g.x1 + ox, g.bottom + oy, g.conf) for g in reading]

    readings: list[list[Glyph]] = [[] for _ in boxes]
    for n, reading in enumerate(line_readings):
        readings[lines[n][0]] += placed(n, reading)
    readings = [_tidy(r) for r in readings]
    digit_of = {lines[n][0]: _tidy(placed(n, reading)) for n, reading in zip(short, digits)}
    line_of = {lines[n][0]: n for n in short}
    # A short line read as a number by either model is a number only where the readings agree: the
    # models misread the same glyph differently (2629 as 2029 by one, 220 by the other).
    disputed: list[int] = []
    marginal: dict[int, list[Glyph]] = {}
    for k, digit in digit_of.items():
        if _number(readings[k]) is not None:
            agreed = _vote([readings[k], digit])
            if agreed and agreed[0].conf >= limits.ocr_min_confidence:
                readings[k] = agreed
            else:  # in dispute, or agreed on at a marginal confidence: more readings may settle it
                disputed.append(k)
                if agreed:
                    marginal[k] = agreed
        elif _number(digit) is not None and _confidence(digit) > _confidence(readings[k]):
            disputed.append(k)  # digits more believable than the Chinese model's words: put to the vote
    # In a column of numbers, a short line that does not read as a value would become part of the
    # row's label and shift every value after it: it is a number or nothing, never words.
    numeric = {k for k, r in enumerate(readings) if r and all(_is_value(g.text) for g in r)}
    numeric.update(disputed)
    per_column: dict[tuple[int, int], list[int]] = {}
    for k, key in enumerate(columns):
        per_column.setdefault(key, []).append(k)
    disputed += [
        k for members in per_column.values() if sum(1 for k in members if k in numeric) * 2 >= len(members)
        for k in members
        if k not in numeric and k in line_of and _doubtful(readings[k], lines[line_of[k]][2], limits)
    ]
    # Digits run together with a Latin letter (524 as D24) are a misread number wherever they stand: a
    # column of a few values under long headings has no majority of numbers to tell it by.
    disputed += [k for k in line_of if k not in disputed and _LATIN_DIGITS.fullmatch("".join(g.text for g in readings[k]))]
    more = _reread_digits([lines[line_of[k]][2] for k in disputed], limits)
    for k, again in zip(disputed, more):
        n = line_of[k]
        # What the more readings cannot settle keeps what the first two agreed on, at its marginal
        # confidence: a value the template's sums then confirm (``extract.crosscheck``), or null.
        readings[k] = _vote([readings[k], digit_of[k], *(_tidy(placed(n, r)) for r in again)]) or marginal.get(k, [])
    out: list[Glyph] = []
    for box, reading in zip(boxes, readings):
        out += reading or [Glyph("", box[0], box[1], box[2], box[3], 0.0)]
    return out


def _read_silent_numbers(lines: list[tuple[int, tuple[int, int], Image.Image]], line_readings: list[list[Glyph]],
                         lines_of: dict[int, list[int]], limits: Limits) -> None:
    """A number printed over its unit on two lines (``1`` over ``件`` in a narrow cell): the Chinese model
    reads a lone ``1`` as nothing, and the cell as ``件`` alone, a unit without its value. A short line it
    reads as nothing, in a cell whose other lines are a unit's word or two (no digit), is read as digits
    four times (once as a line, then ``_reread_digits``) and takes the value they agree on (``_vote``), else
    stays silent."""
    silent = [
        n for n, (cell, _, im) in enumerate(lines)
        if len(lines_of[cell]) > 1 and im.width <= _SHORT_WIDTH and not "".join(g.text for g in line_readings[n])
        and all(_UNIT.fullmatch("".join(g.text for g in line_readings[m])) for m in lines_of[cell] if m != n)
    ]
    if not silent:
        return
    images = [lines[n][2] for n in silent]
    digits = run_tesseract_many(images, limits, psm=7, lang="eng", extra=_DIGIT_WHITELIST)
    for n, first, again in zip(silent, digits, _reread_digits(images, limits)):
        line_readings[n] = _vote([_tidy(first), *(_tidy(r) for r in again)]) or []


# The unit a value is printed over in a narrow cell: one or two ideographs, no digit (件, 万元).
_UNIT = re.compile(r"[\u3400-\u9fff]{1,2}")


def _text_lines(ink: Image.Image, bbox: tuple[int, int, int, int]) -> list[tuple[int, int]]:
    """The text lines of a cell: runs of pixel rows with ink, split at blank rows."""
    x0, y0, x1, y1 = bbox
    region = ink.crop(bbox).point(lambda v: 1 if v else 0)
    width = x1 - x0
    data = region.tobytes()
    inked = [data[y * width : (y + 1) * width].count(1) > 0 for y in range(y1 - y0)]
    spans: list[list[int]] = []
    for y, has_ink in enumerate(inked):
        if has_ink:
            if spans and y - spans[-1][1] <= 3:
                spans[-1][1] = y + 1
            else:
                spans.append([y, y + 1])
    spans = [sp for sp in spans if sp[1] - sp[0] >= 6] or spans
    return [(y0 + a, y0 + b) for a, b in spans]


# A crop this small holds one line of a few characters: it may be a number, which the Chinese model
# misreads when alone (``2`` as 沪, ``1`` as 下); it is read again by the English model restricted to
# digits, and a number stands where the readings agree (``_vote``).
_PAD = 24
_MIN_INK = 12  # dark pixels: a printed dash has about 60 at 300 dpi
_SHORT_WIDTH = 220 + 2 * _PAD
_DIGIT_WHITELIST = ("-c", "tessedit_char_whitelist=0123456789.,/-")


def _is_value(text: str) -> bool:
    return bool(_NUMBER.fullmatch(text)) or text in ("—", "/")


def _doubtful(reading: list[Glyph], line: Image.Image, limits: Limits) -> bool:
    """A reading of a short line in a column of numbers that is not to be believed as words: read at a
    marginal confidence, or more ideographs than the ink is wide for (an ideograph is about as wide as
    its line is high, a digit half that: ``1`` read as 工, ``7`` as 了), or digits run together with a
    Latin letter (``524`` read as ``D24`` at 86)."""
    if not reading or min(g.conf or 0.0 for g in reading) < limits.ocr_min_confidence:
        return True
    if _LATIN_DIGITS.fullmatch("".join(g.text for g in reading)):
        return True
    ideographs = sum(1 for g in reading for ch in g.text if "\u3400" <= ch <= "\u9fff")
    return line.width - 2 * _PAD < 0.75 * ideographs * (line.height - 2 * _PAD)


# A mark alone after the words of a label cell: a closing quote or bracket the Chinese model read as a
# dash (危及“三安全一稳定” as 危及“三安全一稳定 -). Left on, the parser takes it for a blank printed
# after the label, one value too many, and the row's values are placed one column off.
_TRAILING_MARK = re.compile(r"[—\-_=~－‐–]+")
_IDEOGRAPH = re.compile(r"[\u3400-\u9fff]")


def _tidy(reading: list[Glyph]) -> list[Glyph]:
    """A dash printed for a blank (—), which the Chinese model reads as the ideograph 一, as one dash;
    a speck beside a number, read as a point, dropped; a dash alone after a label's words dropped."""
    if reading and all(_DASHES.fullmatch(g.text) for g in reading):
        return [Glyph("—", reading[0].x0, reading[0].top, reading[-1].x1, reading[-1].bottom,
                      min(g.conf or 0.0 for g in reading))]
    if reading and all(_NUMBER.fullmatch(g.text.strip(".,，")) for g in reading):
        return [Glyph(g.text.strip(".,，"), g.x0, g.top, g.x1, g.bottom, g.conf) for g in reading]
    if len(reading) > 1 and _TRAILING_MARK.fullmatch(reading[-1].text) and _IDEOGRAPH.search(reading[-2].text):
        return reading[:-1]
    return reading


def _number(reading: list[Glyph]) -> str | None:
    """The number a reading gives, or None: words, dashes and silence give none (a dash or a slash is
    read as a blank, never as a wrong number, so it needs no vote)."""
    text = "".join(g.text for g in reading)
    return text if reading and _NUMBER.fullmatch(text) else None


def _confidence(reading: list[Glyph]) -> float:
    return min((g.conf or 0.0) for g in reading) if reading else -1.0


# A reading tesseract itself gives less than this confidence is its guess, not a reading: it neither
# supports nor contradicts a value (``2629`` read as ``26029`` at 32 by the Chinese model as a line,
# which reads it right as a word). Misreadings that matter come with high confidence (2029 at 86).
_GUESS = 40.0
_UNANIMOUS = 4


def _vote(readings: list[list[Glyph]]) -> list[Glyph] | None:
    """The value two readings or more give and none contradicts, as one glyph; None when no value is
    agreed on. Words, silence and guesses (under ``_GUESS``) abstain. The value's confidence is the
    second highest of the readings that give it (two readings at least that sure agree on it), or the
    highest where ``_UNANIMOUS`` readings or more give it (of five, both models among them)."""
    values = [(_number(r), r) for r in readings if not r or _confidence(r) >= _GUESS]
    given = {v for v, _ in values if v is not None}
    if len(given) != 1:
        return None
    (value,) = given
    agreeing = [r for v, r in values if v == value]
    if len(agreeing) < 2:
        return None
    first = agreeing[0]
    conf = sorted((min(g.conf or 0.0 for g in r) for r in agreeing), reverse=True)[len(agreeing) < _UNANIMOUS]
    return [Glyph(value, first[0].x0, first[0].top, first[-1].x1, first[-1].bottom, conf)]


def _otsu(image: Image.Image) -> Image.Image:
    """The image in black and white at the grey level that best separates ink from paper (Otsu)."""
    histogram = image.histogram()
    total = sum(histogram)
    grand = sum(level * count for level, count in enumerate(histogram))
    best, threshold, below, weighted = -1.0, 128, 0, 0
    for level, count in enumerate(histogram):
        below += count
        weighted += level * count
        above = total - below
        if below == 0 or above == 0:
            continue
        spread = below * above * (weighted / below - (grand - weighted) / above) ** 2
        if spread > best:
            best, threshold = spread, level
    return image.point(lambda v: 0 if v <= threshold else 255)


def _reread_digits(images: list[Image.Image], limits: Limits) -> list[tuple[list[Glyph], ...]]:
    """Three more readings of each disputed line, in line pixels, each pass one tesseract process for
    all the lines: binarised (Otsu) as one line by the English model restricted to digits, and as one
    word by that model and by the Chinese one. Read as a word, a number is read whole by a model that
    stumbles over it as a line (2629 as 26029), and the Chinese model stays a second opinion
    independent of the English one."""
    if not images:
        return []
    binary = run_tesseract_many([_otsu(im) for im in images], limits, psm=7, lang="eng", extra=_DIGIT_WHITELIST)
    word = run_tesseract_many(images, limits, psm=8, lang="eng", extra=_DIGIT_WHITELIST)
    chinese = run_tesseract_many(images, limits, psm=8)
    return list(zip(binary, word, chinese))
