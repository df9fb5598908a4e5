"""The store writer: versions, gone marking, summaries, resumed sessions, killed runs and refused writes."""

from __future__ import annotations

import errno
import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.blobs import TMP_PREFIX, BlobStore, StoreError
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
    assert row == {"portal_id": "p", "reports_found": 1, "downloaded": 1, "unchanged": 0, "failed": 0, "blocked": 0,
                   "robots": 0, "refused": 0, "listings_read": 1,
                   "skipped_listing_pages": 0, "skipped_columns": 0, "skipped_renders": 0,
                   "skipped_documents": 0}


def test_a_killed_run_is_marked_interrupted_by_the_next(tmp_path: Path) -> None:
    """A crawl killed with SIGKILL cannot mark its run; its lock dies with it, and the next run sees that."""
    script = ("import sys, time; from archive.paths import DataDir; from archive.store import StoreWriter;"
              "w = StoreWriter(DataDir.resolve(sys.argv[1])); w.start_run('portal', {}, 'job');"
              "print('started', flush=True); time.sleep(60)")
    child = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "started"
        store = StoreWriter(DataDir.resolve(tmp_path))
        assert store.reap_dead_runs() == []  # alive: its lock is held
        child.kill()
        child.wait(timeout=30)
        second = store.start_run("portal", {}, "job")
    finally:
        child.kill()
    statuses = dict(store.db.execute("select id, status from runs").fetchall())
    assert statuses == {1: "interrupted", 2: "running"}
    assert second.resumes == 1
    assert not (tmp_path / "store" / "locks" / "run-1.lock").exists()


def test_temporary_blobs_of_dead_writers_are_swept(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    folder = tmp_path / "blobs" / "ab" / "cd"
    folder.mkdir(parents=True)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)  # a process that has exited
    names = {"killed": f"{dead_pid}-a", "old": "1-b", "young": f"{os.getpid()}-c", "writing": f"{os.getpid()}-d"}
    paths = {key: folder / f"{TMP_PREFIX}{name}" for key, name in names.items()}
    for path in paths.values():
        path.write_bytes(b"half a body")
    long_ago = time.time() - 3600
    os.utime(paths["old"], (long_ago, long_ago))
    os.utime(paths["writing"], (long_ago, long_ago))
    with paths["writing"].open("rb") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # a writer still at work, however long it takes
        assert blobs.sweep() == 2
    assert {key for key, path in paths.items() if path.exists()} == {"young", "writing"}


def test_a_write_the_disk_refuses_is_one_clear_error_and_leaves_nothing(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    blobs = BlobStore(tmp_path / "blobs")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("archive.blobs.os.fsync", full)
    with pytest.raises(StoreError) as raised:
        blobs.put(b"a report")
    assert str(raised.value) == f"cannot write the store at {tmp_path / 'blobs'}: No space left on device"
    assert [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()] == []
