"""国家税务总局's custom JSON listing (PORTALS.md §9 row 3): the disclosure page declares the tab's
``channelId`` (a 32-hex id; the ``cNNN`` of its URL is not it) and its script posts
``codeId=&channelId=…&page=N&size=M`` to ``/getFileListByCodeId``, which answers
``{"results":{"data":{"results":[{title, url, publishedTimeStr…}], "total":N}}}``. The crawler makes the
same calls, with the page size the page's script asks for."""

from __future__ import annotations

import json
import math
import re
from typing import ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit

from scrapy.http import Response, TextResponse

from crawler.platforms.base import Listing, PageRequest, Platform, ReportLink, find_date, is_annual_report_title

API = "/getFileListByCodeId"
DEFAULT_SIZE = 30
_CHANNEL_RE = re.compile(r"""channelId\s*[=:]\s*["']([0-9a-f]{32})["']""")
_SIZE_RE = re.compile(r"""\bpageSize\s*[=:]\s*["']?(\d+)""")


def api_request(response: TextResponse, form: dict[str, str | int], referer: str, pager: bool = False) -> PageRequest:
    headers = (("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8"),
               ("X-Requested-With", "XMLHttpRequest"), ("Referer", referer))
    return PageRequest(response.urljoin(API), kind="api", method="POST", body=urlencode(form), headers=headers,
                       pager=pager)


class Chinatax(Platform):
    name: ClassVar[str] = "chinatax"

    @classmethod
    def detect(cls, response: TextResponse) -> bool:
        return urlsplit(response.url).path == API or API in response.text[:50000]

    def parse_listing(self, response: Response) -> Listing:
        if not isinstance(response, TextResponse):
            return Listing()
        if urlsplit(response.url).path == API:
            return self._parse_api(response)
        channel = _CHANNEL_RE.search(response.text)
        if not channel:
            return Listing()
        size = _SIZE_RE.search(response.text)
        form = {"codeId": "", "channelId": channel.group(1), "page": 1, "size": int(size.group(1)) if size else DEFAULT_SIZE}
        return Listing(next=[api_request(response, form, response.url)])

    def _parse_api(self, response: TextResponse) -> Listing:
        try:
            data = ((json.loads(response.text).get("results") or {}).get("data")) or {}
        except (json.JSONDecodeError, AttributeError):
            return Listing()
        reports = []
        for row in data.get("results") or []:
            title, url = str(row.get("title") or ""), row.get("url")
            if url and is_annual_report_title(title):
                reports.append(ReportLink(response.urljoin(url), title, find_date(str(row.get("publishedTimeStr") or ""))))
        body = response.request.body.decode("utf-8") if response.request is not None else ""
        form: dict[str, str | int] = dict(parse_qsl(body, keep_blank_values=True))
        size = int(form.get("size") or DEFAULT_SIZE)
        if str(form.get("page", "1")) != "1" or not form.get("channelId"):
            return Listing(reports=reports)
        referer = response.request.headers.get("Referer", b"").decode("latin-1") if response.request is not None else ""
        pages = math.ceil(int(data.get("total") or 0) / size)
        return Listing(reports=reports, next=[api_request(response, {**form, "page": n}, referer or response.url, pager=True)
                                              for n in range(2, pages + 1)])
