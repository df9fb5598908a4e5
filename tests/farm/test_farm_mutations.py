"""Changing, removing and adding reports on a running farm, by Python and over the admin port."""

from __future__ import annotations

import json

from farmwalk import walk_hanweb, walk_trs

from farm.testing import fetch


def test_change_report_new_version_same_url(fresh_farm):
    farm = fresh_farm
    truth = next(t for t in farm.world.reports("trs-https", crawlable_only=True) if t.inline)
    url = farm.url("trs-https", truth.page_path)
    before = fetch(url)
    changed = farm.world.change_report(truth.article_id)
    assert changed.version == 2 and changed.page_path == truth.page_path
    assert changed.spec.cells != truth.spec.cells
    after = fetch(url, headers={"If-None-Match": before.headers["etag"]})
    assert after.status == 200 and after.body != before.body
    assert after.headers["etag"] != before.headers["etag"]
    assert after.headers["last-modified"] != before.headers["last-modified"]


def test_change_report_changes_its_attachment(fresh_farm):
    farm = fresh_farm
    truth = next(t for t in farm.world.reports(crawlable_only=True) if "docx" in t.formats)
    url = farm.url(truth.site_id, truth.attachment_paths[0])
    before = fetch(url)
    farm.world.change_report(truth.article_id)
    after = fetch(url, headers={"If-None-Match": before.headers["etag"]})
    assert after.status == 200 and after.body != before.body


def test_remove_report(fresh_farm):
    farm = fresh_farm
    portal = farm.world.portals["hanweb"]
    truth = next(t for t in farm.world.reports("hanweb", crawlable_only=True) if t.attachment_paths)
    farm.world.remove_report(truth.article_id)
    for path in truth.paths:
        assert fetch(farm.url("hanweb", path)).status == 404
    details, files = walk_hanweb(farm.base_urls["hanweb"], portal.start_path)
    assert truth.page_path not in details and not set(truth.attachment_paths) & files
    assert truth.article_id not in {t.article_id for t in farm.world.reports()}


def test_add_report(fresh_farm):
    farm = fresh_farm
    portal = farm.world.portals["trs-gbk"]
    truth = farm.world.add_report("trs-gbk", formats=("pdf",))
    assert truth in farm.world.reports("trs-gbk") and truth.attachment_paths
    details, files = walk_trs(farm.base_urls["trs-gbk"], portal.start_path, "gb18030")
    assert truth.page_path in details and truth.attachment_paths[0] in files
    column = portal.columns[portal.articles[truth.article_id].column_key]
    assert portal.listed(column)[0].article_id == truth.article_id


def test_admin_endpoint(fresh_farm):
    farm = fresh_farm
    truth = json.loads(fetch(farm.admin_url + "truth").text())
    assert truth["base_urls"] == farm.base_urls and truth["status"]["blocked"] == "blocked"
    first = truth["reports"][0]
    changed = json.loads(fetch(f"{farm.admin_url}change?id={first['article_id']}", data=b"").text())
    assert changed["version"] == 2
    added = json.loads(fetch(f"{farm.admin_url}add?site_id=gkmlpt&formats=docx", data=b"").text())
    assert added["site_id"] == "gkmlpt" and added["formats"] == ["docx"]
    removed = json.loads(fetch(f"{farm.admin_url}remove?id={added['article_id']}", data=b"").text())
    assert removed == {"removed": added["article_id"]}
    assert fetch(farm.url("gkmlpt", added["page_path"])).status == 404
