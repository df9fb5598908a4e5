"""The document store: every downloaded body kept once by SHA-256, and a SQLite log of every fetch.

This is the boundary between crawling and everything after it. The crawler writes here; extraction
and the archive only read. Layout under ``DATA/store/``:

- ``blobs/ab/cd/<sha256>``: bodies, content-addressed, written atomically (temp file + rename), never
  rewritten.
- ``store.db``: ``runs`` (one per crawl), ``fetches`` (one per request made, whatever its outcome),
  ``documents`` (one per version of a report page or attachment at a URL: a changed body at the same
  URL is a new version, a vanished one gets ``gone_on``).
- ``warc/``: one WARC file per crawl run.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from nianbao.paths import DataDir


class BlobStore:
    """Content-addressed files: the same bytes are stored once, whatever URL they came from."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, body: bytes) -> str:
        digest = hashlib.sha256(body).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def __contains__(self, sha256: str) -> bool:
        return self.path(sha256).exists()


@dataclass
class StoredDocument:
    """One version of one report page or attachment, as extraction and the archive see it."""

    id: int
    url: str
    version: int
    sha256: str
    portal_id: str | None
    kind: str  # "page" (an HTML report page) or "attachment"
    parent_url: str | None  # for an attachment: the report page it was linked from
    listing_url: str | None
    title: str | None
    listed_date: str | None
    filename: str | None
    content_type: str | None
    size: int
    first_seen: str
    last_seen: str
    gone_on: str | None
    blob_path: Path


def open_store_db(data: DataDir) -> sqlite_utils.Database:
    """The store's SQLite database, created with its tables if new."""
    data.store.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(data.store_db)
    db.execute("PRAGMA journal_mode=WAL")
    ensure_store_schema(db)
    return db


def ensure_store_schema(db: sqlite_utils.Database) -> None:
    if "runs" not in db.table_names():
        db["runs"].create(
            {
                "id": int,
                "started_at": str,
                "finished_at": str,
                "spider": str,
                "args": str,  # JSON
                "status": str,  # running, finished, interrupted
                "stats": str,  # JSON: Scrapy stats and our counters
                "warc_file": str,
            },
            pk="id",
        )
    if "fetches" not in db.table_names():
        db["fetches"].create(
            {
                "id": int,
                "run_id": int,
                "portal_id": str,
                "kind": str,  # robots, listing, page, attachment, api
                "url": str,
                "final_url": str,
                "listing_url": str,
                "method": str,
                "title": str,
                "listed_date": str,
                "status": int,  # HTTP status, null when no response
                "outcome": str,  # downloaded, unchanged, not_modified, failed, blocked, robots_denied, too_large
                "reason": str,
                "fetched_at": str,
                "elapsed_ms": float,
                "size": int,
                "sha256": str,
                "content_type": str,
                "content_disposition": str,
                "filename": str,
                "etag": str,
                "last_modified": str,
                "headers": str,  # JSON
            },
            pk="id",
            foreign_keys=[("run_id", "runs", "id")],
        )
        db["fetches"].create_index(["url"])
        db["fetches"].create_index(["run_id", "outcome"])
    if "documents" not in db.table_names():
        db["documents"].create(
            {
                "id": int,
                "url": str,
                "version": int,
                "sha256": str,
                "portal_id": str,
                "kind": str,
                "parent_url": str,
                "listing_url": str,
                "title": str,
                "listed_date": str,
                "filename": str,
                "content_type": str,
                "size": int,
                "first_seen": str,
                "last_seen": str,
                "gone_on": str,
                "fetch_id": int,
            },
            pk="id",
            foreign_keys=[("fetch_id", "fetches", "id")],
        )
        db["documents"].create_index(["url", "version"], unique=True)
        db["documents"].create_index(["sha256"])


def iter_documents(data: DataDir, *, include_gone: bool = True) -> Iterator[StoredDocument]:
    """Every stored document version, oldest first."""
    if not data.store_db.exists():
        return
    db = open_store_db(data)
    blobs = BlobStore(data.blobs)
    where = None if include_gone else "gone_on is null"
    for row in db["documents"].rows_where(where, order_by="id"):
        row = dict(row)
        row.pop("fetch_id", None)
        yield StoredDocument(**row, blob_path=blobs.path(row["sha256"]))
