"""A run stopped in the middle of its crawl (SIGTERM, as systemd and kill send) is finished by the next.

The stopped run must not leave its crawler behind, must be recorded as ``interrupted``, and the next
run must end with every report stored exactly once and report them as its own new documents.
"""

from __future__ import annotations

import importlib

import json
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
import sqlite_utils

from archive.paths import DataDir
from nianbao.pipeline import registry_file
from nianbao.pipeline.demo import FARM_CRAWL_SETTINGS
from nianbao.pipeline.service import NIANBAO
from archive.store import open_store_db

farm_server = importlib.import_module("farm.server")
farm_world = importlib.import_module("farm.world")

pytestmark = pytest.mark.slow
SITE = "openness"  # its report pages answer slowly, so a run can be caught in the middle


def _argv(data: DataDir) -> list[str]:
    argv = [*NIANBAO, "--data", str(data.root), "run", "--json", "--no-browser", "--allow-domain", "none.invalid"]
    for setting in FARM_CRAWL_SETTINGS:
        argv += ["--set", setting]
    return [*argv, "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]


def _stored(data: DataDir) -> int:
    """Documents in the store, read without creating or locking anything (the run is writing it)."""
    try:
        with sqlite3.connect(f"file:{data.store_db}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("select count(*) from documents").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _crawlers(data: DataDir) -> list[str]:
    result = subprocess.run(["pgrep", "-f", str(data.root / ".pipeline")], capture_output=True, text=True, check=False)
    return result.stdout.split()


def test_a_stopped_run_is_finished_by_the_next(tmp_path: Path) -> None:
    data = DataDir(tmp_path / "data").ensure()
    world = farm_world.World(0, "small", slow_seconds=0.5)
    with farm_server.FarmServer(world, log_path=tmp_path / "access.jsonl") as farm:
        registry_file.write_rows(data.registry, [row for row in farm.registry_rows() if row["site_id"] == SITE])
        expected = {farm.base_urls[SITE].rstrip("/") + path for path in world.expected_paths(SITE)[SITE]}
        stopped = subprocess.Popen(_argv(data), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if _stored(data) >= 2:
                break
            time.sleep(0.2)
        stopped.send_signal(signal.SIGTERM)
        _, err = stopped.communicate(timeout=60)
        assert stopped.returncode == 130, err[-2000:]
        assert "interrupted" in err
        assert _crawlers(data) == [], "the stopped run took its crawler with it"
        stored = _stored(data)
        assert 0 < stored < len(expected), "the run was stopped in the middle of its crawl"

        finished = subprocess.run(_argv(data), capture_output=True, text=True, timeout=180, check=False)
    report = json.loads(finished.stdout.strip().splitlines()[-1])
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert report["resumed"] == [1]
    assert report["totals"]["new"] == len(expected), "the dead run's documents are reported by the run that finishes it"
    assert report["snapshot"]
    store = open_store_db(data)
    urls = [row[0] for row in store.execute("select url from documents")]
    assert sorted(urls) == sorted(expected), "every report stored, none twice"
    runs = {row["id"]: row["status"] for row in sqlite_utils.Database(data.archive_db)["runs"].rows_where("command = 'run'")}
    assert runs == {1: "interrupted", 2: "clean"}
