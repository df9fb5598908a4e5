"""One run at a time: an advisory ``flock`` on a file in the data directory.

cron and systemd timers start ``nianbao run`` whether or not the previous run has finished; two runs
writing the same store and archive would step on each other. ``flock`` is released by the kernel when
its holder dies, however it dies, so a lock can never go stale: a file left behind by a killed run is
simply locked again by the next one. The file also records who holds it, for the message a refused run
prints; that text is information only, never trusted for correctness.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import IO


class LockHeld(RuntimeError):
    """Another live process holds the lock; ``holder`` is what it wrote about itself."""

    def __init__(self, path: Path, holder: dict[str, object]):
        self.path = path
        self.holder = holder
        who = f"pid {holder.get('pid', '?')} on {holder.get('host', '?')} since {holder.get('since', '?')}"
        super().__init__(f"another nianbao run holds {path} ({who})")


@dataclass
class RunLock:
    """An exclusive, crash-safe lock on ``path``; use as a context manager or acquire/release."""

    path: Path
    purpose: str = "run"
    _handle: IO[str] | None = field(default=None, init=False, repr=False)

    def acquire(self, *, wait: float = 0.0) -> None:
        """Take the lock, waiting up to ``wait`` seconds; raise ``LockHeld`` if it stays taken."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # "a+" neither truncates (the holder's note stays readable) nor fails when the file is missing.
        handle = open(self.path, "a+", encoding="utf-8")
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = self.holder()
                    handle.close()
                    raise LockHeld(self.path, holder) from None
                time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
        handle.seek(0)
        handle.truncate()
        note = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "purpose": self.purpose,
        }
        handle.write(json.dumps(note) + "\n")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        """Give the lock back. The file stays: unlinking it would let two runs lock two different inodes."""
        if self._handle is None:
            return
        self._handle.seek(0)
        self._handle.truncate()
        self._handle.flush()
        fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
        self._handle.close()
        self._handle = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def holder(self) -> dict[str, object]:
        """What the current holder wrote about itself (empty when nobody wrote anything readable)."""
        try:
            text = self.path.read_text(encoding="utf-8").strip()
            return json.loads(text) if text else {}
        except (OSError, ValueError):
            return {}

    def __enter__(self) -> "RunLock":
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
