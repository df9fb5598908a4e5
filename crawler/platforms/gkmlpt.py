"""Guangdong gkmlpt (PORTALS.md §4): a Vue shell whose ``window._CONFIG`` names the site (``SID``) and
its category tree; the rows come from the JSON API ``/gkmlpt/api/all/{catId}?page=N&sid=SID``."""

from __future__ import annotations

import json
import math
import re
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

from scrapy.http import Response, TextResponse

from crawler.platforms.base import (
    AttachmentLink,
    Listing,
    PageRequest,
    Platform,
    ReportLink,
    find_date,
    is_annual_report_title,
    requested_url,
)

_CONFIG_RE = re.compile(r"window\._CONFIG\s*=\s*(\{.*?\})\s*;?\s*</script>", re.S)
_SID_RE = re.compile(r"""\bSID\s*['"]?\s*:\s*['"]?(\w+)""")
_API_RE = re.compile(r"/gkmlpt/api/all/(\d+)")
_ANNUAL_RE = re.compile(r"年报|年度报告")


def config_of(text: str) -> dict:
    """``window._CONFIG`` as data; real sites write it as a JS literal, so fall back to the SID alone."""
    match = _CONFIG_RE.search(text)
    if match:
        try:
            return json.loads(match.group(1))
        except json.JSONDecodeError:
            pass
    sid = _SID_RE.search(text)
    return {"SID": sid.group(1)} if sid else {}


def annual_categories(tree: list[dict]) -> list[int]:
    """Top-most tree nodes named 年报/年度报告: the API's ``all`` call returns their descendants too."""
    found: list[int] = []
    for node in tree:
        if _ANNUAL_RE.search(str(node.get("name", ""))):
            found.append(int(node["id"]))
        else:
            found.extend(annual_categories(node.get("children") or []))
    return found


class Gkmlpt(Platform):
    name: ClassVar[str] = "gkmlpt"

    @classmethod
    def detect(cls, response: TextResponse) -> bool:
        return "/gkmlpt/" in response.url or ("window._CONFIG" in response.text and "SID" in response.text)

    def parse_listing(self, response: Response) -> Listing:
        if not isinstance(response, TextResponse):
            return Listing()
        if _API_RE.search(urlsplit(response.url).path):
            return self._parse_api(response)
        config = config_of(response.text)
        sid = config.get("SID")
        if not sid:
            return Listing()
        fragment = urlsplit(requested_url(response)).fragment
        categories = [int(fragment)] if fragment.isdigit() else annual_categories(config.get("TREE") or [])
        return Listing(next=[
            PageRequest(response.urljoin(f"/gkmlpt/api/all/{cat}?page=1&sid={sid}"), kind="api") for cat in categories
        ])

    def _parse_api(self, response: TextResponse) -> Listing:
        data = json.loads(response.text)
        articles = data.get("articles") or []
        reports = []
        for article in articles:
            title = article.get("title") or ""
            url = article.get("url") or article.get("post_url")
            if not url or not is_annual_report_title(title):
                continue
            attachments = tuple(
                AttachmentLink(response.urljoin(a["url"]), a.get("name")) for a in article.get("attachment") or []
                if a.get("url")
            )
            date = find_date(str(article.get("created_at") or ""))
            reports.append(ReportLink(response.urljoin(url), title, date, attachments))
        query = parse_qs(urlsplit(response.url).query)
        page = int((query.get("page") or ["1"])[0] or 1)
        total = int(data.get("total") or (data.get("classify") or {}).get("post_count") or 0)
        next_pages: list[PageRequest] = []
        if page <= 1 and articles and total > len(articles):
            pages = math.ceil(total / len(articles))
            base = response.url.split("?", 1)[0]
            sid = (query.get("sid") or [""])[0]
            next_pages = [PageRequest(f"{base}?page={n}&sid={sid}", kind="api", pager=True) for n in range(2, pages + 1)]
        return Listing(reports=reports, next=next_pages)

