"""Format converters: bytes of a stored document -> ``Document``. The format is sniffed from the bytes.

Each converter lives in its own module and maps one family of formats to a ``Document``; nothing
downstream knows which format a report came in. Every failure is a ``ConversionError`` whose message
names the document and the reason, raised within the bounds of ``Limits``, so a batch records it and
goes on.
"""

from __future__ import annotations

import re
from pathlib import Path

from extract.convert.limits import DEFAULT_LIMITS, Limits
from extract.convert.sniff import LIBREOFFICE_FORMATS, sniff
from extract.document import ConversionError, Document

__all__ = ["DEFAULT_LIMITS", "Limits", "convert", "read_document", "sniff"]


_DATA_URI = re.compile(rb"data:[\w/+.-]{0,100};base64,[A-Za-z0-9+/=\s]{256,}")


def read_document(path: str | Path, *, limits: Limits | dict | None = None) -> bytes:
    """A file's bytes, after checking its size on disk: a file over ``Limits.max_bytes`` is refused
    before it is read into memory."""
    lim = Limits.resolve(limits)
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > lim.max_bytes:
            raise ConversionError(f"{path}: file of {size:,} bytes exceeds the limit of {lim.max_bytes:,} bytes")
        with path.open("rb") as fh:
            return fh.read(lim.max_bytes + 1)
    except OSError as exc:
        raise ConversionError(f"{path}: {exc.strerror or exc}") from exc


def convert(data: bytes, filename: str | None = None, *, limits: Limits | dict | None = None) -> Document:
    """Convert a document's bytes, whatever its format, into a ``Document``.

    ``filename`` is used only in error messages: the route is chosen by ``sniff`` from the bytes.
    """
    name = filename or "document"
    lim = Limits.resolve(limits)
    if not data:
        raise ConversionError(f"{name}: empty file (0 bytes)")
    if len(data) > lim.max_bytes:
        raise ConversionError(f"{name}: file of {len(data):,} bytes exceeds the limit of {lim.max_bytes:,} bytes")
    kind = sniff(data)
    try:
        return _route(kind, data, lim)
    except ConversionError as exc:
        message = str(exc)
        raise ConversionError(message if message.startswith(f"{name}:") else f"{name}: {message}") from exc


def _check_markup(data: bytes, lim: Limits) -> bytes:
    """Markup without its embedded images, within ``Limits.max_markup_bytes``: parsing costs memory
    many times the markup's size, so a page too big for a report is refused before it is parsed."""
    stripped = _DATA_URI.sub(b"data:,", data) if b"base64," in data else data
    if len(stripped) > lim.max_markup_bytes:
        raise ConversionError(
            f"markup of {len(stripped):,} bytes (embedded images aside) exceeds the limit of "
            f"{lim.max_markup_bytes:,} bytes: no report page is that long"
        )
    return stripped


def _route(kind: str, data: bytes, lim: Limits) -> Document:
    if kind in ("html", "text"):
        data = _check_markup(data, lim)
    if kind == "html":
        from extract.convert.html import convert_html

        return convert_html(data)
    if kind == "text":
        from extract.convert.text import convert_text

        return convert_text(data)
    if kind == "pdf":
        from extract.convert.pdf import convert_pdf

        return convert_pdf(data, limits=lim)
    if kind == "docx":
        from extract.convert.docx import convert_docx

        return convert_docx(data, limits=lim)
    if kind in LIBREOFFICE_FORMATS:
        from extract.convert.libreoffice import convert_legacy

        return convert_legacy(data, kind, limits=lim)
    if kind == "ofd":
        from extract.convert.ofd import convert_ofd

        return convert_ofd(data, limits=lim)
    if kind == "image":
        from extract.convert.ocr import convert_image

        return convert_image(data, limits=lim)
    if kind == "encrypted-office":
        raise ConversionError("password-protected Office document (OLE EncryptedPackage): cannot be read")
    if kind == "zip":
        from extract.convert.ziputil import check_zip

        check_zip(data, lim)  # raises the specific corruption error when there is one
        raise ConversionError("zip archive that is neither DOCX (word/document.xml), ODT (mimetype) nor OFD (OFD.xml)")
    if kind == "ole":
        raise ConversionError("OLE2 compound file that is not a Word or WPS document (no WordDocument stream)")
    raise ConversionError(f"unrecognised binary format (starts with {data[:8].hex()})")
