"""The archived originals: a document's stored bytes and the WARC record they came from.

The site is read-only over a snapshot; the bodies live in the store (``DATA/store/blobs``, named by
SHA-256) and the WARC files beside them. A body is served only when the archive names its SHA-256 as
a document: the route takes nothing but 64 hex digits, and the file's path is derived from them, never
from the request. The type is the one the parser sniffed from the bytes (portals call PDFs
``application/octet-stream`` and HTML ``.doc``), never the portal's word; HTML is served under a CSP
``sandbox`` (no scripts, no requests to the live portal, no same-origin access), and every response
says ``nosniff``.
"""

from __future__ import annotations

import base64
import sqlite3
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlsplit

from archive.blobs import BlobStore
from archive.paths import DataDir
from archive.site.labels import one, placeholders
from archive.warcs import record_path
from extract.convert.sniff import sniff
from extract.decode import html_declared_charset

# Types of what the parser sniffs (``extract.convert.sniff.FORMATS``); the rest are octet-stream.
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "html": "text/html",
    "text": "text/plain",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "rtf": "application/rtf",
    "ofd": "application/ofd",
    "zip": "application/zip",
}
_IMAGES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif"),
           (b"II*\x00", "image/tiff"), (b"MM\x00*", "image/tiff"), (b"BM", "image/bmp"))
# Shown in the browser; the others are downloaded.
_INLINE = ("application/pdf", "text/html", "text/plain", "image/")
# No scripts, plugins, forms or same-origin access; nothing fetched from the live portal; inline styles
# and embedded images only, so the page still reads as it was published.
SANDBOX_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Original:
    sha256: str
    path: Path
    media_type: str
    filename: str
    size: int

    @property
    def headers(self) -> dict[str, str]:
        """Everything but Content-Type and Content-Length."""
        disposition = "inline" if self.media_type.startswith(_INLINE) else "attachment"
        ascii_name = self.filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
        headers = {
            "content-disposition": f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(self.filename)}",
            "x-content-type-options": "nosniff",
            "cache-control": IMMUTABLE,
            "etag": f'"{self.sha256}"',
            "repr-digest": f"sha-256=:{base64.b64encode(bytes.fromhex(self.sha256)).decode()}:",
        }
        if not self.media_type.startswith("application/pdf"):
            headers["content-security-policy"] = SANDBOX_CSP
        return headers


def find_original(conn: sqlite3.Connection, data: DataDir, sha256: str) -> Original | None:
    """The stored body of a document the archive names, or None (not a document, or not in this store)."""
    doc = one(conn, "SELECT url, filename, format, content_type FROM documents WHERE sha256 = ? ORDER BY id LIMIT 1",
              [sha256])
    path = BlobStore(data.blobs).path(sha256)
    if doc is None or not path.is_file():
        return None
    media_type = _media_type(doc["format"], doc["content_type"], path)
    return Original(sha256, path, media_type, _filename(doc["filename"], doc["url"], sha256, doc["format"]),
                    path.stat().st_size)


def _media_type(fmt: str | None, declared: str | None, path: Path) -> str:
    if fmt is None:  # the parser could not read it: sniff the bytes ourselves
        fmt = sniff(path.read_bytes())
    if fmt == "image":
        head = path.read_bytes()[:16]
        return next((kind for magic, kind in _IMAGES if head.startswith(magic)), "application/octet-stream")
    media_type = MEDIA_TYPES.get(fmt, "application/octet-stream")
    if media_type.startswith("text/"):
        media_type += f"; charset={_charset(path.read_bytes(), declared, media_type == 'text/html')}"
    return media_type


def _charset(body: bytes, declared: str | None, html: bool) -> str:
    """The portal's declared charset if it decodes the body, else the page's own, else UTF-8 or GB18030."""
    candidates = []
    if declared and "charset=" in declared.lower():
        candidates.append(declared.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'"))
    if html:
        candidates.append(html_declared_charset(body) or "")
    for name in [c for c in candidates if c] + ["utf-8"]:
        try:
            body.decode(name)
            return name
        except (LookupError, UnicodeDecodeError):
            continue
    return "gb18030"


def _filename(filename: str | None, url: str, sha256: str, fmt: str | None) -> str:
    name = filename or PurePosixPath(urlsplit(url).path).name
    return name or f"{sha256[:16]}.{fmt or 'bin'}"


@dataclass(frozen=True)
class WarcRecord:
    """The response record of a document's body (and its request record right after it) in a WARC file."""

    warc_file: str
    offset: int
    length: int
    record_id: str
    uri: str
    date: str
    path: Path

    @property
    def filename(self) -> str:
        return f"{PurePosixPath(self.warc_file).name.removesuffix('.warc.gz')}-{self.offset}.warc.gz"


def find_warc_record(conn: sqlite3.Connection, data: DataDir, document_id: int) -> WarcRecord | None:
    """The WARC record a document's body was first fetched in: its own URL's record if there is one."""
    record = one(
        conn,
        """SELECT w.warc_file, w.offset, w.length + coalesce(w.request_length, 0) AS length, w.record_id,
                  w.uri, w.date
           FROM documents d JOIN warc_records w ON w.sha256 = d.sha256
           WHERE d.id = ? ORDER BY w.uri = d.url DESC, w.date, w.warc_file, w.offset LIMIT 1""",
        [document_id],
    )
    if record is None:
        return None
    path = record_path(data, record["warc_file"])
    return WarcRecord(**record, path=path) if path.is_file() else None


def warc_records(conn: sqlite3.Connection, document_ids: list[int]) -> dict[int, dict]:
    """For the report page: each document's WARC record (file, offset, id, date), where one is indexed."""
    if not document_ids:
        return {}
    found: dict[int, dict] = {}
    for row in conn.execute(
        f"""SELECT d.id, w.warc_file, w.offset, w.record_id, w.date, w.uri = d.url AS own
            FROM documents d JOIN warc_records w ON w.sha256 = d.sha256
            WHERE d.id IN ({placeholders(document_ids)})
            ORDER BY d.id, own DESC, w.date""",
        document_ids,
    ):
        found.setdefault(row[0], {"warc_file": row[1], "offset": row[2], "record_id": row[3], "date": row[4]})
    return found
