"""Interrupted crawls resume: after SIGKILL (store only) and after SIGINT (Scrapy's JOBDIR too); ten kills
at random moments end, after resuming, with exactly the store an uninterrupted crawl makes."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.cli import STOPPED, crawl_command
from farm.server import FarmServer
from archive.paths import DataDir
from tests.crawler.helpers import FAST, documents, nianbao_crawl, query

SITE = "openness"  # detail pages answer slowly, so there is time to interrupt

# Whole crawls: kept on one xdist worker so the session farm and its crawls are made once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("crawler-farm")]


def start(data: Path, registry: Path, sites: tuple[str, ...] = (SITE,)) -> tuple[subprocess.Popen, Path]:
    """The scrapy process ``nianbao crawl`` would start, one request at a time so it runs for a while."""
    command, job = crawl_command(DataDir.resolve(data), registry=registry, sites=sites, browser=False,
                                 settings=(*FAST, "CONCURRENT_REQUESTS_PER_DOMAIN=1"))
    data.mkdir(parents=True, exist_ok=True)
    log = (data / "scrapy.log").open("w")
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    return subprocess.Popen(command, env=env, stdout=log, stderr=log), data / "store" / "jobs" / job


def wait_for_documents(data: Path, count: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if sum(map(len, documents(data).values())) >= count:
                return
        except sqlite3.OperationalError:  # the crawl has not created the store yet
            pass
        time.sleep(0.05)
    pytest.fail(f"the crawl stored fewer than {count} documents before ending")


def assert_complete_once(data: Path, farm: FarmServer, before: set[str], requests) -> None:
    assert documents(data)[SITE] == farm.world.expected_paths(SITE)[SITE]
    assert query(data, "select url from documents group by url having count(*) > 1") == []
    downloaded_again = {e.path for e in requests if e.site_id == SITE and e.status == 200} & before
    assert downloaded_again == set()


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT], ids=["sigkill", "sigint"])
def test_interrupted_crawl_resumes(stop: signal.Signals, farm: FarmServer, registry: Path, tmp_path: Path) -> None:
    process, jobdir = start(tmp_path, registry)
    wait_for_documents(tmp_path, 4, process)
    process.send_signal(stop)
    process.wait(timeout=60)
    before = documents(tmp_path)[SITE]
    assert before < farm.world.expected_paths(SITE)[SITE], "interrupted too late to prove anything"
    (status,) = query(tmp_path, "select status from runs order by id desc limit 1")[0]
    if stop == signal.SIGINT:
        assert status == "interrupted" and (jobdir / "requests.seen").exists()
    else:
        assert status == "running"  # a killed crawl cannot say so; the next run does

    mark = farm.log.mark()
    nianbao_crawl(tmp_path, "--registry", str(registry), "--site", SITE, "--no-browser")
    assert_complete_once(tmp_path, farm, before, farm.log.entries_since(mark))
    runs = query(tmp_path, "select id, resumes, status from runs order by id")
    assert runs == [(1, None, "interrupted"), (2, 1, "finished")]
    assert not jobdir.exists()  # a finished job leaves nothing to resume


def test_sigterm_to_nianbao_crawl_stops_the_crawl_gracefully(farm: FarmServer, registry: Path,
                                                               tmp_path: Path) -> None:
    """A service manager stops ``nianbao crawl`` with SIGTERM; the crawl closes and can resume."""
    command = [sys.executable, "-c", "from nianbao.cli import main; main()", "--data", str(tmp_path), "crawl",
               "--registry", str(registry), "--site", SITE, "--no-browser"]
    for setting in (*FAST, "CONCURRENT_REQUESTS_PER_DOMAIN=1"):
        command += ["-s", setting]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    wait_for_documents(tmp_path, 3, process)
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=60)
    assert query(tmp_path, "select status from runs") == [("interrupted",)]
    assert "crawl run 1 (interrupted)" in output
    assert process.returncode == STOPPED  # the same command resumes it


KILL_SITES = ("gkmlpt", "hanweb", "openness")
TRIALS = 10


def stored(data: Path) -> dict[tuple[str, int], str]:
    """The store document by document: (URL, version) → SHA-256."""
    return {(url, version): sha for url, version, sha in query(data, "select url, version, sha256 from documents")}


def test_ten_kills_at_random_moments_lose_nothing(farm: FarmServer, registry: Path, tmp_path: Path) -> None:
    """SIGKILL at a random moment (seeded), then the same crawl again: the store must equal, document by
    document, the one an uninterrupted crawl makes; no run stays ``running``, no ``.tmp-*`` stays."""
    sites = [item for site in KILL_SITES for item in ("--site", site)]
    reference = tmp_path / "reference"
    started = time.monotonic()
    nianbao_crawl(reference, "--registry", str(registry), *sites, "--no-browser")
    duration = time.monotonic() - started
    expected = stored(reference)
    assert len(expected) == sum(len(farm.world.expected_paths(site)[site]) for site in KILL_SITES)
    rng = random.Random(13)
    mid_crawl = 0
    for trial in range(TRIALS):
        data = tmp_path / f"trial-{trial}"
        process, _jobdir = start(data, registry, KILL_SITES)
        try:
            process.wait(timeout=rng.uniform(0.05, 0.9) * duration)
        except subprocess.TimeoutExpired:
            process.kill()
        process.wait(timeout=60)
        try:
            mid_crawl += len(stored(data)) < len(expected)
        except sqlite3.OperationalError:  # killed before the store existed
            mid_crawl += 1
        nianbao_crawl(data, "--registry", str(registry), *sites, "--no-browser")
        assert stored(data) == expected, f"trial {trial}"
        assert query(data, "select count(*) from runs where status = 'running'") == [(0,)]
        assert list((data / "store" / "blobs").rglob(".tmp-*")) == []
    assert mid_crawl >= TRIALS // 2, f"only {mid_crawl} of {TRIALS} kills landed before the crawl was done"
