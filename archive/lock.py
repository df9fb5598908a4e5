"""One writer at a time: an advisory ``flock`` on a file in the data directory.

cron and systemd timers start ``nianbao run`` whether or not the previous run has finished, and a
person may type ``nianbao snapshot`` while a run writes one; two writers of the same store, archive or
snapshot folder would step on each other. ``flock`` is released by the kernel when its holder dies,
however it dies, so a lock can never go stale: a file left behind by a killed process is simply
locked again by the next one.

The file also says who holds it, or who held it last, for the message a refused process prints; that
text is information only, never trusted for correctness. It is never left empty, even on a full disk:
a new lock file appears only with its first note in it (written aside, then linked into place), and a
note is replaced by writing over the old one in place and trimming, which needs no new space.
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

# Exit status of a command refused because another process holds its lock: EX_TEMPFAIL, "try again later".
LOCKED = 75


class LockHeld(RuntimeError):
    """Another live process holds the lock; ``holder`` is what it wrote about itself."""

    def __init__(self, path: Path, purpose: str, holder: dict[str, object]):
        self.path = path
        self.holder = holder
        if holder and "released_at" not in holder:
            who = f" (pid {holder.get('pid', '?')} on {holder.get('host', '?')} since {holder.get('since', '?')})"
        else:
            who = " (starting)"
        super().__init__(f"another nianbao {purpose} holds {path}{who}")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class RunLock:
    """An exclusive, crash-safe lock on ``path``; use as a context manager or acquire/release."""

    path: Path
    purpose: str = "run"
    _handle: IO[str] | None = field(default=None, init=False, repr=False)
    _note: dict[str, object] = field(default_factory=dict, init=False, repr=False)

    def acquire(self, *, wait: float = 0.0) -> None:
        """Take the lock, waiting up to ``wait`` seconds; raise ``LockHeld`` if it stays taken.

        ``OSError`` (a read-only or full file system) is raised as it is, for the caller to explain.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        note = {"pid": os.getpid(), "host": socket.gethostname(), "since": _now(), "purpose": self.purpose}
        self._create_with(note)
        handle = open(self.path, "r+", encoding="utf-8")  # neither creates nor truncates
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = self.holder()
                    handle.close()
                    raise LockHeld(self.path, self.purpose, holder) from None
                time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
        self._handle, self._note = handle, note
        try:
            self._write(note)
        except OSError:
            self.release()
            raise

    def release(self) -> None:
        """Give the lock back, leaving a note of who held it. The file stays: unlinking it would let two
        processes lock two different inodes."""
        if self._handle is None:
            return
        try:
            self._write({**self._note, "released_at": _now()})
        except OSError:
            pass  # the kernel releases the lock all the same; the holder's note stays
        finally:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def held_elsewhere(self) -> bool:
        """Whether some live process (another, or this one through ``acquire``) holds the lock now.

        Takes nothing: the crawl's store asks this of a run left ``running`` to tell a killed crawl
        (the kernel dropped its lock) from a live one. False when the file is missing."""
        if self.held:
            return True
        try:
            with open(self.path, "rb") as handle:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        except FileNotFoundError:
            return False
        return False

    def holder(self) -> dict[str, object]:
        """What the current (or last) holder wrote about itself (empty when nothing readable is there)."""
        try:
            text = self.path.read_text(encoding="utf-8").strip()
            return json.loads(text) if text else {}
        except (OSError, ValueError):
            return {}

    def _create_with(self, note: dict[str, object]) -> None:
        """Bring the lock file into existence with a note in it, atomically; nothing if it exists."""
        if self.path.exists():
            return
        aside = self.path.with_name(f".{self.path.name}.{os.getpid()}.new")
        try:
            aside.write_text(json.dumps(note) + "\n", encoding="utf-8")
            os.link(aside, self.path)
        except FileExistsError:
            pass  # another process created it first: lock that one
        finally:
            aside.unlink(missing_ok=True)

    def _write(self, note: dict[str, object]) -> None:
        """Replace the note in place: write over the old one from the start, then trim what is left."""
        assert self._handle is not None
        data = (json.dumps(note) + "\n").encode("utf-8")
        fd = self._handle.fileno()
        os.pwrite(fd, data, 0)
        os.ftruncate(fd, len(data))

    def __enter__(self) -> "RunLock":
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
