"""How the spider records what the policy and the guards decide, on single responses (no crawl)."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.browser import REFUSED_HEADER
from crawler.items import FetchRecord
from crawler.middlewares import META_KEY
from crawler.policy import Refused
from crawler.spiders.portal import MAX_SHELL_HOPS, PortalSpider

START = "http://www.example.gov.cn/zfxxgk/nb/"
LINK = "http://www.example.gov.cn/zfxxgk/nb/2023.html"
SHELL = b'<html><head><script>location.replace("/zfxxgk/nb/real/2023.html");</script></head><body></body></html>'


@pytest.fixture
def spider() -> PortalSpider:
    crawler = get_crawler(PortalSpider, {"NIANBAO_BROWSER": False})
    return PortalSpider.from_crawler(crawler, start_url=START)


def response(body: bytes, *, kind: str = "page", url: str = LINK, meta: dict | None = None,
             cls: type[Response] = HtmlResponse, headers: dict | None = None) -> Response:
    info = {"portal_id": "p", "kind": kind, "url": LINK, "title": "某镇2023年政府信息公开工作年度报告",
            **(meta or {})}
    request = Request(url, meta={META_KEY: info})
    return cls(url=url, body=body, request=request, headers=headers)


def test_a_report_page_shell_is_followed_like_a_redirect(spider: PortalSpider) -> None:
    (follow,) = list(spider.parse_document(response(SHELL)))
    assert isinstance(follow, Request) and follow.dont_filter
    assert follow.url == "http://www.example.gov.cn/zfxxgk/nb/real/2023.html"
    assert follow.meta[META_KEY]["url"] == LINK  # stored under the link, like an HTTP redirect
    assert follow.meta[META_KEY]["shell_hops"] == 1


def test_a_chain_of_shells_ends_as_a_recorded_loop(spider: PortalSpider) -> None:
    (record,) = list(spider.parse_document(response(SHELL, meta={"shell_hops": MAX_SHELL_HOPS})))
    assert isinstance(record, FetchRecord)
    assert (record.outcome, record.reason) == ("failed", f"JavaScript redirect loop ({MAX_SHELL_HOPS + 1} shells)")


def test_a_cut_pdf_is_a_failure_kept_as_evidence(spider: PortalSpider) -> None:
    body = b"%PDF-1.7\n" + b"1" * 2000
    (record,) = list(spider.parse_document(response(body, kind="attachment", cls=Response)))
    assert (record.outcome, record.body) == ("failed", body)
    assert record.reason.startswith("truncated PDF")


def test_the_browser_proxys_refusal_is_recorded_as_refused(spider: PortalSpider) -> None:
    page = response(b"refused", meta={}, headers={REFUSED_HEADER: "192.168.1.1: a private address"})
    page.request.meta["playwright"] = True
    (record,) = list(spider.parse_document(page))
    assert (record.outcome, record.reason) == ("refused", "in the browser: 192.168.1.1: a private address")


def test_a_refused_request_is_recorded_with_its_reason_and_provenance(spider: PortalSpider) -> None:
    info = {"portal_id": "p", "kind": "page", "url": "file:///etc/passwd", "listing_url": START,
            "title": "某区2022年年度报告"}
    request = Request("file:///etc/passwd", meta={META_KEY: info})
    failure = Failure(Refused("scheme file: only http and https are fetched"))
    failure.request = request
    (record,) = list(spider.on_error(failure))
    assert (record.outcome, record.reason, record.listing_url) == (
        "refused", "scheme file: only http and https are fetched", START)
    assert record.body is None
