"""The fallback for portals of no known family: report titles by pattern, paging by the listing's own
下一页 links and ``createPageHTML``-style pager scripts, and the tree's own columns.

The tree-walking rule is shared by every static family: a listing links its sub-columns (year → unit
type) under its own path, and those are followed; links elsewhere are the site's menus. A generic page
that shows no report and no way further is rendered once in the browser by the spider (its list may be
built by a script); a start page that still shows nothing is a portal the crawler cannot walk.
"""

from __future__ import annotations

import re
from typing import ClassVar
from urllib.parse import urlsplit

from scrapy.http import Response, TextResponse

from crawler.platforms.base import (
    Listing,
    PageRequest,
    Platform,
    anchor_title,
    has_pager,
    is_annual_report_title,
    is_tree_node,
    looks_like_file,
    pager_links,
    report_links,
    script_pages,
)

_DETAIL_PATH_RE = re.compile(r"/t\d{8}_\d+\.|/art_|/post_|/content_\d+|/show/\d+|/info/\d+/\d+\.")


def subcolumn_links(response: TextResponse) -> list[str]:
    """Column pages below this one: same host, under this page's folder (``/a/b/`` for ``/a/b/x.html``
    and for ``/a/b.htm``, whose children VSB puts in ``/a/b/``), named like a tree node."""
    here = urlsplit(response.url)
    folder = here.path.rsplit("/", 1)[0] + "/"
    out: dict[str, None] = {}
    for anchor in response.css("a[href]"):
        href = anchor.attrib["href"].strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        url = response.urljoin(href).split("#", 1)[0]
        parts = urlsplit(url)
        if parts.netloc != here.netloc or not parts.path.startswith(folder) or parts.path in (folder, here.path):
            continue
        if _DETAIL_PATH_RE.search(parts.path) or looks_like_file(url):
            continue
        title = anchor_title(anchor)
        if is_annual_report_title(title) or not is_tree_node(title):
            continue
        out.setdefault(url)
    return list(out)


class Generic(Platform):
    name: ClassVar[str] = "generic"

    def parse_listing(self, response: Response) -> Listing:
        if not isinstance(response, TextResponse):
            return Listing()
        reports = report_links(response, response.css("a[href]"))
        pages = dict.fromkeys(pager_links(response) + script_pages(response.text, response.url))
        columns = [url for url in dict.fromkeys(subcolumn_links(response)) if url not in pages]
        return Listing(reports=reports,
                       next=[PageRequest(url, pager=True) for url in pages] + [PageRequest(url) for url in columns],
                       paged=has_pager(response))


class JsOnly(Generic):
    """Portals whose list exists only after JavaScript runs (no API in the page): read in the browser."""

    name: ClassVar[str] = "js_only"
    needs_browser: ClassVar[bool] = True
