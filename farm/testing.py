"""A running farm for tests: ``running_farm(seed, size)`` starts one farm per (seed, size) per process.

Starting a farm takes milliseconds, but tests of several engineers share one so that attachment renders
(LibreOffice) are paid once. The farm stays up until the interpreter exits; tests that mutate the world
should use their own ``FarmServer(World(...))`` or a distinct seed so they do not disturb others.

    @pytest.fixture(scope="session")
    def farm():
        with running_farm(seed=0, size="small") as running:
            yield running
"""

from __future__ import annotations

import atexit
import signal
import ssl
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from farm.server import FarmServer
from farm.world import World

_farms: dict[tuple[int, str, bool], FarmServer] = {}
_lock = threading.Lock()


@contextmanager
def running_farm(seed: int = 0, size: str = "small", *, slow_seconds: float | None = None,
                 faults: bool = False) -> Iterator[FarmServer]:
    """The shared running farm for this seed, size and bad-day flag (started on first use, stopped at exit).

    ``slow_seconds`` counts only for the call that starts the farm. Habits that count requests (503
    twice, 429 once) are shared too: ``server.reset_habits()`` re-arms them."""
    key = (seed, size, faults)
    with _lock:
        server = _farms.get(key)
        if server is None:
            server = FarmServer(World(seed, size, slow_seconds=slow_seconds, faults=faults))
            server.start()
            _farms[key] = server
            atexit.register(server.stop)
    yield server


@dataclass
class Reply:
    """What ``fetch`` got: no exceptions for 4xx/5xx, since tests assert on those."""

    status: int
    headers: dict[str, str]
    body: bytes
    url: str

    def text(self, encoding: str = "utf-8") -> str:
        return self.body.decode(encoding)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # redirects are asserted, not followed, unless asked
        return None


def fetch(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
          follow: bool = True, method: str | None = None) -> Reply:
    context = ssl._create_unverified_context()
    handlers = [urllib.request.HTTPSHandler(context=context)]
    if not follow:
        handlers.append(_NoRedirect())
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, data=data, headers={"User-Agent": "nianbao-farm-testing", **(headers or {})},
                                     method=method)
    try:
        with opener.open(request, timeout=20) as response:
            return Reply(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read(),
                         response.url)
    except urllib.error.HTTPError as error:
        return Reply(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read(), url)


def stop_service(process: subprocess.Popen, timeout: float) -> str:
    """Stop a service started with ``stdout=PIPE`` as systemd does (SIGTERM); return the rest of its output.

    A service that does not end in time, or leaves a child holding its output open, is killed and the
    test fails: waiting for its output could otherwise last for ever.
    """
    process.send_signal(signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError(f"{process.args!r} did not stop on SIGTERM within {timeout} s") from None
    return output or ""
