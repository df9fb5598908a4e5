"""The adapters of issue 17's families, on saved pages written from PORTALS.md: pure hooks, no network."""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import parse_qs, urlsplit

from scrapy.http import Request, TextResponse

from archive.coverage import FIRST_YEAR
from crawler.platforms import PLATFORMS, detect_family
from tests.crawler.helpers import page_response


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_jpaas_column_rows_subcolumns_and_build_unit_pages() -> None:
    response = page_response("jpaas_column.html", "https://linxia.example/lxz/zwgk/zfxxgknb/2024/gxs/")
    assert detect_family(response) == "hanweb_jpaas"  # before Hanweb, whose /art/ links it shares
    listing = PLATFORMS["hanweb_jpaas"].parse_listing(response)
    assert [(r.title, r.date) for r in listing.reports] == [("临夏县2024年政府信息公开工作年度报告", "2025-01-20")]
    api = [n for n in listing.next if n.kind == "api"]
    # 5 rows, 2 shown: pages 2 and 3, the page number inside paramJson only.
    assert [json.loads(_query(n.url)["paramJson"][0]) for n in api] == [
        {"pageNo": 2, "pageSize": "2"}, {"pageNo": 3, "pageSize": "2"}]
    assert all("pageNo" not in _query(n.url) for n in api)
    first = _query(api[0].url)
    assert (first["webId"], first["pageId"], first["tplSetId"], first["parseType"]) == (
        ["3185"], ["1229004"], ["o0YcVHHq5vWtr3uiCp4SY"], ["bulidstatic"])
    assert urlsplit(api[0].url).path == "/api-gateway/jpaas-publish-server/front/page/build/unit"
    assert [n.url for n in listing.next if n.kind == "listing"] == ["https://linxia.example/lxz/zwgk/zfxxgknb/2024/gxs/xz/"]


def test_jpaas_build_unit_reply() -> None:
    url = "https://linxia.example/api-gateway/jpaas-publish-server/front/page/build/unit?webId=3185&pageId=1229004"
    listing = PLATFORMS["hanweb_jpaas"].parse_listing(page_response("jpaas_unit.json", url))
    assert [r.url for r in listing.reports] == [
        "https://linxia.example/lxz/zwgk/zfxxgknb/2024/gxs/art/2025/art_5f0e1d2c3b4a59687766554433221100.html"]
    assert listing.next == []


def test_xxgk_annual_page_is_its_own_report_and_loads_the_unit_tree() -> None:
    url = "http://zc.example/module/xxgk/xxgkAnnualReport.jsp?area=11370883004326403Q&fbtime=2024"
    response = page_response("xxgk_annual.html", url, meta={"nianbao": {"url": url}})
    assert detect_family(response) == "hanweb_xxgk"
    listing = PLATFORMS["hanweb_xxgk"].parse_listing(response)
    assert [(r.url, r.title, r.date) for r in listing.reports] == [(url, "太平镇2024年政府信息公开工作年度报告", "2025-01-21")]
    # The attachment is the report page's, not a report of its own.
    assert [(n.url, n.kind) for n in listing.next] == [
        ("http://zc.example/module/xxgk/tree.jsp?area=11370883MB2851402H&divid=div_tree", "api")]
    detail = PLATFORMS["hanweb_xxgk"].parse_detail(response)
    assert [a.url for a in detail.attachments] == [
        "http://zc.example/module/download/downfile.jsp?classid=0&filename=9f1c2e3d4b5a69788796a5b4c3d2e1f0.pdf"]


def test_xxgk_tree_enumerates_every_unit_code_and_year() -> None:
    came_from = "http://zc.example/module/xxgk/xxgkAnnualReport.jsp?area=11370883004326403Q&fbtime=2024"
    url = "http://zc.example/module/xxgk/tree.jsp?area=11370883MB2851402H&divid=div_tree"
    response = page_response("xxgk_tree.html", url, meta={"nianbao": {"url": url, "listing_url": came_from}})
    urls = [n.url for n in PLATFORMS["hanweb_xxgk"].parse_listing(response).next]
    years = range(FIRST_YEAR, date.today().year + 1)
    codes = ("11370883MB2851402H", "11370883004326403Q", "113708290043337186")
    expected = [f"http://zc.example/module/xxgk/xxgkAnnualReport.jsp?area={c}&fbtime={y}" for c in codes for y in years]
    assert urls == [u for u in expected if u != came_from]


def test_xxgk_empty_organ_year_is_no_report() -> None:
    url = "http://zc.example/module/xxgk/xxgkAnnualReport.jsp?area=113708290043337186&fbtime=2019"
    body = ('<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>'
            '<div class="nb_empty">暂无年报信息</div></body></html>').encode()
    response = TextResponse(url, body=body, encoding="utf-8", request=Request(url, meta={"nianbao": {"url": url}}))
    assert PLATFORMS["hanweb_xxgk"].parse_listing(response).reports == []


def test_anhui_column_shell_calls_the_label_as_its_script_does() -> None:
    url = "https://ah.example/public/column/1681?type=4&action=list"
    response = page_response("anhui_column_shell.html", url)
    assert detect_family(response) == "anhui_column"
    listing = PLATFORMS["anhui_column"].parse_listing(response)
    label, *columns = listing.next
    assert label.kind == "api" and urlsplit(label.url).path == "/site/label/8888"
    assert _query(label.url)["catId"] == ["6717291"] and _query(label.url)["pageIndex"] == ["1"]
    assert dict(label.headers) == {"X-Requested-With": "XMLHttpRequest", "Ls-Language": "zh", "Referer": url}
    # The catalogue's annual-report nodes, not 政策文件.
    assert [c.url for c in columns] == [
        "https://ah.example/public/column/1681?type=4&catId=6717291&action=list&nav=3",
        "https://ah.example/public/column/1681?type=4&catId=6717301&action=list&nav=3",
    ]


def test_anhui_label_fragment_rows_and_page_count() -> None:
    shell = "https://ah.example/public/column/1681?type=4&action=list"
    url = ("https://ah.example/site/label/8888?IsAjax=1&dataType=html&labelName=publicInfoList&siteId=6788"
           "&pageSize=15&pageIndex=1&organId=1681&type=4&catId=6717291")
    response = page_response("anhui_label.html", url, headers={"Content-Type": "text/html; charset=utf-8"})
    response.request.headers["Referer"] = shell
    listing = PLATFORMS["anhui_column"].parse_listing(response)
    assert [(r.url, r.date) for r in listing.reports] == [("https://ah.example/public/1681/554182711.html", "2025-01-20")]
    assert [_query(n.url)["pageIndex"] for n in listing.next] == [["2"], ["3"]]
    assert all(dict(n.headers)["Referer"] == shell and dict(n.headers)["Ls-Language"] == "zh" for n in listing.next)
    later = page_response("anhui_label.html", url.replace("pageIndex=1", "pageIndex=2"))
    assert PLATFORMS["anhui_column"].parse_listing(later).next == []


def test_chinatax_page_posts_the_tab_channel() -> None:
    url = "https://tax.example/chinatax/n810214/c102384r/index.html?tab=gknb"
    response = page_response("chinatax_page.html", url)
    assert detect_family(response) == "chinatax"
    (call,) = PLATFORMS["chinatax"].parse_listing(response).next
    assert (call.url, call.method, call.kind) == ("https://tax.example/getFileListByCodeId", "POST", "api")
    assert parse_qs(call.body, keep_blank_values=True) == {
        "codeId": [""], "channelId": ["8d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a"], "page": ["1"], "size": ["10"]}


def test_chinatax_listing_reply_and_its_pages() -> None:
    url = "https://tax.example/getFileListByCodeId"
    body = (b"codeId=&channelId=8d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a&page=1&size=10")
    response = page_response("chinatax_api.json", url)
    response = response.replace(request=Request(url, method="POST", body=body,
                                                headers={"Referer": "https://tax.example/chinatax/n810214/"}))
    listing = PLATFORMS["chinatax"].parse_listing(response)
    assert [(r.title, r.date) for r in listing.reports] == [("国家税务总局2024年政府信息公开工作年度报告", "2025-03-28")]
    # 25 rows, 10 a page: pages 2 and 3, the same channel.
    assert [parse_qs(n.body)["page"] for n in listing.next] == [["2"], ["3"]]
    assert all(parse_qs(n.body)["channelId"] == ["8d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a"] for n in listing.next)


def test_govcn_home_pages_and_rows() -> None:
    response = page_response("govcn_home.htm", "https://gov.example/zhengce/xxgk/gknb/home.htm")
    assert detect_family(response) == "govcn"  # not TRS, although gov.cn prints TRS's pager
    listing = PLATFORMS["govcn"].parse_listing(response)
    assert [r.url for r in listing.reports] == ["https://gov.example/zhengce/202403/content_6941234.htm"]
    assert [n.url for n in listing.next] == ["https://gov.example/zhengce/xxgk/gknb/home_1.htm",
                                             "https://gov.example/zhengce/xxgk/gknb/home_2.htm"]


def test_generic_pager_script_counted_from_one() -> None:
    response = page_response("generic_script_pager.shtml", "http://county.example/zfxxgk/zfxxgknb/2024/xz/")
    assert detect_family(response) == "trs"  # createPageHTML is TRS's mark; registered generic, it is read the same
    listing = PLATFORMS["generic"].parse_listing(response)
    assert [r.title for r in listing.reports] == ["太平镇2024年政府信息公开工作年度报告"]
    assert [n.url for n in listing.next] == ["http://county.example/zfxxgk/zfxxgknb/2024/xz/index_2.shtml",
                                             "http://county.example/zfxxgk/zfxxgknb/2024/xz/index_3.shtml"]
    assert listing.paged


def test_generic_page_whose_rows_only_a_script_holds() -> None:
    response = page_response("generic_js_rows.shtml", "http://county.example/zfxxgk/zfxxgknb/2024/jdnb/")
    listing = PLATFORMS["generic"].parse_listing(response)
    # Nothing to read or follow, and no pager: the spider renders it once in the browser.
    assert (listing.reports, listing.next, listing.paged) == ([], [], False)
