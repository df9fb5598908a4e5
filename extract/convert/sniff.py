"""Format detection from the bytes alone.

Portals mislabel attachments freely (a ``.doc`` that is HTML, a PDF served as
``application/octet-stream``, a ``.wps`` that is a Word file), so the name and Content-Type are never
consulted: the magic number says which container it is, and the container's structure (OLE stream
names, zip member names) says which format inside it.
"""

from __future__ import annotations

import io
import zipfile

from extract.decode import utf16_without_bom

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")

# What a sniffed kind is called in ``Document.source_format`` and error messages.
FORMATS = (
    "pdf", "docx", "doc", "wps", "ofd", "rtf", "odt", "fodt", "wordml", "wpd", "html", "text", "image",
    "zip", "ole", "encrypted-office", "empty", "binary",
)

# Word-processor formats that only LibreOffice reads: converted to DOCX by it, then read as DOCX.
LIBREOFFICE_FORMATS = ("doc", "wps", "rtf", "odt", "fodt", "wordml", "wpd")

ODF_TEXT_TYPES = (
    b"application/vnd.oasis.opendocument.text",  # .odt, and -template (.ott), -master (.odm)
    b"application/vnd.sun.xml.writer",  # OpenOffice.org 1 (.sxw)
)

_IMAGE_MAGICS = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"GIF87a", b"GIF89a", b"BM")
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<div", b"<table", b"<p>", b"<p ")


def sniff(data: bytes) -> str:
    """The format of a document, one of ``FORMATS``, judged from its bytes alone."""
    if not data:
        return "empty"
    # PDF readers accept a header anywhere in the first kilobyte (junk before it is common in the wild).
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(OLE_MAGIC):
        return _sniff_ole(data)
    if data.startswith(ZIP_MAGICS):
        return _sniff_zip(data)
    if data.startswith(b"{\\rtf"):
        return "rtf"
    if data.startswith(b"\xffWPC"):
        return "wpd"  # WordPerfect
    if data.startswith(_IMAGE_MAGICS) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return "image"
    return _sniff_markup_or_text(data)


def _sniff_ole(data: bytes) -> str:
    """Tell Word 97–2003 from Kingsoft WPS and Works inside an OLE2 compound file by its streams."""
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception:  # olefile raises assorted errors on damaged headers; any of them means "not readable"
        return "ole"
    try:
        streams = {"/".join(path).lower() for path in ole.listdir(streams=True, storages=False)}
        if "encryptedpackage" in streams or "encryptioninfo" in streams:
            return "encrypted-office"  # an OOXML file protected by a password is an OLE wrapper
        if any(s.startswith(("wpscustomdata", "ksc")) for s in streams):
            return "wps"
        if "worddocument" in streams:
            if "\x05documentsummaryinformation" in streams:
                summary = ole.openstream("\x05DocumentSummaryInformation").read(65536)
                if "KSOProductBuildVer".encode("utf-16-le") in summary or b"KSOProductBuildVer" in summary:
                    return "wps"
            return "doc"
        if "matost" in streams or ("contents" in streams and "spelling" in streams):
            return "wps"  # Microsoft Works word processor, also called .wps
        return "ole"
    finally:
        ole.close()


def _sniff_zip(data: bytes) -> str:
    """A zip is DOCX when it holds ``word/document.xml``, OFD when it holds ``OFD.xml``."""
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return "zip"  # truncated or corrupt: the converter reports it specifically
    lowered = {name.lower().lstrip("/") for name in names}
    if "word/document.xml" in lowered:
        return "docx"
    if "ofd.xml" in lowered:
        return "ofd"
    if _odf_mimetype(data, names).startswith(ODF_TEXT_TYPES):
        return "odt"
    return "zip"


def _odf_mimetype(data: bytes, names: list[str]) -> bytes:
    """An OpenDocument package names its type in a ``mimetype`` member, stored first and uncompressed so
    that it can be read at offset 38; a package written by other tools may have it anywhere."""
    if data[30:38] == b"mimetype":
        return data[38:38 + 80]
    if "mimetype" in names:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf, zf.open("mimetype") as fh:
                return fh.read(80)
        except (zipfile.BadZipFile, ValueError, OSError, RuntimeError):
            return b""
    return b""


def _sniff_markup_or_text(data: bytes) -> str:
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        # UTF-16 with a BOM: CJK text has control-range bytes everywhere, so judge the decoded text.
        head = head[: len(head) // 2 * 2].decode("utf-16", errors="ignore").encode("utf-8")
    elif head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if head[:200].count(b"\x00") > 20:  # UTF-16 text: look at it as ASCII-compatible for the markers
        head = head.replace(b"\x00", b"")
    lowered = head.lstrip(b" \t\r\n").lower()
    if lowered.startswith(b"<?xml") and b"<html" not in lowered:
        if b"office:document" in lowered and any(t in lowered for t in ODF_TEXT_TYPES):
            return "fodt"  # OpenDocument text as one flat XML file
        if b"<w:worddocument" in lowered or b'progid="word.document"' in lowered:
            return "wordml"  # Word 2003 XML
        return "text"  # XML that is not XHTML: hand it over as text rather than guess
    if lowered.startswith(b"mime-version:") and b"text/html" in lowered:
        return "html"  # Word's "single file web page" (MHTML), saved as .doc by some portals
    if lowered.startswith(b"<") and any(marker in lowered for marker in _HTML_MARKERS):
        return "html"
    if any(marker in lowered for marker in (b"<html", b"<body", b"<table")):
        return "html"
    if _looks_binary(head):
        # UTF-16 Chinese text without a BOM has control-range bytes everywhere too: judge what it decodes to.
        text = utf16_without_bom(head)
        if text is None:
            return "binary"
        return "html" if any(marker in text.lower() for marker in ("<html", "<body", "<table")) else "text"
    return "text"


def _looks_binary(head: bytes) -> bool:
    """Control bytes other than whitespace mean it is no text file in any encoding a portal uses."""
    controls = sum(1 for b in head if b < 0x20 and b not in (0x09, 0x0A, 0x0C, 0x0D, 0x1B))
    return controls > max(4, len(head) // 100)
