"""Lines of text to rows of cells: the text layouts real report texts arrive in.

A converter hands the parser paragraphs for every line it did not recognise as a table. Many are table
rows all the same:

- pipe rows with or without the leading and trailing ``|`` (``规章 | 0 | 0 | 0 |``), ``| |||`` runs of
  empty cells, and one cell per line ending in `` |`` with a lone ``|`` between rows (a web page's table
  flattened by a search engine);
- cells run together with no separator at all (``规章000``, ``…申请数量713000074二、上年结转…``): the label
  is kept apart from its digits, and the digits stay one token, marked ``glued``, for the table reader
  to split where the template's sums allow exactly one split (``extract.digits``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, replace

from extract.document import Cell

PIPES = "|｜"
_PIPE_SPLIT = re.compile(r"[|｜]")
# A number as printed in a table cell: digits with an optional decimal part, ASCII after NFKC.
_TOKEN = re.compile(r"\d+(?:\.\d+)?")
# After a number, these make it a count in a sentence or a date, never a bare table cell.
_UNIT_AFTER = set("年月日号件条份个项次人元万%‰岁名家户期篇场届级批余多")
_OPEN_BEFORE = set("〔[【(（《<第约共近")  # 〔2019〕60号, 第1项, 共3件: not cells
_LABEL_END = set(")）”\"'】」")
_NUMBERING_AFTER = set(".、．")
# The cheap test first: a digit right after a Chinese character or a closing bracket, or right before one.
_MAYBE_GLUED = re.compile(r"[\u4e00-\u9fff)）”\"'】」][0-9０-９]|[0-9０-９][\u4e00-\u9fff]")


@dataclass
class GluedCell(Cell):
    """Digits that ran into a label or into other digits: one token that may hold several cells."""

    glued: bool = True


def pipe_cells(text: str) -> list[str] | None:
    """A pipe row's fields, or None when the line is not one. A lone ``|`` is one empty field."""
    stripped = text.strip()
    if not stripped or not any(p in stripped for p in PIPES):
        return None
    fields = [f.strip() for f in _PIPE_SPLIT.split(stripped)]
    if stripped[0] in PIPES:
        fields = fields[1:]
    if stripped[-1] in PIPES and fields:
        fields = fields[:-1]
    return fields or [""]


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def glued_segments(text: str) -> list[tuple[str, list[tuple[str, bool]]]] | None:
    """``规章000行政规范性文件8855698`` → ``[("规章", [("000", True)]), ("行政规范性文件", [("8855698", True)])]``.

    Returns None unless the text holds at least one number run into a label (a CJK character or a
    closing bracket right before it, no unit or date character right after). Numbers separated by
    spaces stay separate tokens (``glued`` when touching text, or alone after their label); a digit
    right before ``.``/``、`` and a label is the next row's numbering (``…0000000`` + ``2.其他法律…``).
    """
    if not _MAYBE_GLUED.search(text):
        return None
    folded = unicodedata.normalize("NFKC", text)
    if len(folded) != len(text):
        return None  # NFKC changed the length (ligatures, rare symbols): positions would not line up
    tokens: list[tuple[int, int, bool]] = []
    glued_any = False
    for match in _TOKEN.finditer(folded):
        start, end = match.span()
        before = folded[start - 1] if start else ""
        after = folded[end] if end < len(folded) else ""
        # OCR puts a space between a number and its unit (``393 件``): still a count in a sentence.
        unit_after = folded[end:].lstrip()[:1] in _UNIT_AFTER
        if before in _OPEN_BEFORE or unit_after or before.isalpha() and not _is_cjk(before):
            continue
        if after in _NUMBERING_AFTER and end + 1 < len(folded) and not folded[end + 1].isdigit():
            end -= 1  # the next row's numbering: "…0000000" + "2.其他法律…"
            if end <= start:
                continue
            after = folded[end]
        touches_label = _is_cjk(before) or before in _LABEL_END
        touches_right = bool(after) and not after.isspace() and after not in _UNIT_AFTER
        if after and not (after.isspace() or _is_cjk(after) or after in "(（" or after.isdigit()):
            continue
        glued = touches_label or touches_right
        glued_any |= touches_label or (touches_right and _is_cjk(after))
        tokens.append((start, end, glued))
    if not glued_any:
        return None
    segments: list[tuple[str, list[tuple[str, bool]]]] = []
    cursor = 0
    for start, end, glued in tokens:
        label = text[cursor:start]
        if label.strip() or not segments:
            segments.append((label.strip(), []))
        segments[-1][1].append((folded[start:end], glued))
        cursor = end
    tail = text[cursor:].strip()
    if tail:
        segments.append((tail, []))
    # In a line whose cells ran together, a label's lone token may be a whole row run together too.
    return [(label, [(values[0][0], True)] if len(values) == 1 else values) for label, values in segments]


def glued_rows(text: str, like: Cell) -> list[list[Cell]] | None:
    """The rows of a text whose cells ran together, each ``[label, value…]``; None for any other text."""
    segments = glued_segments(text)
    if segments is None:
        return None
    rows: list[list[Cell]] = []
    for label, values in segments:
        row: list[Cell] = [replace(like, text=label)] if label else []
        for token, glued in values:
            row.append(GluedCell(**{**asdict(like), "text": token}) if glued else replace(like, text=token))
        rows.append(row)
    return rows
