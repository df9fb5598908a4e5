"""Helpers for crawler tests: responses from saved pages (as City Bureau's ``file_response``), crawls, store queries."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.http import HtmlResponse, Request, TextResponse, XmlResponse

from crawler.addon import LOCAL_FARM, UNTHROTTLED
from crawler.cli import CLEAN, PARTIAL
from farm.accesslog import AccessEntry
from farm.server import FarmServer

PAGES = Path(__file__).with_name("pages")


def page_response(name: str, url: str, *, status: int = 200, meta: dict | None = None,
                  headers: dict | None = None) -> TextResponse:
    body = (PAGES / name).read_bytes()
    cls = XmlResponse if name.endswith(".xml") else TextResponse if name.endswith(".json") else HtmlResponse
    request = Request(url, meta=meta or {})
    return cls(url=url, body=body, status=status, request=request, encoding="utf-8", headers=headers)


# Politeness lifted and loopback allowed for the local farm (never for real portals), and quiet logs.
FAST = tuple(f"{name}={value}" for name, value in {**UNTHROTTLED, **LOCAL_FARM, "LOG_LEVEL": "WARNING"}.items())
# The same without the loopback allowance: the shipped policy, facing the farm.
SHIPPED_POLICY = tuple(item for item in FAST if not item.startswith(tuple(LOCAL_FARM)))
# A resolver that asks no DNS server (tests/crawler/fakedns.py); add FAKEDNS_HOSTS=name=address,… to it.
NO_DNS = "TWISTED_DNS_RESOLVER=tests.crawler.fakedns.NoDnsResolver"


def write_registry(farm: FarmServer, path: Path) -> Path:
    rows = farm.registry_rows()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


NIANBAO = [sys.executable, "-c", "from nianbao.cli import main; main()"]


@dataclass
class Ran:
    """A finished command: its exit status and its standard output and error."""

    exit_code: int
    output: str
    stderr: str


def run_bounded(command: list[str], timeout: float, **options) -> Ran:
    """Run ``command`` in a session of its own; past ``timeout`` the whole session (the crawler's own
    children, Chromium included) is killed and the test fails instead of hanging."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True, **options)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        raise AssertionError(f"{' '.join(command[:6])}… still running after {timeout} s:\n{err[-3000:]}") from None
    return Ran(process.returncode, out, err)


def nianbao_crawl(data: Path, *args: str, expect: tuple[int, ...] = (CLEAN, PARTIAL),
                  settings: tuple[str, ...] = FAST, timeout: float = 900) -> Ran:
    """``nianbao crawl`` with the farm's settings, as a command line; ``expect``: the exit statuses the
    test accepts (clean or partial by default: the farm has portals that block and pages that fail)."""
    options = [item for setting in settings for item in ("-s", setting)]
    result = run_bounded([*NIANBAO, "--data", str(data), "crawl", *args, *options], timeout)
    assert result.exit_code in expect, (result.exit_code, result.output, result.stderr[-3000:])
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
