"""``nianbao schedule``: due portals from the calendar and history, one logged run, a clean stop on SIGTERM."""

from __future__ import annotations

import importlib
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from archive.db import open_archive
from archive.paths import DataDir
from nianbao.pipeline import registry_file, runs
from nianbao.pipeline.service import NIANBAO, Service, ServiceOptions, _summary, sleep_seconds
from nianbao.pipeline.store_diff import PortalFigures

NOW = datetime(2025, 9, 1, 12, tzinfo=timezone.utc)


def _registry(data: DataDir, *rows: tuple[str, str]) -> None:
    """Portals on a closed port of this machine: every visit fails at once, nothing leaves the machine."""
    registry_file.write_rows(
        data.registry,
        [{"site_id": site, "start_url": f"http://127.0.0.1:9/{site}/", "status": status, "level": "county"} for site, status in rows],
    )


def test_due_portals_come_from_the_registry_and_the_history(data: DataDir) -> None:
    _registry(data, ("fresh", "active"), ("visited", "active"), ("off", "disabled"), ("cand", "candidate"))
    archive = open_archive(data.archive_db)
    run_id, _ = runs.start_run(archive, "run", {})
    runs.record_portals(archive, run_id, [PortalFigures("visited")], (NOW - timedelta(days=2)).isoformat())
    service = Service(ServiceOptions(data=data, clock=lambda: NOW))
    due, upcoming = service.due(NOW)
    assert due == ["fresh", "cand"]
    assert upcoming is not None and NOW < upcoming <= NOW + timedelta(days=29)


def test_sleep_is_capped_and_never_busy() -> None:
    assert sleep_seconds(None, NOW, 3600) == 3600
    assert sleep_seconds(NOW + timedelta(days=3), NOW, 3600) == 3600
    assert sleep_seconds(NOW + timedelta(seconds=30), NOW, 3600) == 30
    assert sleep_seconds(NOW - timedelta(seconds=30), NOW, 3600) == 1.0


def test_run_summary_is_one_line() -> None:
    out = 'noise\n{"run_id": 4, "status": "partial", "portals": 2, "totals": {"new": 1, "failed": 3}, "snapshot": "2025-01-02"}\n'
    assert _summary(out) == "run 4 partial: 2 portals, new 1, failed 3, snapshot 2025-01-02"
    assert _summary("") == "no report"


def test_service_runs_due_portals_logs_and_stops_on_sigterm(data: DataDir, tmp_path: Path) -> None:
    _registry(data, ("nowhere", "active"))
    log_file = tmp_path / "schedule.log"
    service = subprocess.Popen(
        [*NIANBAO, "--data", str(data.root), "schedule", "--log-file", str(log_file), "--max-sleep", "60",
         "--no-snapshot", "--set", "RETRY_ENABLED=False", "--set", "DOWNLOAD_TIMEOUT=5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and "nothing due" not in (log_file.read_text() if log_file.exists() else ""):
            time.sleep(0.2)
        log = log_file.read_text()
        assert "run starting: 1 portals due" in log and "run finished: run 1 " in log, log
        assert "nothing due; next visit" in log
        started = time.monotonic()
        service.send_signal(signal.SIGTERM)
        assert service.wait(timeout=10) == 0
        assert time.monotonic() - started < 5
    finally:
        if service.poll() is None:
            service.kill()
            service.wait()
    assert log_file.read_text().rstrip().endswith("schedule stopped")
    history = runs.visit_history(open_archive(data.archive_db))
    assert len(history["nowhere"]) == 1


def test_the_service_entry_point_is_this_interpreter() -> None:
    assert NIANBAO[0] == sys.executable


@pytest.mark.timeout(180)
def test_sigterm_during_a_run_interrupts_it_and_leaves_no_crawler(data: DataDir, tmp_path: Path) -> None:
    """Started as a script's background job is, with SIGINT ignored: SIGTERM alone stops it all."""
    farm_server = importlib.import_module("farm.server")
    farm_world = importlib.import_module("farm.world")
    log_file = tmp_path / "schedule.log"
    with farm_server.FarmServer(farm_world.World(0, "small", slow_seconds=0.5), log_path=tmp_path / "a.jsonl") as farm:
        registry_file.write_rows(data.registry, [row for row in farm.registry_rows() if row["site_id"] == "openness"])
        service = subprocess.Popen(
            [*NIANBAO, "--data", str(data.root), "schedule", "--log-file", str(log_file),
             "--set", "DOWNLOAD_DELAY=0", "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
             # the farm is on loopback, which the request policy refuses unless allowed: without this
             # the crawl ends at once on a refused listing and there is no run in progress to interrupt
             "--set", "NIANBAO_ALLOW_PRIVATE_HOSTS=127.0.0.1,::1"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not (data.root / ".pipeline" / "crawl.log").exists():
                time.sleep(0.2)
            time.sleep(3)
            service.send_signal(signal.SIGTERM)
            assert service.wait(timeout=60) == 0
        finally:
            if service.poll() is None:
                service.kill()
                service.wait()
    log = log_file.read_text()
    assert "run interrupted after" in log and log.rstrip().endswith("schedule stopped"), log
    leftovers = subprocess.run(["pgrep", "-f", str(data.root)], capture_output=True, text=True, check=False).stdout
    assert leftovers == "", "no crawler outlives the service"
    statuses = [row["status"] for row in open_archive(data.archive_db)[runs.RUNS].rows]
    assert statuses == ["interrupted"]
