"""Crawler tests: one farm per session, crawled for real through ``nianbao crawl``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.paths import DataDir

from farm import content
from farm.server import FarmServer
from farm.testing import running_farm
from crawler.cli import PARTIAL
from nianbao.cli import cli
from tests.crawler.helpers import Crawl, nianbao_crawl, write_registry


@pytest.fixture(scope="session")
def farm() -> FarmServer:
    with running_farm(seed=0, size="small") as running:
        yield running


@pytest.fixture(scope="session")
def registry(farm: FarmServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_registry(farm, tmp_path_factory.mktemp("registry") / "portals.csv")


@pytest.fixture(scope="session")
def first_crawl(farm: FarmServer, registry: Path, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    """Every portal of the small world, the JavaScript-only one through Chromium."""
    data = tmp_path_factory.mktemp("data")
    mark = farm.log.mark()
    # Exit 1: the small world has a blocked portal, a robots-denied one and a page that always fails.
    result = nianbao_crawl(data, "--registry", str(registry), expect=(PARTIAL,))
    return Crawl(data, result.output, farm.log.entries_since(mark))


@pytest.fixture(scope="session")
def second_crawl(first_crawl: Crawl, farm: FarmServer, registry: Path) -> Crawl:
    """The same crawl again over an unchanged farm."""
    mark = farm.log.mark()
    result = nianbao_crawl(first_crawl.data, "--registry", str(registry))
    return Crawl(first_crawl.data, result.output, farm.log.entries_since(mark))


@pytest.fixture(scope="session")
def first_archive(first_crawl: Crawl, registry: Path, tmp_path_factory: pytest.TempPathFactory) -> DataDir:
    """A copy of the first crawl's data with the farm's registry, extracted by ``nianbao extract``."""
    root = tmp_path_factory.mktemp("archived") / "data"
    shutil.copytree(first_crawl.data, root, ignore=shutil.ignore_patterns("jobs"))
    shutil.copy(registry, root / "portals.csv")
    extracted = CliRunner().invoke(cli, ["--data", str(root), "extract"])
    assert extracted.exit_code == 0, extracted.output
    return DataDir.resolve(root)


BAD_DAY = ("faults", "hostile", "hostile-js")


@pytest.fixture(scope="session")
def bad_day_farm() -> FarmServer:
    """The small world with the bad-day portals of farm/faults.py, their files rendered beforehand."""
    with running_farm(seed=0, size="small", faults=True) as running:
        content.prewarm([a for site in BAD_DAY for a in running.world.portals[site].articles.values()])
        yield running


@pytest.fixture(scope="session")
def bad_day_registry(bad_day_farm: FarmServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_registry(bad_day_farm, tmp_path_factory.mktemp("bad-day") / "portals.csv")
