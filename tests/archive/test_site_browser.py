"""The site's own pages in a real browser: Debian's Chromium through Playwright, at desktop and phone width.

The server is ``test_browser``'s (``datasette serve`` exactly as ``nianbao serve`` runs it). Each page is
opened at both widths, checked for what a reader sees (and for nothing wider than the screen, nor any
script error), and photographed into this module's tmp dir; one test clicks from the home page to a
number's archived source and checks the bytes it gets.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from test_browser import LAUNCH_ARGS, server  # noqa: F401  (the module's server fixture)

pytestmark = pytest.mark.slow

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def browser(server) -> Iterator[Browser]:  # noqa: F811
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "Debian's chromium is not installed (scripts/install.sh installs it)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def screens(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


def _page(browser: Browser, server: str, width: str) -> tuple[Page, list[str]]:  # noqa: F811
    context = browser.new_context(base_url=server, viewport=WIDTHS[width], locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: response.status >= 400 and errors.append(f"{response.status} {response.url}"))
    return page, errors


def _ids(world) -> dict[str, int]:
    db = sqlite3.connect(world.data.archive_db)
    report = db.execute("SELECT id, organ_id FROM reports WHERE organ = '铜陵市生态环境局' AND year = 2024").fetchone()
    previous = db.execute("SELECT id FROM reports WHERE organ = '铜陵市生态环境局' AND year = 2023").fetchone()[0]
    other = db.execute("SELECT organ_id FROM reports WHERE organ = '枞阳县人民政府'").fetchone()[0]
    return {"report": report[0], "organ": report[1], "previous": previous, "other": other}


# Each page, and what a reader must see on it.
def _pages(ids: dict[str, int]) -> list[tuple[str, str, str]]:
    return [
        ("home", "/", "#report-count"),
        ("report", f"/report/{ids['report']}", "table.sec3"),
        ("organ", f"/organ/{ids['organ']}", "#organ-chart svg"),
        ("compare-reports", f"/compare?a={ids['previous']}&b={ids['report']}", "table.pair tr.differs"),
        ("compare-organs", f"/compare?organ={ids['organ']}&organ={ids['other']}", "table.pair"),
        ("rank", "/rank?rate=disclosure", "table.ranking tbody tr"),
        ("heat", "/heat?rate=review_correction", "table.heat td"),
        ("editions", "/editions", "table.grid tbody tr"),
        ("reports-table", "/nianbao/reports", "table.rows-and-columns tbody tr"),
        ("dashboard", "/-/dashboards/trends", ".dashboard-grid svg, .dashboard-grid canvas"),
    ]


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_page_at_desktop_and_phone_width(browser, server, world, screens, width):  # noqa: F811
    page, errors = _page(browser, server, width)
    for name, path, selector in _pages(_ids(world)):
        page.goto(path)
        page.wait_for_selector(selector, state="visible")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=screens / f"{name}-{width}.png", full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, (name, width, overflow)  # wide tables scroll inside their own box
    assert errors == []
    page.context.close()


def test_home_to_a_numbers_archived_source(browser, server, world):  # noqa: F811
    """A reader starts at the home page, opens a report, looks at where a number was printed, and
    opens the archived original: the bytes are the primary document's, SHA-256 for SHA-256."""
    page, errors = _page(browser, server, "desktop")
    page.goto("/")
    count = sqlite3.connect(world.data.archive_db).execute("SELECT count(*) FROM reports").fetchone()[0]
    assert page.locator("#report-count").inner_text() == str(count)
    assert page.locator("head link[rel='alternate'][type='application/atom+xml']").get_attribute("href") == "/feed.atom"
    page.click("ul.start >> text=年度报告 Reports")
    page.wait_for_url("**/nianbao/reports")
    first_row = page.locator("table.rows-and-columns tbody tr").first
    first_row.locator("td.col-title a").click()
    page.wait_for_url("**/report/*")
    report_id = int(page.url.rsplit("/", 1)[1])
    cell = page.locator("td[id='cell-sec3.new_received.total']")
    source = cell.locator(".src")
    assert not source.is_visible()
    page.check("#show-src")
    assert source.is_visible() and "「" in source.inner_text() and "行" in source.inner_text()
    db = sqlite3.connect(world.data.archive_db)
    value, sha = db.execute(
        """SELECT c.value, d.sha256 FROM reports r JOIN documents d ON d.id = r.primary_document_id
           JOIN cell_values c ON c.document_id = d.id AND c.cell_id = 'sec3.new_received.total' WHERE r.id = ?""",
        [report_id]).fetchone()
    assert cell.inner_text().startswith(str(value))
    link = page.locator(f"#doc-{db.execute('SELECT primary_document_id FROM reports WHERE id = ?', [report_id]).fetchone()[0]}"
                        " a.original-link")
    with page.expect_response(lambda response: "/original/" in response.url) as opened:
        link.click()
    response = opened.value
    assert hashlib.sha256(response.body()).hexdigest() == sha
    assert response.headers["x-content-type-options"] == "nosniff"
    # The archived page asks for the portal's stylesheet and runs its scripts: the sandbox refuses both,
    # and Chromium says so; nothing else went wrong.
    styles = [error for error in errors if "violates the following Content Security Policy" in error]
    scripts = [error for error in errors if "Blocked script execution" in error and "sandboxed" in error]
    assert styles and scripts
    assert [error for error in errors if error not in styles + scripts] == []
    page.context.close()


def test_archived_html_is_shown_sandboxed(browser, server, world):  # noqa: F811
    """The original page is shown in a sandboxed frame: its scripts and styles from the portal are never
    fetched (the CSP refuses them, which Chromium reports), and nothing runs."""
    page, _ = _page(browser, server, "desktop")
    loaded: list[str] = []
    page.on("requestfinished", lambda request: loaded.append(request.url))
    page.goto(f"/report/{_ids(world)['report']}")
    page.click("details.original-view summary")
    frame_element = page.locator("iframe.original")
    assert frame_element.get_attribute("sandbox") == ""
    page.wait_for_function("document.querySelector('iframe.original').contentDocument === null", timeout=TIMEOUT_MS)
    page.wait_for_timeout(500)
    frame = page.frames[-1]
    assert "/original/" in frame.url and "年度报告" in frame.locator("body").inner_text()
    assert not [url for url in loaded if "/js/" in url or "/images/" in url]  # the portal's assets, refused
    page.context.close()


def test_column_descriptions_are_folded_and_the_feed_is_linked(browser, server):  # noqa: F811
    page, errors = _page(browser, server, "phone")
    page.goto("/nianbao/reports")
    folded = page.locator("details.column-descriptions-folded")
    assert folded.count() == 1 and folded.get_attribute("open") is None
    assert not page.locator("dl.column-descriptions").is_visible()
    assert page.locator("th[data-column='year']").get_attribute("title")  # the description as a tooltip
    assert errors == []
    page.context.close()


def test_organ_chart_points_open_their_report(browser, server, world):  # noqa: F811
    page, errors = _page(browser, server, "desktop")
    ids = _ids(world)
    page.goto(f"/organ/{ids['organ']}")
    points = page.locator("#organ-chart svg g.mark-symbol.role-mark path")  # not the legend's symbols
    points.first.wait_for()
    assert points.count() == 3 * 3  # three years, three series
    points.first.scroll_into_view_if_needed()  # a click by coordinates reaches only what is on screen
    box = points.first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**/report/*")
    reports = {f"/report/{row[0]}" for row in sqlite3.connect(world.data.archive_db).execute(
        "SELECT id FROM reports WHERE organ_id = ?", [ids["organ"]])}
    assert "/report/" + page.url.rsplit("/report/", 1)[1] in reports
    assert page.locator("h1").inner_text().startswith("铜陵市生态环境局")
    assert errors == []
    page.context.close()
