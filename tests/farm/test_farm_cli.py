"""``nianbao farm serve`` prints the portals, writes the registry and serves until interrupted."""

from __future__ import annotations

import csv
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from farm.server import FarmServer
from farm.testing import fetch, stop_service
from farm.world import World


@pytest.mark.timeout(60)
def test_serve_command(tmp_path: Path):
    """Started as a background job of a script is (SIGINT ignored), stopped by SIGTERM as systemd does."""
    registry, log = tmp_path / "portals.csv", tmp_path / "access.jsonl"
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "nianbao"), "farm", "serve", "--size", "small", "--seed", "5",
         "--registry-out", str(registry), "--log", str(log)],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        lines = []
        while not any(line.startswith("registry:") for line in lines):
            line = process.stdout.readline()
            assert line, "farm serve exited early"
            lines.append(line)
        rows = list(csv.DictReader(registry.open(encoding="utf-8")))
        world = World(5, "small")
        assert [r["site_id"] for r in rows] == list(world.portals)
        hanweb = next(r for r in rows if r["site_id"] == "hanweb")
        assert hanweb["family"] == "hanweb" and fetch(hanweb["start_url"]).status == 200
        assert log.exists() and '"site_id": "hanweb"' in log.read_text(encoding="utf-8")
        hanweb_port = int(hanweb["start_url"].split(":")[2].split("/")[0])
    finally:
        rest = stop_service(process, 20)
    assert process.returncode == 0 and "stopping" in rest
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", hanweb_port)) != 0, "the portals' ports are closed"


def test_port_base_gives_consecutive_ports(tmp_path: Path):
    for attempt in range(5):  # another process may hold a port of the block; try another block
        base = 20000 + (os.getpid() * 7 + attempt * 101) % 40000
        try:
            with FarmServer(World(0, "small"), port_base=base, log_path=tmp_path / "log.jsonl") as server:
                ports = sorted(int(url.rsplit(":", 1)[1].strip("/")) for url in server.base_urls.values())
            break
        except OSError:
            continue
    assert ports[0] >= base and ports[-1] < base + len(ports) + 3


def test_full_world_serves_every_start_page():
    world = World(1, "full")
    started = time.monotonic()
    with FarmServer(world) as server:
        for row in server.registry_rows():
            status = fetch(row["start_url"].partition("#")[0]).status
            challenged = 412 if "ruishu" in row["notes"] else 521 if "jsl" in row["notes"] else 200
            assert status == {"ok": 200, "robots_denied": 200, "browser": challenged,
                              "blocked": 403}[world.portal_status(row["site_id"])]
    assert time.monotonic() - started < 20
