"""The data directory's locks: one holder at a time, released by the kernel when its holder dies, never stale, never empty."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.lock import LockHeld, RunLock

HOLD = """
import sys, time
from pathlib import Path
from archive.lock import RunLock
lock = RunLock(Path(sys.argv[1]))
lock.acquire()
print("held", flush=True)
time.sleep(60)
"""


def _hold_in_child(path: Path) -> subprocess.Popen[str]:
    child = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "held"
    return child


def test_second_holder_is_refused_and_told_who_holds_it(tmp_path: Path) -> None:
    path = tmp_path / "run.lock"
    with RunLock(path):
        with pytest.raises(LockHeld) as refused:
            RunLock(path).acquire()
        assert refused.value.holder["pid"] == os.getpid()
    with RunLock(path) as again:
        assert again.held


def test_lock_of_a_killed_process_is_taken_at_once(tmp_path: Path) -> None:
    path = tmp_path / "run.lock"
    child = _hold_in_child(path)
    try:
        with pytest.raises(LockHeld):
            RunLock(path).acquire()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert path.exists(), "a killed holder leaves its file behind"
    started = time.monotonic()
    with RunLock(path):
        assert time.monotonic() - started < 1.0


def test_held_elsewhere_tells_a_live_holder_from_a_killed_one_and_takes_nothing(tmp_path: Path) -> None:
    """The crawl's store asks this of a run left ``running``: killed (free) or live (held)."""
    path = tmp_path / "run-7.lock"
    assert not RunLock(path).held_elsewhere(), "no file: nobody holds it"
    child = _hold_in_child(path)
    try:
        assert RunLock(path).held_elsewhere()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    asked = RunLock(path)
    assert not asked.held_elsewhere() and not asked.held
    with RunLock(path) as mine:
        assert mine.held_elsewhere() and RunLock(path).held_elsewhere()


def test_waiting_acquire_gets_the_lock_when_released(tmp_path: Path) -> None:
    path = tmp_path / "run.lock"
    child = _hold_in_child(path)
    try:
        with pytest.raises(LockHeld):
            RunLock(path).acquire(wait=0.3)
    finally:
        child.terminate()
        child.wait()
    lock = RunLock(path)
    lock.acquire(wait=2.0)
    assert lock.held
    lock.release()
    assert not lock.held


def test_the_lock_file_always_says_who_holds_or_held_it(tmp_path: Path) -> None:
    path = tmp_path / "run.lock"
    with RunLock(path):
        held = json.loads(path.read_text())
        assert held["pid"] == os.getpid() and "released_at" not in held
    released = json.loads(path.read_text())
    assert released["pid"] == os.getpid() and released["released_at"]
    with RunLock(path, purpose="snapshot"):
        assert json.loads(path.read_text())["purpose"] == "snapshot"


def test_a_full_disk_never_leaves_an_empty_lock_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "run.lock"

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patched:  # a new lock file cannot get its first note: no file at all
        patched.setattr(Path, "write_text", no_space)
        with pytest.raises(OSError):
            RunLock(path).acquire()
    assert not path.exists()
    with RunLock(path):
        pass
    before = path.read_text()
    with monkeypatch.context() as patched:  # an existing one keeps the last note, and is not left locked
        patched.setattr(os, "pwrite", no_space)
        with pytest.raises(OSError):
            RunLock(path).acquire()
    assert path.read_text() == before
    with RunLock(path) as again:
        assert again.held


def test_a_holder_that_has_not_written_yet_is_reported_as_starting(tmp_path: Path) -> None:
    path = tmp_path / "run.lock"
    with RunLock(path):
        pass
    handle = open(path, "r+")  # another process between its flock and its note
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
    try:
        with pytest.raises(LockHeld, match=r"another nianbao run holds .* \(starting\)"):
            RunLock(path).acquire()
    finally:
        handle.close()
