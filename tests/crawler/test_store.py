"""The store writer: versions, gone marking, summaries, resumed sessions."""

from __future__ import annotations

from pathlib import Path

from archive.paths import DataDir
from archive.store import StoreWriter
from archive.store_reader import iter_documents


def fetch(url: str, kind: str = "page", **extra) -> dict:
    return {"portal_id": "p", "kind": kind, "url": url, "method": "GET", "status": 200, **extra}


def test_versions_and_gone(tmp_path: Path) -> None:
    data = DataDir.resolve(tmp_path)
    store = StoreWriter(data)
    run = store.start_run("portal", {"a": 1}, "job")
    store.record(run.id, fetch("http://x/", "listing"), b"list")
    assert store.record(run.id, fetch("http://x/a.html"), b"v1")[1] == "downloaded"
    assert store.record(run.id, fetch("http://x/b.html"), b"b")[1] == "downloaded"
    store.finish_run(run.id, "finished", {})
    assert store.mark_gone(run.id) == 0

    second = store.start_run("portal", {"a": 1}, "job")
    assert second.resumes is None  # the first one finished
    store.record(second.id, fetch("http://x/", "listing"), b"list")
    assert store.record(second.id, fetch("http://x/a.html"), b"v1")[1] == "unchanged"
    assert store.record(second.id, fetch("http://x/a.html"), b"v2")[1] == "downloaded"
    assert store.mark_gone(second.id) == 1  # b.html was not listed again
    docs = {(d.url, d.version): d for d in iter_documents(data)}
    assert set(docs) == {("http://x/a.html", 1), ("http://x/a.html", 2), ("http://x/b.html", 1)}
    assert docs[("http://x/b.html", 1)].gone_on is not None
    assert docs[("http://x/a.html", 2)].blob_path.read_bytes() == b"v2"


def test_incomplete_listing_marks_nothing_gone(tmp_path: Path) -> None:
    store = StoreWriter(DataDir.resolve(tmp_path))
    run = store.start_run("portal", {}, "job")
    store.record(run.id, fetch("http://x/", "listing"), b"list")
    store.record(run.id, fetch("http://x/a.html"), b"a")
    second = store.start_run("portal", {}, "job2")
    store.record(second.id, fetch("http://x/", "listing", outcome="failed", reason="HTTP 503", status=503), None)
    assert store.mark_gone(second.id) == 0


def test_interrupted_run_is_resumed_as_one_session(tmp_path: Path) -> None:
    store = StoreWriter(DataDir.resolve(tmp_path))
    first = store.start_run("portal", {}, "job")
    store.record(first.id, fetch("http://x/", "listing", status=412, outcome="blocked", reason="challenge"), b"c")
    store.finish_run(first.id, "interrupted", {})
    second = store.start_run("portal", {}, "job")
    assert second.resumes == first.id and second.session_start == first.session_start
    store.record(second.id, fetch("http://x/", "listing"), b"list")
    store.record(second.id, fetch("http://x/a.html", title="t"), b"a")
    (row,) = store.summary(second.id)
    # The 412 that a later fetch got past no longer counts as blocked.
    assert row == {"portal_id": "p", "reports_found": 1, "downloaded": 1, "unchanged": 0, "failed": 0, "blocked": 0}
