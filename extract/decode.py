"""Bytes to text, with the encoding detected rather than assumed.

Reports arrive in UTF-8, GB18030/GBK (old portals, Windows editors) and UTF-16 (Word's "Unicode text").
GBK is always decoded as GB18030, its superset, so rare characters survive.
"""

from __future__ import annotations

import codecs
import re

from extract.document import ConversionError

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_-]+)""", re.I)
_GB_ALIASES = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "gb_2312-80", "x-euc-cn", "euc-cn"}


def decode_text(data: bytes, *, declared: str | None = None) -> str:
    """Decode bytes whose encoding is unknown: BOM, then a declared charset that fits, then UTF-8, GB18030."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if _looks_utf16(data):
        return data.decode("utf-16-le" if data[1:2] == b"\x00" else "utf-16-be", errors="replace")
    candidates: list[str] = []
    if declared:
        name = declared.strip().lower()
        candidates.append("gb18030" if name in _GB_ALIASES else name)
    candidates += ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ConversionError("cannot detect the text encoding (not UTF-8, GB18030 or UTF-16)")
    return str(best)


def html_declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a BOM: every other byte of ASCII-range text is zero."""
    sample = data[:2000]
    if len(sample) < 4:
        return False
    zeros_even = sample[0::2].count(0)
    zeros_odd = sample[1::2].count(0)
    half = len(sample) / 2
    return max(zeros_even, zeros_odd) > 0.3 * half and min(zeros_even, zeros_odd) < 0.05 * half
