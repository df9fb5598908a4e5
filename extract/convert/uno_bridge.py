"""A LibreOffice listener and its UNO client, run as one process group by ``extract.convert.listener``.

This file is a script for the interpreter that has LibreOffice's ``uno`` module (Debian's python3-uno
installs it for ``/usr/bin/python3``; a virtualenv does not see it), so it imports nothing of ours. It
starts ``soffice --accept=pipe,...`` as its child, connects to it over the named pipe, then converts
one file per request: a JSON line on stdin ``{"input": path, "output": path, "filter": name}`` is
answered by a JSON line on stdout, ``{"ok": true, "seconds": {step: s}}`` or ``{"error": "one line"}``
(with ``"dead": true`` when soffice is gone, after which the bridge ends). The first line it
writes, ``{"ready": true}``, says LibreOffice is listening.

Documents are loaded into a bare document model (``XLoadable.load``), not through
``Desktop.loadComponentFromURL``. The desktop route gives every document a frame and a view, and
Writer's view then builds widgets from ``.ui`` files after the load, on LibreOffice's event loop;
Debian's ``libreoffice-*-nogui`` packages ship no Writer ``.ui`` files, so a document with a comment
(Writer's HTML import makes one of every unknown ``<meta>``) aborts soffice.bin with an uncaught
``NoSuchElementException`` for ``modules/swriter/ui/annotation.ui``. A model without a view builds
no widgets, and is faster.

The whole group dies with its owner: on SIGTERM, SIGINT or SIGHUP (the owner's death signal, see
``process.spawn``) and at the end of stdin, this process kills the rest of its process group, LibreOffice with it,
and once they are gone removes the owner's directory for the listener (its last argument), which the owner
can no longer remove.
Conversions run in a thread so that the main thread is always free to take those signals.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time


_HOME: str | None = None  # the owner's working directory for this listener, removed if the owner is gone


def _kill_group(*_args) -> None:
    os.killpg(0, signal.SIGKILL)


def _others_in_group() -> list[int]:
    """Live processes of our group but this one (zombies have stopped writing), from ``/proc``."""
    group, me, found = os.getpgid(0), os.getpid(), []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == me:
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rpartition(")")[2].split()
        except OSError:
            continue
        if len(fields) > 2 and fields[0] != "Z" and int(fields[2]) == group:
            found.append(int(name))
    return found


def _owner_gone(*_args) -> None:
    """The owner died (its death signal) or let go of us (end of stdin): nobody else will clean up.

    LibreOffice is killed, and seen gone, before its directory is removed: a soffice still running
    writes into its profile while the tree is removed, and the directory outlived its owner."""
    deadline = time.monotonic() + 5
    while (others := _others_in_group()) and time.monotonic() < deadline:
        for pid in others:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.05)
    if _HOME:
        shutil.rmtree(_HOME, ignore_errors=True)
    _kill_group()


def _props(**values):
    from com.sun.star.beans import PropertyValue

    return tuple(PropertyValue(Name=name, Value=value) for name, value in values.items())


class Bridge:
    """One soffice listening on a named pipe and the UNO connection to it."""

    def __init__(self, soffice: str, profile: str, pipe: str) -> None:
        self.pipe = pipe
        self.office = subprocess.Popen(
            [soffice, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
             "--nocrashreport", f"-env:UserInstallation={profile}",
             f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=sys.stderr,
        )
        self.context = None

    def connect(self, timeout: float) -> None:
        """Connect to soffice, retrying while it starts (a fresh profile takes seconds)."""
        import uno

        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.context = resolver.resolve(f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext")
                break
            except Exception as exc:  # NoConnectException until soffice listens
                if self.office.poll() is not None:
                    raise RuntimeError(f"soffice exited with status {self.office.returncode} before listening") from exc
                if time.monotonic() > deadline:
                    raise RuntimeError(f"soffice did not listen within {timeout:g} s") from exc
                time.sleep(0.05)
        manager = self.context.ServiceManager
        self.detection = manager.createInstanceWithContext("com.sun.star.document.TypeDetection", self.context)
        self.filters = manager.createInstanceWithContext("com.sun.star.document.FilterFactory", self.context)

    def convert(self, source: str, target: str, export_filter: str) -> dict:
        """Load ``source`` into a model of the kind its import filter makes, store it as ``target``;
        the seconds each step took (detect, load, store), for benchmarks to show where time goes."""
        import uno

        started = time.perf_counter()
        url = uno.systemPathToFileUrl(source)
        kind, _ = self.detection.queryTypeByDescriptor(_props(URL=url), True)
        if not kind:
            raise RuntimeError("LibreOffice recognises no format in this file")
        import_filter = dict((p.Name, p.Value) for p in self.detection.getByName(kind)).get("PreferredFilter")
        if not import_filter:
            raise RuntimeError(f"LibreOffice has no import filter for {kind}")
        service = dict((p.Name, p.Value) for p in self.filters.getByName(import_filter)).get("DocumentService")
        document = self.context.ServiceManager.createInstanceWithContext(service, self.context)
        seconds = {"detect": time.perf_counter() - started}
        try:
            document.load(_props(URL=url, FilterName=import_filter, ReadOnly=True))
            seconds["load"] = time.perf_counter() - started - seconds["detect"]
            document.storeToURL(uno.systemPathToFileUrl(target), _props(FilterName=export_filter, Overwrite=True))
            seconds["store"] = time.perf_counter() - started - seconds["detect"] - seconds["load"]
        finally:
            document.close(True)
        return seconds


def _answer(bridge: Bridge, line: str) -> dict:
    try:
        request = json.loads(line)
        return {"ok": True, "seconds": bridge.convert(request["input"], request["output"], request["filter"])}
    except Exception as exc:  # UNO raises its own exception classes; the owner needs one line
        text = " ".join(str(getattr(exc, "Message", "") or exc).split()) or type(exc).__name__
        # The connection is gone (soffice crashed or was killed), or soffice is: this bridge is done.
        dead = type(exc).__name__ == "DisposedException" or "bridge disposed" in text or _exited(bridge.office)
        return {"error": f"{type(exc).__name__}: {text}"[:500], **({"dead": True} if dead else {})}


def _exited(office: subprocess.Popen) -> bool:
    try:
        office.wait(0.5)  # the launcher (oosplash) outlives a crashed soffice.bin by a moment
    except subprocess.TimeoutExpired:
        return False
    return True


def main() -> None:
    global _HOME
    soffice, profile, pipe, start_timeout, _HOME = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5]
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, _owner_gone)
    try:
        bridge = Bridge(soffice, profile, pipe)
        bridge.connect(start_timeout)
    except Exception as exc:
        print(json.dumps({"error": " ".join(str(exc).split())}), flush=True)
        _kill_group()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        reply: dict = {}
        worker = threading.Thread(target=lambda: reply.update(_answer(bridge, line)), daemon=True)
        worker.start()
        while worker.is_alive():  # joined in slices: a signal is handled at once, not after the call
            worker.join(0.2)
        print(json.dumps(reply), flush=True)
        if reply.get("dead"):  # the owner starts another listener
            _kill_group()
    _owner_gone()  # our stdin ended: the owner is gone (its own stop kills us before closing it)


if __name__ == "__main__":
    main()
