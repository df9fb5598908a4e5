"""The store pipeline: every ``FetchRecord`` becomes a ``fetches`` row, a blob, a WARC record and,
for report pages and attachments, a ``documents`` version.

The run row is opened when the spider opens and closed on ``spider_closed``, where the close reason
tells a finished crawl from an interrupted one (the next run resumes it). A finished full walk
(``NIANBAO_FULL``) marks documents missing from complete listings gone; every crawl, finished or not,
then writes the schedule of the next incremental one (``archive.schedule``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from io import BytesIO
from typing import IO, Any
from urllib.parse import urlsplit

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.blobs import is_storage_error, storage_error
from archive.paths import DataDir
from archive.store import Outcome, Run, StoreError, StoreWriter, utcnow
from crawler.browser import browser_request_refused
from crawler.extensions import FATAL, declare_fatal, fatal
from crawler.items import FetchRecord
from crawler.middlewares import store_for

logger = logging.getLogger(__name__)

# Headers that described the wire encoding; the WARC holds the decoded body, so they would lie.
_WIRE_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


def job_key(args: dict[str, Any]) -> str:
    """Which crawl this is: the same spider and arguments make the same job, so a rerun resumes it."""
    return hashlib.sha1(json.dumps(args, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:12]


class WarcLog:
    """One gzipped WARC file per run: request and response records for every body off the wire."""

    def __init__(self, handle: IO[bytes]):
        self.handle = handle
        self.writer = WARCWriter(handle, gzip=True)

    def write(self, item: FetchRecord) -> None:
        url = item.final_url or item.url
        date = item.fetched_at.replace("+00:00", "Z") if item.fetched_at else None
        warc_headers = {"WARC-Date": date} if date else {}
        path = urlsplit(url)._replace(scheme="", netloc="").geturl() or "/"
        request = self.writer.create_warc_record(
            url,
            "request",
            payload=BytesIO(item.request_body),
            length=len(item.request_body),
            http_headers=StatusAndHeaders(
                f"{item.method} {path} HTTP/1.1", list(item.request_headers.items()), is_http_request=True
            ),
            warc_headers_dict=dict(warc_headers),
        )
        headers = [(k, v) for k, v in item.headers.items() if k.lower() not in _WIRE_HEADERS]
        response = self.writer.create_warc_record(
            url,
            "response",
            payload=BytesIO(item.body or b""),
            length=len(item.body or b""),
            http_headers=StatusAndHeaders(f"{item.status} -", headers, protocol="HTTP/1.1"),
            warc_headers_dict=dict(warc_headers),
        )
        request.rec_headers.add_header("WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID"))
        self.writer.write_record(response)
        self.writer.write_record(request)

    def close(self) -> None:
        self.handle.close()


class StorePipeline:
    """Writes every fetch to ``DATA/store`` (see ``archive.store``).

    Nothing of it runs on the event loop: bodies are hashed and fsync-ed in the default thread pool
    (in parallel), and the rows and the WARC records are written by one thread of its own, which owns
    the SQLite connection. The crawl goes on meanwhile; the order that makes a kill -9 safe is kept
    per item (blob on disk, then its row committed).
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.data = store_for(crawler)
        self.writer: StoreWriter | None = None
        self.run: Run | None = None
        self.warc: WarcLog | None = None
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nianbao-store")

    def _sync(self, function: Any, *args: Any) -> Any:
        """Run on the store's thread and wait (opening and closing, and the rare browser refusal)."""
        return self.thread.submit(function, *args).result()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StorePipeline":
        if not crawler.settings.getbool("NIANBAO_STORE_ENABLED", True):
            raise NotConfigured("NIANBAO_STORE_ENABLED is off")
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.browser_refused, signal=browser_request_refused)
        return pipeline

    def open_spider(self) -> None:
        spider = self.crawler.spider
        args = dict(getattr(spider, "job_args", None) or {"spider": spider.name})
        started = time.perf_counter()
        try:
            self.writer = self._sync(StoreWriter, self.data)
            self.run = self._sync(self.writer.start_run, spider.name, args, job_key(args))
            self.warc = self._sync(open_warc, self.data, self.writer, self.run.id)
        except (StoreError, OSError) as error:
            message = str(error if isinstance(error, StoreError) else storage_error(error, self.data.store))
            self.crawler.stats.set_value(FATAL, message)
            raise StoreError(message) from error
        self.crawler.stats.set_value("nianbao/run_id", self.run.id)
        self.crawler.stats.set_value("nianbao/store/open_s", round(time.perf_counter() - started, 3))
        # Read back by archive.schedule.full_walk_due: when the last full walk was.
        self.crawler.stats.set_value("nianbao/full", self.crawler.settings.getbool("NIANBAO_FULL"))
        if self.run.resumes:
            logger.info("Run %s resumes interrupted run %s", self.run.id, self.run.resumes)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchRecord) or self.writer is None or self.run is None or fatal(self.crawler):
            return item
        try:
            await self._store(item)
        except Exception as error:
            if not is_storage_error(error):
                raise
            refusal = error if isinstance(error, StoreError) else storage_error(error, self.data.store)
            declare_fatal(self.crawler, str(refusal))
        # The body is in the store now (or the crawl is stopping); do not carry megabytes further.
        item.body = None
        return item

    async def _store(self, item: FetchRecord) -> None:
        assert self.writer is not None and self.run is not None
        blob: dict[str, Any] = {}
        if item.body is not None:
            # Hashing and fsync-ing a body takes milliseconds: done in a thread, the crawl goes on.
            blob = {"sha256": await asyncio.to_thread(self.writer.blobs.put, item.body), "size": len(item.body)}
        # On the store's thread: SQLite and the WARC file are written by one thread, the crawl goes on.
        outcome = await asyncio.wrap_future(
            self.thread.submit(store_fetch, self.writer, self.run.id, self.warc, item, blob))
        self.crawler.stats.inc_value(f"nianbao/{item.kind}/{outcome}")

    def browser_refused(self, portal_id: str | None, url: str, parent_url: str | None, reason: str) -> None:
        """A request the browser was stopped from making (crawler.browser): a ``refused`` fetch row."""
        if self.writer is None or self.run is None or fatal(self.crawler):
            return
        row = {"portal_id": portal_id, "kind": "resource", "url": url, "parent_url": parent_url, "method": "GET",
               "outcome": Outcome.REFUSED, "reason": f"in the browser: {reason}", "fetched_at": utcnow()}
        try:
            self._sync(self.writer.record, self.run.id, row, None)
        except StoreError as error:
            declare_fatal(self.crawler, str(error))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        try:
            if self.writer is not None and self.run is not None:
                self._sync(self._close, reason)
        finally:
            self.thread.shutdown()

    def _close(self, reason: str) -> None:
        assert self.writer is not None and self.run is not None
        try:
            finished = reason == "finished" and not fatal(self.crawler)
            if finished and self.crawler.settings.getbool("NIANBAO_FULL"):
                # Only a full walk reads every listing: an incremental crawl does not see what it skipped.
                gone = self.writer.mark_gone(self.run.id)
                self.crawler.stats.set_value("nianbao/documents_gone", gone)
            if not fatal(self.crawler):
                self.crawler.stats.set_value("nianbao/scheduled", self.writer.update_schedule(self.run.id))
            status = "finished" if finished else "interrupted"
            self.writer.finish_run(self.run.id, status, self.crawler.stats.get_stats())
        except StoreError as error:
            # The disk still refuses: the run stays "running" and the next crawl marks it interrupted.
            logger.error("%s; run %s left for the next crawl to close", error, self.run.id)
        finally:
            if self.warc is not None:
                with contextlib.suppress(OSError):
                    self.warc.close()
            self.writer.close()


def open_warc(data: DataDir, writer: StoreWriter, run_id: int) -> WarcLog:
    """The run's WARC file, named after it and recorded on its row."""
    data.warc.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = data.warc / f"nianbao-run{run_id:05d}-{stamp}.warc.gz"
    warc = WarcLog(path.open("wb"))
    writer.set_warc(run_id, path.name)
    return warc


def fetch_row(item: FetchRecord, blob: Mapping[str, Any]) -> dict[str, Any]:
    """The ``fetches`` columns of a record whose body (if any) is already in the blob store as ``blob``."""
    return {
        "portal_id": item.portal_id,
        "family": item.family,
        "kind": item.kind,
        "url": item.url,
        "final_url": item.final_url,
        "listing_url": item.listing_url,
        "parent_url": item.parent_url,
        "method": item.method,
        "title": item.title,
        "listed_date": item.listed_date,
        "status": item.status,
        "outcome": item.outcome,
        "reason": item.reason,
        "fetched_at": item.fetched_at,
        "elapsed_ms": item.elapsed_ms,
        "content_type": _header(item.headers, "Content-Type"),
        "content_disposition": _header(item.headers, "Content-Disposition"),
        "filename": item.filename,
        "etag": _header(item.headers, "ETag"),
        "last_modified": _header(item.headers, "Last-Modified"),
        "headers": item.headers,
        "loaded": item.loaded,
        **blob,
    }


def store_fetch(writer: StoreWriter, run_id: int, warc: WarcLog | None, item: FetchRecord,
                blob: Mapping[str, Any]) -> str:
    """One record into the store: its fetch row and document version, and its WARC records when the body
    came off the wire. Returns the outcome recorded. The one path of a single crawl and a shared one."""
    _, outcome = writer.record(run_id, fetch_row(item, blob), None)
    if item.body is not None and not item.replayed and warc is not None:
        warc.write(item)
    return outcome


def _header(headers: dict[str, str], name: str) -> str | None:
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)
