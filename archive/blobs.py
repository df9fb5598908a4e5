"""The store's bodies, which must survive a crash, a full disk or a kill.

``BlobStore`` keeps every body once, by SHA-256, written to a locked temporary file and renamed into
place, so a body is whole or absent. ``StoreError`` is what the disk's refusals become: one line
naming the store and the cause. Which errors are the disk's is ``archive.faults``' call, for the
store as for every other writer of the data directory, and a ``StoreError`` is a ``DataDirUnusable``,
so ``nianbao run`` and every command stop on it the same way (one line, exit 2).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import time
from pathlib import Path

from archive.faults import DataDirUnusable, storage_fault

TMP_PREFIX = ".tmp-"
# A temporary file younger than this is left alone even if unlocked: its writer may not have locked it yet.
TMP_GRACE_SECONDS = 60.0


class StoreError(DataDirUnusable):
    """The store cannot be written (disk full, read-only, permissions): one line says which and where."""


def is_storage_error(error: BaseException) -> bool:
    """True for errors of the disk under the store rather than of the data being stored: the crawl
    must stop on them, not skip the item."""
    return isinstance(error, DataDirUnusable) or storage_fault(error) is not None


def storage_error(error: BaseException, where: Path | str) -> StoreError:
    """A ``StoreError`` naming the place and the cause once (no repeated file names)."""
    if isinstance(error, StoreError):
        return error
    cause = storage_fault(error)
    if cause is None:
        cause = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return StoreError(f"cannot write the store at {where}: {cause}")


class BlobStore:
    """Content-addressed files: the same bytes are stored once, whatever URL they came from."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, body: bytes) -> str:
        digest = hashlib.sha256(body).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f"{TMP_PREFIX}{os.getpid()}-")
        except OSError as error:
            raise storage_error(error, self.root) from error
        try:
            with os.fdopen(fd, "wb") as handle:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # "being written": see sweep()
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
                os.replace(tmp, target)
        except BaseException as error:
            Path(tmp).unlink(missing_ok=True)
            if isinstance(error, OSError) and is_storage_error(error):
                raise storage_error(error, self.root) from error
            raise
        return digest

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def __contains__(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def sweep(self, grace: float = TMP_GRACE_SECONDS) -> int:
        """Remove temporary files left by killed writers; returns how many.

        A writer locks its file while writing, so a file whose lock can be taken has no writer left,
        unless its writer has only just created it: such a file is left alone while the process named
        in it (``.tmp-<pid>-…``) lives, for at most ``grace`` seconds.
        """
        removed = 0
        if not self.root.exists():
            return 0
        cutoff = time.time() - grace
        for tmp in self.root.glob(f"*/*/{TMP_PREFIX}*"):
            try:
                if tmp.stat().st_mtime > cutoff and _alive(tmp.name):
                    continue
                with tmp.open("rb") as handle:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    tmp.unlink()
                removed += 1
            except (BlockingIOError, FileNotFoundError):
                continue
        return removed


def _alive(tmp_name: str) -> bool:
    """Whether the process that named a temporary file ``.tmp-<pid>-…`` is still running."""
    pid = tmp_name.removeprefix(TMP_PREFIX).split("-", 1)[0]
    if not pid.isdigit():
        return True  # not ours to judge early: wait for the grace period
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
