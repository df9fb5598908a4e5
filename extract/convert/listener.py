"""One LibreOffice listener per worker: started once, converting one document after another.

``soffice --convert-to`` pays LibreOffice's start (about a second) on every run; a listener pays it once
per worker and then converts a report in a fraction of that (``benchmarks/extract_bench.py`` part 3).
The listener is ``uno_bridge.py`` run by the interpreter that has LibreOffice's ``uno`` module
(Debian's python3-uno, for ``/usr/bin/python3``; ``$NIANBAO_UNO_PYTHON`` overrides), with soffice as
its child: one process group, its address space capped (``Limits.office_memory``), killed whole by
``process.kill_group``. unoserver, the maintained listener, opens documents through the desktop, whose
views abort the soffice of Debian's ``-nogui`` packages (see ``uno_bridge``); the bridge loads bare
models instead.

What can go wrong costs one document at most: a conversion past its timeout kills the group and fails
that document alone; a crash of soffice is met by a fresh listener that tries the document once more;
a listener is also replaced after ``MAX_CONVERSIONS`` documents, so that what LibreOffice leaks does
not pile up. The group dies with its owner: on exit (``atexit``), and, if the owner is killed, by the
death signal the bridge turns into killing its group. Where no interpreter has ``uno``, or
``$NIANBAO_OFFICE_LISTENER`` is ``0``, ``worker_listener`` is None and callers run soffice per batch.
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from extract.convert.limits import DEFAULT_LIMITS
from extract.convert.process import kill_group, spawn
from extract.document import ConversionError

BRIDGE = Path(__file__).with_name("uno_bridge.py")
MAX_CONVERSIONS = 200  # documents per listener before a fresh one: LibreOffice's leaks stay bounded
GIVE_UP = 2  # failed starts in a row after which a worker converts without a listener
# Export filters by target extension, as the bridge stores a loaded model.
EXPORT_FILTERS = {"docx": "MS Word 2007 XML", "doc": "MS Word 97", "odt": "writer8"}


class ListenerUnavailable(ConversionError):
    """The listener could not start: the caller converts by ``soffice --convert-to`` instead."""


class Listener:
    """A LibreOffice listener of this process; ``convert`` is safe to call from several threads."""

    def __init__(self, python: str, soffice: str, *, memory: int = DEFAULT_LIMITS.office_memory,
                 start_timeout: float = DEFAULT_LIMITS.conversion_timeout) -> None:
        self.python, self.soffice, self.memory, self.start_timeout = python, soffice, memory, start_timeout
        self.home = Path(tempfile.mkdtemp(prefix="nianbao-listener-"))
        (self.home / "profile").mkdir()
        self.proc: subprocess.Popen | None = None
        self.conversions = 0
        self.starts = 0  # listeners started, restarts included: tests and benchmarks read it
        self.failed_starts = 0  # in a row; at ``GIVE_UP`` this process stops using a listener
        self.seconds: dict[str, float] = {}  # LibreOffice's time per step, summed over conversions
        self._lock = threading.Lock()
        self._buffer = b""

    def convert(self, name: str, data: bytes, target: str = "docx", *,
                timeout: float = DEFAULT_LIMITS.conversion_timeout) -> bytes:
        """``data`` (its kind told by the suffix of ``name``) converted to ``target``; a one-line
        ``ConversionError`` when LibreOffice cannot, times out, or crashes on it twice."""
        if target not in EXPORT_FILTERS:
            raise ValueError(f"unsupported listener target {target!r}: expected one of {', '.join(EXPORT_FILTERS)}")
        with self._lock, tempfile.TemporaryDirectory(prefix="nianbao-convert-") as tmp:
            source = Path(tmp) / f"input{Path(name).suffix or '.bin'}"
            source.write_bytes(data)
            output = Path(tmp) / f"output.{target}"
            request = {"input": str(source), "output": str(output), "filter": EXPORT_FILTERS[target]}
            for _ in range(2):
                reply = self._ask(request, timeout)
                if "ok" in reply:
                    for step, spent in reply.get("seconds", {}).items():
                        self.seconds[step] = self.seconds.get(step, 0.0) + spent
                    made = output.read_bytes() if output.exists() else b""
                    if not made:
                        raise ConversionError("LibreOffice wrote nothing for this file")
                    return made
                if not reply.get("dead"):
                    raise ConversionError(f"LibreOffice could not convert this file: {reply['error']}")
            raise ConversionError(f"LibreOffice crashed twice on this file ({reply['error']})")

    def _ask(self, request: dict, timeout: float) -> dict:
        """Send one request to a running listener (started or replaced as needed) and read its reply."""
        if self.proc is None or self.proc.poll() is not None or self.conversions >= MAX_CONVERSIONS:
            self._start()
        assert self.proc is not None and self.proc.stdin is not None
        self.conversions += 1
        try:
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
            self.proc.stdin.flush()
            reply = self._reply(time.monotonic() + timeout)
        except BrokenPipeError:
            reply = None
        except BaseException:  # e.g. Ctrl-C between request and reply: its late reply must not answer the next
            self.stop()
            raise
        if reply is None:  # the group died under us (a crash, or killed from outside)
            self.stop()
            return {"error": "the listener died during the conversion", "dead": True}
        if reply == "timeout":
            self.stop()
            raise ConversionError(f"LibreOffice conversion timed out after {timeout:g} s (listener killed)")
        if reply.get("dead"):
            self.stop()
        return reply

    def _start(self) -> None:
        self.stop()
        (self.home / "profile").mkdir(parents=True, exist_ok=True)  # a bridge that took us for dead removed it
        self.starts += 1
        pipe = f"nianbao-{os.getpid()}-{secrets.token_hex(6)}"
        env = dict(os.environ, HOME=str(self.home), SAL_USE_VCLPLUGIN="svp")
        log = open(self.home / "listener.log", "wb")
        with log:
            self.proc = spawn(
                [self.python, str(BRIDGE), self.soffice, (self.home / "profile").as_uri(), pipe,
                 f"{self.start_timeout:g}", str(self.home)],
                memory=self.memory, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                death_signal=signal.SIGTERM,
            )
        self.conversions = 0
        ready = self._reply(time.monotonic() + self.start_timeout + 5)
        if not isinstance(ready, dict) or not ready.get("ready"):
            self.stop()
            self.failed_starts += 1
            shutil.rmtree(self.home / "profile", ignore_errors=True)  # a start may fail on a half-made profile
            (self.home / "profile").mkdir(exist_ok=True)
            reason = (ready.get("error") if isinstance(ready, dict) else None) or (
                f"not ready within {self.start_timeout:g} s" if ready == "timeout" else "it exited")
            raise ListenerUnavailable(f"LibreOffice listener did not start: {reason}")
        self.failed_starts = 0

    def _reply(self, deadline: float) -> dict | str | None:
        """The next line from the bridge as JSON; "timeout" past ``deadline``; None when it has gone."""
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return "timeout"
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return None
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return json.loads(line)

    def stop(self) -> None:
        """Kill the listener's group (harmless when there is none); the next conversion starts another."""
        if self.proc is not None:
            kill_group(self.proc)
            for stream in (self.proc.stdin, self.proc.stdout):
                if stream is not None:
                    stream.close()
        self.proc = None
        self._buffer = b""

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.home, ignore_errors=True)


_listener: Listener | None = None
_owner = 0  # the pid that started it: a forked child must not use its parent's pipes
_disabled = False
_uno_python: str | None | bool = False  # False: not looked for yet


def uno_python() -> str | None:
    """An interpreter that imports LibreOffice's ``uno``, or None."""
    global _uno_python
    if _uno_python is False:
        candidates = [os.environ.get("NIANBAO_UNO_PYTHON"), "/usr/lib/libreoffice/program/python", "/usr/bin/python3"]
        _uno_python = None
        for python in filter(None, candidates):
            try:
                if subprocess.run([python, "-c", "import uno"], capture_output=True, timeout=30).returncode == 0:
                    _uno_python = python
                    break
            except (OSError, subprocess.TimeoutExpired):
                continue
    return _uno_python or None


def disable() -> None:
    """No listener in this process (an extraction child: its worker converts for it)."""
    global _disabled
    _disabled = True


def worker_listener(memory: int = DEFAULT_LIMITS.office_memory) -> Listener | None:
    """This process's listener, made on first use; None where there can be none (see the module doc).

    Its death signal comes when the thread that started it ends, as well as the process: a worker
    starts it from a thread that lives as long as the worker (a thread that ends costs a restart)."""
    global _listener, _owner
    if _disabled or os.environ.get("NIANBAO_OFFICE_LISTENER", "1") == "0":
        return None
    if _listener is not None and _owner == os.getpid():
        return _listener if _listener.failed_starts < GIVE_UP else None
    python = uno_python()
    if python is None:
        return None
    from extract.convert.libreoffice import soffice_binary

    _listener, _owner = Listener(python, soffice_binary(), memory=memory), os.getpid()
    atexit.register(_listener.close)
    return _listener
