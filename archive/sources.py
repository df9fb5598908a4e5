"""Copying what earlier stages left in the data directory into the archive: registry, documents, fetches.

The archive keeps every document version's metadata (URL, times, hash, format) but never its body: the
bodies stay in the content-addressed store, and ``documents.blob`` names the file under ``DATA/store/``.
Copies are upserts keyed by the store's own ids, so syncing twice writes the same rows.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import sqlite_utils

from archive.organs import registry_identity, upsert_registry_organ
from archive.paths import DataDir
from archive.registry import CRAWL_ONLY, load_registry
from archive.store_reader import StoreReader, iter_documents

_FETCH_COLUMNS = (
    "id",
    "run_id",
    "portal_id",
    "kind",
    "url",
    "final_url",
    "status",
    "outcome",
    "reason",
    "fetched_at",
    "size",
    "content_type",
    "sha256",
)


def sync_registry(db: sqlite_utils.Database, registry: Path) -> int:
    """Portals and their organs from the registry CSV; returns the number of portals.

    A row without ``region_code`` or ``level`` gets them from its organ's identity, so the archive's
    ``portals`` always say which region each portal serves.
    """
    if not registry.exists():
        return 0
    rows = []
    for portal in load_registry(registry):
        row = {k: v for k, v in asdict(portal).items() if k not in CRAWL_ONLY}
        if row["organ"]:
            identity = registry_identity(row)
            row["region_code"] = row["region_code"] or identity.region_code or ""
            row["level"] = identity.level or row["level"]
        rows.append(row)
    db["portals"].upsert_all(rows, pk="site_id")
    for row in rows:
        if row["organ"]:
            upsert_registry_organ(db, row)
    return len(rows)


def sync_store(db: sqlite_utils.Database, data: DataDir) -> list[int]:
    """Documents and fetches from the store; returns the ids of document rows new or changed."""
    before = {row["id"]: row for row in db.query("SELECT id, sha256, last_seen, gone_on FROM documents")}
    rows = []
    for doc in iter_documents(data):
        row = {
            "id": doc.id,
            "url": doc.url,
            "version": doc.version,
            "kind": doc.kind,
            "content_type": doc.content_type,
            "filename": doc.filename,
            "title": doc.title,
            "listed_date": doc.listed_date,
            "first_seen": doc.first_seen,
            "last_seen": doc.last_seen,
            "gone_on": doc.gone_on,
            "size": doc.size,
            "portal_id": doc.portal_id,
            "parent_url": doc.parent_url,
            "listing_url": doc.listing_url,
            "sha256": doc.sha256,
            "blob": doc.blob_path.relative_to(data.store).as_posix(),
        }
        old = before.get(doc.id)
        if old is None or (old["sha256"], old["last_seen"], old["gone_on"]) != (
            doc.sha256,
            doc.last_seen,
            doc.gone_on,
        ):
            rows.append(row)
    # Upsert keeps the columns the archive adds itself (report_id, edition, format).
    db["documents"].upsert_all(rows, pk="id")
    if data.store_db.exists():
        have = db.execute("SELECT coalesce(max(id), 0) FROM fetches").fetchone()[0]
        with StoreReader(data) as store:
            db["fetches"].insert_all(store.fetches(_FETCH_COLUMNS, after=have), pk="id", batch_size=1000)
    return [row["id"] for row in rows]


def portal_by_id(db: sqlite_utils.Database) -> dict[str, dict]:
    return {row["site_id"]: row for row in db["portals"].rows}
