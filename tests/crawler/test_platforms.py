"""Adapters on saved pages written from PORTALS.md: pure hooks, no network."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest

from crawler.guards import BLOCKED, CHALLENGE, OK, REDIRECT, classify
from crawler.platforms import PLATFORMS, detect_family
from crawler.platforms.base import find_date, is_annual_report_title, is_tree_node, looks_like_file
from tests.crawler.helpers import page_response


@pytest.mark.parametrize(
    "title",
    [
        "某某区财政局2023年政府信息公开工作年度报告",
        "某某区财政局2023年度政府信息公开工作年度报告",
        "2023年太平镇政府信息公开年报",
        "某某区财政局政府信息公开工作年度报告（2023年）",
        "某某区财政局2023年政务信息公开年报",
        "二〇二三年政府信息公开工作年度报告",
    ],
)
def test_report_titles_are_recognised(title: str) -> None:
    assert is_annual_report_title(title)


@pytest.mark.parametrize(
    "title",
    [
        "某某区财政局2024年政务公开工作要点",
        "某某区财政局政府信息公开指南（2023年修订）",
        "某某区统计局2023年度统计年报",
        "某某区财政局2023年度部门决算报表",
        "关于做好2023年度政府信息公开工作年度报告编制发布工作的通知",
        "某某区2023年政府信息公开目录",
        "政府信息公开工作年度报告",  # a column name: no year
        "2023年部门年报",  # a tree node, not a report
    ],
)
def test_non_reports_are_not(title: str) -> None:
    assert not is_annual_report_title(title)


def test_dates_and_files() -> None:
    assert find_date("发布时间：2024年1月5日") == "2024-01-05"
    assert find_date("2024/01/15") == "2024-01-15"
    assert looks_like_file("http://x/202402/P020240201555.pdf")
    assert looks_like_file("http://x/module/download/downfile.jsp?classid=0&filename=abc.pdf")
    assert not looks_like_file("http://x/art/2024/1/5/art_123_9001.html")


def test_trs_listing_reports_pages_and_subcolumns() -> None:
    response = page_response("trs_listing.html", "http://gov.example/zfxxgk/zfxxgknb/2023n/bmnb/")
    assert detect_family(response) == "trs"
    listing = PLATFORMS["trs"].parse_listing(response)
    assert [(r.url, r.date, r.is_file) for r in listing.reports] == [
        ("http://gov.example/zfxxgk/zfxxgknb/2023n/bmnb/202401/t20240115_101.html", "2024-01-15", False),
        ("http://gov.example/zfxxgk/zfxxgknb/2023n/bmnb/202402/P020240201555.pdf", "2024-02-01", True),
    ]
    assert listing.reports[0].title == "某某区财政局2023年政府信息公开工作年度报告"  # from title=, not the cut text
    assert [n.url for n in listing.next] == [
        "http://gov.example/zfxxgk/zfxxgknb/2023n/bmnb/index_1.html",
        "http://gov.example/zfxxgk/zfxxgknb/2023n/bmnb/index_2.html",
        "http://gov.example/zfxxgk/zfxxgknb/2023n/bmnb/jd/",
    ]


def test_trs_later_pages_do_not_page_again() -> None:
    response = page_response("trs_listing.html", "http://gov.example/zfxxgk/zfxxgknb/2023n/bmnb/index_1.html")
    body = response.body.replace(b"createPageHTML(3, 0,", b"createPageHTML(3, 1,")
    listing = PLATFORMS["trs"].parse_listing(response.replace(body=body))
    assert [n.url for n in listing.next] == ["http://gov.example/zfxxgk/zfxxgknb/2023n/bmnb/jd/"]


def test_hanweb_first_page_records_and_dataproxy_posts() -> None:
    response = page_response("hanweb_column.html", "http://gov.example/col/col123/index.html")
    assert detect_family(response) == "hanweb"
    listing = PLATFORMS["hanweb"].parse_listing(response)
    assert [(r.url, r.date) for r in listing.reports] == [
        ("http://gov.example/art/2024/1/5/art_123_9001.html", "2024-01-05")
    ]
    posts = [n for n in listing.next if n.kind == "api"]
    # 2 rows shown of 20, 2 per page, 3 pages per call: records 3-8, 9-14, 15-20.
    assert [parse_qs(p.url.split("?", 1)[1])["startrecord"] for p in posts] == [["3"], ["9"], ["15"]]
    assert all(p.method == "POST" and dict(p.headers)["X-Requested-With"] == "XMLHttpRequest" for p in posts)
    form = parse_qs(posts[0].body)
    assert form["columnid"] == ["123"] and form["unitid"] == ["400123"] and form["webid"] == ["42"]
    columns = [n.url for n in listing.next if n.kind == "listing"]
    assert columns == ["http://gov.example/col/col124/index.html"]  # 互动交流 is not part of the tree


def test_hanweb_dataproxy_reply() -> None:
    response = page_response("hanweb_dataproxy.xml", "http://gov.example/module/web/jpage/dataproxy.jsp?startrecord=3")
    listing = PLATFORMS["hanweb"].parse_listing(response)
    assert [r.url for r in listing.reports] == ["http://gov.example/art/2023/1/5/art_123_8001.html"]
    assert listing.next == []


def test_gkmlpt_shell_calls_the_api_for_the_fragment_category() -> None:
    url = "http://gd.example/gkmlpt/annualreport#2629"
    response = page_response("gkmlpt_shell.html", url, meta={"nianbao": {"url": url}})
    assert detect_family(response) == "gkmlpt"
    listing = PLATFORMS["gkmlpt"].parse_listing(response)
    api = "http://gd.example/gkmlpt/api/all/2629?page=1&sid=755123"
    assert [(n.url, n.kind) for n in listing.next] == [(api, "api")]


def test_gkmlpt_shell_without_fragment_finds_the_report_category() -> None:
    response = page_response("gkmlpt_shell.html", "http://gd.example/gkmlpt/index")
    listing = PLATFORMS["gkmlpt"].parse_listing(response)
    assert [n.url for n in listing.next] == ["http://gd.example/gkmlpt/api/all/2629?page=1&sid=755123"]


def test_gkmlpt_api_rows_attachments_and_pages() -> None:
    response = page_response("gkmlpt_api.json", "http://gd.example/gkmlpt/api/all/2629?page=1&sid=755123")
    listing = PLATFORMS["gkmlpt"].parse_listing(response)
    (report,) = listing.reports
    assert report.url.endswith("/post_10099135.html") and report.date == "2024-01-20"
    assert [a.url for a in report.attachments] == ["http://gd.example/attachment/1/1342/1342711/10099135.pdf"]
    # 2 rows per page of 5: pages 2 and 3.
    assert [n.url for n in listing.next] == [
        "http://gd.example/gkmlpt/api/all/2629?page=2&sid=755123",
        "http://gd.example/gkmlpt/api/all/2629?page=3&sid=755123",
    ]
    assert json.loads(response.text)["total"] == 5


def test_openness_listing_pages_and_tree() -> None:
    url = "http://ah.example/OpennessContent/showList/1306/201/page_1.html"
    response = page_response("openness_listing.html", url)
    assert detect_family(response) == "anhui_openness"
    listing = PLATFORMS["anhui_openness"].parse_listing(response)
    assert [r.url for r in listing.reports] == ["http://ah.example/OpennessContent/show/3017793.html"]
    assert {n.url for n in listing.next} == {
        "http://ah.example/OpennessContent/showList/1306/201/page_2.html",
        "http://ah.example/OpennessContent/showList/1306/201/page_3.html",
        "http://ah.example/OpennessContent/showList/1306/200/page_1.html",
    }


def test_guards() -> None:
    assert classify(page_response("block_page.html", "http://x/", status=403)).kind == BLOCKED
    assert classify(page_response("ruishu_412.html", "http://x/", status=412)).kind == CHALLENGE
    shell = classify(page_response("location_shell.html", "http://x/zfxxgk/zfxxgknb/2023n/jdnb/"))
    assert (shell.kind, shell.location) == (REDIRECT, "http://x/zfxxgk/zfxxgknb/2023n/jdnblist/")
    assert classify(page_response("trs_listing.html", "http://x/")).kind == OK
    assert detect_family(page_response("js_list_shell.html", "http://x/")) == "generic"


def test_generic_follows_tree_columns_and_next_pages_only() -> None:
    nav = page_response("vsb_nav.html", "http://vsb.example/zfxxgk/zfxxgknb.htm")
    assert detect_family(nav) == "generic"
    listing = PLATFORMS["generic"].parse_listing(nav)
    assert listing.reports == []
    assert [n.url for n in listing.next] == [
        "http://vsb.example/zfxxgk/zfxxgknb/2024n.htm",
        "http://vsb.example/zfxxgk/zfxxgknb/2023n.htm",
    ]
    page = page_response("vsb_listing.html", "http://vsb.example/zfxxgk/zfxxgknb/2023n/bmnb.htm")
    listing = PLATFORMS["generic"].parse_listing(page)
    assert [(r.url, r.date) for r in listing.reports] == [("http://vsb.example/info/2071/4578126.htm", "2024-01-20")]
    # 下一页 is followed; the non-report article is neither a report nor a column.
    assert [n.url for n in listing.next] == ["http://vsb.example/zfxxgk/zfxxgknb/2023n/bmnb/2.htm"]


@pytest.mark.parametrize("name", ["2024年", "2023年度", "乡镇（街道）", "2024年部门年报", "政府信息公开年报"])
def test_tree_nodes(name: str) -> None:
    assert is_tree_node(name)


@pytest.mark.parametrize("name", ["互动交流", "2023年政务公开工作要点", "首页", "某镇2023年政府信息公开年报"])
def test_not_tree_nodes(name: str) -> None:
    assert not is_tree_node(name)
