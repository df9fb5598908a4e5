"""A data directory that cannot be written: told apart from other failures, and said in one line.

A full disk, a read-only mount or a quota shows up as ``OSError`` (``ENOSPC``, ``EROFS``, …) from file
writes and as ``sqlite3.OperationalError`` ("database or disk is full", "attempt to write a readonly
database", …) from SQLite. Neither is a bug to show a traceback for, and neither is something a
command can work around: it stops, says what and where once, and leaves nothing half-written that a
later run would trust (every write of the store, the archive and the snapshots is atomic or
transactional, so what a failed write leaves is either the old state or a temporary name).
"""

from __future__ import annotations

import errno
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

# The exit status of a command stopped by its data directory: the pipeline's "broken".
BROKEN = 2
STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG, errno.EIO}
SQLITE_STORAGE_MESSAGES = (
    "database or disk is full",
    "disk i/o error",
    "readonly database",
    "unable to open database file",
    "locking protocol",  # WAL's shared-memory file could not be made or mapped (a full or read-only dir)
)


class DataDirUnusable(RuntimeError):
    """The data directory cannot be written (full, read-only, no permission); the message is one line."""


def storage_fault(exc: BaseException) -> str | None:
    """What is wrong with the storage, if that is what ``exc`` (or an exception it came from) is."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in STORAGE_ERRNOS:
            return current.strerror or os.strerror(current.errno)
        if isinstance(current, sqlite3.OperationalError) and any(
            message in str(current).lower() for message in SQLITE_STORAGE_MESSAGES
        ):
            return str(current)
        current = current.__cause__ or current.__context__
    return None


def unusable(root: Path, exc: BaseException) -> DataDirUnusable | None:
    """``DataDirUnusable`` naming the directory and the fault once, or None if ``exc`` is no storage fault."""
    if isinstance(exc, DataDirUnusable):
        return exc  # already said in one line (the crawl's store says it of its own files)
    fault = storage_fault(exc)
    if fault is None:
        return None
    where = ""
    for current in (exc, exc.__cause__, exc.__context__):
        filename = getattr(current, "filename", None)
        if filename:
            path = Path(os.fsdecode(filename))
            where = f" (at {path.relative_to(root)})" if path.is_relative_to(root) else f" (at {path})"
            break
    return DataDirUnusable(f"cannot write to the data directory {root}: {fault}{where}")


def check_writable(root: Path) -> None:
    """Fail at once, before anything starts, when ``root`` is read-only or cannot take a small file."""
    probe = root / f".write-test-{os.getpid()}"
    try:
        probe.write_bytes(b"nianbao\n")
    except OSError as exc:
        fault = storage_fault(exc)
        if fault is None:
            raise
        raise DataDirUnusable(f"cannot write to the data directory {root}: {fault}") from None
    finally:
        try:
            probe.unlink()
        except OSError:
            pass


@contextmanager
def storage_faults_end(command: str, root: Path) -> Iterator[None]:
    """Turn a storage fault inside the block into one line on stderr and exit status 2."""
    try:
        yield
    except (OSError, sqlite3.Error, DataDirUnusable) as exc:
        problem = exc if isinstance(exc, DataDirUnusable) else unusable(root, exc)
        if problem is None:
            raise
        click.echo(f"nianbao {command}: {problem}", err=True)
        sys.exit(BROKEN)
