"""Anhui "openness" platform (PORTALS.md §5b): ``OpennessContent/showList/{branch}/{column}/page_N.html``
listings and ``OpennessContent/show/{id}.html`` details."""

from __future__ import annotations

import re
from typing import ClassVar

from scrapy.http import Response, TextResponse

from crawler.platforms.base import (
    Listing,
    PageRequest,
    Platform,
    anchor_title,
    is_tree_node,
    pager_links,
    report_links,
)

_LIST_RE = re.compile(r"(?:Branch)?OpennessContent/showList/\d+/\d+/page_(\d+)\.html", re.I)


class AnhuiOpenness(Platform):
    name: ClassVar[str] = "anhui_openness"

    @classmethod
    def detect(cls, response: TextResponse) -> bool:
        return bool(re.search(r"OpennessContent|opennessAnnualReport", response.url + response.text[:50000]))

    def parse_listing(self, response: Response) -> Listing:
        if not isinstance(response, TextResponse):
            return Listing()
        reports = report_links(response, response.css("a[href]"))
        next_urls: dict[str, None] = dict.fromkeys(pager_links(response))
        for anchor in response.css("a[href]"):
            url = response.urljoin(anchor.attrib["href"].strip())
            match = _LIST_RE.search(url)
            if not match or url == response.url:
                continue
            title = anchor_title(anchor)
            # Numbered pager links of this list, and tree columns (page_1 of another column).
            if title.isdigit() or "页" in title or (match.group(1) == "1" and is_tree_node(title)):
                next_urls.setdefault(url)
        return Listing(reports=reports, next=[PageRequest(url) for url in next_urls])
