"""The fallback for portals of no known family: report titles by pattern, paging by 下一页.

Also the home of the tree-walking rule every static family shares: a listing links its sub-columns
(year → unit type) under its own path, and those are followed; links elsewhere are the site's menus.
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
    is_annual_report_title,
    looks_like_file,
    pager_links,
    report_links,
)

# A sub-column of an annual-report tree is named by a year or a unit type (PORTALS.md §0 tree shape).
TREE_LINK_RE = re.compile(r"(?:19|20)\d{2}|年报|年度报告|部门|乡镇|街道|社区|本级|镇|乡|区|县|单位")
_COLUMN_PATH_RE = re.compile(r"(?:/|/index\.s?html?|/list\.s?html?)$")
_DETAIL_PATH_RE = re.compile(r"/t\d{8}_\d+\.|/art_|/post_|/content_\d+|/show/\d+")


def subcolumn_links(response: TextResponse) -> list[str]:
    """Column pages below this one: same host, under this page's folder, named like a tree node."""
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
        if not _COLUMN_PATH_RE.search(parts.path) or _DETAIL_PATH_RE.search(parts.path) or looks_like_file(url):
            continue
        title = anchor_title(anchor)
        if is_annual_report_title(title) or not TREE_LINK_RE.search(title):
            continue
        out.setdefault(url)
    return list(out)


class Generic(Platform):
    name: ClassVar[str] = "generic"

    def parse_listing(self, response: Response) -> Listing:
        if not isinstance(response, TextResponse):
            return Listing()
        reports = report_links(response, response.css("a[href]"))
        next_urls = pager_links(response) + subcolumn_links(response)
        return Listing(reports=reports, next=[PageRequest(url) for url in dict.fromkeys(next_urls)])


class JsOnly(Generic):
    """Portals whose list exists only after JavaScript runs (no API in the page): read in the browser."""

    name: ClassVar[str] = "js_only"
    needs_browser: ClassVar[bool] = True
