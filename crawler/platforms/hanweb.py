"""Hanweb (大汉) JCMS classic (PORTALS.md §2): rows as XML records inside ``<script type="text/xml">``
on a column's first page, the rest by POST to ``dataproxy.jsp``, exactly as the ``jpage`` plugin asks."""

from __future__ import annotations

import re
from typing import ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit

from parsel import Selector
from scrapy.http import Response, TextResponse

from crawler.platforms.base import Listing, PageRequest, Platform, anchor_title, is_tree_node, report_links

DATAPROXY = "/module/web/jpage/dataproxy.jsp"
_RECORD_RE = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_NEXTGROUP_RE = re.compile(r"<nextgroup>\s*<!\[CDATA\[\s*<a\s+href=['\"]([^'\"]+)['\"]", re.S)
_COLUMN_RE = re.compile(r"/col/col\d+/(?:index\.html)?$")


def _jpage_param(text: str, name: str) -> str | None:
    match = re.search(rf"\b{name}\s*:\s*['\"]?([^'\",}}\s]+)", text)
    return match.group(1) if match else None


def records_html(text: str) -> str:
    """The rows a datastore carries, as one HTML fragment."""
    return "".join(_RECORD_RE.findall(text))


class Hanweb(Platform):
    name: ClassVar[str] = "hanweb"
    # jpage asks for this many pages per call (its ``groupSize``) unless the page says otherwise.
    default_group_size: ClassVar[int] = 3

    @classmethod
    def detect(cls, response: TextResponse) -> bool:
        text = response.text
        return "dataproxy.jsp" in text or "<datastore>" in text or bool(re.search(r"/col/col\d+/|/art/\d{4}/", text))

    def parse_listing(self, response: Response) -> Listing:
        if not isinstance(response, TextResponse):
            return Listing()
        rows = Selector(text=records_html(response.text) or "<html></html>")
        reports = report_links(response, rows.css("a[href]"))
        if DATAPROXY in urlsplit(response.url).path:
            return Listing(reports=reports)  # an API reply: its siblings were requested with it
        reports += report_links(response, response.css("a[href]"))
        return Listing(reports=list({r.url: r for r in reports}.values()),
                       next=self._more_rows(response, len(rows.css("a[href]"))) + self._subcolumns(response))

    def _more_rows(self, response: TextResponse, shown: int) -> list[PageRequest]:
        text = response.text
        total = int(_jpage_param(text, "totalRecord") or 0)
        per_page = int(_jpage_param(text, "perPage") or 15)
        group = int(_jpage_param(text, "groupSize") or self.default_group_size)
        nextgroup = _NEXTGROUP_RE.search(text)
        if total <= shown or not nextgroup:
            return []
        params = dict(parse_qsl(urlsplit(response.urljoin(nextgroup.group(1).replace("&amp;", "&"))).query))
        form = {
            "col": "1",
            "appid": params.get("appid", "1"),
            "webid": params.get("webid", _jpage_param(text, "webid") or ""),
            "path": params.get("path", "/"),
            "columnid": params.get("columnid", _jpage_param(text, "columnid") or ""),
            "sourceContentType": "1",
            "unitid": params.get("unitid", _jpage_param(text, "unitid") or ""),
            "webname": params.get("webname", ""),
            "permissiontype": params.get("permissiontype", "0"),
        }
        headers = (
            ("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8"),
            ("X-Requested-With", "XMLHttpRequest"),
            ("Referer", response.url),
        )
        step = per_page * group
        requests = []
        for start in range(shown + 1, total + 1, step):
            end = min(start + step - 1, total)
            query = urlencode({"startrecord": start, "endrecord": end, "perpage": per_page})
            requests.append(
                PageRequest(
                    url=response.urljoin(f"{DATAPROXY}?{query}"),
                    kind="api",
                    method="POST",
                    body=urlencode(form),
                    headers=headers,
                    pager=True,
                )
            )
        return requests

    def _subcolumns(self, response: TextResponse) -> list[PageRequest]:
        """Year and unit-type columns of the tree: ``/col/colN/`` links named like tree nodes."""
        here = urlsplit(response.url).path
        out: dict[str, PageRequest] = {}
        for anchor in response.css("a[href]"):
            url = response.urljoin(anchor.attrib["href"].strip())
            parts = urlsplit(url)
            if parts.netloc != urlsplit(response.url).netloc or parts.path == here:
                continue
            if _COLUMN_RE.search(parts.path) and is_tree_node(anchor_title(anchor)):
                out.setdefault(url, PageRequest(url))
        return list(out.values())
