"""The store feed: FetchRecords through a Redis stream to the one process that writes ``store.db``.

Workers on any machine put bodies in the shared blob directory and push their records (JSON, the body
named by its SHA-256) onto the crawl's stream. ``StoreFeedWriter`` runs in every worker whose store is on
a local disk, but only the holder of the writer's lease writes: it opens a run of the job (resuming the
previous one, as a single-process crawl does), loads what revalidation needs into Redis, then turns each
record into its ``fetches`` row, document version and WARC records with the single-process code
(``crawler.pipelines.store_fetch``), publishes the URL's new validators, and acknowledges the entry. A
writer that dies leaves unacknowledged entries to its successor, which skips those already in the store
(a fetch is known by its URL, kind and microsecond timestamp). When the frontier is empty, no worker
holds a request and the stream is written, it finishes the run (documents gone from complete listings
are marked) and closes the session.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from dataclasses import asdict, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import redis

from archive.store import SEEN_OUTCOMES, StoreWriter
from crawler.items import DOCUMENT_KINDS, FetchRecord
from crawler.pipelines import WarcLog, open_warc, store_fetch
from crawler.shared.frontier import pending
from crawler.shared.keys import CRAWLS
from crawler.shared.view import ROBOTS_FIELD, robots_row

if TYPE_CHECKING:
    from crawler.shared.worker import SharedCrawl

logger = logging.getLogger(__name__)

GROUP = "store"
CONSUMER = "writer"  # one name for every tenure: a successor reads its predecessor's unacknowledged entries
BATCH = 200
# Filesystems on which SQLite's locks cannot be trusted: store.db is never written there.
NETWORK_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "ceph", "glusterfs", "lustre", "gpfs", "afs",
                       "beegfs", "fuse.sshfs", "fuse.s3fs", "fuse.rclone", "fuse.gcsfuse", "fuse.juicefs",
                       "fuse.glusterfs", "fuse.goofys"}

# KEYS: lease. ARGV: holder, ttl (ms). Extend the lease if still ours.
_RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


def filesystem_type(path: Path) -> str:
    """The type of the filesystem ``path`` is on (Linux ``/proc/self/mountinfo``), "" when unknown."""
    path = Path(path).resolve()
    while not path.exists() and path != path.parent:
        path = path.parent
    best, kind = "", ""
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return ""
    for line in lines:
        left, _, right = line.partition(" - ")
        mount = left.split()[4].replace("\\040", " ")
        inside = str(path) == mount or str(path).startswith(mount.rstrip("/") + "/")
        if inside and len(mount) >= len(best):
            best, kind = mount, right.split()[0]
    return kind


def store_is_local(path: Path) -> bool:
    return filesystem_type(path) not in NETWORK_FILESYSTEMS


def encode_record(item: FetchRecord, blob: dict[str, Any]) -> str:
    """A record for the feed: every field but the body, which is named by ``blob`` (sha256, size)."""
    out = {f.name: getattr(item, f.name) for f in fields(item) if f.name != "body"}
    out["request_body"] = base64.b64encode(item.request_body or b"").decode()
    return json.dumps({"record": out, "blob": blob}, ensure_ascii=False)


def decode_record(text: str | bytes) -> tuple[FetchRecord, dict[str, Any]]:
    message = json.loads(text)
    values = dict(message["record"])
    values["request_body"] = base64.b64decode(values["request_body"])
    return FetchRecord(**values), message["blob"]


def validators(item: FetchRecord, sha256: str) -> str:
    """What ``StoreWriter.last_body`` would read back for this fetch, as JSON."""
    lowered = {k.lower(): v for k, v in item.headers.items()}
    return json.dumps({"sha256": sha256, "etag": lowered.get("etag"), "last_modified": lowered.get("last-modified"),
                       "status": item.status, "final_url": item.final_url, "headers": item.headers,
                       "loaded": item.loaded},
                      ensure_ascii=False)


class StoreFeedWriter(threading.Thread):
    """The writer of the shared crawl's store, while this worker holds the lease (see the module doc)."""

    def __init__(self, hub: "SharedCrawl"):
        super().__init__(name="nianbao-store-writer", daemon=True)
        self.hub = hub
        self.server = hub.server
        self.keys = hub.keys
        self.ttl_ms = int(hub.timeout * 1000)
        self.store: StoreWriter | None = None
        self.run_id: int | None = None
        self.warc: WarcLog | None = None
        self.backlog = True  # entries a previous tenure read but did not acknowledge come first
        self.written = 0
        self.full = hub.crawler.settings.getbool("NIANBAO_FULL")
        self.finished = threading.Event()
        self._renew = self.server.register_script(_RENEW)
        self._release = self.server.register_script(_RELEASE)

    def run(self) -> None:
        try:
            while not self.hub.stopping.is_set() and not self.finished.is_set():
                try:
                    self.step()
                except redis.RedisError as error:
                    logger.error("Store writer: Redis failed (%s); retrying", error)
                    self.hub.stopping.wait(1.0)
                except Exception:
                    logger.exception("Store writer failed; giving up the lease for now")
                    self.close("interrupted")
                    self.hub.stopping.wait(5.0)
        finally:
            if self.store is not None:
                self.close("interrupted")

    def step(self) -> None:
        if self.store is None:
            if self.hub.session_over() or not self.server.set(self.keys.writer, self.hub.worker, nx=True,
                                                              px=self.ttl_ms):
                self.hub.stopping.wait(1.0)
                return
            self.open()
        elif not self._renew(keys=[self.keys.writer], args=[self.hub.worker, self.ttl_ms]):
            logger.warning("Store writer: lease lost to another worker; stepping down")
            self.close("interrupted")
            return
        self.drain()
        self.finish_if_done()

    # -- a tenure ---------------------------------------------------------------------------------------

    def open(self) -> None:
        hub = self.hub
        self.store = StoreWriter(hub.data)
        run = self.store.start_run(hub.crawler.spider.name, hub.job_args, hub.job)
        self.run_id = run.id
        self.warc = open_warc(hub.data, self.store, run.id)
        self.backlog = True
        try:
            self.server.xgroup_create(self.keys.feed, GROUP, id="0", mkstream=True)
        except redis.ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise
        if hub.state().get("ready") != "1":
            loaded = self.load_validators()
            logger.info("Store writer: %d stored bodies and %d documents published for revalidation", *loaded)
            logger.info("Store writer: %d schedule entries, %d known documents and %d robots.txt answers "
                        "published", *self.load_schedule())
        self.server.hset(self.keys.session, mapping={"run": run.id, "writer": hub.worker, "ready": "1"})
        logger.info("Store writer: worker %s writes run %s%s", hub.worker, run.id,
                    f" (resuming run {run.resumes})" if run.resumes else "")

    def close(self, status: str, stats: dict[str, Any] | None = None) -> None:
        """End this tenure: the run closed with ``status``, the WARC file closed, the lease given back.

        As the single crawl's store pipeline, every run, finished or not, writes the next schedule."""
        store, self.store = self.store, None
        try:
            if store is not None and self.run_id is not None:
                stats = stats or self.stats()
                stats["nianbao/scheduled"] = store.update_schedule(self.run_id)
                store.finish_run(self.run_id, status, stats)
        finally:
            if self.warc is not None:
                self.warc.close()
                self.warc = None
            if store is not None:
                store.close()
            try:
                self._release(keys=[self.keys.writer], args=[self.hub.worker])
            except redis.RedisError:
                pass  # the lease runs out by itself

    def stats(self) -> dict[str, Any]:
        progress = {k.decode(): int(v) for k, v in self.server.hgetall(self.keys.progress).items()}
        # "nianbao/full" is read back by archive.schedule.full_walk_due, as from a single crawl's run.
        return {"shared": {"crawl": self.keys.name, "records_written": self.written, "progress": progress},
                **self.hub.crawler.stats.get_stats(), "nianbao/full": self.full}

    def load_validators(self) -> tuple[int, int]:
        """Every URL's last stored body and validators, and every document URL, into the session's keys."""
        assert self.store is not None
        bodies = documents = 0
        pipe = self.server.pipeline(transaction=False)
        for url, body in self.store.last_bodies():
            pipe.hset(self.keys.bodies, url, json.dumps(asdict(body), ensure_ascii=False))
            bodies += 1
            if bodies % 1000 == 0:
                pipe.execute()
        for url in self.store.document_urls():
            pipe.sadd(self.keys.documents, url)
            documents += 1
            if documents % 1000 == 0:
                pipe.execute()
        pipe.execute()
        return bodies, documents

    def load_schedule(self) -> tuple[int, int, int]:
        """What the incremental crawl reads once (the schedule, the known documents) and the robots.txt
        answers of the last day, into the session's keys: every worker decides as one process would."""
        assert self.store is not None
        schedule = self.store.schedule()
        pipe = self.server.pipeline(transaction=False)
        for n, (url, entry) in enumerate(schedule.entries.items(), 1):
            due_at = entry.due_at.isoformat() if entry.due_at is not None else None
            pipe.hset(self.keys.schedule, url, json.dumps([entry.kind, due_at]))
            if n % 1000 == 0:
                pipe.execute()
        for n, url in enumerate(schedule.known_documents, 1):
            pipe.sadd(self.keys.known, url)
            if n % 1000 == 0:
                pipe.execute()
        robots = self.store.fresh_robots()
        for row in robots:
            pipe.hset(self.keys.robots, row["url"], robots_row(row["url"], row["status"], row["sha256"],
                                                               row["headers"], row["fetched_at"]))
        pipe.execute()
        return len(schedule.entries), len(schedule.known_documents), len(robots)

    # -- writing ----------------------------------------------------------------------------------------

    def drain(self) -> None:
        """Write the next entries of the feed (the backlog of a previous tenure first)."""
        start = "0" if self.backlog else ">"
        reply = self.server.xreadgroup(GROUP, CONSUMER, {self.keys.feed: start}, count=BATCH,
                                       block=None if self.backlog else 500)
        entries = reply[0][1] if reply else []
        if self.backlog and not entries:
            self.backlog = False
            return
        for entry_id, values in entries:
            if ROBOTS_FIELD.encode() in values:
                self.write_robots(values[ROBOTS_FIELD.encode()])
            else:
                self.write(values[b"record"], check=self.backlog)
        if entries:
            ids = [entry_id for entry_id, _ in entries]
            pipe = self.server.pipeline()
            pipe.xack(self.keys.feed, GROUP, *ids)
            pipe.xdel(self.keys.feed, *ids)
            pipe.execute()

    def write(self, text: bytes, *, check: bool) -> None:
        assert self.store is not None and self.run_id is not None
        item, blob = decode_record(text)
        if check and self.store.has_fetch(item.url, item.kind, item.fetched_at):
            return  # written by the previous tenure, which died before acknowledging it
        sha256 = blob.get("sha256")
        if sha256 and not item.replayed:
            item.body = self.store.blobs.get(sha256)  # for the WARC records
        outcome = store_fetch(self.store, self.run_id, self.warc, item, blob)
        self.written += 1
        pipe = self.server.pipeline(transaction=False)
        if sha256 and outcome in SEEN_OUTCOMES:
            pipe.hset(self.keys.bodies, item.url, validators(item, sha256))
        if sha256 and item.kind in DOCUMENT_KINDS:
            pipe.sadd(self.keys.documents, item.url)
        pipe.execute()

    def write_robots(self, text: bytes) -> None:
        """A worker's robots.txt answer into the store's ``robots`` table (the body is in the blob store)."""
        assert self.store is not None
        row = json.loads(text)
        body = self.store.blobs.get(row["sha256"]) if row["sha256"] else b""
        self.store.save_robots(row["url"], row["status"], body, row["headers"], row["fetched_at"])

    def finish_if_done(self) -> None:
        """Close the session when there is nothing left to fetch, hold or write."""
        state = self.hub.state()
        if state.get("seeded") is None or self.hub.session_over(state):
            return
        if pending(self.server, self.keys) or self.server.xlen(self.keys.feed):
            return
        assert self.store is not None and self.run_id is not None
        skips = {tuple(k.decode().split("\t", 1)): int(v) for k, v in self.server.hgetall(self.keys.skips).items()}
        if skips:
            self.store.record_skips(self.run_id, skips)  # type: ignore[arg-type]
        stats = self.stats()
        # Only a full walk reads every listing: an incremental crawl does not see what it skipped.
        gone = self.store.mark_gone(self.run_id) if self.full else 0
        logger.info("Shared crawl %s finished: %d records written by this writer, %d documents gone",
                    self.keys.name, self.written, gone)
        stats["nianbao/documents_gone"] = gone
        self.close("finished", stats)
        self.end_session()
        self.finished.set()

    def end_session(self) -> None:
        """Delete the finished session's keys: the next crawl of this job starts afresh (incremental)."""
        inflight = list(self.server.scan_iter(match=f"{self.keys.inflight_prefix}*", count=1000))
        pipe = self.server.pipeline()
        pipe.delete(*self.keys.session_keys(), *inflight)
        pipe.srem(CRAWLS, self.keys.name)
        pipe.execute()

