"""Scrapy's own tooling, as the README documents it: ``scrapy list``, and a scrapyd deployment that crawls.

The project is deployed exactly as the README says (``scrapyd-deploy TARGET`` from a checkout), to a
scrapyd started here on 127.0.0.1, which then runs the portal spider against a farm portal into a
data directory of the test's own.
"""

from __future__ import annotations

import importlib

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from archive.paths import DataDir
from archive.store import open_store_db

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SKIP = shutil.ignore_patterns(".venv", ".git", "data", "test-artifacts", "build", "*.egg-info", "__pycache__", ".hypothesis")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def _post(url: str, fields: list[tuple[str, str]]) -> dict:
    body = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=10) as response:
        return json.loads(response.read())


def test_scrapy_lists_the_spider() -> None:
    result = subprocess.run([str(BIN / "scrapy"), "list"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "portal" in result.stdout.split()


@pytest.mark.timeout(600)  # its own waits add up to more than the 300 s default
def test_scrapyd_deploy_then_crawl(tmp_path: Path) -> None:
    assert (BIN / "scrapyd").exists() and (BIN / "scrapyd-deploy").exists(), "scrapyd is a test extra: scripts/install.sh"
    farm_server = importlib.import_module("farm.server")
    farm_world = importlib.import_module("farm.world")
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT, checkout, ignore=SKIP)
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    with (checkout / "scrapy.cfg").open("a", encoding="utf-8") as cfg:
        cfg.write(f"\n[deploy:local]\nurl = {url}\nproject = nianbao\n")
    service = tmp_path / "scrapyd"
    service.mkdir()
    (service / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\neggs_dir = {service / 'eggs'}\n"
        f"logs_dir = {service / 'logs'}\ndbs_dir = {service / 'dbs'}\nitems_dir =\nmax_proc = 1\npoll_interval = 0.5\n"
    )
    scrapyd = subprocess.Popen([str(BIN / "scrapyd")], cwd=service, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert _get(url + "daemonstatus.json")["status"] == "ok"
                break
            except OSError:
                assert time.monotonic() < deadline, "scrapyd did not start"
                time.sleep(0.3)
        deploy = subprocess.run(
            [str(BIN / "scrapyd-deploy"), "local"], cwd=checkout, capture_output=True, text=True, timeout=180, check=False
        )
        assert deploy.returncode == 0 and '"status": "ok"' in deploy.stdout, deploy.stdout + deploy.stderr
        assert _get(url + "listspiders.json?project=nianbao")["spiders"] == ["portal"]

        data = DataDir(tmp_path / "data").ensure()
        with farm_server.FarmServer(farm_world.World(3, "small"), log_path=tmp_path / "access.jsonl") as farm:
            start_url = next(row["start_url"] for row in farm.registry_rows() if row["site_id"] == "gkmlpt")
            settings = [f"NIANBAO_DATA={data.root}", "DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "NIANBAO_BROWSER=False",
                        "NIANBAO_ALLOW_PRIVATE_HOSTS=127.0.0.1"]
            job = _post(
                url + "schedule.json",
                [("project", "nianbao"), ("spider", "portal"), ("start_url", start_url)]
                + [("setting", setting) for setting in settings],
            )
            assert job["status"] == "ok", job
            deadline = time.monotonic() + 120
            while not any(item["id"] == job["jobid"] for item in _get(url + "listjobs.json?project=nianbao")["finished"]):
                assert time.monotonic() < deadline, "the scrapyd job did not finish"
                time.sleep(0.5)
        documents = open_store_db(data).execute("select count(*) from documents").fetchone()[0]
        log = next((service / "logs").rglob("*.log")).read_text(encoding="utf-8", errors="replace")
        assert documents > 0, log[-3000:]
        assert "'finish_reason': 'finished'" in log
    finally:
        scrapyd.terminate()
        scrapyd.wait(timeout=20)
