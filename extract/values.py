"""Reading one printed cell as a number, per TEMPLATE.md's rules on values.

Full-width digits, thousands separators and a trailing unit parse to the number; blank, ``/``, ``-``,
``—`` and ``无`` mean the report gives no number, which is null and never a guessed 0.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from extract.record import Number

NULL_MARKERS = frozenset({"", "/", "／", "\\", "-", "－", "—", "——", "–", "―", "─", "无", "無", "空", "——/", "*"})
UNITS = ("万元", "件", "条", "个", "项", "次", "元", "份", "宗")
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_SPACES = re.compile(r"[\s\u00a0\u3000\u2002-\u200b]+")
_SEPARATE_NUMBERS = re.compile(r"\d[件条]?[\s\u00a0\u3000]+[+-]?\d")
_MINUS = str.maketrans({"−": "-", "﹣": "-", "＋": "+"})


def normalize(text: str) -> str:
    """NFKC (full-width digits and punctuation to ASCII) and no whitespace at all.

    Cells and labels repeat across rows and reports, so short strings are cached; whole documents
    are not, which keeps memory flat over a large batch.
    """
    return _normalize_short(text) if len(text) <= 256 else _normalize(text)


def _normalize(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).translate(_MINUS)


_normalize_short = lru_cache(maxsize=16384)(_normalize)


@lru_cache(maxsize=8192)
def parse_value(text: str) -> tuple[bool, Number | None]:
    """``(is_value, number)``: whether the cell holds a value (a number or a null marker), and which.

    A cell that is neither (a label, a sentence) returns ``(False, None)``.
    """
    compact = normalize(text)
    if compact in NULL_MARKERS:
        return True, None
    if _SEPARATE_NUMBERS.search(unicodedata.normalize("NFKC", text)):
        return False, None  # several numbers in one cell (a flattened row), not one number
    for unit in UNITS:
        if compact.endswith(unit) and len(compact) > len(unit):
            compact = compact[: -len(unit)]
            break
    if not _NUMBER.match(compact):
        return False, None
    compact = compact.replace(",", "")
    if "." in compact:
        return True, float(compact)
    return True, int(compact)


def is_value(text: str) -> bool:
    return parse_value(text)[0]


def split_trailing_values(text: str) -> tuple[str, list[str]]:
    """Split ``规章 0 0 0`` (a row flattened into one line, as pdftotext prints it) into label and values.

    Only space-separated tokens at the end that are numbers or null markers are split off, and only when
    something that is not a value stands before them or several values stand alone.
    """
    tokens = text.split()
    values: list[str] = []
    while tokens and is_value(tokens[-1]) and normalize(tokens[-1]) != "":
        values.insert(0, tokens.pop())
    if not values:
        return text, []
    label = " ".join(tokens)
    if not label and len(values) == 1:
        return "", values
    if label and normalize(label)[-1:] in {"第", "共", "为"}:
        return text, []
    return label, values
