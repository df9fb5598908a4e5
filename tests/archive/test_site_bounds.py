"""The site bounded, in process: what a visitor's URL can make it do, and what it answers instead.

Every test here starts its own Datasette on the built world (so rate-limit state starts fresh), with
the metadata the site ships and, where a test says so, a guard setting changed.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import sqlite3
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from archive.metadata import METADATA_PATH
from archive.serve import make_datasette

pytestmark = pytest.mark.timeout(300)

# The requests the hostile pass found answering 500, and their near relatives.
ODD_REQUESTS = [
    ("GET", "/nianbao/reports/-/insert"),
    ("GET", "/a/b/c/d"),
    ("GET", "//nianbao.json?sql=select+1"),
    ("POST", "/nianbao/search"),
    ("POST", "/nianbao/organ_over_time?organ=x"),
    ("POST", "/nianbao/reports/-/insert"),
    ("PUT", "/nianbao/reports/1"),
    ("DELETE", "/nianbao/reports/1"),
    ("GET", "/nianbao/reports?_sort=nope"),
    ("GET", "/nianbao/reports?_sort=year&_sort_desc=year"),
    ("GET", "/nianbao/reports?_through=%7B%7D"),
    ("GET", "/nianbao/reports?_through=nope"),
    ("GET", "/nianbao/reports?_timelimit=("),
    ("GET", "/nianbao/reports.json?_json_infinity=x"),
    ("GET", "/nianbao.csv"),
    ("GET", "/nianbao.csv?sql="),
    ("GET", "/nianbao/reports.json?_shape=bogus"),
    ("GET", "/nianbao/reports?_where=length(zeroblob(5e7))%3E0"),
    ("GET", "/nianbao-texts/texts.json?_search=%22"),
    ("GET", "/nianbao/search?q=%22"),
    ("GET", "/nianbao/nope/1"),
    ("GET", "/nianbao/-/x"),
    ("GET", "/-/nope"),
    ("GET", "/%ZZ"),
    ("HEAD", "/nianbao/reports"),
    ("OPTIONS", "/nianbao.json"),
]


def _metadata(**guard) -> dict:
    metadata = copy.deepcopy(yaml.safe_load(METADATA_PATH.read_text(encoding="utf-8")))
    metadata["plugins"]["nianbao-guard"].update(guard)
    return metadata


def _unlimited(**guard) -> dict:
    """Rate limits off: for tests that send many requests about something else."""
    return _metadata(requests_per_minute=0, queries_per_minute=0, work_seconds_per_minute=0, **guard)


def _requests(ds, requests: list[tuple[str, str]] | list[str], **kwargs):
    async def run():
        replies = []
        for item in requests:
            method, path = item if isinstance(item, tuple) else ("GET", item)
            replies.append(await ds.client.request(method, path, **kwargs))
        return replies

    return asyncio.run(run())


@pytest.mark.parametrize("database", ["nianbao", "nianbao-texts"])
def test_zeroblob_is_refused_small_and_fast(world, database):
    """The texts file is a database of its own on the site, with the same limits on its connections."""
    ds = make_datasette(world.data)
    started = time.monotonic()
    reply = _requests(ds, [f"/{database}.json?sql=" + quote("select zeroblob(50000000)")])[0]
    assert reply.status_code == 400 and "too big" in reply.json()["error"]
    assert len(reply.content) < 5_000_000 and time.monotonic() - started < 5


def test_many_large_columns_and_many_large_rows_are_refused(world):
    ds = make_datasette(world.data, metadata=_unlimited())
    columns = ", ".join(["x"] * 200)
    wide = f"with a(x) as (select zeroblob(1000000)) select {columns} from a"
    tall = ("with recursive n(i) as (select 1 union all select i + 1 from n limit 2000) "
            "select printf('%.*c', 5000, 'x') from n")
    for sql in (wide, tall):
        json_reply, html_reply, csv_reply = _requests(ds, [f"{path}?sql={quote(sql)}&_size=max" for path in (
            "/nianbao.json", "/nianbao", "/nianbao.csv")])
        assert json_reply.status_code == 400 and json_reply.json()["ok"] is False, sql[:40]
        assert html_reply.status_code == 400 and len(html_reply.content) < 100_000, sql[:40]
        # Datasette 0.65 answers a failed query's CSV with an empty CSV.
        assert csv_reply.status_code in (200, 400) and len(csv_reply.content) < 1000, sql[:40]


def test_every_response_is_capped(world):
    ds = make_datasette(world.data, metadata=_unlimited())
    # 1,500 values of 1,000 Chinese characters: 1.5 million characters, within SQLite's result budget
    # (4 MB), but 4.5 MB as UTF-8 and more as JSON: over the response cap.
    sql = ("with recursive n(i) as (select 1 union all select i + 1 from n limit 1500) "
           "select replace(hex(zeroblob(500)), '0', '中') from n")
    reply = _requests(ds, ["/nianbao.json?_size=max&sql=" + quote(sql)])[0]
    assert reply.status_code == 400 and "too large" in reply.json()["error"]
    csv_reply = _requests(ds, ["/nianbao.csv?_size=max&sql=" + quote(sql)])[0]
    assert len(csv_reply.content) < 4 * 1024 * 1024 and csv_reply.text.rstrip().endswith("more than 1048576 bytes")


@pytest.fixture(scope="module")
def big_table(tmp_path_factory) -> Path:
    """A 20 MB table: 40,000 rows of 500 characters, served as the route /nianbao."""
    path = tmp_path_factory.mktemp("big") / "nianbao.db"
    conn = sqlite3.connect(path)
    conn.execute("create table t (id integer primary key, body text)")
    conn.executemany("insert into t (body) values (?)", (("x" * 500,) for _ in range(40_000)))
    conn.commit()
    conn.close()
    return path


def test_table_exports_and_streams_stop_at_the_cap(world, big_table):
    ds = make_datasette(world.data, db_file=big_table, metadata=_unlimited())
    stream, page_csv, page_json = _requests(ds, ["/nianbao/t.csv?_stream=on", "/nianbao/t.csv?_size=max", "/nianbao/t.json?_size=max"])
    assert stream.status_code == 200 and 1_000_000 < len(stream.content) < 4 * 1024 * 1024
    assert stream.text.rstrip().endswith("CSV contains more than 1048576 bytes")
    assert page_csv.status_code == 200 and len(page_csv.content) < 4 * 1024 * 1024
    assert page_json.status_code == 200 and len(page_json.content) < 4 * 1024 * 1024
    assert page_json.json()["rows"], "a page of 2,000 such rows is allowed"


def test_300_rapid_where_requests_meet_429(world):
    ds = make_datasette(world.data)
    paths = [f"/nianbao/reports?_where=id>{n}" for n in range(300)]
    statuses = [reply.status_code for reply in _requests(ds, paths, headers={"X-Forwarded-For": "198.51.100.7"})]
    assert statuses[:100] == [200] * 100 and 429 in statuses
    # 120 a minute: the loop gets its allowance, plus two a second that refill while it runs.
    assert statuses.count(200) < 150 and set(statuses) == {200, 429}


@pytest.mark.parametrize("shape", ["/nianbao/search?q=复议{}", "/nianbao-texts/texts?_search=公开{}", "/nianbao.json?sql=select+{}",
                                   "/nianbao/reports?year={}", "/nianbao/reports.json?_facet=year&n={}"])
def test_every_parameter_shape_is_rate_limited(world, shape):
    ds = make_datasette(world.data, metadata=_metadata(queries_per_minute=20))
    # A changing X-Forwarded-For is no new client: in process there is no proxy to trust at all.
    started = time.monotonic()
    statuses = [reply.status_code for reply in _requests(
        ds, [shape.format(n) for n in range(30)], headers={"X-Forwarded-For": "203.0.113.1"})]
    # The bucket refills one request every 3 s while the loop runs: on a loaded machine a few more get through.
    refilled = int((time.monotonic() - started) * 20 / 60)
    assert statuses[:20] == [200] * 20 and 429 in statuses, statuses
    assert statuses.count(200) <= 20 + refilled + 1, (statuses, refilled)


def test_listed_odd_requests_answer_plainly_without_a_500(world, caplog):
    ds = make_datasette(world.data, metadata=_unlimited())
    caplog.set_level(logging.ERROR, logger="nianbao.site")
    replies = _requests(ds, ODD_REQUESTS)
    for (method, path), reply in zip(ODD_REQUESTS, replies):
        assert reply.status_code < 500, (method, path, reply.status_code, reply.text[:300])
        if reply.status_code in (404, 405):
            assert len(reply.content) < 2000, (method, path)
    statuses = dict(zip(ODD_REQUESTS, (reply.status_code for reply in replies)))
    assert statuses[("GET", "/a/b/c/d")] == 404 and statuses[("POST", "/nianbao/search")] == 405
    assert caplog.records == []


def test_not_found_is_plain_and_costs_no_more_than_a_small_page(world, capsys):
    ds = make_datasette(world.data, metadata=_unlimited())
    missing = [f"/nianbao/nothing_{n}" for n in range(20)] + [f"/x/{n}/y/z" for n in range(20)]
    small = ["/-/versions.json"] * 40
    _requests(ds, small[:5] + missing[:5])  # warm both paths up
    capsys.readouterr()
    started = time.process_time()
    replies = _requests(ds, missing)
    missing_cpu = time.process_time() - started
    started = time.process_time()
    _requests(ds, small)
    small_cpu = time.process_time() - started
    printed = capsys.readouterr()
    assert all(reply.status_code == 404 and len(reply.content) < 500 for reply in replies)
    assert "Traceback" not in printed.err and len(printed.err) < 100
    assert missing_cpu <= 4 * small_cpu + 0.05, (missing_cpu, small_cpu)
    json_404 = _requests(ds, ["/nianbao/nothing.json"])[0]
    assert json_404.status_code == 404 and json_404.json()["ok"] is False


SEGMENTS = ["nianbao", "nianbao-texts", "reports", "sec3", "texts", "cells", "-", "1", "999", "search", "organ_over_time",
            "nianbao.json", "reports.json", "reports.csv", "1.json", "..", ".", "~", "%2F", "%ZZ", "", "insert",
            "static", "snapshots", "report", "about", "downloads", "dashboards", "trends", "robots.txt",
            "nianbao.db", ":memory:", "_internal", "%00", "~2E", "favicon.ico", "metadata.json", "plugins.json",
            "threads", "databases.json", "permissions", "messages", "allow-debug", "patterns", "actor.json",
            "auth-token", "logout", "config.json", "search-all", "2025-06-02", "SHA256SUMS", "1,2", "nianbao.jsono"]
KEYS = ["sql", "_where", "_search", "q", "organ", "_sort", "_sort_desc", "_facet", "_size", "_next", "_shape",
        "_col", "_nocol", "_labels", "_stream", "_dl", "_json", "_through", "_timelimit", "_trace", "_nl",
        "_search_text", "_fts_table", "_searchmode", "year", "id__gt", "id__in", "_facet_array", "_facet_date",
        "_nofacet", "_nocount", "_extra", "region__contains", "_hash", "_ttl", "_json_infinity", "_label", "_fts_pk"]
VALUES = ["", "1", "-1", "x", "'", '"', "max", "1e9", "select 1", "objects", "array", "object", "{}", "[]", "%",
          "nope", "year", "select zeroblob(5e7)", "(", "1/0", "on", "raw", "organ_id", "河南省", "\x00", "9" * 30,
          "pragma table_info(reports)", "attach 'x' as y", '{"table":"organs","column":"id","value":"1"}']


# Real routes, so that random parameters reach the code that reads them.
PREFIXES = [[], ["nianbao"], ["nianbao", "reports"], ["nianbao-texts", "texts"], ["nianbao", "cells"], ["nianbao", "search"],
            ["nianbao", "organ_over_time"], ["nianbao", "reports", "1"], ["nianbao.json"], ["nianbao.csv"],
            ["nianbao", "reports.json"], ["nianbao", "reports.csv"], ["nianbao", "coverage"], ["-", "dashboards", "trends"],
            ["report", "1"], ["-", "search"], ["about"], ["downloads"]]
SEGMENT = st.one_of(st.sampled_from(SEGMENTS), st.text(max_size=6))


@pytest.fixture(scope="module")
def fuzz_site(world):
    return make_datasette(world.data, metadata=_unlimited())


@settings(max_examples=400, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@example(method="GET", segments=["nianbao", "reports"], params=[("id__in", "[")], double_slash=False)  # found once
@example(method="GET", segments=["nianbao", "reports"], params=[("id__in", "[{}]")], double_slash=False)
@given(
    method=st.sampled_from(["GET"] * 6 + ["HEAD", "OPTIONS", "POST", "PUT", "DELETE", "PATCH", "PROPFIND"]),
    segments=st.one_of(
        st.lists(SEGMENT, max_size=4),
        st.tuples(st.sampled_from(PREFIXES), st.lists(SEGMENT, max_size=1)).map(lambda parts: parts[0] + parts[1]),
    ),
    params=st.lists(st.tuples(st.sampled_from(KEYS), st.one_of(st.sampled_from(VALUES), st.text(max_size=8))), max_size=4),
    double_slash=st.booleans(),
)
def test_no_request_a_visitor_can_send_answers_500(fuzz_site, method, segments, params, double_slash):
    raw = {"%ZZ", "%", "%00", "%2F"}
    path = ("//" if double_slash else "/") + "/".join(s if s in raw else quote(s, safe="~.:-,") for s in segments)
    query = "&".join(f"{quote(key)}={quote(value)}" for key, value in params)
    url = path + (f"?{query}" if query else "")
    reply = _requests(fuzz_site, [(method, url)])[0]
    assert reply.status_code < 500, (method, url, reply.status_code, reply.text[:300])
