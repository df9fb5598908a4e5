"""``NianbaoAddon``: the crawl profile as one Scrapy add-on, so any project can enable it in ``ADDONS``.

It wires the request policy (``crawler.policy``: its middlewares, the redirect middlewares under it, no
``file``/``data``/``ftp``/``s3`` handlers), the store pipeline, the revalidation and backoff middlewares,
the JOBDIR and store guards and, unless ``NIANBAO_BROWSER`` is off, scrapy-playwright on Debian's
Chromium behind the policy (``crawler.browser``). Values are set at the "addon" priority: project
settings and ``-s`` options still override them. The policy's resolver is a process setting
(``TWISTED_DNS_RESOLVER`` in ``crawler.settings``); without it every request is refused.
"""

from __future__ import annotations

import importlib.metadata

from scrapy.settings import BaseSettings

import crawler.public_suffix  # noqa: F401  (no download of the public-suffix list)

PLAYWRIGHT_HANDLER = "crawler.browser.PolicyPlaywrightHandler"
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

# The one allowance of the request policy: the bundled farm and the tests serve on loopback. Real
# portals are public; production settings never carry this (a test checks the shipped settings).
LOCAL_FARM = {"NIANBAO_ALLOW_PRIVATE_HOSTS": "127.0.0.1,::1"}


def user_agent(contact: str) -> str:
    return f"nianbao/{importlib.metadata.version('nianbao')} (+{contact}; archive of government information-disclosure annual reports)"


class NianbaoAddon:
    def update_settings(self, settings: BaseSettings) -> None:
        settings.set("USER_AGENT", user_agent(settings.get("NIANBAO_CONTACT") or "no contact set"), "addon")
        settings["ITEM_PIPELINES"]["crawler.pipelines.StorePipeline"] = 300
        middlewares = settings["DOWNLOADER_MIDDLEWARES"]
        # Before RobotsTxtMiddleware (100): a forbidden host is not even asked for robots.txt.
        middlewares["crawler.policy.PolicyMiddleware"] = 50
        # Next to the downloader, so a resolver refusal is named before retries see a DNS error.
        middlewares["crawler.policy.ConnectRefusalMiddleware"] = 900
        # Scrapy's redirect middlewares, with their targets checked before they are scheduled.
        middlewares["scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware"] = None
        middlewares["scrapy.downloadermiddlewares.redirect.RedirectMiddleware"] = None
        middlewares["crawler.policy.PolicyMetaRefreshMiddleware"] = 580
        middlewares["crawler.policy.PolicyRedirectMiddleware"] = 600
        # Replaced by the backoff version, which waits before retrying.
        middlewares["scrapy.downloadermiddlewares.retry.RetryMiddleware"] = None
        middlewares["crawler.middlewares.BackoffRetryMiddleware"] = 550
        # After RobotsTxtMiddleware (100), so robots.txt is obeyed before the store is asked.
        middlewares["crawler.middlewares.StoreRevalidationMiddleware"] = 560
        settings["EXTENSIONS"]["crawler.extensions.JobDirGuard"] = 0
        settings["EXTENSIONS"]["crawler.extensions.StoreGuard"] = 0
        settings.set("SCHEDULER_DISK_QUEUE", "crawler.extensions.GuardedDiskQueue", "addon")
        handlers = settings["DOWNLOAD_HANDLERS"]
        for scheme in ("file", "data", "ftp", "s3"):
            handlers.setdefault(scheme, None)
        if settings.getbool("NIANBAO_BROWSER", True):
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
            # No startup context: every context is one portal's, made by crawler.browser with its proxy.
            settings.set("PLAYWRIGHT_CONTEXTS", {}, "addon")
            settings.set("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT", 8, "addon")
            settings.set("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT", 30000, "addon")
