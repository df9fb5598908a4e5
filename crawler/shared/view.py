"""The store as a shared crawl's workers see it, read from Redis: revalidation, robots.txt, the schedule.

``StoreRevalidationMiddleware`` asks the store for a URL's last body and validators, whether it holds a
document there, and a host's robots.txt answer of the last day; ``IncrementalMiddleware`` asks it for the
schedule and records what it left out. A worker of a shared crawl may be on a machine without
``store.db`` (which is never read over a network filesystem either), so the store writer publishes
exactly those answers to Redis: all of them when a session opens, then each new body as it writes it
(``feed.py``). A worker's new robots.txt answer goes to Redis at once (every worker obeys it from then
on) and through the feed into the store's ``robots`` table; skips are counted in Redis and recorded by
the writer when the session ends. The bodies themselves come from the shared blob directory. So both
modes run the same middlewares and obey the same robots.txt and the same schedule.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from archive.schedule import ROBOTS_FRESH, parse_time
from archive.store import BlobStore, StoredBody
from crawler.incremental import IncrementalMiddleware
from crawler.middlewares import StoreRevalidationMiddleware, store_for
from crawler.shared.keys import CrawlKeys

# The field of a store-feed entry that carries a robots.txt answer (a fetch's field is "record").
ROBOTS_FIELD = "robots"


def _hub(crawler: Crawler) -> Any:
    from crawler.shared.worker import SharedCrawl

    hub = crawler.get_extension(SharedCrawl)
    if hub is None:
        raise NotConfigured("no shared crawl")
    return hub


def _view(crawler: Crawler) -> "SharedStoreView":
    hub = _hub(crawler)
    return SharedStoreView(hub.server, hub.keys, BlobStore(store_for(crawler).blobs))


class SharedSchedule:
    """``archive.schedule.Schedule`` read from the crawl's keys: the store's schedule when the session opened."""

    def __init__(self, server: Any, keys: CrawlKeys, now: datetime):
        self.server = server
        self.keys = keys
        self.now = now

    def _entry(self, url: str) -> list[Any] | None:
        raw = self.server.hget(self.keys.schedule, url)
        return json.loads(raw) if raw is not None else None

    def due(self, url: str) -> bool:
        entry = self._entry(url)
        due_at = parse_time(entry[1]) if entry is not None else None
        return due_at is None or due_at <= self.now

    def known(self, url: str) -> bool:
        return bool(self.server.sismember(self.keys.known, url))

    def scheduled(self, url: str) -> bool:
        return bool(self.server.hexists(self.keys.schedule, url))


class SharedStoreView:
    """``last_body``, ``latest_document`` and ``blobs`` as ``StoreWriter`` has them, from the crawl's keys."""

    def __init__(self, server: Any, keys: CrawlKeys, blobs: BlobStore):
        self.server = server
        self.keys = keys
        self.blobs = blobs

    def last_body(self, url: str) -> StoredBody | None:
        raw = self.server.hget(self.keys.bodies, url)
        if raw is None:
            return None
        body = StoredBody(**json.loads(raw))
        return body if body.sha256 in self.blobs else None

    def latest_document(self, url: str) -> dict[str, Any] | None:
        return {"url": url} if self.server.sismember(self.keys.documents, url) else None

    def stored_robots(self, url: str) -> tuple[int, bytes, dict[str, str]] | None:
        """As ``StoreWriter.stored_robots``: an answer of the last day (any worker's, or the store's)."""
        raw = self.server.hget(self.keys.robots, url)
        if raw is None:
            return None
        row = json.loads(raw)
        fetched = parse_time(row["fetched_at"])
        if fetched is None or datetime.now(UTC) - fetched >= ROBOTS_FRESH:
            return None
        if row["sha256"] and row["sha256"] not in self.blobs:
            return None
        return row["status"], self.blobs.get(row["sha256"]) if row["sha256"] else b"", row["headers"]

    def save_robots(self, url: str, status: int, body: bytes, headers: Mapping[str, str]) -> None:
        """Published for every worker at once, and sent through the feed to the store's ``robots`` table."""
        row = robots_row(url, status, self.blobs.put(body) if body else None, headers,
                         datetime.now(UTC).isoformat())
        pipe = self.server.pipeline()
        pipe.hset(self.keys.robots, url, row)
        pipe.xadd(self.keys.feed, {ROBOTS_FIELD: row})
        pipe.execute()

    def schedule(self, portals: list[str] | None = None) -> SharedSchedule:
        """The schedule the writer published (every portal's: URLs only ever match their own)."""
        return SharedSchedule(self.server, self.keys, datetime.now(UTC))

    def count_skips(self, counts: Mapping[tuple[str, str], int]) -> None:
        """Add this worker's skips to the session's; the writer records them when the session ends."""
        pipe = self.server.pipeline(transaction=False)
        for (portal, what), count in counts.items():
            pipe.hincrby(self.keys.skips, f"{portal}\t{what}", count)
        pipe.execute()

    def close(self) -> None:
        """Nothing to close: the Redis client belongs to the worker."""


def robots_row(url: str, status: int, sha256: str | None, headers: Mapping[str, str], fetched_at: str) -> str:
    """A robots.txt answer as the crawl's ``robots`` hash and the feed carry it (JSON)."""
    return json.dumps({"url": url, "status": status, "sha256": sha256, "headers": dict(headers),
                       "fetched_at": fetched_at}, ensure_ascii=False)


class SharedRevalidationMiddleware(StoreRevalidationMiddleware):
    """``StoreRevalidationMiddleware`` reading the shared crawl's view of the store."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SharedRevalidationMiddleware":
        if not crawler.settings.getbool("NIANBAO_REVALIDATE", True):
            raise NotConfigured("NIANBAO_REVALIDATE is off")
        middleware = cls(crawler, _view(crawler))  # type: ignore[arg-type]
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware


class SharedIncrementalMiddleware(IncrementalMiddleware):
    """``IncrementalMiddleware`` reading the schedule the writer published, its skips counted in Redis."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SharedIncrementalMiddleware":
        if crawler.settings.getbool("NIANBAO_FULL"):
            raise NotConfigured("NIANBAO_FULL: a full walk")
        middleware = cls(crawler, _view(crawler))  # type: ignore[arg-type]
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def _filter(self, response: Response, outputs: list[Any]) -> Iterator[Any]:
        """Decided first and counted in Redis before the page's record can end its request: the writer
        records the session's skips when the last request ends, perhaps before this worker closes."""
        kept = list(super()._filter(response, outputs))
        if self.skipped:
            self.store.count_skips(self.skipped)  # type: ignore[attr-defined]
            self.skipped.clear()
        yield from kept

    def spider_closed(self) -> None:
        """Nothing left to record: every skip is in Redis already."""
