"""Bytes to text, with the encoding detected rather than assumed.

Reports arrive in UTF-8, GB18030/GBK (old portals, Windows editors) and UTF-16 (Word's "Unicode text"),
UTF-16 sometimes without its BOM. GBK is always decoded as GB18030, its superset, so rare characters
survive.
"""

from __future__ import annotations

import codecs
import re

from extract.document import ConversionError

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_-]+)""", re.I)
_GB_ALIASES = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "gb_2312-80", "x-euc-cn", "euc-cn"}


def decode_text(data: bytes, *, declared: str | None = None) -> str:
    """Decode bytes whose encoding is unknown: BOM, then a declared charset that fits, then UTF-8, UTF-16
    without a BOM, GB18030."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if zeros_say := _utf16_by_zero_bytes(data):
        return data.decode(zeros_say, errors="replace")
    candidates: list[str] = []
    if declared:
        name = declared.strip().lower()
        candidates.append("gb18030" if name in _GB_ALIASES else name)
    candidates += ["utf-8", "gb18030"]
    for encoding in candidates:
        if encoding == "gb18030" and (utf16 := utf16_without_bom(data)) is not None:
            return utf16  # UTF-16 of Chinese text is often valid GB18030 too, as nonsense: tell it first
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


def utf16_without_bom(data: bytes) -> str | None:
    """The text, when these bytes are UTF-16 with no BOM and no zero bytes to tell it by.

    Chinese text in UTF-16 has no zero bytes (中 is ``2d 4e``), so it is told by what it decodes to: in
    one byte order nearly every character is one a report is written in (CJK, its punctuation,
    full-width forms, ASCII); in the other, and for UTF-8 or GB18030 bytes, most fall in Hangul, Yi,
    private-use or surrogate ranges.
    """
    if len(data) < 4:
        return None
    sample = data[:2048]
    scores = []
    for encoding in ("utf-16-le", "utf-16-be"):
        text = sample[: len(sample) // 2 * 2].decode(encoding, errors="replace")
        scores.append((len(_REPORT_CHARACTERS.findall(text)) / len(text), encoding))
    share, encoding = max(scores)
    return data[: len(data) // 2 * 2].decode(encoding, errors="replace") if share >= 0.9 else None


# Characters a Chinese report is written in: ASCII and its whitespace, Latin-1 signs (· ×), general
# punctuation (“” — …), number forms and enclosed numbers (Ⅰ ①), box drawing and shapes, CJK
# punctuation, enclosed CJK (㈠), CJK ideographs and extension A, compatibility ideographs and forms,
# full-width forms.
_REPORT_CHARACTERS = re.compile(
    r"[\t\n\r\x20-\x7e\xa0-\xff\u2000-\u206f\u2100-\u218f\u2460-\u25ff\u3000-\u303f\u3200-\u32ff"
    r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
)


def _utf16_by_zero_bytes(data: bytes) -> str | None:
    """UTF-16 without a BOM, told by its ASCII characters: every other byte of them is zero (the second
    of each pair in little-endian, the first in big-endian). Returns the byte order's codec, or None."""
    sample = data[:2000]
    if len(sample) < 4:
        return None
    zeros_even = sample[0::2].count(0)
    zeros_odd = sample[1::2].count(0)
    half = len(sample) / 2
    if max(zeros_even, zeros_odd) > 0.3 * half and min(zeros_even, zeros_odd) < 0.05 * half:
        return "utf-16-le" if zeros_odd > zeros_even else "utf-16-be"
    return None
