"""Fixtures for the farm's own tests: one farm for the session, and a fresh one per test that needs it."""

from __future__ import annotations

import pytest

from farm.server import FarmServer
from farm.world import World

SEED = 0


@pytest.fixture(scope="session")
def farm():
    """This directory's own farm: the shared ``running_farm`` belongs to the crawler's tests, whose
    transient 503/429 habits must not have been used up by these tests in the same session."""
    with FarmServer(World(SEED, "small", slow_seconds=0.2)) as server:
        yield server


@pytest.fixture
def fresh_farm():
    """A farm of its own, for tests that count requests or mutate the world."""
    with FarmServer(World(SEED, "small", slow_seconds=0.2)) as server:
        yield server
