"""Every page and file has stable validators and answers 304; the access log records it all."""

from __future__ import annotations

import pytest

from farm.testing import fetch


def _targets(farm):
    hanweb = farm.world.portals["hanweb"]
    with_file = next(a for a in hanweb.articles.values() if a.attachments and not a.attachments[0].redirect)
    gk = farm.world.portals["gkmlpt"]
    return [
        ("trs-https", farm.world.portals["trs-https"].start_path),
        ("trs-gbk", next(a.path for a in farm.world.portals["trs-gbk"].articles.values() if not a.broken)),
        ("hanweb", hanweb.start_path),
        ("hanweb", with_file.attachments[0].path),
        ("gkmlpt", f"/gkmlpt/api/all/{gk.columns['root'].col_id}?page=1&sid={gk.params['sid']}"),
        ("openness", farm.world.portals["openness"].start_path),
        ("jsonly", farm.world.portals["jsonly"].start_path),
    ]


@pytest.mark.parametrize("index", range(7))
def test_etag_and_last_modified_give_304(farm, index):
    site_id, path = _targets(farm)[index]
    url = farm.url(site_id, path)
    first, again = fetch(url), fetch(url)
    assert first.status == 200 and first.headers["etag"] == again.headers["etag"]
    assert first.headers["last-modified"] == again.headers["last-modified"]
    by_etag = fetch(url, headers={"If-None-Match": first.headers["etag"]})
    by_date = fetch(url, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert by_etag.status == 304 and by_etag.body == b""
    assert by_date.status == 304
    assert fetch(url, headers={"If-None-Match": '"other"'}).status == 200


def test_access_log_records_requests(farm):
    portal = farm.world.portals["hanweb"]
    mark = farm.log.mark()
    url = farm.url("hanweb", portal.start_path)
    first = fetch(url, headers={"User-Agent": "nianbao-test/1.0"})
    fetch(url, headers={"User-Agent": "nianbao-test/1.0", "If-None-Match": first.headers["etag"]})
    entries = [e for e in farm.log.entries_since(mark) if e.user_agent == "nianbao-test/1.0"]
    assert [(e.site_id, e.method, e.path, e.status, e.conditional) for e in entries] == [
        ("hanweb", "GET", portal.start_path, 200, False), ("hanweb", "GET", portal.start_path, 304, True)]
    assert entries[0].bytes == len(first.body) and entries[1].bytes == 0
    assert entries[1].if_none_match == first.headers["etag"]
    assert entries[0].port == int(farm.base_urls["hanweb"].rsplit(":", 1)[1].strip("/"))
