"""Where each stored body's WARC record is: an index of the crawl's WARC files, by payload SHA-256.

Every crawl run writes one gzipped WARC file (``DATA/store/warc/``), each body as a response record
followed by its request record. The site serves "the WARC record this document came from" by reading
those bytes straight from the file, which needs the record's offset and length: scanning a file of
thousands of records on every request would not do. ``index_warcs`` reads each WARC file once, after
its run has ended (the run finished, or a later run of the same job resumed it), and records every
response record's offset, length, URI, date, HTTP status and the SHA-256 of its payload, which is the
blob's name in the store. A record's bytes from ``offset`` for ``length + request_length`` are a valid
WARC file of their own (each record is its own gzip member).
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import IO

import sqlite_utils
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive.db import insert_rows
from archive.paths import DataDir
from archive.store import open_store_db

logger = logging.getLogger(__name__)
_READ = 1 << 16


def index_warcs(db: sqlite_utils.Database, data: DataDir) -> int:
    """Index the WARC files of ended runs not indexed yet; returns the number of records added."""
    if not data.store_db.exists():
        return 0
    done = {row[0] for row in db.execute("SELECT DISTINCT warc_file FROM warc_records")}
    added = 0
    for name in ended_warc_files(open_store_db(data)):
        path = data.warc / name
        if name in done or not path.exists():
            continue
        with path.open("rb") as handle, db.atomic():
            rows = list(read_records(name, handle))
            insert_rows(db, "warc_records", rows)
        added += len(rows)
    return added


def ended_warc_files(store: sqlite_utils.Database) -> list[str]:
    """WARC files no run will write to again: its run finished, or a later run of its job resumed it."""
    return [
        row[0]
        for row in store.execute(
            """SELECT r.warc_file FROM runs r
               WHERE r.warc_file IS NOT NULL
                 AND (r.finished_at IS NOT NULL
                      OR EXISTS (SELECT 1 FROM runs later WHERE later.job = r.job AND later.id > r.id))
               ORDER BY r.id"""
        )
    ]


def read_records(name: str, handle: IO[bytes]):
    """One row per response record of a WARC file; a truncated file (a killed crawl) yields what it holds."""
    records = ArchiveIterator(handle)
    pending: dict | None = None
    try:
        for record in records:
            kind = record.rec_type
            digest = hashlib.sha256()
            stream = record.content_stream()
            while chunk := stream.read(_READ):
                digest.update(chunk)
            # Only now: asking for the offset first would read the record to its end, payload unseen.
            records.read_to_end(record)
            offset, length = records.get_record_offset(), records.get_record_length()
            headers = record.rec_headers
            if kind == "request" and pending is not None and (
                headers.get_header("WARC-Concurrent-To") == pending["record_id"]
                and offset == pending["offset"] + pending["length"]
            ):
                pending["request_length"] = length
                continue
            if pending is not None:
                yield pending
                pending = None
            if kind != "response":
                continue
            status = record.http_headers.get_statuscode() if record.http_headers else None
            pending = {
                "warc_file": name,
                "offset": offset,
                "length": length,
                "request_length": None,
                "record_id": headers.get_header("WARC-Record-ID"),
                "uri": headers.get_header("WARC-Target-URI"),
                "date": headers.get_header("WARC-Date"),
                "http_status": int(status) if status and status.isdigit() else None,
                "sha256": digest.hexdigest(),
            }
    except (ArchiveLoadFailed, EOFError, OSError) as exc:
        logger.warning("WARC file %s is truncated after %s records: %s", name, records.get_record_offset(), exc)
    if pending is not None:
        yield pending


def record_path(data: DataDir, warc_file: str) -> Path:
    """The WARC file of an index row; the name is the archive's own, never a client's."""
    return data.warc / Path(warc_file).name
