"""Format converters: bytes of a stored document -> ``Document``. The format is sniffed from the bytes.

Each converter lives in its own module and maps one family of formats to a ``Document``; nothing
downstream knows which format a report came in.
"""

from __future__ import annotations

from extract.document import ConversionError, Document


def sniff(data: bytes) -> str:
    """The format of a document, judged from its bytes alone (never the file name or Content-Type)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<meta", b"<head", b"<body", b"<div", b"<table", b"<?xml")) or (
        b"<html" in head or b"<table" in head or b"<body" in head
    ):
        return "html"
    return "text"


def convert(data: bytes, *, filename: str | None = None) -> Document:
    """Convert a document's bytes, whatever its format, into a ``Document``."""
    if not data:
        raise ConversionError(f"{filename or 'document'}: empty file (0 bytes)")
    kind = sniff(data)
    if kind == "html":
        from extract.convert.html import convert_html

        return convert_html(data)
    from extract.convert.text import convert_text

    return convert_text(data)
