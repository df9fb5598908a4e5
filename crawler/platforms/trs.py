"""TRS WCM (PORTALS.md §1): static ``index.html``/``index_N.html`` pages counted by ``createPageHTML``."""

from __future__ import annotations

import re
from typing import ClassVar

from scrapy.http import Response, TextResponse

from crawler.platforms.base import Listing, PageRequest, Platform, report_links
from crawler.platforms.generic import subcolumn_links

# createPageHTML(countPage, currentIndex, "index", "html"); also the 'page_div' variant with the
# element id first. Page N (0-based) is name_N.ext, page 0 is name.ext.
_PAGER_RE = re.compile(
    r"createPageHTML\(\s*(?:['\"][\w-]+['\"]\s*,\s*)?(\d+)\s*,\s*(\d+)\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
_COUNT_RE = re.compile(r"var\s+countPage\s*=\s*(\d+)")
_DETAIL_RE = re.compile(r"""href=["'][^"']*/t\d{8}_\d+\.s?html?""")


def trs_pages(text: str, base_url: str) -> list[str]:
    """Every further page of a TRS listing, read off its pager call on the first page only."""
    match = _PAGER_RE.search(text)
    if not match:
        return []
    count, index, name, ext = int(match.group(1)), int(match.group(2)), match.group(3), match.group(4)
    declared = _COUNT_RE.search(text)
    if declared:
        count = max(count, int(declared.group(1)))
    if index != 0:
        return []
    folder = base_url.split("?", 1)[0].rsplit("/", 1)[0]
    return [f"{folder}/{name}_{n}.{ext}" for n in range(1, count)]


class Trs(Platform):
    name: ClassVar[str] = "trs"

    @classmethod
    def detect(cls, response: TextResponse) -> bool:
        text = response.text
        return "createPageHTML" in text or bool(_DETAIL_RE.search(text)) or "TRS_Editor" in text

    def parse_listing(self, response: Response) -> Listing:
        if not isinstance(response, TextResponse):
            return Listing()
        reports = report_links(response, response.css("a[href]"))
        next_urls = trs_pages(response.text, response.url) + subcolumn_links(response)
        return Listing(reports=reports, next=[PageRequest(url) for url in dict.fromkeys(next_urls)])

