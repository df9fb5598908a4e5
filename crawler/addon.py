"""``NianbaoAddon``: the crawl profile as one Scrapy add-on, so any project can enable it in ``ADDONS``.

It wires the store pipeline, the revalidation and backoff middlewares, the incremental crawl's
schedule (``crawler.incremental``), the JOBDIR guard and, unless
``NIANBAO_BROWSER`` is off, scrapy-playwright on Debian's Chromium. Values are set at the "addon"
priority: project settings and ``-s`` options still override them.
"""

from __future__ import annotations

import importlib.metadata

from scrapy.settings import BaseSettings

import crawler.public_suffix  # noqa: F401  (no download of the public-suffix list)

PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

# Politeness lifted: for the local farm in tests and benchmarks only, never for real portals.
UNTHROTTLED = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
    "NIANBAO_RETRY_BASE_DELAY": 0.05,
    "NIANBAO_RETRY_MAX_DELAY": 1.0,
}


# The browser context, made with the first request that needs it (``playwright_context_kwargs``), not
# as a startup context: those launch Chromium when the engine starts, once per download handler (http
# and https), seconds that a crawl needing no browser (most re-crawls) would spend for nothing.
# Same trust as Scrapy's own downloader, which does not verify certificates either: county portals run
# on expired and self-signed ones.
BROWSER_CONTEXT = {"ignore_https_errors": True}


def user_agent(contact: str) -> str:
    return f"nianbao/{importlib.metadata.version('nianbao')} (+{contact}; archive of government information-disclosure annual reports)"


class NianbaoAddon:
    def update_settings(self, settings: BaseSettings) -> None:
        settings.set("USER_AGENT", user_agent(settings.get("NIANBAO_CONTACT") or "no contact set"), "addon")
        settings["ITEM_PIPELINES"]["crawler.pipelines.StorePipeline"] = 300
        middlewares = settings["DOWNLOADER_MIDDLEWARES"]
        # Replaced by the backoff version, which waits before retrying.
        middlewares["scrapy.downloadermiddlewares.retry.RetryMiddleware"] = None
        middlewares["crawler.middlewares.BackoffRetryMiddleware"] = 550
        # After RobotsTxtMiddleware (100), so robots.txt is obeyed before the store is asked.
        middlewares["crawler.middlewares.StoreRevalidationMiddleware"] = 560
        settings["EXTENSIONS"]["crawler.extensions.JobDirGuard"] = 0
        # Next to the spider, so it sees the requests a page yields before any other middleware.
        settings["SPIDER_MIDDLEWARES"]["crawler.incremental.IncrementalMiddleware"] = 950
        if settings.getbool("NIANBAO_BROWSER", True):
            handlers = settings["DOWNLOAD_HANDLERS"]
            for scheme in ("http", "https"):
                if scheme not in handlers:
                    handlers[scheme] = PLAYWRIGHT_HANDLER
            settings.set("PLAYWRIGHT_BROWSER_TYPE", "chromium", "addon")
            settings.set(
                "PLAYWRIGHT_LAUNCH_OPTIONS",
                {"executable_path": settings.get("NIANBAO_CHROMIUM") or "/usr/bin/chromium",
                 "headless": True, "args": CHROMIUM_ARGS},
                "addon",
            )
            settings.set("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT", 8, "addon")
            settings.set("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT", 30000, "addon")
