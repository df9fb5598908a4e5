"""Hanweb 信息公开 (xxgk) module's annual-report JSP (PORTALS.md §2): one organ's report of one year per
``/module/xxgk/xxgkAnnualReport.jsp?area=<统一社会信用代码>&fbtime=<year>``. Nothing lists them: the
organs are the codes of the unit tree (``tree.jsp?area=``) that the page loads, and the years are the
ones a visitor could pick, so every code is asked for every year from the archive's first year
(``archive.coverage.FIRST_YEAR``) to this one. A JSP page that shows a report is itself the report page;
one that shows none is an empty organ-year."""

from __future__ import annotations

import re
from datetime import date
from typing import ClassVar
from urllib.parse import parse_qs, urlencode, urlsplit

from scrapy.http import Response, TextResponse

from archive.coverage import FIRST_YEAR
from crawler.platforms.base import (
    Listing,
    PageRequest,
    Platform,
    ReportLink,
    generic_detail,
    is_annual_report_title,
    report_links,
    requested_url,
)

ANNUAL = "/module/xxgk/xxgkAnnualReport.jsp"
TREE = "/module/xxgk/tree.jsp"
_TREE_RE = re.compile(r"/module/xxgk/tree\.jsp\?[^'\"\s<>]+")
# A 统一社会信用代码 (GB 32100): registration and type characters, a 6-digit area, 10 more characters.
_CODE_RE = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])")


def annual_url(base: str, area: str, year: int) -> str:
    return f"{base}{ANNUAL}?{urlencode({'area': area, 'fbtime': year})}"


class HanwebXxgk(Platform):
    name: ClassVar[str] = "hanweb_xxgk"
    first_year: ClassVar[int] = FIRST_YEAR

    @classmethod
    def detect(cls, response: TextResponse) -> bool:
        path = urlsplit(response.url).path
        return path in (ANNUAL, TREE) or ANNUAL in response.text[:50000]

    def years(self) -> range:
        return range(self.first_year, date.today().year + 1)

    def parse_listing(self, response: Response) -> Listing:
        if not isinstance(response, TextResponse):
            return Listing()
        parts = urlsplit(response.url)
        base = f"{parts.scheme}://{parts.netloc}"
        if parts.path == TREE:
            return Listing(next=self._organ_years(response, base))
        if parts.path == ANNUAL:
            # The page is the report: its file links are its attachments, read from it as a report page.
            detail = generic_detail(response)
            shown = is_annual_report_title(detail.title)
            reports = [ReportLink(requested_url(response), detail.title or "", detail.date)] if shown else []
        else:
            reports = report_links(response, response.css("a[href]"))
        tree = _TREE_RE.search(response.text)
        if tree:
            next_pages = [PageRequest(response.urljoin(tree.group(0).replace("&amp;", "&")), kind="api")]
        else:  # no unit tree: this page's own organ, every year
            area = parse_qs(parts.query).get("area", [""])[0]
            next_pages = [PageRequest(annual_url(base, area, year)) for year in self.years()] if area else []
        return Listing(reports=reports, next=next_pages)

    def _organ_years(self, response: TextResponse, base: str) -> list[PageRequest]:
        codes = dict.fromkeys(_CODE_RE.findall(response.text))
        came_from = (response.meta.get("nianbao") or {}).get("listing_url") if response.request is not None else None
        return [PageRequest(url) for code in codes for year in self.years()
                if (url := annual_url(base, code, year)) != came_from]
