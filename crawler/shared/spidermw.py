"""How requests start and end in a shared crawl, at the spider's side of the engine.

``process_start``: the start requests are the session's, not each worker's. The first worker to claim
them puts them all in the frontier at once (after the store writer has opened the session's run and
published what revalidation needs); every other worker's ``start()`` yields nothing and it takes its
work from the frontier.

``process_spider_output``: a callback's requests pass first and its ``FetchRecord`` last, so by the time
the record ends the request (``SharedCrawl.item_scraped``), everything the request led to is in the
frontier. A callback that yields no record ends its request here, once its requests are scheduled. A
request a callback makes never carries its parent's receipt.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.items import FetchRecord
from crawler.shared.frontier import RECEIPT, RECORDS
from crawler.shared.worker import SharedCrawl

logger = logging.getLogger(__name__)


class SharedSpiderMiddleware:
    def __init__(self, hub: SharedCrawl):
        self.hub = hub

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SharedSpiderMiddleware":
        hub = crawler.get_extension(SharedCrawl)
        if hub is None:
            raise NotConfigured("no shared crawl")
        return cls(hub)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        requests = []
        async for output in start:
            if isinstance(output, Request):
                requests.append(output)
            else:
                yield output
        if not await self.hub.wait_until_ready():
            return
        assert self.hub.queue is not None
        if self.hub.queue.seed(requests):
            logger.info("Seeded the shared crawl with %d start requests", len(requests))
        else:
            logger.info("Joined the shared crawl after its start: its start requests are already scheduled")

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        records: list[FetchRecord] = []
        try:
            async for output in result:
                if isinstance(output, FetchRecord):
                    records.append(output)
                    continue
                if isinstance(output, Request):
                    output.meta.pop(RECEIPT, None)
                    output.meta.pop(RECORDS, None)
                yield output
        finally:
            request = response.request
            if request is not None:
                if records:
                    request.meta[RECORDS] = len(records)
                else:
                    self.hub.end(request, None, [])
        for record in records:
            yield record
