"""The site in a real browser: Debian's Chromium through Playwright, against ``nianbao serve`` on 127.0.0.1.

Chromium is installed by ``scripts/install.sh``; a missing browser is a failure, never a skip. Screenshots
are written to ``test-artifacts/archive/`` for a person to look at.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright
from site_server import running_site

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "archive"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(world, tmp_path_factory) -> Iterator[str]:
    """``nianbao serve``, as deployed, until the module's tests are done."""
    with running_site(world.data, tmp_path_factory.mktemp("browser") / "serve.log") as site:
        yield site.base


@pytest.fixture(scope="module")
def browser_page(server) -> Iterator[tuple[Page, list[str]]]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "Debian's chromium is not installed (scripts/install.sh installs it)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=LAUNCH_ARGS)
        context = browser.new_context(base_url=server, accept_downloads=True, locale="zh-CN")
        page = context.new_page()
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("response", lambda response: response.status >= 400 and errors.append(f"{response.status} {response.url}"))
        yield page, errors
        browser.close()


def test_site_in_a_browser(browser_page, world, tmp_path):
    page, errors = browser_page

    page.goto("/")
    assert "政府信息公开工作年度报告数据库" in page.title() + page.inner_text("body")
    page.screenshot(path=ARTIFACTS / "home.png", full_page=True)

    page.goto("/nianbao/reports")
    assert page.locator("table.rows-and-columns tbody tr").count() == 6
    facet = page.locator(".facet-info[data-column='year']")  # on by default, from metadata.yml
    facet.locator("a:has-text('2024')").click()
    page.wait_for_url("**year=2024**")
    assert page.locator("table.rows-and-columns tbody tr").count() == 3
    assert page.locator("a:has-text('铜陵市生态环境局')").count() >= 1  # organ labels, not ids
    page.screenshot(path=ARTIFACTS / "reports-faceted-by-year.png", full_page=True)

    db = sqlite3.connect(world.data.archive_db)
    report_id, source_url = db.execute(
        "SELECT id, source_url FROM reports WHERE organ = '铜陵市生态环境局' AND year = 2024").fetchone()
    page.goto(f"/report/{report_id}")
    assert "铜陵市生态环境局" in page.locator("h1").inner_text()
    assert page.locator(f"a.portal-link[href='{source_url}']").count() == 1
    assert "cross_year.carried_over.total" in page.inner_text("body")
    page.screenshot(path=ARTIFACTS / "report.png", full_page=True)

    page.goto("/-/dashboards/trends")
    page.wait_for_function(
        "document.querySelectorAll('.dashboard-grid svg, .dashboard-grid canvas').length >= 5", timeout=20000
    )
    page.wait_for_timeout(500)
    page.screenshot(path=ARTIFACTS / "dashboard.png", full_page=True)

    page.goto("/search")
    page.fill("input[name='q']", "复议")
    page.click("input[type='submit']")
    page.wait_for_selector(".search-hit")
    texts = sqlite3.connect(world.data.texts_db)
    found = page.locator(".search-hit").count()
    assert found == texts.execute("SELECT count(DISTINCT id) FROM text_bodies WHERE text LIKE '%复议%'").fetchone()[0]
    assert page.locator(".search-hit mark").first.inner_text() == "复议"
    page.screenshot(path=ARTIFACTS / "search.png", full_page=True)
    page.locator(".search-hit h2 a").first.click()
    page.wait_for_url("**/report/*")

    page.goto("/downloads")
    sha = (world.data.snapshots / "2025-06-02" / "SHA256SUMS").read_text().split()[0]
    assert sha in page.inner_text("body")
    page.screenshot(path=ARTIFACTS / "downloads.png", full_page=True)

    page.goto("/nianbao")
    with page.expect_download() as download:
        page.click("a[href$='/nianbao.db']")
    saved = tmp_path / "downloaded.db"
    download.value.save_as(saved)
    downloaded = sqlite3.connect(saved)
    assert downloaded.execute("SELECT count(*) FROM reports").fetchone()[0] == 6
    assert downloaded.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    assert errors == []
