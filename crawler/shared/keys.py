"""The Redis keys of a shared crawl, in one place, so workers, the writer and ``nianbao status`` agree.

A crawl is named by its job (the spider's arguments, as ``nianbao crawl`` names its JOBDIR) and the data
directory it fills: ``nianbao:crawl:<name>:…``. Host slots are not per crawl: politeness towards a
portal holds whatever crawls share the Redis server, so they live under ``nianbao:slot:<host>:…``.
"""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from dataclasses import dataclass

PREFIX = "nianbao"
# The set of crawls that have a session open, for ``nianbao status``.
CRAWLS = f"{PREFIX}:crawls"


def crawl_name(job: str, data_root: str) -> str:
    """The crawl's name: its job and the data directory it fills (two stores never share a frontier)."""
    return hashlib.sha1(f"{job}\0{data_root}".encode()).hexdigest()[:12]


def worker_id() -> str:
    """Unique per process and readable in ``nianbao status``: host, pid, and a random tail."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class CrawlKeys:
    """Every key of one shared crawl."""

    name: str

    @property
    def prefix(self) -> str:
        return f"{PREFIX}:crawl:{self.name}"

    @property
    def frontier(self) -> str:
        """Sorted set of requests to make (scrapy-redis's priority queue; members ``url\\npickled request``)."""
        return f"{self.prefix}:frontier"

    @property
    def seen(self) -> str:
        """Set of request fingerprints (scrapy-redis's ``RFPDupeFilter``)."""
        return f"{self.prefix}:seen"

    @property
    def session(self) -> str:
        """Hash: the session's id, its run in the store, whether it is ready and seeded, the job's arguments."""
        return f"{self.prefix}:session"

    @property
    def workers(self) -> str:
        """Sorted set of worker ids by their last heartbeat (milliseconds of Redis's clock)."""
        return f"{self.prefix}:workers"

    @property
    def inflight_prefix(self) -> str:
        return f"{self.prefix}:inflight:"

    def inflight(self, worker: str) -> str:
        """Hash of the requests a worker has taken and not yet ended: token → ``score\\nmember``."""
        return f"{self.inflight_prefix}{worker}"

    @property
    def writer(self) -> str:
        """The store writer's lease: the id of the worker that holds it, with a time to live."""
        return f"{self.prefix}:writer"

    @property
    def feed(self) -> str:
        """Stream of FetchRecords (JSON, body in the blob store) for the writer."""
        return f"{self.prefix}:feed"

    @property
    def bodies(self) -> str:
        """Hash URL → the last body stored for it and its validators (what revalidation needs)."""
        return f"{self.prefix}:bodies"

    @property
    def documents(self) -> str:
        """Set of URLs the store holds a document for."""
        return f"{self.prefix}:documents"

    @property
    def robots(self) -> str:
        """Hash robots.txt URL → its last answer (status, body's SHA-256, headers, when), reused for a day."""
        return f"{self.prefix}:robots"

    @property
    def schedule(self) -> str:
        """Hash URL → its schedule entry (kind, due_at), as the store had it when the session opened."""
        return f"{self.prefix}:schedule"

    @property
    def known(self) -> str:
        """Set of URLs with a current document when the session opened (the incremental crawl's "known")."""
        return f"{self.prefix}:known"

    @property
    def skips(self) -> str:
        """Hash ``portal\twhat`` → what the incremental crawl left out, recorded when the session ends."""
        return f"{self.prefix}:skips"

    @property
    def recovered(self) -> str:
        """List of URLs of requests put back in the frontier because their worker died (newest first)."""
        return f"{self.prefix}:recovered"

    @property
    def progress(self) -> str:
        """Hash ``portal|counter`` → count: requests scheduled and ended, documents, failures, per portal."""
        return f"{self.prefix}:progress"

    def session_keys(self) -> list[str]:
        """What a finished session leaves behind and is deleted (the in-flight hashes are found by prefix)."""
        return [self.frontier, self.seen, self.session, self.workers, self.feed, self.bodies, self.documents,
                self.robots, self.schedule, self.known, self.skips, self.recovered, self.progress]


@dataclass(frozen=True)
class SlotKeys:
    """The per-host keys of politeness: the leases of requests under way, and when the next may start."""

    host: str

    @property
    def leases(self) -> str:
        return f"{PREFIX}:slot:{self.host}:leases"

    @property
    def next_start(self) -> str:
        return f"{PREFIX}:slot:{self.host}:next"
