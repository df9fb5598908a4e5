"""The families of issue 17 (PORTALS.md §2, §3, §5a, §6, §9): each portal, walked the way its real CMS
pages, shows exactly the World's articles, and keeps the quirks the crawler has to live with."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import date
from urllib.parse import urlencode

import pytest
from farmwalk import walk_anhui_column, walk_chinatax, walk_govcn, walk_jpaas, walk_snowflake, walk_xxgk

from farm.families.hanweb_xxgk import check_char
from farm.testing import fetch
from farm.world import OFFICE_FORMATS

WALKERS = {
    "jpaas": walk_jpaas,
    "xxgk": lambda base, start: walk_xxgk(base, start, range(2019, date.today().year + 1)),
    "ah-column": walk_anhui_column,
    "chinatax": walk_chinatax,
    "govcn": walk_govcn,
    "county-static": walk_snowflake,
}


@pytest.mark.parametrize("site_id", list(WALKERS))
def test_listings_match_world(farm, site_id):
    portal = farm.world.portals[site_id]
    details, files = WALKERS[site_id](farm.base_urls[site_id], portal.start_path)
    live = [a for a in portal.articles.values() if not a.removed]
    if site_id == "xxgk":  # the annual-report JSP shows annual reports only
        live = [a for a in live if a.is_report]
    assert details == {a.path for a in live}
    assert files == {f.path for a in live for f in a.attachments}
    assert {t.page_path for t in farm.world.reports(site_id)} <= details


def test_new_portals_keep_rendering_work_small(farm):
    for site_id in WALKERS:
        files = [f for t in farm.world.reports(site_id) for f in t.formats if f != "html"]
        assert len(files) <= 3 and sum(f in OFFICE_FORMATS for f in files) <= 1, site_id
    assert {f for t in farm.world.reports() if t.site_id in WALKERS for f in t.formats} >= {"html", "pdf", "docx"}


def test_jpaas_page_number_counts_only_inside_param_json(farm):
    portal = farm.world.portals["jpaas"]
    column = max(portal.leaf_columns(), key=lambda c: len(portal.listed(c)))
    paths = [a.path for a in portal.listed(column)]
    assert len(paths) > portal.page_size
    text = fetch(farm.url("jpaas", column.path)).text()
    query = dict(re.findall(r"'(\w+)':'([^']*)'", re.search(r'queryData="([^"]+)"', text).group(1)))
    assert re.search(rf'count="{len(paths)}" rows="{portal.page_size}" pageNo="1"', text)
    api = farm.url("jpaas", "/api-gateway/jpaas-publish-server/front/page/build/unit")

    def rows(**extra):
        reply = json.loads(fetch(f"{api}?{urlencode({**query, 'parseType': 'bulidstatic', **extra})}").text())
        return re.findall(r'href="([^"]+)"', reply["data"]["html"]) if reply["success"] else None

    size = str(portal.page_size)
    assert rows(paramJson=json.dumps({"pageNo": 2, "pageSize": size})) == paths[portal.page_size:2 * portal.page_size]
    assert rows(pageNo=2, rows=size) == paths[:portal.page_size], "a bare pageNo is ignored: page 1"
    assert rows(webId="1") is None
    detail = next(a for a in portal.articles.values() if a.attachments)
    assert re.fullmatch(r"/lxz/zwgk/zfxxgknb/\d{4}/\w+/art/\d{4}/art_[0-9a-f]{32}\.html", detail.path)
    reply = fetch(farm.url("jpaas", detail.attachments[0].path))
    assert reply.status == 200 and "filename*=UTF-8''" in reply.headers["content-disposition"]


def test_xxgk_codes_tree_and_empty_organ_years(farm):
    portal = farm.world.portals["xxgk"]
    # The check character follows GB 32100, as the real codes of PORTALS.md §9 rows 32–33 show.
    assert check_char("11370883004326403") == "Q" and check_char("11370829004333718") == "6"
    start = fetch(farm.url("xxgk", portal.start_path)).text()
    tree_path = re.search(r"fetch\('(/module/xxgk/tree\.jsp[^']+)'", start).group(1)
    codes = re.findall(r"changeArea\('(\w{18})'\)", fetch(farm.url("xxgk", tree_path)).text())
    assert codes and all(check_char(code[:17]) == code[17] for code in codes)
    reports = [a for a in portal.articles.values() if a.is_report]
    assert {re.search(r"area=(\w+)", a.path).group(1) for a in reports} <= set(codes)
    empty = fetch(farm.url("xxgk", f"/module/xxgk/xxgkAnnualReport.jsp?area={codes[0]}&fbtime=2009"))
    assert empty.status == 200 and "暂无年报信息" in empty.text() and "ArticleTitle" not in empty.text()
    assert "<option" not in start, "the years exist only in the page's script"


def test_anhui_label_needs_the_scripts_headers(farm):
    portal = farm.world.portals["ah-column"]
    shell = fetch(farm.url("ah-column", portal.start_path)).text()
    label = farm.url("ah-column", re.search(r'url:"(/site/label/8888\?[^"]+)"', shell).group(1))
    assert "pageCount" not in shell and 'id="xxgkListBox"' in shell and "/public/" not in shell.split("xxgk_right")[1]
    assert fetch(label).status == 403
    headers = {"X-Requested-With": "XMLHttpRequest", "Ls-Language": "zh", "Referer": farm.url("ah-column", "/")}
    fragment = fetch(label, headers=headers).text()
    assert '<ul class="clearfix xxgk_nav_list">' in fragment and re.search(r"pageCount:\d+", fragment)


def test_chinatax_channel_per_tab_and_post_only(farm):
    portal = farm.world.portals["chinatax"]
    api = farm.url("chinatax", "/getFileListByCodeId")
    assert fetch(api).status == 405
    guide = re.search(r'channelId = "(\w+)"', fetch(farm.url("chinatax", "/chinatax/n810214/c102384r/index.html")).text())
    form = urlencode({"codeId": "", "channelId": guide.group(1), "page": 1, "size": 10}).encode()
    assert json.loads(fetch(api, data=form).text())["results"]["data"] == {"results": [], "total": 0, "page": 1, "size": 10}
    article = next(iter(portal.articles.values()))
    assert re.fullmatch(r"/chinatax/n810214/c102384r/c\d+/content\.html", article.path)
    assert '<div class="article">' in fetch(farm.url("chinatax", article.path)).text()


def test_govcn_templates_folders_and_first_page_alias(farm):
    portal = farm.world.portals["govcn"]
    assert fetch(farm.url("govcn", "/zhengce/xxgk/gknb/")).status == 403
    home = fetch(farm.url("govcn", "/zhengce/xxgk/gknb/home.htm")).text()
    assert fetch(farm.url("govcn", "/zhengce/xxgk/gknb/home_0.htm")).text() == home
    templates = set()
    for article in portal.articles.values():
        text = fetch(farm.url("govcn", article.path)).text()
        assert 'id="UCAP-CONTENT"' in text and "trs_editor_view" in text
        templates.add("A" if "/zhengce/content/" in article.path else "B")
        assert ("<td><b>索引号：</b></td>" in text) == ("/zhengce/content/" in article.path)
        assert ('<h1 id="ti">' in text) != ("/zhengce/content/" in article.path)
    assert templates == {"A", "B"}


def test_snowflake_pagers_and_script_held_rows(farm):
    portal = farm.world.portals["county-static"]
    for column in portal.leaf_columns():
        text = fetch(farm.url("county-static", column.path)).text()
        if column.unit == "street":
            assert "var rows = [" in text and not re.search(r'<a href="[^"]*\d{19}\.shtml"', text)
        elif len(portal.listed(column)) > portal.page_size:
            script = "createPageHTML('page_div'" in text
            assert script == (column.year % 2 == 0) and script != ("下一页" in text)


def test_reports_name_the_cited_portal_and_the_admin_port_proxies_it(farm):
    cited = farm.world.portals["county-static"]
    address = f"http://{cited.domain}{cited.start_path}"
    reports = [t for t in farm.world.reports("govcn") if t.inline]
    assert reports and all(t.spec.urls == [address] for t in farm.world.reports("govcn"))
    assert address in fetch(farm.url("govcn", reports[0].page_path)).text()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": farm.admin_url}))
    with opener.open(address, timeout=20) as reply:
        assert reply.read() == fetch(farm.url("county-static", cited.start_path)).body
