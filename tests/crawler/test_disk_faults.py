"""Faults lose nothing: a full disk stops the crawl with one line and exit 2, the next crawl (space back)
ends with exactly the documents an uninterrupted crawl stores, and a read-only data directory is refused
before anything starts (issue 13: the crawl hung on a 5 MB data dir; the next "finished" with 49 of 140).

The data directory is a tmpfs mounted in a mount namespace of the test's own (``unshare -rm``), so a real
``ENOSPC`` and ``EROFS`` come from the kernel; tests/crawler/diskfull_crawl.py runs the three crawls.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.cli import BROKEN
from tests.crawler.helpers import run_bounded

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("crawler-farm")]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict:
    probe = subprocess.run(["unshare", "-rm", "mount", "-t", "tmpfs", "tmpfs", "/mnt"], capture_output=True,
                           text=True, timeout=30, check=False)
    if probe.returncode:
        pytest.skip(f"the kernel refuses a tmpfs in an unprivileged mount namespace: {probe.stderr.strip()}")
    out = tmp_path_factory.mktemp("disk-faults")
    done = run_bounded(["unshare", "-rm", sys.executable, "-m", "tests.crawler.diskfull_crawl", str(out)], 1500,
                       cwd=ROOT)
    assert done.exit_code == 0, done.stderr[-3000:]
    return json.loads((out / "result.json").read_text())


def test_a_full_disk_stops_the_crawl_with_one_line(result: dict) -> None:
    full = result["full"]
    assert full["code"] == BROKEN, full["stderr"][-3000:]
    # SQLite or the blob writer, whichever meets the full disk first, says so in its own words (the blob
    # writer names its directory of the store).
    (line,) = full["stderr_tail"]
    assert re.fullmatch(rf"Error: cannot write the store at {re.escape(result['store'])}(/blobs)?: "
                        r"(database or disk is full|No space left on device)", line), line
    stored = sum(map(len, result["after_full"]["documents"].values()))
    assert 0 < stored < sum(map(len, result["expected"].values())), "the disk filled too late to prove anything"
    assert result["after_full"]["tmp_files"] == []


def test_the_next_crawl_ends_with_every_document_once(result: dict) -> None:
    after = result["after_resumed"]
    assert {site: sorted(paths) for site, paths in after["documents"].items()} == result["expected"]
    assert after["duplicate_urls"] == 0 and after["tmp_files"] == []
    # The stopped run is interrupted, never left running; the next one resumed and finished it.
    assert after["runs"] == [[1, "interrupted"], [2, "finished"]]


def test_a_read_only_data_directory_is_refused_before_the_crawl(result: dict) -> None:
    read_only = result["read_only"]
    assert read_only["code"] == BROKEN
    store = result["read_only_store"]
    assert read_only["stderr_tail"] == [f"Error: cannot write the store at {store}: Read-only file system"]
    assert "Traceback" not in read_only["stderr"]


def test_a_run_whose_crawl_fills_the_disk_ends_broken_with_the_crawls_line(result: dict) -> None:
    """The pipeline's crawl child exits 2 on its store's fault; the run ends on it as on its own faults."""
    run = result["run_full"]
    assert run["code"] == BROKEN, run["stderr"][-3000:]
    (line,) = run["stderr"].strip().splitlines()
    # The crawler's own line, unless the full disk took the crawl's log too: the store is named either way,
    # or the part of it that failed (its blob directory, when a body's write is what met the full disk).
    assert re.fullmatch(rf"nianbao run: cannot write the store at {re.escape(result['run_store'])}(/blobs)?: "
                        r"(database or disk is full|No space left on device"
                        r"|the crawler stopped on a refused write) \(in the crawl stage\)", line), line
