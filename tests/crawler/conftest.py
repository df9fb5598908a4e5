"""Crawler tests: one farm per session, crawled for real through ``nianbao crawl``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.paths import DataDir

from farm.server import FarmServer
from farm.testing import running_farm
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
    result = nianbao_crawl(data, "--registry", str(registry))
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
