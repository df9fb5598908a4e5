"""A real ``redis-server`` for tests, on loopback, with nothing written to disk, stopped on teardown.

Redis cannot listen on port 0 and say which port it got, so a free port is asked of the OS first and
the start is retried on another if someone took it meanwhile (other engineers run tests on this machine).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def redis_server(workdir: Path, *, attempts: int = 5, timeout: float = 10.0) -> Iterator[str]:
    """Run ``redis-server`` and yield its URL (``redis://127.0.0.1:PORT/0``)."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (scripts/install.sh installs it)")
    workdir.mkdir(parents=True, exist_ok=True)
    for _ in range(attempts):
        port = free_port()
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(workdir), "--logfile", str(workdir / f"redis-{port}.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"redis://127.0.0.1:{port}/0"
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        deadline = time.monotonic() + timeout
        while process.poll() is None and time.monotonic() < deadline:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            process.kill()
            process.wait(timeout=10)
            continue  # the port was taken meanwhile, or the server did not come up: another port
        try:
            yield url
        finally:
            client.close()
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        return
    raise RuntimeError(f"redis-server did not start in {attempts} attempts (see {workdir})")
