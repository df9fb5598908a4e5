"""Anhui ``/public/column`` platform (PORTALS.md §5a): a column page is a shell whose list a script loads
from ``/site/label/8888?IsAjax=1&…&pageIndex=N``; that call is made as the page's script makes it (with
``Referer``, ``X-Requested-With`` and ``Ls-Language: zh``, without which it is refused), and its fragment's
``pageCount:N`` gives the further pages. Catalogue nodes of the shell's tree are followed like any tree."""

from __future__ import annotations

import re
from typing import ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapy.http import Response, TextResponse

from crawler.platforms.base import Listing, PageRequest, Platform, anchor_title, is_tree_node, report_links

LABEL = "/site/label/8888"
_LABEL_RE = re.compile(r"/site/label/8888\?[^'\"\s<>]+")
_PAGE_COUNT_RE = re.compile(r"pageCount\s*:\s*['\"]?(\d+)")
XHR_HEADERS = (("X-Requested-With", "XMLHttpRequest"), ("Ls-Language", "zh"))


def with_page(url: str, page: int) -> str:
    """``url`` with its ``pageIndex`` query value set to ``page``."""
    parts = urlsplit(url)
    query = [(k, str(page) if k == "pageIndex" else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query)))


class AnhuiColumn(Platform):
    name: ClassVar[str] = "anhui_column"

    @classmethod
    def detect(cls, response: TextResponse) -> bool:
        path = urlsplit(response.url).path
        return path.startswith("/public/column/") or path == LABEL or LABEL in response.text[:50000]

    def parse_listing(self, response: Response) -> Listing:
        if not isinstance(response, TextResponse):
            return Listing()
        if urlsplit(response.url).path == LABEL:
            return self._fragment(response)
        next_pages: dict[str, PageRequest] = {}
        label = _LABEL_RE.search(response.text)
        if label:
            url = response.urljoin(label.group(0).replace("&amp;", "&"))
            next_pages[url] = PageRequest(url, kind="api", headers=(*XHR_HEADERS, ("Referer", response.url)))
        here = urlsplit(response.url)
        for anchor in response.css("a[href]"):
            url = response.urljoin(anchor.attrib["href"].strip())
            parts = urlsplit(url)
            if parts.netloc == here.netloc and parts.path.startswith("/public/column/") and url != response.url:
                if is_tree_node(anchor_title(anchor)):
                    next_pages.setdefault(url, PageRequest(url))
        return Listing(reports=report_links(response, response.css("a[href]")), next=list(next_pages.values()))

    def _fragment(self, response: TextResponse) -> Listing:
        reports = report_links(response, response.css("a[href]"))
        page = dict(parse_qsl(urlsplit(response.url).query)).get("pageIndex", "1")
        count = _PAGE_COUNT_RE.search(response.text)
        if page != "1" or not count:
            return Listing(reports=reports)
        referer = response.request.headers.get("Referer") if response.request is not None else None
        headers = (*XHR_HEADERS, ("Referer", referer.decode("latin-1") if referer else response.url))
        pages = [PageRequest(with_page(response.url, n), kind="api", headers=headers, pager=True)
                 for n in range(2, int(count.group(1)) + 1)]
        return Listing(reports=reports, next=pages)
