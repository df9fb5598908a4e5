"""External tools (LibreOffice, tesseract) as bounded child processes: one way to start, cap and kill them.

Every tool runs in its own session, so that on a timeout the whole process group goes (soffice starts
oosplash and soffice.bin; a launcher that exits leaves its helpers behind). Its address space is capped
with ``RLIMIT_AS``, so a hostile input that makes a tool allocate without end fails inside the tool
instead of pushing the machine into swap; and it is told to die with its parent (``PR_SET_PDEATHSIG``),
so a document's extraction process killed from outside takes its tools with it.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from extract.document import ConversionError

_PR_SET_PDEATHSIG = 1
try:  # resolved before any fork: the child only calls it
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):  # not Linux: a tool outlives a killed parent only until its timeout
    _prctl = None


@dataclass(frozen=True)
class Finished:
    """What a tool printed and how it ended."""

    returncode: int
    stdout: bytes
    stderr: bytes


def _limits_in_child(memory: int | None, death_signal: int = signal.SIGKILL) -> None:
    """Runs in the child between fork and exec: only async-signal-safe calls (setrlimit, prctl)."""
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, death_signal, 0, 0, 0)


def spawn(
    cmd: list[str],
    *,
    memory: int | None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: int | None = subprocess.DEVNULL,
    stdout: int | None = subprocess.PIPE,
    stderr: int | None = subprocess.PIPE,
    death_signal: int = signal.SIGKILL,
) -> subprocess.Popen:
    """Start a tool in its own session with its address space capped at ``memory`` bytes.

    ``death_signal`` reaches it when the thread that started it ends: SIGKILL, unless the tool has
    children of its own to take down first (``uno_bridge`` kills its group on SIGTERM)."""
    return subprocess.Popen(
        cmd,
        cwd=cwd,
        env=env,
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
        start_new_session=True,
        preexec_fn=lambda: _limits_in_child(memory, death_signal),
    )


def kill_group(proc: subprocess.Popen) -> None:
    """Kill the tool and everything it started, then reap it; harmless when it has already gone."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def run_bounded(
    cmd: list[str],
    *,
    what: str,
    timeout: float,
    memory: int | None,
    data: bytes | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    merge_stderr: bool = False,
) -> Finished:
    """Run a tool to its end within ``timeout`` seconds; on a timeout its process group is killed and a
    one-line ``ConversionError`` names ``what`` timed out. Helpers it left behind are killed either way."""
    proc = spawn(
        cmd,
        memory=memory,
        cwd=cwd,
        env=env,
        stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
        stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
    )
    try:
        out, err = proc.communicate(data, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        kill_group(proc)
        raise ConversionError(f"{what} timed out after {timeout:g} s (process group killed)") from exc
    finally:
        kill_group(proc)
    return Finished(proc.returncode, out or b"", err or b"")


def out_of_memory(finished: Finished) -> bool:
    """Whether a tool died for want of memory under its cap (an abort, a kill or a bad_alloc message)."""
    text = (finished.stderr + finished.stdout)[-4000:].lower()
    return finished.returncode in (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV) or any(
        word in text for word in (b"bad_alloc", b"out of memory", b"cannot allocate memory", b"memoryerror")
    )
