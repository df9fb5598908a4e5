"""Full-width marks on a scanned line without rulings, where ``ocr_lines`` cuts it into pieces at blanks.

A full-width mark (``（`` ``）`` ``：`` ``，`` ``、``) prints its ink at one side of its square and leaves the
rest blank, as wide as the blank between two cells: a line cut where its ink is falls apart at its
marks, where a PDF's glyph boxes (the marks' whole squares) leave no gap. Here the pieces a mark cut
apart are joined again, and the enumerators the Chinese model misreads in brackets are read for what
they are. Pixel helpers for the ink of a piece (its columns, its marks) are shared with ``ocr_lines``.
"""

from __future__ import annotations

import re

from PIL import Image

from extract.convert.geometry import Glyph

# Full-width marks, which print their ink at one side of their square (the reader takes ``（`` for ``《``
# or ``(``), and how far (line heights) a mark's blank may keep its piece from the next.
_OPENING = "（(《〈「『“【〔"
_CLOSING = "）)》〉」』”】〕"
_MARKS = _OPENING + _CLOSING + "，,。、：:；;"
_MARK_GAP = 0.9
# A small mark (：，、。) is narrower than this share of a line and lower than that share.
_SMALL_MARK = 0.35
_SMALL_MARK_HEIGHT = 0.6
VALUE_MARK = re.compile(r"[\d.,]+|[—\-一=_~]+")


def join_marks(placed: list[tuple[Glyph, bool, bool]], height: float) -> list[Glyph]:
    """Pieces joined across the blank a full-width mark leaves beside its ink (``（``, ``）``, ``：``, ``，``).

    A mark's ink stands at one side of its square and leaves the rest blank: cut where the ink is, a
    label falls apart at its marks (``第二十条第`` ``（`` ``一`` ``）`` ``项``), and the ``一`` between
    brackets reads as a dash printed for a blank, a value standing before the row's label. A PDF's glyph
    boxes are the marks' whole squares, with no gap; here a piece that ends in a mark (or starts with
    one) is read with its neighbour on the line when the blank between them is no wider than a mark's.
    A value is never joined, but for the one number or dash between two brackets (``（一）``, ``(2)``).
    The reader drops a small mark at a piece's end (``为：`` read as ``为``): a piece of words whose ink
    ends in a mark goes on into words after it just as well: ``placed`` holds each glyph with whether its
    piece is words whose ink ends in a mark (``ends_in_mark``), and whether it is too wide for a number."""
    out: list[tuple[Glyph, bool, bool]] = []
    pending = sorted(placed, key=lambda item: (round(item[0].cy / height), item[0].x0))
    for k, (g, mark_end, wide) in enumerate(pending):
        before = next((item for item in reversed(out) if abs(item[0].cy - g.cy) < height / 2
                       and item[0].x1 <= g.x0 + 1), None)
        after = pending[k + 1][0] if k + 1 < len(pending) else None
        if before is None or not g.text or g.x0 - before[0].x1 > _MARK_GAP * height:
            out.append((g, mark_end, wide))
            continue
        prev, inked_mark, _ = before
        enclosed = (prev.text[-1:] in _OPENING and after is not None and after.text[:1] in _CLOSING
                    and abs(after.cy - g.cy) < height / 2 and after.x0 - g.x1 <= _MARK_GAP * height)
        words = not (VALUE_MARK.fullmatch(g.text) or VALUE_MARK.fullmatch(prev.text))
        read_mark = prev.text[-1:] in _MARKS or g.text[:1] in _MARKS
        if not (enclosed or words and (read_mark or inked_mark and wide)):
            out.append((g, mark_end, wide))
            continue
        out.remove(before)
        confs = [c for c in (prev.conf, g.conf) if c is not None]
        out.append((Glyph(prev.text + g.text, prev.x0, min(prev.top, g.top), g.x1, max(prev.bottom, g.bottom),
                          min(confs) if confs else None), mark_end, wide))
    return [Glyph(_enumerator(g.text), g.x0, g.top, g.x1, g.bottom, g.conf) for g, _, _ in out]


# An enumerator in full-width brackets as the Chinese model reads it: ``（`` as ``《``, and ``一`` alone
# between brackets as a dash.
_MISREAD_OPENING = re.compile(r"《([^《》()（）]{1,3})[)）]")
_DASH_NUMERAL = re.compile(r"[（(][—\-][)）]")


def _enumerator(text: str) -> str:
    """``《七)总计`` as ``（七）总计``, ``（—）`` as ``（一）``: a 《 closed by a bracket is an opening bracket."""
    return _DASH_NUMERAL.sub("（一）", _MISREAD_OPENING.sub(r"（\1）", text))


def ends_in_mark(mask: Image.Image, box: tuple[int, int, int, int], height: float) -> bool:
    """Whether a piece's last mark of ink is a small punctuation mark (``：``, ``，``, ``、``, ``。``): narrower
    than a third of a line and lower than half of one; a digit, even ``1``, is taller."""
    crop = mask.crop(box)
    marks = ink_marks(inked_columns(crop))
    if len(marks) < 2:
        return False
    a, b = marks[-1]
    ink = crop.crop((a, 0, b, crop.height)).getbbox()
    return ink is not None and b - a <= _SMALL_MARK * height and ink[3] - ink[1] <= _SMALL_MARK_HEIGHT * height


def inked_columns(crop: Image.Image) -> list[bool]:
    """Whether each pixel column of a 0/1 mask holds ink."""
    data = crop.transpose(Image.Transpose.TRANSPOSE).tobytes()
    rows = crop.height
    return [data.count(1, x * rows, (x + 1) * rows) > 0 for x in range(crop.width)]


def ink_marks(inked: list[bool]) -> list[tuple[int, int]]:
    """Runs of inked pixel columns (start, end): the marks of a line, a blank column at least between."""
    runs: list[tuple[int, int]] = []
    start = None
    for x, on in enumerate([*inked, False]):
        if on and start is None:
            start = x
        elif not on and start is not None:
            runs.append((start, x))
            start = None
    return runs
