"""Building real Scrapy responses from saved pages, as City Bureau's ``file_response`` does."""

from __future__ import annotations

from pathlib import Path

from scrapy.http import HtmlResponse, Request, TextResponse, XmlResponse

PAGES = Path(__file__).with_name("pages")


def page_response(name: str, url: str, *, status: int = 200, meta: dict | None = None,
                  headers: dict | None = None) -> TextResponse:
    body = (PAGES / name).read_bytes()
    cls = XmlResponse if name.endswith(".xml") else TextResponse if name.endswith(".json") else HtmlResponse
    request = Request(url, meta=meta or {})
    return cls(url=url, body=body, status=status, request=request, encoding="utf-8", headers=headers)
