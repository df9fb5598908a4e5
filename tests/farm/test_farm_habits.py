"""Each hostile habit of PORTALS.md behaves as real portals do."""

from __future__ import annotations

import re
import time

from farm.habits import RUISHU_COOKIE, is_slow, ruishu_token
from farm.testing import fetch


def test_robots(farm):
    denied = fetch(farm.url("robots-denied", "/robots.txt"))
    assert denied.status == 200 and "Disallow: /\n" in denied.text()
    portal = farm.world.portals["trs-https"]
    partial = fetch(farm.url("trs-https", "/robots.txt")).text()
    column = next(c for c in portal.columns.values() if c.robots_denied)
    assert f"Disallow: {column.path}" in partial
    assert {t.reason for t in farm.world.reports("trs-https") if t.page_path.startswith(column.path)} == {"robots_denied"}


def test_http_to_https_redirect(farm):
    portal = farm.world.portals["trs-https"]
    reply = fetch(farm.url("trs-https", portal.start_path), follow=False)
    assert reply.status == 301 and reply.headers["location"].startswith("https://127.0.0.1:")
    assert reply.headers["location"].endswith(portal.start_path)
    secure = fetch(reply.headers["location"])
    assert secure.status == 200 and secure.url.startswith("https://")


def test_gbk_without_charset_header(farm):
    portal = farm.world.portals["trs-gbk"]
    reply = fetch(farm.url("trs-gbk", portal.start_path))
    assert reply.headers["content-type"] == "text/html"
    assert 'charset=gb2312' in reply.body.decode("ascii", "replace")
    assert portal.columns["root"].title in reply.body.decode("gb18030")
    try:
        reply.body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        raise AssertionError("a GBK page must not be valid UTF-8")


def test_js_location_replace_shell(farm):
    portal = farm.world.portals["trs-gbk"]
    column = next(c for c in portal.leaf_columns() if c.shell)
    reply = fetch(farm.url("trs-gbk", column.path))
    assert len(reply.body) < 200 and f'location.replace("{column.list_path}")' in reply.text()
    assert "createPageHTML" in fetch(farm.url("trs-gbk", column.list_path)).body.decode("gb18030")


def _past_end(farm, site_id):
    portal = farm.world.portals[site_id]
    column = next(c for c in portal.leaf_columns() if not c.shell and not c.robots_denied)
    count = max(1, -(-len(portal.listed(column)) // portal.page_size))
    return fetch(farm.url(site_id, f"{column.list_path}index_{count}.html"))


def test_meta_refresh_past_last_page(farm):
    reply = _past_end(farm, "trs-gbk")
    assert reply.status == 200 and '<meta http-equiv="refresh" content="0;url=./">' in reply.text("gb18030")


def test_stub_past_last_page(farm):
    reply = _past_end(farm, "trs-https")
    assert reply.status == 200 and 200 <= len(reply.body) <= 400 and "<li>" not in reply.text()


def test_ruishu_412_until_the_script_ran(farm):
    portal = farm.world.portals["ruishu"]
    reply = fetch(farm.url("ruishu", portal.start_path))
    assert reply.status == 412 and "$_ts.nsd=" in reply.text()
    script_path = re.search(r'src="([^"]+\.js)"', reply.text()).group(1)
    assert "document.cookie" in fetch(farm.url("ruishu", script_path)).text()
    wrong = fetch(farm.url("ruishu", portal.start_path), headers={"Cookie": f"{RUISHU_COOKIE}=deadbeef"})
    assert wrong.status == 412
    passed = fetch(farm.url("ruishu", portal.start_path),
                   headers={"Cookie": f"{RUISHU_COOKIE}={ruishu_token(portal)}"})
    assert passed.status == 200 and "createPageHTML" not in passed.text()


def test_block_page(farm):
    portal = farm.world.portals["blocked"]
    for path in (portal.start_path, "/robots.txt"):
        reply = fetch(farm.url("blocked", path))
        assert reply.status == 403 and "知道创宇云防御" in reply.text()


def test_transient_503_with_retry_after(fresh_farm):
    farm = fresh_farm
    portal = farm.world.portals["trs-gbk"]
    column = next(c for c in portal.leaf_columns() if len(portal.listed(c)) > portal.page_size and not c.shell)
    url = farm.url("trs-gbk", column.list_path + "index_1.html")
    statuses = [fetch(url) for _ in range(3)]
    assert [r.status for r in statuses] == [503, 503, 200]
    assert statuses[0].headers["retry-after"] == "1"
    farm.reset_habits()
    assert fetch(url).status == 503


def test_429_on_first_list_api_call(fresh_farm):
    portal = fresh_farm.world.portals["hanweb"]
    form = f"columnid={portal.leaf_columns()[0].col_id}".encode()
    url = fresh_farm.url("hanweb", "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=2&perpage=2")
    first, second = fetch(url, data=form), fetch(url, data=form)
    assert first.status == 429 and first.headers["retry-after"] == "1" and second.status == 200


def test_permanent_500(farm):
    broken = [t for t in farm.world.reports("trs-gbk") if t.reason == "server_error"]
    assert len(broken) == 1
    for _ in range(2):
        assert fetch(farm.url("trs-gbk", broken[0].page_path)).status == 500


def test_slow_detail_pages(farm):
    articles = farm.world.portals["openness"].articles
    slow = next(a for a in articles.values() if is_slow(a.article_id))
    started = time.monotonic()
    assert fetch(farm.url("openness", slow.path)).status == 200
    assert time.monotonic() - started >= farm.world.slow_seconds


def test_removed_and_unknown_paths_are_404(farm):
    assert fetch(farm.url("hanweb", "/art/2024/1/1/art_1_1.html")).status == 404
    assert fetch(farm.url("gkmlpt", "/gkmlpt/content/0/1/post_1.html")).status == 404
