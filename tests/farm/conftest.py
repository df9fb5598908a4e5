"""Fixtures for the farm's own tests: one shared running farm (see ``farm.testing``)."""

from __future__ import annotations

import pytest

from farm.testing import running_farm

SEED = 0


@pytest.fixture(scope="session")
def farm():
    with running_farm(SEED, "small", slow_seconds=0.2) as server:
        yield server
