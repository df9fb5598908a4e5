"""The run lock: one holder at a time, released by the kernel when its holder dies, never stale."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nianbao.pipeline.lock import LockHeld, RunLock

HOLD = """
import sys, time
from pathlib import Path
from nianbao.pipeline.lock import RunLock
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
