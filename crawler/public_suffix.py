"""Keep Scrapy's cookie handling from downloading the public-suffix list.

Scrapy's cookies middleware builds a ``TLDExtract`` that fetches publicsuffix.org's list on first use.
A crawler that promises to contact only the portals it crawls (and tests that never reach the internet)
must not do that, so the middleware gets an extractor that reads the list tldextract ships with.
Importing this module is enough; ``crawler.settings`` imports it.
"""

from __future__ import annotations

import scrapy.downloadermiddlewares.cookies as _cookies
from tldextract import TLDExtract

_cookies._split_domain = TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)
