"""Fixtures for the farm's own tests: one shared running farm (see ``farm.testing``)."""

from __future__ import annotations

import pytest

from farm.server import FarmServer
from farm.testing import running_farm
from farm.world import World

SEED = 0


@pytest.fixture(scope="session")
def farm():
    with running_farm(SEED, "small", slow_seconds=0.2) as server:
        yield server


@pytest.fixture
def fresh_farm():
    """A farm of its own, for tests that count requests or mutate the world."""
    with FarmServer(World(SEED, "small", slow_seconds=0.2)) as server:
        yield server
