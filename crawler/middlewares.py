"""Downloader middlewares: conditional re-reads from the store, and retries that back off.

Both read their settings in ``from_crawler`` and step aside with ``NotConfigured`` when switched off,
like Scrapy's own components.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.misc import load_object
from scrapy.utils.response import response_status_message

from archive.paths import DataDir
from archive.store import DOCUMENT_KINDS, StoredBody, StoreWriter
from crawler.http import retry_after_seconds

logger = logging.getLogger(__name__)

# Flags put on responses that did not come off the wire, so the spider records the right outcome.
NOT_MODIFIED = "not_modified"  # the server answered 304; the body is the stored one
STORED = "stored"  # not requested at all: a known document with no validators to revalidate

META_KEY = "nianbao"


def store_for(crawler: Crawler) -> DataDir:
    """The data directory the crawl writes to: ``NIANBAO_DATA``, else the environment, else ``./data``."""
    return DataDir.resolve(crawler.settings.get("NIANBAO_DATA"))


class StoreRevalidationMiddleware:
    """Ask the server whether a stored page changed, instead of downloading it again.

    Listings and report pages already in the store are requested with ``If-None-Match`` /
    ``If-Modified-Since`` taken from their last fetch; a 304 is turned back into the stored body
    (flagged ``not_modified``) so the spider still reads the listing and finds its reports. A known
    document whose server gave no validators, or that only the browser can fetch, is not requested
    again unless ``NIANBAO_REFETCH_UNVALIDATED`` is set: a re-read could only re-download it.
    Keys are the spider's logical URL (``meta["nianbao"]["url"]``) so an http→https redirect still
    finds what was stored under the first address.
    """

    def __init__(self, store: StoreWriter, refetch_unvalidated: bool):
        self.store = store
        self.refetch_unvalidated = refetch_unvalidated

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StoreRevalidationMiddleware":
        if not crawler.settings.getbool("NIANBAO_REVALIDATE", True):
            raise NotConfigured("NIANBAO_REVALIDATE is off")
        middleware = cls(StoreWriter(store_for(crawler)), crawler.settings.getbool("NIANBAO_REFETCH_UNVALIDATED"))
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_closed(self) -> None:
        self.store.close()

    def process_request(self, request: Request) -> Response | None:
        info: dict[str, Any] | None = request.meta.get(META_KEY)
        if not info or request.method != "GET" or "stored_sha256" in info:
            return None
        stored = self.store.last_body(info["url"])
        if stored is None:
            return None
        validated = bool(stored.etag or stored.last_modified)
        # The browser cannot revalidate: for a known document it could only download it again.
        revalidatable = validated and not request.meta.get("playwright")
        if info["kind"] in DOCUMENT_KINDS and not revalidatable and not self.refetch_unvalidated:
            if self.store.latest_document(info["url"]) is not None:
                return self._replay(request, stored, STORED)
        if not revalidatable:
            return None
        if stored.etag:
            request.headers.setdefault("If-None-Match", stored.etag)
        if stored.last_modified:
            request.headers.setdefault("If-Modified-Since", stored.last_modified)
        info["stored_sha256"] = stored.sha256
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        info = request.meta.get(META_KEY) or {}
        if response.status != 304 or "stored_sha256" not in info:
            return response
        stored = self.store.last_body(info["url"])
        if stored is None or stored.sha256 != info["stored_sha256"]:
            return response
        return self._replay(request, stored, NOT_MODIFIED, response)

    def _replay(self, request: Request, stored: StoredBody, flag: str, wire: Response | None = None) -> Response:
        body = self.store.blobs.get(stored.sha256)
        headers = Headers(stored.headers)
        url = stored.final_url or request.url
        cls = responsetypes.from_args(headers=headers, url=url, body=body)
        return cls(
            url=url,
            status=stored.status or 200,
            headers=headers,
            body=body,
            flags=[flag],
            request=request,
            ip_address=wire.ip_address if wire is not None else None,
        )


class BackoffRetryMiddleware:
    """Retry 5xx, 429 and timeouts after a pause: the server's ``Retry-After`` when it gives one,
    else exponential backoff with jitter. Scrapy's RetryMiddleware retries at once, which is what a
    struggling county server needs least.
    """

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.max_retry_times = settings.getint("RETRY_TIMES")
        self.retry_http_codes = {int(code) for code in settings.getlist("RETRY_HTTP_CODES")}
        self.base_delay = settings.getfloat("NIANBAO_RETRY_BASE_DELAY", 1.0)
        self.max_delay = settings.getfloat("NIANBAO_RETRY_MAX_DELAY", 60.0)
        self.retry_exceptions = tuple(
            load_object(path) if isinstance(path, str) else path for path in settings.getlist("RETRY_EXCEPTIONS")
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "BackoffRetryMiddleware":
        if not crawler.settings.getbool("RETRY_ENABLED"):
            raise NotConfigured("RETRY_ENABLED is off")
        return cls(crawler)

    def _delay(self, request: Request, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_delay)
        attempt = request.meta.get("retry_times", 0)
        return min(self.base_delay * (2**attempt) * (0.5 + random.random()), self.max_delay)

    async def _retry(self, request: Request, reason: str, retry_after: float | None) -> Request | None:
        spider: Spider = self.crawler.spider
        retry = get_retry_request(request, spider=spider, reason=reason, max_retry_times=self.max_retry_times)
        if retry is None:
            return None
        delay = self._delay(request, retry_after)
        if delay > 0:
            logger.debug("Waiting %.1fs before retrying %s (%s)", delay, request.url, reason)
            await asyncio.sleep(delay)
        return retry

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        retry_after = retry_after_seconds(response.headers.get(b"Retry-After"))
        retry = await self._retry(request, response_status_message(response.status), retry_after)
        return retry or response

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        if request.meta.get("dont_retry") or not isinstance(exception, self.retry_exceptions):
            return None
        return await self._retry(request, f"{type(exception).__name__}: {exception}", None)
