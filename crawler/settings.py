"""Scrapy settings for the nianbao crawler: polite defaults for real government portals.

Components come from ``crawler.addon.NianbaoAddon`` (pipelines, middlewares, the browser), set at the
"addon" priority so anything written here or passed with ``-s`` still wins. Our own settings carry the
``NIANBAO_`` prefix; each is documented where it is read and listed at the end of this file.
"""

BOT_NAME = "nianbao"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
# The shared-crawl profile changes nothing unless NIANBAO_REDIS_URL is set.
ADDONS = {"crawler.addon.NianbaoAddon": 0, "crawler.shared.addon.SharedCrawlAddon": 10}

# Politeness (the startproject template's defaults, plus what county servers need).
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 200 * 1024 * 1024
DOWNLOAD_WARNSIZE = 50 * 1024 * 1024

# Retries: 5xx, 429 and timeouts, backing off (NIANBAO_RETRY_*) and honouring Retry-After.
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

# Scrapy starts this many tasks for every callback's output; ours yield a record and a few requests,
# and 100 (the default) costs more in task churn than the parallel item writes gain.
CONCURRENT_ITEMS = 16

# The request policy (crawler/policy.py): no scheme but http(s), no address but public ones. The resolver
# is the process's (Scrapy builds it from these project settings), so it is set here, not by the add-on.
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}
TWISTED_DNS_RESOLVER = "crawler.policy.PublicAddressResolver"
# Our crawl command: the same as Scrapy's, plus a store check first and exit status 2 when the store broke.
COMMANDS_MODULE = "crawler.commands"

COOKIES_ENABLED = True  # some WAFs (openresty CT6T) only want their cookie replayed
FEED_EXPORT_ENCODING = "utf-8"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"

# -- nianbao ------------------------------------------------------------------------------------------
# Who to contact about this crawler; it goes into the User-Agent (set it to your address or URL).
NIANBAO_CONTACT = "https://github.com/nianbao-archive/nianbao"
# The data directory (the store is DATA/store); empty means $NIANBAO_DATA, else ./data.
NIANBAO_DATA = ""
# Use Chromium (scrapy-playwright) for JavaScript-only lists and challenges a browser passes by itself.
NIANBAO_BROWSER = True
NIANBAO_CHROMIUM = "/usr/bin/chromium"
# Re-read stored pages with If-None-Match/If-Modified-Since, and answer 304s from the store.
NIANBAO_REVALIDATE = True
# Request known documents again even when their server gave no ETag/Last-Modified to revalidate with.
NIANBAO_REFETCH_UNVALIDATED = False
# Walk every listing and revalidate every known document (``nianbao crawl --full``); the only crawl
# that marks documents gone. Off: an incremental crawl by the store's schedule (crawler.incremental).
NIANBAO_FULL = False
# Write fetches, documents, blobs and the WARC file.
NIANBAO_STORE_ENABLED = True
# Addresses or networks (CIDR) that may be connected to although they are not public. Only for the
# bundled farm and the tests on 127.0.0.1 (crawler.addon.LOCAL_FARM); never set it for real portals.
NIANBAO_ALLOW_PRIVATE_HOSTS: list[str] = []
# Attachments, and what the browser loads for a page, may come from hosts under these domains as well as
# from the portal's own host; a registry row's allowed_domains replaces the list for that portal.
NIANBAO_ATTACHMENT_DOMAINS = ["gov.cn"]
# Backoff before a retry when the server gives no Retry-After: base * 2**attempt (with jitter), capped.
NIANBAO_RETRY_BASE_DELAY = 2.0
NIANBAO_RETRY_MAX_DELAY = 120.0
# A shared crawl (crawler/shared): the Redis server of its frontier, seen-set, host slots and store feed;
# empty means one process. Workers silent for longer than the timeout are taken for dead (seconds).
NIANBAO_REDIS_URL = ""
NIANBAO_REDIS_WORKER_TIMEOUT = 30.0
# Whether this worker may become the store's writer (it never does when DATA/store is on a network filesystem).
NIANBAO_STORE_WRITER = True
