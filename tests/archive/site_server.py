"""``nianbao serve`` as a real server for tests: a free port, a log file, and a clean stop.

The site runs exactly as deployed (the ``nianbao serve`` command, which runs Datasette under uvicorn in
a child process), so what uvicorn adds (proxy headers, its own logging) is tested too.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from archive.paths import DataDir
from nianbao.pipeline.service import NIANBAO


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str]
    seconds: float


@dataclass
class SiteServer:
    base: str
    process: subprocess.Popen
    log: Path

    def get(self, path: str, *, headers: dict[str, str] | None = None, timeout: float = 30) -> Reply:
        request = urllib.request.Request(self.base + path, headers=headers or {})
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as reply:
                body, status, got = reply.read(), reply.status, reply.headers
        except urllib.error.HTTPError as error:
            body, status, got = error.read(), error.code, error.headers
        return Reply(status, body, {k.lower(): v for k, v in got.items()}, time.monotonic() - started)

    def children(self) -> list[int]:
        """The serving processes under ``nianbao serve`` (Datasette)."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def datasette_pid(self) -> int:
        (pid,) = self.children()
        return pid


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used (``/proc/PID/stat`` fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_memory_bytes(pid: int) -> int:
    """The process's peak resident set (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmHWM for {pid}")


@contextmanager
def running_site(data: DataDir, log: Path, *args: str, ignore_sigint: bool = False) -> Iterator[SiteServer]:
    """``nianbao serve`` on a free port until the block ends (SIGTERM, then SIGKILL after 20 s)."""
    port = free_port()
    command = [*NIANBAO, "--data", str(data.root), "serve", "--port", str(port), *args]
    env = {k: v for k, v in os.environ.items() if k != "FORWARDED_ALLOW_IPS"}
    preexec = (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if ignore_sigint else None
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, preexec_fn=preexec)
    server = SiteServer(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(server.base + "/-/versions.json", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the site did not start: {log.read_text(errors='replace')[-2000:]}") from None
                time.sleep(0.2)
        yield server
    finally:
        children = server.children()
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for pid in children:  # never leave a server behind, whatever the test did
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
