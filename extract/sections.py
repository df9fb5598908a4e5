"""Finding the six sections of a report by their headings, whatever numbering style they carry.

Headings come as ``一、总体情况``, ``## 二、主动公开政府信息情况``, ``（三）…``, or lose their numbers
altogether; a heading is a short line carrying the words only that section's title has. Row labels
such as ``四、结转下年度继续办理`` or ``三、本年度办理结果`` are not headings.
"""

from __future__ import annotations

import re
from functools import lru_cache

from extract.templates import SECTION_HEADINGS
from extract.values import normalize

SECTIONS = ("sec1", "sec2", "sec3", "sec4", "sec5", "sec6")
MAX_HEADING_LENGTH = 32
_MARKDOWN = re.compile(r"^#+")


@lru_cache(maxsize=8192)
def heading_section(text: str) -> str | None:
    """The section a line opens, or None when it is not a section heading."""
    if len(text) > 4 * MAX_HEADING_LENGTH:
        return None
    compact = _MARKDOWN.sub("", normalize(text))
    if not compact or len(compact) > MAX_HEADING_LENGTH or re.search(r"\d{2,}", compact):
        return None
    for section, alternatives, forbidden in SECTION_HEADINGS:
        if any(all(word in compact for word in words) for words in alternatives) and not any(
            word in compact for word in forbidden
        ):
            return section
    return None


_NUMBERED = re.compile(r"[一二三四五六七八九十]+、")
_TITLE_ENDS = ("情况", "事项", "概述")


def split_inline_headings(text: str) -> list[str]:
    """A long line cut before and after every section heading inside it (a page body kept as one line).

    ``…联系。 一、总体情况 2022年，…`` → ``["…联系。", "一、总体情况", "2022年，…"]``. Only numbered
    headings whose title ends the way section titles end (``情况``, ``事项``) are cut out, so row labels
    such as ``二、上年结转政府信息公开申请数量`` stay where they are.
    """
    if len(text) <= 4 * MAX_HEADING_LENGTH:
        return [text]
    pieces: list[str] = []
    cursor = 0
    for match in _NUMBERED.finditer(text):
        if match.start() < cursor:
            continue
        window = text[match.start() : match.start() + 2 * MAX_HEADING_LENGTH]
        for end in sorted({window.find(word) + len(word) for word in _TITLE_ENDS if word in window}):
            heading = window[:end]
            if heading_section(heading):
                pieces += [text[cursor : match.start()], heading]
                cursor = match.start() + end
                break
    pieces.append(text[cursor:])
    return [piece.strip() for piece in pieces if piece.strip()]
