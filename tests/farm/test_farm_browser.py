"""What only a browser sees: the JS-built list, and the 412 check that a browser passes by itself."""

from __future__ import annotations

import importlib
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def browser():
    sync_api = importlib.import_module("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield instance
        instance.close()


def test_js_only_list_appears_in_a_browser(farm, browser):
    portal = farm.world.portals["jsonly"]
    page = browser.new_page()
    page.goto(farm.url("jsonly", portal.start_path))
    links = set(page.eval_on_selector_all("#nb-tree a", "els => els.map(e => e.getAttribute('href'))"))
    assert links == {a.path for a in portal.articles.values() if not a.removed}
    page.close()


def test_ruishu_check_passes_in_a_browser(farm, browser):
    portal = farm.world.portals["ruishu"]
    page = browser.new_page()
    first = page.goto(farm.url("ruishu", portal.start_path))
    assert first.status == 412
    page.wait_for_load_state("networkidle")
    assert portal.columns["root"].title in page.title()
    assert page.eval_on_selector_all(".sub-column a", "els => els.length") == len(portal.columns["root"].children)
    page.close()


def test_hanweb_list_renders_and_pages_in_a_browser(fresh_farm, browser):
    farm = fresh_farm
    portal = farm.world.portals["hanweb"]
    column = max(portal.leaf_columns(), key=lambda c: len(portal.listed(c)))
    paths = [a.path for a in portal.listed(column)]
    page = browser.new_page()
    page.goto(farm.url("hanweb", column.path))
    shown = page.eval_on_selector_all(".jpage-list a", "els => els.map(e => e.getAttribute('href'))")
    assert shown == paths[:portal.page_size]
    seen = list(shown)
    while page.query_selector(".jpage-bar a"):
        page.click(".jpage-bar a")
        page.wait_for_timeout(300)
        seen += page.eval_on_selector_all(".jpage-list a", "els => els.map(e => e.getAttribute('href'))")
        if len(seen) > len(paths) * 2:
            break
    assert seen == paths
    page.close()


def test_jpaas_column_pages_through_the_build_unit_api_in_a_browser(farm, browser):
    portal = farm.world.portals["jpaas"]
    column = max(portal.leaf_columns(), key=lambda c: len(portal.listed(c)))
    paths = [a.path for a in portal.listed(column)]
    page = browser.new_page()
    page.goto(farm.url("jpaas", column.path))
    seen = page.eval_on_selector_all(".default_pgContainer a", "els => els.map(e => e.getAttribute('href'))")
    assert seen == paths[:portal.page_size]
    while page.query_selector("div.pagination a") and len(seen) < len(paths) * 2:
        before = page.inner_html(".default_pgContainer")
        page.click("div.pagination a")
        page.wait_for_function("b => document.querySelector('.default_pgContainer').innerHTML !== b", arg=before)
        seen += page.eval_on_selector_all(".default_pgContainer a", "els => els.map(e => e.getAttribute('href'))")
    assert seen == paths
    page.close()
