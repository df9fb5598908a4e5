"""Crawler tests: one farm per session, crawled for real through ``nianbao crawl``."""

from __future__ import annotations

import csv
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner, Result

from crawler.addon import UNTHROTTLED
from farm.accesslog import AccessEntry
from farm.server import FarmServer
from farm.testing import running_farm
from nianbao.cli import cli

# Politeness lifted for the local farm (never for real portals), and quiet logs.
FAST = tuple(f"{name}={value}" for name, value in {**UNTHROTTLED, "LOG_LEVEL": "WARNING"}.items())


def write_registry(farm: FarmServer, path: Path) -> Path:
    rows = farm.registry_rows()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def nianbao_crawl(data: Path, *args: str) -> Result:
    options = [item for setting in FAST for item in ("-s", setting)]
    result = CliRunner().invoke(cli, ["--data", str(data), "crawl", *args, *options])
    assert result.exit_code == 0, result.output
    return result


def documents(data: Path, where: str = "1") -> dict[str, set[str]]:
    """Stored document paths per portal."""
    out: dict[str, set[str]] = {}
    with sqlite3.connect(data / "store" / "store.db") as db:
        for portal, url in db.execute(f"select portal_id, url from documents where {where}"):
            parts = urlsplit(url)
            out.setdefault(portal, set()).add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def query(data: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(data / "store" / "store.db") as db:
        return db.execute(sql, params).fetchall()


@dataclass
class Crawl:
    data: Path
    output: str
    requests: list[AccessEntry]


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
