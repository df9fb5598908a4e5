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
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from farm.server import FarmServer
from farm.world import World

_farms: dict[tuple[int, str], FarmServer] = {}
_lock = threading.Lock()


@contextmanager
def running_farm(seed: int = 0, size: str = "small", *, slow_seconds: float | None = None) -> Iterator[FarmServer]:
    """The shared running farm for this seed and size (started on first use, stopped at exit)."""
    key = (seed, size)
    with _lock:
        server = _farms.get(key)
        if server is None:
            server = FarmServer(World(seed, size, slow_seconds=slow_seconds))
            server.start()
            _farms[key] = server
            atexit.register(server.stop)
    yield server
