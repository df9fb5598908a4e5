"""Extensions that keep a crawl's leftovers trustworthy: its JOBDIR, and its stop when the disk refuses.

A crawl that cannot write its store must stop at once with one clear line: going on would request pages
whose answers are thrown away, and a JOBDIR that remembers them as seen would hide them from the next
crawl (issue 13: a full disk hung the crawl, and the next one "finished" with 49 of 140 documents).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request
from scrapy.squeues import PickleLifoDiskQueue
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

from archive.blobs import is_storage_error, storage_error
from crawler.middlewares import store_for

logger = logging.getLogger(__name__)

MARKER = "nianbao.running"
# Stats key holding the one-line reason a crawl could not go on; ``scrapy crawl`` then exits 2.
FATAL = "nianbao/fatal"
FATAL_REASON = "store_error"  # the spider's close reason


def declare_fatal(crawler: Crawler, message: str) -> None:
    """Stop the crawl because the store cannot be written (once; later calls add nothing)."""
    if crawler.stats.get_value(FATAL):
        return
    crawler.stats.set_value(FATAL, message)
    logger.error("%s; stopping the crawl", message)
    if crawler.engine is not None and crawler.engine.spider is not None:
        # Scheduled, not awaited: the caller may be an item the close waits for.
        deferred_from_coro(crawler.engine.close_spider_async(reason=FATAL_REASON))


def fatal(crawler: Crawler) -> str | None:
    return crawler.stats.get_value(FATAL)


class StoreGuard:
    """Stops the crawl on a storage error anywhere: an item the pipeline could not write, or the
    scheduler failing to write its JOBDIR queue (Scrapy reports that as a spider error)."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StoreGuard":
        guard = cls(crawler)
        crawler.signals.connect(guard.on_error, signal=signals.spider_error)
        crawler.signals.connect(guard.on_error, signal=signals.item_error)
        return guard

    def on_error(self, failure: Failure) -> None:
        error = failure.value
        if is_storage_error(error):
            declare_fatal(self.crawler, str(storage_error(error, store_for(self.crawler).store)))


class JobDirGuard:
    """Scrapy's JOBDIR survives a graceful stop (SIGINT) intact, but not SIGKILL: the pending queue
    is only written at close while ``requests.seen`` is appended as it goes, so a resumed crawl would
    skip requests that were seen but never made. A marker file, written before the scheduler opens,
    tells the two apart; after a kill the JOBDIR is emptied and the store alone carries the resume
    (known documents are not fetched again). After an item error or a storage failure the marker
    stays too, so the next crawl starts its queue afresh rather than trust what this one saw. A crawl
    that finished leaves nothing to resume, and its ``requests.seen`` would hide every page from the
    next incremental crawl, so its JOBDIR is removed.
    """

    def __init__(self, crawler: Crawler, jobdir: Path):
        self.crawler = crawler
        self.jobdir = jobdir
        self.marker = jobdir / MARKER
        self.tainted = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "JobDirGuard":
        jobdir = crawler.settings.get("JOBDIR")
        if not jobdir:
            raise NotConfigured("no JOBDIR")
        guard = cls(crawler, Path(jobdir))
        guard.recover()
        crawler.signals.connect(guard.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(guard.taint, signal=signals.item_error)
        return guard

    def recover(self) -> None:
        if self.marker.exists():
            logger.warning("JOBDIR %s was left by a crawl that did not stop cleanly; starting its queue afresh",
                           self.jobdir)
            shutil.rmtree(self.jobdir)
        self.jobdir.mkdir(parents=True, exist_ok=True)
        self.marker.write_text("running\n")

    def taint(self) -> None:
        self.tainted = True

    def spider_closed(self, reason: str) -> None:
        if self.tainted or fatal(self.crawler):
            return  # the marker stays: what this JOBDIR remembers cannot be trusted
        if reason == "finished":
            shutil.rmtree(self.jobdir, ignore_errors=True)
        else:
            self.marker.unlink(missing_ok=True)


class GuardedDiskQueue(PickleLifoDiskQueue):
    """Scrapy's JOBDIR disk queue (``SCHEDULER_DISK_QUEUE``), stopping the crawl when the disk refuses a
    request: Scrapy would raise in every task that schedules one. The request is lost with the JOBDIR,
    which the next crawl discards (the marker stays after a storage failure); the store carries the resume.
    """

    def __init__(self, crawler: Crawler, key: str):
        super().__init__(crawler, key)
        self.crawler = crawler

    def push(self, request: Request) -> None:
        try:
            super().push(request)
        except OSError as error:
            self._refused(error)

    def pop(self) -> Request | None:
        try:
            return super().pop()
        except OSError as error:
            self._refused(error)
            return None

    def close(self) -> None:
        try:
            super().close()
        except OSError as error:
            self._refused(error)

    def _refused(self, error: OSError) -> None:
        if not is_storage_error(error):
            raise error
        declare_fatal(self.crawler, str(storage_error(error, store_for(self.crawler).store)))
