"""The incremental crawl: a spider middleware that leaves out what the store says cannot have changed.

Listings are newest first, so a new report appears on the first page of its list: further pages
(``PageRequest.pager``) are asked for only while a page holds a report the store does not know, or when
the schedule says something on them is due. Columns (sub-lists of a tree) found on an unchanged page
are asked for when the schedule says their subtree is due; list API heads always (their reply is the
CMS's own change signal, with its totals). Known documents are asked again only when due by their age
(``archive.schedule``). Everything left out is counted per portal in ``skips``.

Listings only a browser builds are rendered again only when that can show something new: a page whose
stored rendering loaded nothing else is first asked for conditionally (``StoreRevalidationMiddleware``;
its 304 replays the stored rendering, counted here), and any other rendered listing (one whose scripts
load code or data, or one behind a challenge) is rendered again when the schedule says it is due, by how
long its rendering has stayed the same.

``nianbao crawl --full`` (``NIANBAO_FULL``) turns this off: every listing is walked and every known
document revalidated, which is also the only crawl that marks documents gone.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any
from urllib.parse import urljoin

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from archive.schedule import SKIP_COLUMN, SKIP_DOCUMENT, SKIP_PAGER, SKIP_RENDER, Schedule
from archive.store import StoreWriter
from crawler.items import DOCUMENT_KINDS, FetchRecord
from crawler.middlewares import META_KEY, NOT_MODIFIED, RENDERED, STORED, store_for

logger = logging.getLogger(__name__)


class IncrementalMiddleware:
    """Filters the requests a listing or report page yields, by the store's schedule."""

    def __init__(self, crawler: Crawler, store: StoreWriter):
        self.crawler = crawler
        self.store = store
        self._schedule: Schedule | None = None
        self.skipped: Counter[tuple[str, str]] = Counter()
        self.signalled: set[str] = set()  # URLs a sitemap says changed since their last check

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "IncrementalMiddleware":
        if crawler.settings.getbool("NIANBAO_FULL"):
            raise NotConfigured("NIANBAO_FULL: a full walk")
        if not crawler.settings.getbool("NIANBAO_STORE_ENABLED", True):
            raise NotConfigured("no store to read the schedule from")
        middleware = cls(crawler, StoreWriter(store_for(crawler)))
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    @property
    def schedule(self) -> Schedule:
        if self._schedule is None:
            started = time.perf_counter()
            portals = getattr(self.crawler.spider, "portals", None)
            self._schedule = self.store.schedule([p.site_id for p in portals] if portals is not None else None)
            self.crawler.stats.set_value("nianbao/schedule/load_s", round(time.perf_counter() - started, 3))
        return self._schedule

    def spider_closed(self) -> None:
        run_id = self.crawler.stats.get_value("nianbao/run_id")
        try:
            if run_id is not None and self.skipped:
                self.store.record_skips(run_id, self.skipped)
        finally:
            self.store.close()

    # -- filtering ---------------------------------------------------------------------------------------

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        yield from self._filter(response, list(result))

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        for out in self._filter(response, [out async for out in result]):
            yield out

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """A start page bound for the browser whose rendering is not due is not rendered (nor asked); a
        portal whose robots.txt names a sitemap has it read first (the spider goes on to the start page)."""
        async for out in start:
            if isinstance(out, Request) and self._render_not_due(out):
                self._count(out.meta[META_KEY], SKIP_RENDER)
                continue
            sitemap = self._sitemap(out) if isinstance(out, Request) else None
            yield out if sitemap is None else self.crawler.spider.sitemap_request(sitemap, out)

    def _sitemap(self, request: Request) -> str | None:
        """The first sitemap the host's last stored robots.txt names, for a portal already crawled."""
        info = request.meta.get(META_KEY)
        reader = getattr(self.store, "last_robots_text", None)  # a shared crawl's view keeps no robots bodies
        if not info or info["kind"] != "listing" or reader is None or not self.schedule.scheduled(info["url"]):
            return None
        robots_url = urljoin(request.url, "/robots.txt")
        text = reader(robots_url)
        return next(iter(sitemap_urls_from_robots(text, base_url=robots_url)), None) if text else None

    def _read_sitemap(self, response: Response) -> None:
        """Every URL whose ``<lastmod>`` is not older than its last check, and the listings above it, are
        asked for whatever the schedule says: the site says they changed."""
        try:
            entries = list(Sitemap(response.body)) if response.body else []
        except Exception:  # not a sitemap after all: no signal, nothing else lost
            return
        schedule = self.schedule
        for entry in entries:
            url, lastmod = entry.get("loc"), entry.get("lastmod")
            if url and lastmod and schedule.newer(url, lastmod):
                self.signalled.add(url)
                self.signalled.update(schedule.ancestors(url))
        self.crawler.stats.set_value("nianbao/sitemap/changed", len(self.signalled))

    def _count(self, info: dict[str, Any], what: str) -> None:
        self.skipped[(info.get("portal_id") or "", what)] += 1
        self.crawler.stats.inc_value(f"nianbao/skipped/{what}")

    def _render_not_due(self, request: Request) -> bool:
        """A listing for the browser that cannot be checked by a conditional GET (its stored rendering
        loaded code or data, or it follows a challenge) and whose rendering is not due by the schedule."""
        info = request.meta.get(META_KEY)
        if not info or not request.meta.get("playwright") or info["kind"] not in ("listing", "api"):
            return False
        url, schedule = info["url"], self.schedule
        if not schedule.scheduled(url) or schedule.due(url) or url in self.signalled:
            return False
        stored = self.store.last_body(url)
        if stored is None or stored.loaded is None:
            return False  # never rendered, or the last answer was no rendering: nothing to stand in for it
        return bool(stored.loaded) or bool(info.get("challenged")) or not (stored.etag or stored.last_modified)

    def _filter(self, response: Response, outputs: list[Any]) -> Iterator[Any]:
        info = response.meta.get(META_KEY)
        if not info:
            yield from outputs
            return
        if RENDERED in response.flags:
            self._count(info, SKIP_RENDER)
        if info["kind"] == "sitemap":
            self._read_sitemap(response)
        # This very page again, in the browser (after a challenge, or for a script-built list).
        again = [o for o in outputs if isinstance(o, Request) and (o.meta.get(META_KEY) or {}).get("retrying")
                 and o.meta[META_KEY]["url"] == info["url"] and self._render_not_due(o)]
        for _ in again:
            self._count(info, SKIP_RENDER)
        outputs = [o for o in outputs if not any(o is r for r in again)]
        found = [o for o in outputs if isinstance(o, Request) and _found_on(o, response, info)]
        if not found:
            yield from outputs
            return
        schedule = self.schedule
        documents = [r for r in found if r.meta[META_KEY]["kind"] in DOCUMENT_KINDS]
        news = any(not schedule.known(r.meta[META_KEY]["url"]) for r in documents)
        changed = self._changed(response, info, outputs)
        ours = {id(r) for r in found}
        for out in outputs:
            what = self._skip(out, news, changed) if id(out) in ours else None
            if what is None:
                yield out
            else:
                self._count(info, what)

    def _skip(self, request: Request, news: bool, changed: bool) -> str | None:
        """Why this request is left out, or None to make it."""
        info = request.meta[META_KEY]
        url, schedule = info["url"], self.schedule
        if url in self.signalled or (info["kind"] == "attachment" and info.get("parent_url") in self.signalled):
            return None  # the sitemap says it (or the report page that links it) changed
        if info["kind"] in DOCUMENT_KINDS:
            return SKIP_DOCUMENT if schedule.known(url) and not schedule.due(url) else None
        if not schedule.scheduled(url) or schedule.due(url):
            return None
        if info.get("pager"):
            return None if news else SKIP_PAGER
        if info["kind"] == "api" or changed:
            return None
        return SKIP_COLUMN

    def _changed(self, response: Response, info: dict[str, Any], outputs: list[Any]) -> bool:
        """Whether the page answered with a body the store did not hold for it."""
        if NOT_MODIFIED in response.flags or STORED in response.flags:
            return False
        if not self.schedule.scheduled(info["url"]):
            return True
        record = next((o for o in outputs if isinstance(o, FetchRecord) and o.url == info["url"]), None)
        stored = self.store.last_body(info["url"])
        if record is None or record.body is None or stored is None:
            return True
        return hashlib.sha256(record.body).hexdigest() != stored.sha256


def _found_on(request: Request, response: Response, info: dict[str, Any]) -> bool:
    """A link read off this page (not a retry of it, nor a redirect's next hop, which keep their provenance)."""
    theirs = request.meta.get(META_KEY)
    if not theirs or theirs.get("retrying"):
        return False
    if theirs["kind"] == "attachment" and theirs.get("parent_url") == info["url"]:
        return True
    return theirs.get("listing_url") in (response.url, info["url"])
