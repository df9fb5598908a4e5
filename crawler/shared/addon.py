"""``SharedCrawlAddon``: the settings profile of a shared crawl, active when ``NIANBAO_REDIS_URL`` is set.

Listed in ``ADDONS`` after ``NianbaoAddon``, whose components it swaps for their shared forms: the
scrapy-redis scheduler and dupefilter on the crawl's keys (``SCHEDULER_PERSIST``: the frontier outlives
any worker), the downloader under shared host slots, the revalidation (with robots.txt) and incremental
middlewares reading the store's view in Redis, and the store written through the feed instead of by
each process. Without the URL it changes nothing, and the
single-process crawl is what it was.
"""

from __future__ import annotations

from scrapy.settings import BaseSettings


class SharedCrawlAddon:
    def update_settings(self, settings: BaseSettings) -> None:
        url = settings.get("NIANBAO_REDIS_URL")
        if not url:
            return
        settings.set("REDIS_URL", url, "addon")
        settings.set("SCHEDULER", "crawler.shared.frontier.SharedScheduler", "addon")
        settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", "addon")
        settings.set("SCHEDULER_PERSIST", True, "addon")
        settings.set("DOWNLOADER", "crawler.shared.slots.SharedSlotsDownloader", "addon")
        settings["EXTENSIONS"]["crawler.shared.worker.SharedCrawl"] = 0
        # Near the engine: it sees every callback's output last, and the start requests last.
        settings["SPIDER_MIDDLEWARES"]["crawler.shared.spidermw.SharedSpiderMiddleware"] = 10
        # The same incremental crawl and the same robots.txt as one process, on the store's view in Redis.
        settings["SPIDER_MIDDLEWARES"]["crawler.incremental.IncrementalMiddleware"] = None
        settings["SPIDER_MIDDLEWARES"]["crawler.shared.view.SharedIncrementalMiddleware"] = 950
        # The store is written by the feed's one writer, not by each worker.
        settings["ITEM_PIPELINES"]["crawler.pipelines.StorePipeline"] = None
        middlewares = settings["DOWNLOADER_MIDDLEWARES"]
        middlewares["crawler.middlewares.StoreRevalidationMiddleware"] = None
        middlewares["crawler.shared.view.SharedRevalidationMiddleware"] = 560
        # Scrapy's JOBDIR has no part in it: the frontier is in Redis.
        settings["EXTENSIONS"]["crawler.extensions.JobDirGuard"] = None
