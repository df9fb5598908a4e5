"""The incremental crawl's schedule in the store: documents by age, listings by how long they stayed the
same, parents due when anything under them is; a full walk once a month. Intervals are the ones
``archive/schedule.py`` documents (daily < 30 days, weekly < 90, monthly < a year, quarterly after)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from archive.paths import DataDir
from archive.schedule import full_walk_due, parse_time
from archive.store import StoreWriter

DAY = timedelta(days=1)


def fetch(url: str, kind: str, listing: str | None = None, listed: date | None = None, **extra) -> dict:
    return {"portal_id": "p", "kind": kind, "url": url, "method": "GET", "status": 200, "listing_url": listing,
            "listed_date": listed.isoformat() if listed else None, **extra}


@pytest.fixture
def store(tmp_path: Path) -> StoreWriter:
    writer = StoreWriter(DataDir.resolve(tmp_path))
    yield writer
    writer.close()


def _next_checks(store: StoreWriter) -> dict[str, tuple[timedelta, timedelta]]:
    """Per URL: (next_check, due_at), each as time from its last check."""
    rows = store.db.query("select url, checked_at, next_check, due_at from schedule")
    return {r["url"]: (parse_time(r["next_check"]) - parse_time(r["checked_at"]),
                       parse_time(r["due_at"]) - parse_time(r["checked_at"])) for r in rows}


def test_documents_by_age_and_parents_by_their_subtree(store: StoreWriter) -> None:
    today = datetime.now(UTC).date()
    run = store.start_run("portal", {}, "job")
    store.record(run.id, fetch("http://x/", "listing"), b"root")
    store.record(run.id, fetch("http://x/2019/", "listing", "http://x/"), b"old column")
    store.record(run.id, fetch("http://x/2019/a.html", "page", "http://x/2019/", today - 800 * DAY), b"a")
    store.record(run.id, fetch("http://x/2024/", "listing", "http://x/"), b"new column")
    for days, name in ((10, "b"), (60, "c"), (200, "d")):
        store.record(run.id, fetch(f"http://x/2024/{name}.html", "page", "http://x/2024/", today - days * DAY),
                     name.encode())
    store.record(run.id, fetch("http://x/2024/b.pdf", "attachment", "http://x/2024/", parent_url="http://x/2024/b.html"),
                 b"%PDF b")
    store.finish_run(run.id, "finished", {})
    assert store.update_schedule(run.id) == 8

    checks = _next_checks(store)
    # Documents by the age of their listed date.
    assert checks["http://x/2019/a.html"][0] == 90 * DAY
    assert checks["http://x/2024/b.html"][0] == DAY
    assert checks["http://x/2024/c.html"][0] == 7 * DAY
    assert checks["http://x/2024/d.html"][0] == 30 * DAY
    # An attachment listed with no date of its own: first seen now, so young.
    assert checks["http://x/2024/b.pdf"][0] == DAY
    # Listings just seen changed (first seen) are asked again tomorrow ...
    assert checks["http://x/2019/"][0] == DAY
    # ... and a parent is due when the earliest thing under it is.
    assert checks["http://x/2024/b.html"][1] == DAY
    assert checks["http://x/"][1] == DAY

    schedule = store.schedule(["p"])
    assert schedule.known("http://x/2024/b.html") and not schedule.due("http://x/2024/b.html")
    assert schedule.due("http://x/never-seen.html") and not schedule.known("http://x/never-seen.html")


def test_a_listing_unchanged_for_long_is_asked_rarely(store: StoreWriter) -> None:
    run = store.start_run("portal", {}, "job")
    store.record(run.id, fetch("http://x/col/", "listing"), b"same")
    store.finish_run(run.id, "finished", {})
    store.update_schedule(run.id)
    # Pretend the column last changed 100 days ago; an unchanged answer now keeps that date.
    long_ago = (datetime.now(UTC) - 100 * DAY).isoformat()
    store.db.execute("update schedule set changed_at = ?", [long_ago])
    store.db.conn.commit()
    again = store.start_run("portal", {}, "job2")
    assert store.record(again.id, fetch("http://x/col/", "listing", outcome="not_modified", sha256=None), None)[1] \
        == "not_modified"
    store.finish_run(again.id, "finished", {})
    store.update_schedule(again.id)
    assert _next_checks(store)["http://x/col/"][0] == 30 * DAY
    changed_at = next(store.db.query("select changed_at from schedule"))["changed_at"]
    assert changed_at == long_ago


def test_full_walk_once_a_month(store: StoreWriter) -> None:
    now = datetime.now(UTC)
    assert full_walk_due(store.db, now)  # never walked
    run = store.start_run("portal", {}, "job")
    store.finish_run(run.id, "finished", {"nianbao/full": True})
    assert not full_walk_due(store.db, now)
    assert full_walk_due(store.db, now + 31 * DAY)
    incremental = store.start_run("portal", {}, "job")
    store.finish_run(incremental.id, "finished", json.loads('{"nianbao/full": false}'))
    assert full_walk_due(store.db, now + 31 * DAY)


def test_robots_txt_is_reused_for_a_day(store: StoreWriter) -> None:
    """RFC 9309 §2.4: a crawler may keep a robots.txt answer for 24 hours, not longer."""
    url = "http://x/robots.txt"
    assert store.stored_robots(url) is None
    store.save_robots(url, 200, b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"})
    store.save_robots("http://y/robots.txt", 404, b"", {})
    assert store.stored_robots(url) == (200, b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"})
    assert store.stored_robots("http://y/robots.txt") == (404, b"", {})
    a_day_ago = (datetime.now(UTC) - 25 * timedelta(hours=1)).isoformat()
    store.db.execute("update robots set fetched_at = ? where url = ?", [a_day_ago, url])
    store.db.conn.commit()
    assert store.stored_robots(url) is None
