"""Every family's listings, walked the way its real CMS pages, show exactly the World's articles."""

from __future__ import annotations

import json
import re

import pytest
from farmwalk import walk_gkmlpt, walk_hanweb, walk_openness, walk_trs

from farm.testing import fetch

WALKERS = {
    "trs-https": lambda base, start: walk_trs(base, start),
    "trs-gbk": lambda base, start: walk_trs(base, start, "gb18030"),
    "hanweb": walk_hanweb,
    "gkmlpt": walk_gkmlpt,
    "openness": walk_openness,
}


@pytest.mark.parametrize("site_id", list(WALKERS))
def test_listings_match_world(farm, site_id):
    portal = farm.world.portals[site_id]
    details, files = WALKERS[site_id](farm.base_urls[site_id], portal.start_path)
    live = [a for a in portal.articles.values() if not a.removed]
    assert details == {a.path for a in live}
    assert files == {f.path for a in live if not a.broken for f in a.attachments}
    assert {t.page_path for t in farm.world.reports(site_id)} <= details


def test_trs_listing_markup(farm):
    portal = farm.world.portals["trs-https"]
    column = next(c for c in portal.leaf_columns() if len(portal.listed(c)) > portal.page_size)
    text = fetch(farm.url("trs-https", column.path)).text()
    assert re.search(r'createPageHTML\(\d+, 0, "index", "html"\)', text)
    assert '<meta name="ColumnName"' in text and '<meta name="SiteIDCode"' in text
    article = portal.listed(column)[0]
    detail = fetch(farm.url("trs-https", article.path)).text()
    assert '<div class="TRS_Editor">' in detail and '<meta name="ArticleTitle"' in detail
    assert 'class="xxgk_table"' in detail and "索引号" in detail
    assert re.fullmatch(r".*/\d{6}/t\d{8}_\d+\.html", article.path)


def test_hanweb_first_page_is_xml_and_downfile_names(farm):
    portal = farm.world.portals["hanweb"]
    column = portal.leaf_columns()[0]
    text = fetch(farm.url("hanweb", column.path)).text()
    assert "<datastore><nextgroup><![CDATA[" in text and "<recordset><record><![CDATA[<li>" in text
    assert re.fullmatch(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html", portal.listed(column)[0].path)
    article = next(a for a in portal.articles.values() if a.attachments and not a.attachments[0].redirect
                   and not a.attachments[0].gbk_only_name)
    attachment = article.attachments[0]
    reply = fetch(farm.url("hanweb", attachment.path))
    disposition = reply.headers["content-disposition"]
    assert attachment.token in attachment.path and attachment.filename not in attachment.path
    assert "filename*=UTF-8''" in disposition
    raw = disposition.encode("latin-1")
    assert attachment.filename.encode("gbk") in raw


def test_hanweb_redirected_and_gbk_only_downloads(farm):
    portal = farm.world.portals["hanweb"]
    attachments = [a for art in portal.articles.values() for a in art.attachments]
    moved = next(a for a in attachments if a.redirect)
    reply = fetch(farm.url("hanweb", moved.path), follow=False)
    assert reply.status == 302 and reply.headers["location"] == f"/attach/0/{moved.token}.{moved.fmt}"
    gbk_only = next(a for a in attachments if a.gbk_only_name)
    reply = fetch(farm.url("hanweb", gbk_only.path), method="HEAD")
    disposition = reply.headers["content-disposition"]
    assert "filename*" not in disposition
    assert disposition.encode("latin-1").split(b'"')[1].decode("gbk") == gbk_only.filename


def test_hanweb_dataproxy_honours_records_and_page(farm):
    portal = farm.world.portals["hanweb"]
    column = max(portal.leaf_columns(), key=lambda c: len(portal.listed(c)))
    paths = [a.path for a in portal.listed(column)]
    form = f"columnid={column.col_id}".encode()
    url = farm.url("hanweb", "/module/web/jpage/dataproxy.jsp")
    for _ in range(2):  # the first call may be the portal's one 429
        reply = fetch(f"{url}?startrecord=2&endrecord=3&perpage=2", data=form)
    assert re.findall(r'href="(/art/[^"]+)"', reply.text()) == paths[1:3]
    reply = fetch(f"{url}?page=2&perpage=1", data=form)
    assert re.findall(r'href="(/art/[^"]+)"', reply.text()) == paths[1:2]
    assert f"<totalrecord>{len(paths)}</totalrecord>" in reply.text()


def test_gkmlpt_config_api_and_detail(farm):
    portal = farm.world.portals["gkmlpt"]
    text = fetch(farm.url("gkmlpt", "/gkmlpt/index")).text()
    config = json.loads(re.search(r"window\._CONFIG = (\{.*?\});</script>", text).group(1))
    assert config["SID"] == portal.params["sid"] and config["TREE"]
    root = portal.columns["root"].col_id
    api = farm.url("gkmlpt", f"/gkmlpt/api/all/{root}")
    page0 = json.loads(fetch(f"{api}?page=0&sid={config['SID']}").text())
    page1 = json.loads(fetch(f"{api}?page=1&sid={config['SID']}").text())
    assert page0 == page1 and len(page1["articles"]) == portal.page_size
    assert page1["total"] == len([a for a in portal.articles.values() if not a.removed])
    article = page1["articles"][0]
    assert set(article) >= {"id", "title", "url", "post_url", "created_at", "attachment", "publisher"}
    assert re.fullmatch(r"/gkmlpt/content/\d+/\d+/post_\d+\.html", article["post_url"])
    detail = fetch(farm.url("gkmlpt", article["post_url"])).text()
    assert "window._CONFIG" in detail and "\\u003C" in detail and 'class="content"' in detail
    with_files = next(a for a in portal.articles.values() if a.attachments)
    assert re.fullmatch(r"/attachment/\d+/\d+/\d+/\d+\.\w+", with_files.attachments[0].path)


def test_openness_paging(farm):
    portal = farm.world.portals["openness"]
    column = max(portal.leaf_columns(), key=lambda c: len(portal.listed(c)))
    text = fetch(farm.url("openness", column.path + "page_1.html")).text()
    assert re.search(r"共\d+页", text) and 'href="page_2.html">下一页' in text
    assert re.fullmatch(r"/OpennessContent/showList/\d+/\d+/", column.path)
    seeds = [a for a in portal.articles.values() if a.seed_file]
    detail = fetch(farm.url("openness", seeds[0].path)).text()
    assert seeds[0].organ in detail and "<table" in detail


def test_js_only_list_is_not_in_the_html(farm):
    portal = farm.world.portals["jsonly"]
    text = fetch(farm.url("jsonly", portal.start_path)).text()
    assert "<script>" in text
    for article in portal.articles.values():
        assert article.path not in text and article.title not in text
    detail = fetch(farm.url("jsonly", next(iter(portal.articles.values())).path))
    assert detail.status == 200
