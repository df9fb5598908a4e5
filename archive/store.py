"""The document store: every downloaded body kept once by SHA-256, and a SQLite log of every fetch.

This is the boundary between crawling and everything after it. The crawler writes through
``StoreWriter`` here; extraction, the archive and the pipeline read through ``archive.store_reader``.
``Outcome`` is the one vocabulary of what came of a request. Layout under ``DATA/store/``:

- ``blobs/ab/cd/<sha256>``: bodies, content-addressed, written atomically (temp file + rename), never
  rewritten. A writer holds a lock on its ``.tmp-*`` file, so one left by a killed crawl is told
  apart from one being written and swept by the next run.
- ``store.db``: ``runs`` (one per crawl), ``fetches`` (one per request made, whatever its outcome),
  ``documents`` (one per version of a report page or attachment at a URL: a changed body at the same
  URL is a new version, a vanished one gets ``gone_on``).
  Its schema is ``archive/store_migrations.py``; ``open_store_db`` is the one way to open it.
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
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import sqlite_utils

from archive import schedule, store_migrations
from archive.blobs import BlobStore, StoreError, is_storage_error, storage_error
from archive.lock import RunLock
from archive.paths import DataDir


class Outcome(StrEnum):
    """What came of one request: the ``fetches.outcome`` vocabulary, written by the crawler, read by all.

    Members are strings, so they go into SQLite and JSON as their values and compare equal to them.
    """

    DOWNLOADED = "downloaded"  # a body this URL never had before
    UNCHANGED = "unchanged"  # the body stored last time (or not requested again: no validators)
    NOT_MODIFIED = "not_modified"  # the server answered 304: the stored body stands
    FAILED = "failed"  # a network error, a timeout or an HTTP error status
    BLOCKED = "blocked"  # a block page or a challenge, recorded with its evidence, never fought
    ROBOTS_DENIED = "robots_denied"  # robots.txt disallows the URL: our policy, not the site's failure
    TOO_LARGE = "too_large"  # over the size cap
    REFUSED = "refused"  # the request policy refused the URL before any request was made


# The store holds the body the URL answered with.
SEEN_OUTCOMES: tuple[Outcome, ...] = (Outcome.DOWNLOADED, Outcome.UNCHANGED, Outcome.NOT_MODIFIED)
FAILED_OUTCOMES: tuple[Outcome, ...] = (Outcome.FAILED, Outcome.TOO_LARGE)
BLOCKED_OUTCOMES: tuple[Outcome, ...] = (Outcome.BLOCKED, Outcome.ROBOTS_DENIED)
# A listing fetched with one of these was not read completely: documents missing from it are not gone.
INCOMPLETE_OUTCOMES: tuple[Outcome, ...] = FAILED_OUTCOMES + BLOCKED_OUTCOMES + (Outcome.REFUSED,)

# Fetch kinds whose bodies become ``documents`` versions (listings, API calls and resources do not).
DOCUMENT_KINDS = ("page", "attachment")


def sql_list(values: Iterable[str]) -> str:
    """Our own constants as an SQL list, ``('failed', 'too_large')``, for queries that group by them."""
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


def open_store_db(data: DataDir) -> sqlite_utils.Database:
    """The store's SQLite database, created or upgraded to the current schema: the one way to open it."""
    data.store.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(data.store_db)
    with _one_at_a_time(data.store):
        db.execute("PRAGMA journal_mode=WAL")
        store_migrations.apply(db)
    return db


@contextmanager
def _one_at_a_time(store: Path) -> Iterator[None]:
    """Workers of a shared crawl open a new store at the same moment, and SQLite answers "database is
    locked" to concurrent schema set-up: an exclusive ``flock`` on the store directory itself (no file to
    create, so a read-only store opens as before) lets one process at a time switch to WAL and migrate."""
    descriptor = os.open(store, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def utcnow() -> str:
    """Timestamps with microseconds, so ordering holds within one quick crawl."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


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
    # What the browser loaded besides the page when this body is a rendering; None when it is not.
    loaded: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Run:
    id: int
    job: str
    session_start: str  # started_at of the first run of an interrupted-and-resumed chain
    resumes: int | None


class StoreWriter(schedule.ScheduleStore):
    """The crawler's side of the store: runs, one ``fetches`` row per request, ``documents`` versions.

    Bodies go to the blob store before the row that names them is committed, so a crawl killed at any
    moment leaves rows that only ever point at complete blobs. The incremental crawl's schedule, skips
    and robots.txt answers are ``archive.schedule.ScheduleStore``'s methods.
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
            previous = self.last_run(job)
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

    def last_run(self, job: str) -> dict[str, Any] | None:
        """The newest run of a job (its ``id`` and ``status``), or None if the job never ran."""
        return next(self.db.query("select id, status from runs where job = ? order by id desc limit 1", [job]), None)

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
                "select sha256, etag, last_modified, status, final_url, headers, loaded from fetches"
                f" where url = ? and sha256 is not null and outcome in {sql_list(SEEN_OUTCOMES)}"
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
            loaded=None if row["loaded"] is None else tuple(json.loads(row["loaded"])),
        )

    def latest_document(self, url: str) -> dict[str, Any] | None:
        return next(
            self.db.query("select * from documents where url = ? order by version desc limit 1", [url]), None
        )

    def last_bodies(self) -> Iterator[tuple[str, StoredBody]]:
        """Every URL's ``last_body`` at once (blobs not checked): what a shared crawl publishes to its
        workers for conditional re-fetch (``crawler.shared.feed``)."""
        rows = self.db.query(
            "select url, sha256, etag, last_modified, status, final_url, headers, loaded from fetches where id in"
            f" (select max(id) from fetches where sha256 is not null and outcome in {sql_list(SEEN_OUTCOMES)}"
            " group by url)"
        )
        for row in rows:
            url = row.pop("url")
            loaded = None if row["loaded"] is None else tuple(json.loads(row["loaded"]))
            yield url, StoredBody(**{**row, "headers": json.loads(row["headers"] or "{}"), "loaded": loaded})

    def document_urls(self) -> Iterator[str]:
        """Every URL the store holds a document version of."""
        for row in self.db.query("select distinct url from documents"):
            yield row["url"]

    def has_fetch(self, url: str, kind: str, fetched_at: str) -> bool:
        """Whether this fetch is recorded (a URL, kind and microsecond timestamp name one request)."""
        return self.db.execute(
            "select 1 from fetches where url = ? and kind = ? and fetched_at = ?", [url, kind, fetched_at]
        ).fetchone() is not None

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
            outcome = Outcome.UNCHANGED if same else Outcome.DOWNLOADED
        first_time = row["kind"] in DOCUMENT_KINDS and document is None
        if first_time and row.get("sha256") and outcome in (Outcome.UNCHANGED, Outcome.NOT_MODIFIED):
            # Known bytes (say, the start page first read as a listing) that are a document for the
            # first time: a new document all the same (a listing's 304 stays not_modified).
            outcome = Outcome.DOWNLOADED
        row["outcome"] = outcome
        row["run_id"] = run_id
        row["headers"] = json.dumps(row.get("headers") or {}, ensure_ascii=False)
        if row.get("loaded") is not None:
            row["loaded"] = json.dumps(list(row["loaded"]), ensure_ascii=False)
        columns = ", ".join(row)
        with self.db.conn:
            # Plain SQL: sqlite-utils' insert looks the table up again on every call, which costs
            # more than the insert itself at hundreds of fetches a second.
            fetch_id = self.db.conn.execute(
                f"insert into fetches ({columns}) values ({', '.join('?' * len(row))})", list(row.values())
            ).lastrowid
            if row["kind"] in DOCUMENT_KINDS:
                self._update_document(document, row, fetch_id, now)
        return fetch_id, outcome

    def add_document(
        self,
        url: str,
        body: bytes,
        *,
        portal_id: str,
        title: str | None = None,
        filename: str | None = None,
        content_type: str | None = None,
    ) -> bool:
        """A report page that came by another way than a request (the bundled samples), versioned the same.

        Returns True when a version was added: the body is new, or differs from the URL's last one.
        """
        with self._writing():
            row = {"url": url, "kind": "page", "portal_id": portal_id, "title": title, "filename": filename,
                   "content_type": content_type, "sha256": self.blobs.put(body), "size": len(body)}
            document = self.latest_document(url)
            same = document is not None and document["sha256"] == row["sha256"]
            row["outcome"] = Outcome.UNCHANGED if same else Outcome.DOWNLOADED
            with self.db.conn:
                self._update_document(document, row, None, utcnow())
        return row["outcome"] == Outcome.DOWNLOADED

    def _update_document(
        self, document: dict[str, Any] | None, row: dict[str, Any], fetch_id: int | None, now: str
    ) -> None:
        """The one place versions are made: a new body at a URL is its next version, a known one is seen again."""
        if row["outcome"] == Outcome.DOWNLOADED and row.get("sha256"):
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
                f" having sum(outcome in {sql_list(INCOMPLETE_OUTCOMES)}) = 0",
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
        blocks (``robots``: of them, what robots.txt disallowed), refusals of the request policy,
        ``listings_read``: listing pages read (none means nothing of the portal could be read), and what
        an incremental crawl left out (``skipped_*``, see ``archive.schedule``)."""
        runs = self.session_runs(run_id)
        documents = sql_list(DOCUMENT_KINDS)
        skipped = schedule.skipped(self.db, runs)
        rows = [
            dict(r)
            for r in self.db.query(
                f"""
                select portal_id,
                  sum(kind in {documents} and parent_url is null and outcome != '{Outcome.REFUSED}') as reports_found,
                  sum(kind in {documents} and outcome = '{Outcome.DOWNLOADED}') as downloaded,
                  sum(kind in {documents} and outcome in {sql_list((Outcome.UNCHANGED, Outcome.NOT_MODIFIED))}) as unchanged,
                  sum(outcome in {sql_list(FAILED_OUTCOMES)}) as failed,
                  sum(outcome in {sql_list(BLOCKED_OUTCOMES)}) as blocked,
                  sum(outcome = '{Outcome.ROBOTS_DENIED}') as robots,
                  sum(outcome = '{Outcome.REFUSED}') as refused,
                  sum(kind in ('listing', 'api') and outcome in {sql_list(SEEN_OUTCOMES)}) as listings_read
                from ({_LATEST_SQL.format(marks=','.join('?' * len(runs)))})
                group by portal_id order by portal_id
                """,
                runs,
            )
        ]
        for row in rows:
            counts = skipped.get(row["portal_id"], {})
            row.update({f"skipped_{what}": counts.get(what, 0) for what in schedule.SKIP_REASONS})
        return rows

    def close(self) -> None:
        for run_id in list(self._locks):
            self._release(run_id)
        self.db.close()
