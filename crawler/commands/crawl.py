"""``scrapy crawl`` as Scrapy has it, with two things a service manager and ``nianbao crawl`` need.

The store is checked before anything starts: a read-only or full data directory gives one line on
stderr and exit status 2, not a traceback from inside a pipeline. And a crawl stopped because its
store refused a write (``crawler.extensions.declare_fatal``) exits 2 with that line, where Scrapy
itself would exit 0 after an orderly close.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from archive.faults import BROKEN
from archive.paths import DataDir
from archive.store import StoreError, StoreWriter
from crawler.extensions import FATAL


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.settings is not None and self.crawler_process is not None
        if self.settings.getbool("NIANBAO_STORE_ENABLED", True):
            try:
                writer = StoreWriter(DataDir.resolve(self.settings.get("NIANBAO_DATA")))
                writer.check_writable()
                writer.close()
            except StoreError as error:
                self._fail(str(error))
                return
        crawler = self.crawler_process.create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        message = crawler.stats.get_value(FATAL) if crawler.stats is not None else None
        if message:
            self._fail(message)
        elif self.crawler_process.bootstrap_failed:
            self.exitcode = 1

    def _fail(self, message: str) -> None:
        print(f"Error: {message}", file=sys.stderr)
        self.exitcode = BROKEN
