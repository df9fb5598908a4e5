"""Hanweb JPaaS / 集约化 (PORTALS.md §3): a column's first rows are static; the rest come from the "build
unit" JSON API named by the column's ``div.pagination`` (``count``, ``rows``, ``queryData``), asked with
the page number inside ``paramJson`` because a bare ``pageNo`` is ignored. Sub-columns (year → unit type)
are followed like any static tree; detail pages and ``jpaas-web-server`` downloads are plain links."""

from __future__ import annotations

import json
import math
import re
from typing import ClassVar
from urllib.parse import urlencode, urlsplit

from parsel import Selector
from scrapy.http import Response, TextResponse

from crawler.platforms.base import Listing, PageRequest, Platform, report_links
from crawler.platforms.generic import subcolumn_links

BUILD_UNIT = "/api-gateway/jpaas-publish-server/front/page/build/unit"


def query_data(text: str) -> dict[str, str]:
    """``queryData="{'webId':'3185','pageId':'…','tagId':'…','tplSetId':'…'}"`` (a JS literal) as a dict."""
    return dict(re.findall(r"""['"](\w+)['"]\s*:\s*['"]([^'"]*)['"]""", text))


def unit_html(text: str) -> str:
    """The rows a build-unit reply carries: ``data.html``, or ``data`` itself on older deployments."""
    try:
        reply = json.loads(text)
    except json.JSONDecodeError:
        return ""
    data = reply.get("data") if isinstance(reply, dict) else None
    if isinstance(data, dict):
        return str(data.get("html") or "")
    return data if isinstance(data, str) else ""


class HanwebJpaas(Platform):
    name: ClassVar[str] = "hanweb_jpaas"

    @classmethod
    def detect(cls, response: TextResponse) -> bool:
        text = response.text
        return BUILD_UNIT in response.url or "jpaas-publish-server" in text or ("queryData" in text and "tplSetId" in text)

    def parse_listing(self, response: Response) -> Listing:
        if not isinstance(response, TextResponse):
            return Listing()
        if urlsplit(response.url).path == BUILD_UNIT:
            rows = Selector(text=unit_html(response.text) or "<html></html>")
            return Listing(reports=report_links(response, rows.css("a[href]")))
        reports = report_links(response, response.css("a[href]"))
        pages = self._unit_pages(response) + [PageRequest(url) for url in subcolumn_links(response)]
        return Listing(reports=reports, next=pages)

    def _unit_pages(self, response: TextResponse) -> list[PageRequest]:
        """Pages 2… of a column through the build-unit API (lxml lowercases the attribute names)."""
        bar = response.xpath("//div[@querydata]")
        if not bar:
            return []
        attrs = bar[0].attrib
        query = query_data(attrs["querydata"])
        count, rows = int(attrs.get("count") or 0), int(attrs.get("rows") or 15)
        if not query.get("webId") or rows <= 0 or count <= rows:
            return []
        unit = response.urljoin(attrs.get("uniturl") or BUILD_UNIT)
        out = []
        for page in range(2, math.ceil(count / rows) + 1):
            params = {"webId": query.get("webId", ""), "pageId": query.get("pageId", ""), "parseType": "bulidstatic",
                      "pageType": "column", "tagId": query.get("tagId", ""), "tplSetId": query.get("tplSetId", ""),
                      "rows": rows, "paramJson": json.dumps({"pageNo": page, "pageSize": str(rows)}, separators=(",", ":"))}
            out.append(PageRequest(f"{unit}?{urlencode(params)}", kind="api",
                                   headers=(("X-Requested-With", "XMLHttpRequest"), ("Referer", response.url)), pager=True))
        return out
