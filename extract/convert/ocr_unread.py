"""What the cell reader left unread in a page without rulings (``ocr_lines``): a unit cut from its number,
and a label's words the cell reader refused.

The cell reader (``ocr_cells.read_cells``) reads a short piece as a number only where its models agree,
and leaves the rest unread: right for a value, which is then null and flagged, but a unit (``件``) cut
from its number by a blank wider than a cell's padding then stands as a blank value of its own, and a
wide piece of a label (``“三安全一稳定”``) is dropped, its row's label no longer found.
"""

from __future__ import annotations

import re

from PIL import Image

from extract.convert.geometry import Glyph, is_cjk
from extract.convert.limits import Limits
from extract.convert.ocr_ink import text_lines
from extract.convert.tesseract import run_tesseract_many

# Digits stand lower than ideographs: three quarters of a line of text.
DIGIT_HEIGHT = 0.85
# A piece that could not be read, no wider than this many line heights, stood where a number does: it
# is kept as a blank read at confidence 0 (flagged, never a value), so the values after it keep their
# places in the row rather than sliding into its column.
UNREAD_VALUE = 2.0
# An unread piece as high as an ideograph (not a digit's height), no wider than this many line heights,
# and less than ``_UNIT_GAP`` line heights after a number alone on its line, is that number's unit (``1``
# ``件``, cut apart by a blank wider than a cell's padding in a large type): it goes with its number, and
# the row keeps one value to a cell.
_UNIT_WIDTH = 1.3
_UNIT_GAP = 1.0
NUMBER = re.compile(r"\d[\d,.]*")
# A label's number before its words (``5.要求…``), the only digits a reading of words may hold.
_ENUMERATION = re.compile(r"^\s*\d{1,2}\s*[.、．]")


def units_kept(mask: Image.Image, glyphs: list[Glyph], height: int) -> list[Glyph]:
    """Unread pieces of one ideograph close after a number alone (``_UNIT_WIDTH``): its unit, joined to it
    (the number's text and confidence, over both boxes). Any other unread piece stays a blank read at
    confidence 0 (``UNREAD_VALUE``), which keeps the values after it in their places."""
    out: list[Glyph] = []
    for g in glyphs:
        before = out[-1] if out else None
        if (before is not None and g.text == "—" and not g.conf and NUMBER.fullmatch(before.text)
                and g.x1 - g.x0 <= _UNIT_WIDTH * height and abs(g.cy - before.cy) < height / 3
                and 0 <= g.x0 - before.x1 < _UNIT_GAP * height and _ideograph(mask, g, height)):
            out[-1] = Glyph(before.text, before.x0, min(before.top, g.top), g.x1, max(before.bottom, g.bottom),
                            before.conf)
        else:
            out.append(g)
    return out


def _ideograph(mask: Image.Image, glyph: Glyph, height: int) -> bool:
    """Whether a glyph's ink is one line of an ideograph's height, higher than digits (``DIGIT_HEIGHT``)."""
    box = (int(glyph.x0), int(glyph.top), int(glyph.x1), int(glyph.bottom))
    lines = text_lines(mask.crop(box), shortest=1)
    return len(lines) == 1 and lines[0][1] - lines[0][0] >= DIGIT_HEIGHT * height


def words_reread(image: Image.Image, boxes: list, height: int, limits: Limits) -> dict:
    """Pieces wider than a value that the cell reader left unread, read again as a line of words: part
    of a label (``“三安全一稳定”`` after ``3.危及``, whose quotes and last word the cell reader refuses;
    ``5.要求行政机关确认…``), which without it is dropped and its row's label not found. Only a reading of
    words (ideographs, no digit but a label's number before them) is kept, never a number: a value the cell
    reader could not read stays unread."""
    wide = [b for b in boxes if b[2] - b[0] > UNREAD_VALUE * height]
    margin = max(8, height // 2)
    sheets = []
    for x0, y0, x1, y1 in wide:
        sheet = Image.new("L", (x1 - x0 + 2 * margin, y1 - y0 + 2 * margin), 255)
        sheet.paste(image.crop((x0, y0, x1, y1)), (margin, margin))
        sheets.append(sheet)
    out = {}
    for box, read in zip(wide, run_tesseract_many(sheets, limits)):
        text = _ENUMERATION.sub("", "".join(w.text for w in read), count=1)
        if sum(map(is_cjk, text)) >= 2 and not any(c.isdigit() for c in text):
            out[box] = [w for w in read if w.text]
    return out
