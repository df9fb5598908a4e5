"""Downloader middlewares: conditional re-reads from the store, and retries that back off.

Both read their settings in ``from_crawler`` and step aside with ``NotConfigured`` when switched off,
like Scrapy's own components.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any
from urllib.parse import urlsplit

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
from crawler.http import headers_to_dict, retry_after_seconds

logger = logging.getLogger(__name__)

# Flags put on responses that did not come off the wire, so the spider records the right outcome.
NOT_MODIFIED = "not_modified"  # the server answered 304; the body is the stored one
STORED = "stored"  # not requested at all: a known document with no validators to revalidate
ROBOTS_CACHED = "robots_cached"  # robots.txt answered from the store (asked within the last day)
RENDERED = "rendered"  # the stored body replayed is the browser's rendering of the page, not its source

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
    finds what was stored under the first address. robots.txt (requested by Scrapy's
    RobotsTxtMiddleware) is answered from the store when it was asked within the last day, as RFC 9309
    allows: a re-crawl the same day does not ask every host for it again.

    A listing the browser would render, whose stored rendering loaded nothing but the page, is asked
    for first without the browser, conditionally (``render_check``): a 304 means the page, and so what
    its scripts build from it, is unchanged, and the stored rendering is replayed (flagged ``rendered``);
    any other answer sends the request on to the browser. Not in a full walk (``NIANBAO_FULL``), which
    renders everything again.
    """

    def __init__(self, crawler: Crawler, store: StoreWriter):
        self.store = store
        self.stats = crawler.stats
        self.refetch_unvalidated = crawler.settings.getbool("NIANBAO_REFETCH_UNVALIDATED")
        self.render_check = not crawler.settings.getbool("NIANBAO_FULL")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StoreRevalidationMiddleware":
        if not crawler.settings.getbool("NIANBAO_REVALIDATE", True):
            raise NotConfigured("NIANBAO_REVALIDATE is off")
        middleware = cls(crawler, StoreWriter(store_for(crawler)))
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_closed(self) -> None:
        self.store.close()

    def process_request(self, request: Request) -> Response | None:
        if _is_robots(request):
            return self._robots(request)
        info: dict[str, Any] | None = request.meta.get(META_KEY)
        if not info or request.method != "GET" or "stored_sha256" in info:
            return None
        stored = self.store.last_body(info["url"])
        if stored is None:
            return None
        validated = bool(stored.etag or stored.last_modified)
        if validated and self._checks_rendering(request, info, stored):
            # Off the browser for a conditional GET; process_response sends it back there if it changed.
            request.meta["playwright"] = False
            info["render_check"] = True
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

    def _checks_rendering(self, request: Request, info: dict[str, Any], stored: StoredBody) -> bool:
        """Whether a conditional GET of the page alone can tell its rendering unchanged: a listing bound
        for the browser whose stored rendering loaded nothing besides the page (a script that fetched
        data or code may have been given something new), and not after a challenge (a plain request
        meets the challenge again)."""
        return (self.render_check and bool(request.meta.get("playwright")) and info["kind"] in ("listing", "api")
                and stored.loaded is not None and not stored.loaded and not info.get("challenged")
                and not info.get("render_checked"))

    def _robots(self, request: Request) -> Response | None:
        stored = self.store.stored_robots(request.url)
        if stored is None:
            return None
        status, body, headers = stored
        self.stats.inc_value("nianbao/robots/cached")
        return Response(url=request.url, status=status, headers=Headers(headers), body=body,
                        flags=[ROBOTS_CACHED], request=request)

    def process_response(self, request: Request, response: Response) -> Response:
        if _is_robots(request):
            # Only answers that say what robots.txt is (200) or that there is none (4xx), never errors.
            if ROBOTS_CACHED not in response.flags and (response.status == 200 or 400 <= response.status < 500):
                self.store.save_robots(request.url, response.status, response.body, headers_to_dict(response.headers))
            return response
        info = request.meta.get(META_KEY) or {}
        if "stored_sha256" not in info:
            return response
        stored = self.store.last_body(info["url"]) if response.status == 304 else None
        if stored is None or stored.sha256 != info["stored_sha256"]:
            if info.get("render_check"):
                return self._render(request)
            return response
        if info.get("render_check"):
            self.stats.inc_value("nianbao/browser/not_rendered")
            return self._replay(request, stored, NOT_MODIFIED, response, RENDERED)
        return self._replay(request, stored, NOT_MODIFIED, response)

    @staticmethod
    def _render(request: Request) -> Request:
        """The page changed since its stored rendering (or did not say): render it after all."""
        info = {k: v for k, v in request.meta[META_KEY].items() if k not in ("render_check", "stored_sha256")}
        info["render_checked"] = True
        headers = request.headers.copy()
        for name in ("If-None-Match", "If-Modified-Since"):
            headers.pop(name, None)
        return request.replace(meta={**request.meta, META_KEY: info, "playwright": True}, headers=headers,
                               dont_filter=True)

    def _replay(self, request: Request, stored: StoredBody, flag: str, wire: Response | None = None,
                *flags: str) -> Response:
        body = self.store.blobs.get(stored.sha256)
        headers = Headers(stored.headers)
        url = stored.final_url or request.url
        cls = responsetypes.from_args(headers=headers, url=url, body=body)
        return cls(
            url=url,
            status=stored.status or 200,
            headers=headers,
            body=body,
            flags=[flag, *flags],
            request=request,
            ip_address=wire.ip_address if wire is not None else None,
        )


def _is_robots(request: Request) -> bool:
    """A robots.txt request of Scrapy's RobotsTxtMiddleware (it alone sets ``dont_obey_robotstxt``)."""
    return bool(request.meta.get("dont_obey_robotstxt")) and urlsplit(request.url).path == "/robots.txt" \
        and META_KEY not in request.meta


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
