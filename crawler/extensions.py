"""Extensions: keep a JOBDIR usable after a crawl that was killed rather than stopped."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)

MARKER = "nianbao.running"


class JobDirGuard:
    """Scrapy's JOBDIR survives a graceful stop (SIGINT) intact, but not SIGKILL: the pending queue
    is only written at close while ``requests.seen`` is appended as it goes, so a resumed crawl would
    skip requests that were seen but never made. A marker file tells the two apart; after a kill the
    JOBDIR is emptied and the store alone carries the resume (known documents are not fetched again).
    A crawl that finished leaves nothing to resume, and its ``requests.seen`` would hide every page
    from the next incremental crawl, so its JOBDIR is removed.
    """

    def __init__(self, jobdir: Path):
        self.jobdir = jobdir
        self.marker = jobdir / MARKER

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "JobDirGuard":
        jobdir = crawler.settings.get("JOBDIR")
        if not jobdir:
            raise NotConfigured("no JOBDIR")
        guard = cls(Path(jobdir))
        guard.recover()
        crawler.signals.connect(guard.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(guard.spider_closed, signal=signals.spider_closed)
        return guard

    def recover(self) -> None:
        if self.marker.exists():
            logger.warning("JOBDIR %s was left by a crawl that did not stop cleanly; starting its queue afresh",
                           self.jobdir)
            shutil.rmtree(self.jobdir)
        self.jobdir.mkdir(parents=True, exist_ok=True)

    def spider_opened(self) -> None:
        self.marker.write_text("running\n")

    def spider_closed(self, reason: str) -> None:
        if reason == "finished":
            shutil.rmtree(self.jobdir, ignore_errors=True)
        else:
            self.marker.unlink(missing_ok=True)
