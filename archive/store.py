"""The document store: every downloaded body kept once by SHA-256, and a SQLite log of every fetch.

This is the boundary between crawling and everything after it. The crawler writes here; extraction
and the archive only read. Layout under ``DATA/store/``:

- ``blobs/ab/cd/<sha256>``: bodies, content-addressed, written atomically (temp file + rename), never
  rewritten. A writer holds a lock on its ``.tmp-*`` file, so one left by a killed crawl is told
  apart from one being written and swept by the next run.
- ``store.db``: ``runs`` (one per crawl), ``fetches`` (one per request made, whatever its outcome),
  ``documents`` (one per version of a report page or attachment at a URL: a changed body at the same
  URL is a new version, a vanished one gets ``gone_on``).
- ``warc/``: one WARC file per crawl run.
- ``locks/run-<id>.lock``: held by a crawl while its run is ``running``; a run whose lock nobody holds
  was killed, and the next run marks it ``interrupted``.

Write errors (a full disk, a read-only directory) raise ``StoreError`` with one clear line; nothing a
later run trusts is half-written: blobs appear whole or not at all, rows are committed in
transactions that name only complete blobs.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from archive.blobs import BlobStore, StoreError, is_storage_error, storage_error
from archive.lock import RunLock
from archive.paths import DataDir


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
    with _one_at_a_time(data.store):
        db.execute("PRAGMA journal_mode=WAL")
        ensure_store_schema(db)
    return db


@contextmanager
def _one_at_a_time(store: Path) -> Iterator[None]:
    """Workers of a shared crawl open a new store at the same moment, and SQLite answers "database is
    locked" to concurrent schema set-up: an exclusive ``flock`` on the store directory itself (no file to
    create, so a read-only store opens as before) lets one process at a time switch to WAL and add tables."""
    descriptor = os.open(store, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


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
                "kind": str,  # listing, api, page, attachment, resource (what a browser page asked for)
                "url": str,
                "final_url": str,
                "listing_url": str,
                "method": str,
                "title": str,
                "listed_date": str,
                "status": int,  # HTTP status, null when no response
                # downloaded, unchanged, not_modified, failed, blocked, robots_denied, too_large, refused
                "outcome": str,
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
    _add_missing_columns(db)


# Columns added after the first schema, so older stores gain them in place.
_LATER_COLUMNS: dict[str, dict[str, type]] = {
    # job: which crawl (spider + its arguments) a run belongs to; resumes: the run it continues.
    "runs": {"job": str, "resumes": int},
    "fetches": {"parent_url": str, "family": str},
}


def _add_missing_columns(db: sqlite_utils.Database) -> None:
    for table, columns in _LATER_COLUMNS.items():
        present = db[table].columns_dict
        for name, kind in columns.items():
            if name not in present:
                db[table].add_column(name, kind)
    if "fetches_portal" not in {index.name for index in db["fetches"].indexes}:
        db["fetches"].create_index(["portal_id", "run_id"], index_name="fetches_portal")


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


def utcnow() -> str:
    """Timestamps with microseconds, so ordering holds within one quick crawl."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


# Outcomes that mean a listing was not read completely: documents missing from it are not gone.
INCOMPLETE_OUTCOMES = ("failed", "blocked", "robots_denied", "too_large", "refused")
DOCUMENT_KINDS = ("page", "attachment")


# The last fetch of each URL in a session: a 412 that the browser then passed, or a 503 that a retry
# in a later run got through, counts by how it ended.
_LATEST_SQL = (
    "select * from fetches where id in (select max(id) from fetches where run_id in ({marks})"
    " group by portal_id, kind, url)"
)


@dataclass(frozen=True)
class StoredBody:
    """The last body seen at a URL, with the validators to ask whether it changed."""

    sha256: str
    etag: str | None
    last_modified: str | None
    status: int | None
    final_url: str | None
    headers: dict[str, str]


@dataclass(frozen=True)
class Run:
    id: int
    job: str
    session_start: str  # started_at of the first run of an interrupted-and-resumed chain
    resumes: int | None


class StoreWriter:
    """The crawler's side of the store: runs, one ``fetches`` row per request, ``documents`` versions.

    Bodies go to the blob store before the row that names them is committed, so a crawl killed at any
    moment leaves rows that only ever point at complete blobs.
    """

    def __init__(self, data: DataDir):
        self.data = data
        with self._writing():
            data.store.mkdir(parents=True, exist_ok=True)
            self.db = open_store_db(data)
            self.db.execute("PRAGMA synchronous=NORMAL")
        self.blobs = BlobStore(data.blobs)
        self._locks: dict[int, RunLock] = {}

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Turns the disk's refusals (full, read-only, no permission) into one-line ``StoreError``s."""
        try:
            yield
        except StoreError:
            raise
        except (OSError, sqlite3.Error) as error:
            if is_storage_error(error):
                raise storage_error(error, self.data.store) from error
            raise

    def check_writable(self) -> None:
        """Raise ``StoreError`` unless a body and a row can be written now (before a crawl starts)."""
        with self._writing():
            self.data.blobs.mkdir(parents=True, exist_ok=True)
            probe = self.data.blobs / f".probe-{os.getpid()}"
            try:
                with probe.open("wb") as handle:
                    handle.write(b"\0" * 4096)
                    handle.flush()
                    os.fsync(handle.fileno())
            finally:
                probe.unlink(missing_ok=True)
            self.db.execute("begin immediate")
            self.db.execute("rollback")

    # -- runs -------------------------------------------------------------------------------------------

    def start_run(self, spider: str, args: Mapping[str, Any], job: str) -> Run:
        """A new run; if the job's last run never finished, this one resumes it (same session).

        Runs left ``running`` by killed crawls are marked ``interrupted`` first, and temporary blobs
        they left are removed; the new run holds its lock until ``finish_run``."""
        with self._writing():
            self.reap_dead_runs()
            self.blobs.sweep()
            previous = next(
                self.db.query("select id, status from runs where job = ? order by id desc limit 1", [job]), None
            )
            resumes = previous["id"] if previous and previous["status"] in ("running", "interrupted") else None
            started = utcnow()
            with self.db.conn:
                run_id = self.db["runs"].insert(
                    {
                        "started_at": started,
                        "spider": spider,
                        "args": json.dumps(dict(args), ensure_ascii=False, sort_keys=True),
                        "status": "running",
                        "job": job,
                        "resumes": resumes,
                    }
                ).last_pk
                lock = self._run_lock(run_id)
                lock.acquire()
                self._locks[run_id] = lock
        return Run(id=run_id, job=job, session_start=self._session_start(run_id), resumes=resumes)

    def reap_dead_runs(self) -> list[int]:
        """Mark ``interrupted`` every run left ``running`` whose process is gone (its lock is free)."""
        dead = [
            row["id"] for row in self.db.query("select id from runs where status = 'running'")
            if row["id"] not in self._locks and not self._run_lock(row["id"]).held_elsewhere()
        ]
        if dead:
            with self._writing(), self.db.conn:
                marks = ",".join("?" * len(dead))
                self.db.execute(f"update runs set status = 'interrupted', finished_at = ? where id in ({marks})",
                                [utcnow(), *dead])
            for run_id in dead:
                self._run_lock(run_id).path.unlink(missing_ok=True)
        return dead

    def _run_lock(self, run_id: int) -> RunLock:
        """The lock a crawl holds while its run is ``running``: the kernel drops it when the crawl dies."""
        return RunLock(self.data.store / "locks" / f"run-{run_id}.lock", purpose=f"crawl run {run_id}")

    def _release(self, run_id: int) -> None:
        """Give a run's lock back and remove its file: no process takes a finished run's lock again."""
        lock = self._locks.pop(run_id, None)
        if lock is not None:
            lock.release()
            lock.path.unlink(missing_ok=True)

    def session_runs(self, run_id: int) -> list[int]:
        """This run and the interrupted runs it resumes, newest first."""
        chain = []
        current: int | None = run_id
        while current is not None:
            chain.append(current)
            current = self.db["runs"].get(current)["resumes"]
        return chain

    def _session_start(self, run_id: int) -> str:
        return self.db["runs"].get(self.session_runs(run_id)[-1])["started_at"]

    def set_warc(self, run_id: int, warc_file: str) -> None:
        with self._writing(), self.db.conn:
            self.db["runs"].update(run_id, {"warc_file": warc_file})

    def finish_run(self, run_id: int, status: str, stats: Mapping[str, Any]) -> None:
        try:
            with self._writing(), self.db.conn:
                self.db["runs"].update(
                    run_id,
                    {"finished_at": utcnow(), "status": status, "stats": json.dumps(dict(stats), default=str)},
                )
        finally:
            # Released even when the row could not be written: the next run then reaps this one.
            self._release(run_id)

    # -- what the store already holds -------------------------------------------------------------------------

    def last_body(self, url: str) -> StoredBody | None:
        row = next(
            self.db.query(
                "select sha256, etag, last_modified, status, final_url, headers from fetches"
                " where url = ? and sha256 is not null and outcome in ('downloaded', 'unchanged', 'not_modified')"
                " order by id desc limit 1",
                [url],
            ),
            None,
        )
        if row is None or row["sha256"] not in self.blobs:
            return None
        return StoredBody(
            sha256=row["sha256"],
            etag=row["etag"],
            last_modified=row["last_modified"],
            status=row["status"],
            final_url=row["final_url"],
            headers=json.loads(row["headers"] or "{}"),
        )

    def latest_document(self, url: str) -> dict[str, Any] | None:
        return next(
            self.db.query("select * from documents where url = ? order by version desc limit 1", [url]), None
        )

    # -- recording ----------------------------------------------------------------------------------------------

    def record(self, run_id: int, fetch: Mapping[str, Any], body: bytes | None) -> tuple[int, str]:
        """Log one request; for a report page or attachment, add or refresh its ``documents`` version.

        ``fetch`` holds the ``fetches`` columns; its ``outcome`` may be None, meaning: decide here
        whether the body is new (``downloaded``) or the same as the stored one (``unchanged``).
        ``body`` is put in the blob store first; a caller that already put it there (off the event
        loop, say) passes ``sha256`` and ``size`` in ``fetch`` instead. Returns the fetch id and the
        outcome recorded.
        """
        with self._writing():
            return self._record(run_id, fetch, body)

    def _record(self, run_id: int, fetch: Mapping[str, Any], body: bytes | None) -> tuple[int, str]:
        row = dict(fetch)
        now = row.get("fetched_at") or utcnow()
        row["fetched_at"] = now
        if body is not None:
            row["sha256"] = self.blobs.put(body)
            row["size"] = len(body)
        document = self.latest_document(row["url"]) if row["kind"] in DOCUMENT_KINDS else None
        outcome = row.get("outcome")
        if outcome is None:
            if row["kind"] in DOCUMENT_KINDS:
                same = document is not None and document["sha256"] == row.get("sha256")
            else:
                previous = self.last_body(row["url"])
                same = previous is not None and previous.sha256 == row.get("sha256")
            outcome = "unchanged" if same else "downloaded"
        if document is None and row.get("sha256") and outcome in ("unchanged", "not_modified"):
            # Known bytes (say, the start page first read as a listing) that are a document for the
            # first time: a new document all the same.
            outcome = "downloaded"
        row["outcome"] = outcome
        row["run_id"] = run_id
        row["headers"] = json.dumps(row.get("headers") or {}, ensure_ascii=False)
        with self.db.conn:
            fetch_id = self.db["fetches"].insert(row, alter=False).last_pk
            if row["kind"] in DOCUMENT_KINDS:
                self._update_document(document, row, fetch_id, now)
        return fetch_id, outcome

    def _update_document(self, document: dict[str, Any] | None, row: dict[str, Any], fetch_id: int, now: str) -> None:
        if row["outcome"] == "downloaded" and row.get("sha256"):
            self.db["documents"].insert(
                {
                    "url": row["url"],
                    "version": (document["version"] + 1) if document else 1,
                    "sha256": row["sha256"],
                    "portal_id": row.get("portal_id"),
                    "kind": row["kind"],
                    "parent_url": row.get("parent_url"),
                    "listing_url": row.get("listing_url"),
                    "title": row.get("title"),
                    "listed_date": row.get("listed_date"),
                    "filename": row.get("filename"),
                    "content_type": row.get("content_type"),
                    "size": row.get("size"),
                    "first_seen": now,
                    "last_seen": now,
                    "gone_on": None,
                    "fetch_id": fetch_id,
                }
            )
        elif document is not None:
            # Still listed (whatever this fetch's outcome): it is not gone.
            self.db["documents"].update(document["id"], {"last_seen": now, "gone_on": None})

    def mark_gone(self, run_id: int) -> int:
        """After a finished crawl: documents of completely listed portals not seen this session are gone.

        A portal whose listing failed anywhere in the session (an error, a block, robots) may simply
        not have shown us its reports, so nothing of it is marked.
        """
        runs = self.session_runs(run_id)
        portals = [
            r["portal_id"]
            for r in self.db.query(
                f"select portal_id from ({_LATEST_SQL.format(marks=','.join('?' * len(runs)))})"
                " where kind in ('listing', 'api') group by portal_id"
                f" having sum(outcome in {INCOMPLETE_OUTCOMES!r}) = 0",
                runs,
            )
        ]
        if not portals:
            return 0
        today = utcnow()[:10]
        session_start = self._session_start(run_id)
        with self._writing(), self.db.conn:
            cursor = self.db.execute(
                "update documents set gone_on = ? where gone_on is null and last_seen < ?"
                " and id in (select max(id) from documents group by url)"  # older versions are history
                f" and portal_id in ({','.join('?' * len(portals))})",
                [today, session_start, *portals],
            )
        return cursor.rowcount

    def summary(self, run_id: int) -> list[dict[str, Any]]:
        """Per portal, for this session: reports found, documents downloaded and unchanged, failures,
        blocks (``robots``: of them, what robots.txt disallowed), refusals of the request policy, and
        ``listings_read``: listing pages read (none means nothing of the portal could be read)."""
        runs = self.session_runs(run_id)
        return [
            dict(r)
            for r in self.db.query(
                f"""
                select portal_id,
                  sum(kind in ('page', 'attachment') and parent_url is null and outcome != 'refused') as reports_found,
                  sum(kind in ('page', 'attachment') and outcome = 'downloaded') as downloaded,
                  sum(kind in ('page', 'attachment') and outcome in ('unchanged', 'not_modified')) as unchanged,
                  sum(outcome in ('failed', 'too_large')) as failed,
                  sum(outcome in ('blocked', 'robots_denied')) as blocked,
                  sum(outcome = 'robots_denied') as robots,
                  sum(outcome = 'refused') as refused,
                  sum(kind in ('listing', 'api') and outcome in ('downloaded', 'unchanged', 'not_modified'))
                    as listings_read
                from ({_LATEST_SQL.format(marks=','.join('?' * len(runs)))})
                group by portal_id order by portal_id
                """,
                runs,
            )
        ]

    def close(self) -> None:
        for run_id in list(self._locks):
            self._release(run_id)
        self.db.close()
