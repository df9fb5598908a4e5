"""Reading HTTP headers as Chinese portals send them: raw GBK bytes, RFC 5987, percent-encoding."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import unquote_to_bytes

from scrapy.http.headers import Headers


def decode_header(raw: bytes) -> str:
    """Header bytes as text: UTF-8 when valid, else GB18030 (a superset of GBK), else Latin-1."""
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def headers_to_dict(headers: Headers) -> dict[str, str]:
    """Scrapy headers flattened for the store: repeated values joined as HTTP allows."""
    return {
        decode_header(key): ", ".join(decode_header(value) for value in values)
        for key, values in headers.items()
    }


def _percent_decode(value: str, charset: str = "utf-8") -> str:
    raw = unquote_to_bytes(value)
    for encoding in (charset or "utf-8", "utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return raw.decode("latin-1")


_EXTENDED_RE = re.compile(r"filename\*\s*=\s*([\w-]*)'[^']*'([^;\s]+)", re.I)
_PLAIN_RE = re.compile(r"""filename\s*=\s*(?:"([^"]*)"|([^;]+))""", re.I)


def filename_from_disposition(raw: bytes | str | None) -> str | None:
    """The real filename in a Content-Disposition header.

    ``filename*=UTF-8''…`` (RFC 5987) wins over ``filename=``; a plain ``filename=`` may be raw GBK
    bytes or percent-encoded, both common on Hanweb ``downfile.jsp``.
    """
    if not raw:
        return None
    text = decode_header(raw) if isinstance(raw, bytes) else raw
    extended = _EXTENDED_RE.search(text)
    if extended:
        return _percent_decode(extended.group(2), extended.group(1)).strip() or None
    plain = _PLAIN_RE.search(text)
    if not plain:
        return None
    value = (plain.group(1) if plain.group(1) is not None else plain.group(2)).strip()
    if re.search(r"%[0-9A-Fa-f]{2}", value):
        value = _percent_decode(value)
    return value.rsplit("/", 1)[-1].rsplit("\\", 1)[-1] or None


def retry_after_seconds(value: bytes | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())

