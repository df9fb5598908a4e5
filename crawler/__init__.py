"""The crawler stage: Scrapy spiders that find annual reports on disclosure portals and fill ``DATA/store``.

How a crawl flows (``nianbao crawl`` or ``scrapy crawl portal``):

- ``portals.csv``: the real annual-report columns shipped as the default registry (``archive.registry`` reads it).
- ``spiders/portal.py``: the one spider. It routes pages: ``guards.py`` first recognises block pages,
  JavaScript challenges and redirect shells; ``platforms/`` (one adapter per CMS family, detected from
  the page) turns listings into report links and further pages, and report pages into attachments.
- ``policy.py``: the request policy every request passes (http/https only, public addresses only,
  pages on the portal's hosts, attachments under the allowed domains); ``browser.py`` puts Chromium
  behind it (routing and a proxy per portal); refusals are ``refused`` fetches.
- ``middlewares.py``: conditional re-reads from the store (304 → the stored body) and retries that
  wait (``Retry-After``, else exponential backoff).
- ``pipelines.py``: every request becomes a ``fetches`` row, a blob, a WARC record, and for report
  pages and attachments a ``documents`` version (``archive.store``).
- ``extensions.py``: keeps JOBDIR resumable after SIGINT and safe after SIGKILL, and stops the crawl
  when the disk refuses a write (``commands/crawl.py`` then exits 2 with one line).
- ``addon.py`` bundles the components; ``settings.py`` holds the polite defaults.
"""

from pathlib import Path


def default_registry_path() -> Path:
    """The registry shipped with nianbao: real annual-report columns, for users with internet."""
    return Path(__file__).with_name("portals.csv")
