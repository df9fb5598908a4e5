"""Variants that only the full world holds: .shtml TRS, one-page gkmlpt, and the unknown VSB CMS."""

from __future__ import annotations

import importlib
import json
import re
import shutil

import pytest
from farmwalk import walk_trs, walk_vsb

from farm.server import FarmServer
from farm.testing import fetch
from farm.world import World


@pytest.fixture(scope="module")
def full_farm(tmp_path_factory):
    with FarmServer(World(0, "full", slow_seconds=0), log_path=tmp_path_factory.mktemp("full") / "log.jsonl") as s:
        yield s


def test_shtml_trs_portal(full_farm):
    portal = full_farm.world.portals["trs-county"]
    assert all(a.path.endswith(".shtml") for a in portal.articles.values())
    details, files = walk_trs(full_farm.base_urls["trs-county"], portal.start_path)
    assert details == {a.path for a in portal.articles.values()}
    assert files == {f.path for a in portal.articles.values() for f in a.attachments}
    column = next(c for c in portal.leaf_columns() if len(portal.listed(c)) > portal.page_size)
    second = fetch(full_farm.url("trs-county", column.path + "index_1.shtml"))
    assert second.status == 200 and '<ul class="rsb_con_rightUl">' in second.text()
    city = full_farm.world.portals["trs-city"]
    leaf = next(c for c in city.leaf_columns() if city.listed(c))
    assert '<div class="overview_right">' in fetch(full_farm.url("trs-city", leaf.path)).text()


def test_gkmlpt_one_page(full_farm):
    portal = full_farm.world.portals["gkmlpt-panyu"]
    api = full_farm.url("gkmlpt-panyu", f"/gkmlpt/api/all/{portal.columns['root'].col_id}")
    first = json.loads(fetch(f"{api}?page=1&sid={portal.params['sid']}").text())
    assert len(first["articles"]) == first["total"] > portal.page_size
    assert fetch(f"{api}?page=2&sid={portal.params['sid']}").status == 404


def test_vsb_portal_pages_backwards_and_is_auto(full_farm):
    portal = full_farm.world.portals["vsb-county"]
    row = next(r for r in full_farm.registry_rows() if r["site_id"] == "vsb-county")
    assert row["family"] == "auto"
    details, files = walk_vsb(full_farm.base_urls["vsb-county"], portal.start_path)
    assert details == {a.path for a in portal.articles.values()}
    assert files == {f.path for a in portal.articles.values() for f in a.attachments}
    column = max(portal.leaf_columns(), key=lambda c: len(portal.listed(c)))
    text = fetch(full_farm.url("vsb-county", column.path)).text()
    pages = int(re.search(r"&nbsp;1/(\d+)&nbsp;", text).group(1))
    assert pages > 1 and f'{column.path[:-4]}/{pages - 1}.htm">下一页' in text
    attachment = next(f for a in portal.articles.values() for f in a.attachments if f.fmt == "docx")
    reply = fetch(full_farm.url("vsb-county", attachment.path))
    assert reply.status == 200 and "filename*=UTF-8''" in reply.headers["content-disposition"]


def test_jsl_challenge_without_a_browser(full_farm):
    portal = full_farm.world.portals["openness-xuan"]
    assert full_farm.world.portal_status("openness-xuan") == "browser"
    reply = fetch(full_farm.url("openness-xuan", portal.start_path))
    assert reply.status == 521 and "go({" in reply.text() and "__jsluid_s" in reply.headers["set-cookie"]
    assert fetch(full_farm.url("openness-xuan", "/robots.txt")).status in (200, 404)


@pytest.mark.slow
def test_jsl_challenge_passes_in_a_browser(full_farm):
    sync_api = importlib.import_module("playwright.sync_api")
    portal = full_farm.world.portals["openness-xuan"]
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page()
        first = page.goto(full_farm.url("openness-xuan", portal.start_path))
        assert first.status == 521
        page.wait_for_selector(".left_tree", timeout=15000)
        assert portal.columns["root"].title in page.content()
        browser.close()


def test_hanweb_page_only(full_farm):
    portal = full_farm.world.portals["hanweb-city"]
    column = max(portal.leaf_columns(), key=lambda c: len(portal.listed(c)))
    paths = [a.path for a in portal.listed(column)]
    url = full_farm.url("hanweb-city", "/module/web/jpage/dataproxy.jsp")
    form = f"columnid={column.col_id}".encode()
    ignored = fetch(f"{url}?startrecord=3&endrecord=4&perpage=2", data=form).text()
    assert re.findall(r'href="(/art/[^"]+)"', ignored) == paths[:2]
    honoured = fetch(f"{url}?page=2&perpage=2", data=form).text()
    assert re.findall(r'href="(/art/[^"]+)"', honoured) == paths[2:4]
