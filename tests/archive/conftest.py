"""Fixtures for the archive's tests: one built world, its archive, its snapshot and the site on it.

Building is done once per session; a test that changes the archive (a second snapshot, ``--all``)
works on its own copy made by ``world_copy``.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from archive_world import World, build_world  # noqa: E402

from archive.extract_stage import run_extract  # noqa: E402
from archive.serve import make_datasette  # noqa: E402
from archive.snapshot import write_snapshot  # noqa: E402
from archive.paths import DataDir  # noqa: E402

SNAPSHOT_DATE = "2025-06-02"


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    built = build_world(DataDir.resolve(tmp_path_factory.mktemp("world") / "data"))
    run_extract(built.data)
    write_snapshot(built.data, date=SNAPSHOT_DATE, git_commit="0" * 40)
    return built


@pytest.fixture
def world_copy(world: World, tmp_path: Path) -> World:
    """The built world in a directory of its own, for tests that change it."""
    root = tmp_path / "data"
    shutil.copytree(world.data.root, root, symlinks=True)
    return World(DataDir.resolve(root), world.specs, world.first_edition, world.planted, world.broken_url, world.pdf_url)


class Site:
    """The site in process; ``get`` returns httpx responses."""

    def __init__(self, data: DataDir):
        self.ds = make_datasette(data)

    def get(self, path: str, **params):
        return asyncio.run(self.ds.client.get(path, params=params or None))

    def json(self, path: str, **params):
        response = self.get(path, **params)
        assert response.status_code == 200, (path, response.status_code, response.text[:500])
        return response.json()


@pytest.fixture(scope="session")
def site(world: World) -> Site:
    return Site(world.data)
