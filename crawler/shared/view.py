"""Conditional re-fetch in a shared crawl: the store as revalidation sees it, read from Redis.

``StoreRevalidationMiddleware`` asks the store for a URL's last body and validators and whether it holds a
document there. A worker of a shared crawl may be on a machine without ``store.db`` (which is never read
over a network filesystem either), so the store writer publishes exactly those answers to Redis: all of
them when a session opens, then each new one as it writes it (``feed.py``). The bodies themselves come
from the shared blob directory.
"""

from __future__ import annotations

import json
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from archive.store import BlobStore, StoredBody
from crawler.middlewares import StoreRevalidationMiddleware, store_for
from crawler.shared.keys import CrawlKeys


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

    def close(self) -> None:
        """Nothing to close: the Redis client belongs to the worker."""


class SharedRevalidationMiddleware(StoreRevalidationMiddleware):
    """``StoreRevalidationMiddleware`` reading the shared crawl's view of the store."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SharedRevalidationMiddleware":
        from crawler.shared.worker import SharedCrawl

        if not crawler.settings.getbool("NIANBAO_REVALIDATE", True):
            raise NotConfigured("NIANBAO_REVALIDATE is off")
        hub = crawler.get_extension(SharedCrawl)
        if hub is None:
            raise NotConfigured("no shared crawl")
        view = SharedStoreView(hub.server, hub.keys, BlobStore(store_for(crawler).blobs))
        middleware = cls(view, crawler.settings.getbool("NIANBAO_REFETCH_UNVALIDATED"))  # type: ignore[arg-type]
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware
