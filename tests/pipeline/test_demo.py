"""``nianbao demo`` as a newcomer runs it: farm, pipeline and site, then a page of real-looking reports."""

from __future__ import annotations

import hashlib
import json
import re
import signal
import socket
import subprocess
import time
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from farm.testing import stop_service
from nianbao.pipeline.service import NIANBAO

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.timeout(600)
def test_demo_serves_the_archive_it_built(tmp_path: Path) -> None:
    """Started as a script's background job is (SIGINT ignored) and stopped by SIGTERM, as systemd does:
    the demo, its Datasette and its farm all end, so the output pipe closes and nothing waits for ever."""
    port = _free_port()
    demo = subprocess.Popen(
        [*NIANBAO, "--data", str(tmp_path / "data"), "demo", "--port", str(port), "--farm-port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    address = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 300
        reports: list[dict] = []
        while time.monotonic() < deadline and demo.poll() is None:
            try:
                with urllib.request.urlopen(address + "nianbao/reports.json?_shape=array&_size=200", timeout=5) as reply:
                    reports = json.loads(reply.read())
                break
            except OSError:
                time.sleep(1)
        assert reports, f"the site never answered at {address}"
        assert len(reports) > 50 and len({report["organ"] for report in reports}) > 20
        assert {report["year"] for report in reports} >= {2020, 2023, 2024}
        with urllib.request.urlopen(address + "nianbao/runs.json?_shape=array", timeout=5) as reply:
            runs = json.loads(reply.read())
        assert runs[0]["command"] == "demo"
        _site_is_done(address, reports)
    finally:
        output = stop_service(demo, 60)
    assert demo.returncode == 0
    with pytest.raises(OSError):
        urllib.request.urlopen(address, timeout=2)
    assert f"The archive is up: {address}" in output
    assert (tmp_path / "data" / "portals.csv").read_text(encoding="utf-8").count("\n") >= 9


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as reply:
        return reply.read()


def _site_is_done(address: str, reports: list[dict]) -> None:
    """Issue 12's done-when on the demo: the home page's count and feed, report links on every reports-table
    row, and on every report page the archived primary document (SHA-256 for SHA-256) and the previous year."""
    home = _get(address).decode()
    assert re.search(rf'id="report-count">{len(reports):,}<', home)
    assert '<link rel="alternate" type="application/atom+xml"' in home and 'href="/feed.atom"' in home
    feed = ET.fromstring(_get(address + "feed.atom"))
    assert feed.findall("{http://www.w3.org/2005/Atom}entry")
    table = _get(address + "nianbao/reports?_size=200").decode()
    assert {int(rid) for rid in re.findall(r'<a href="/report/(\d+)"', table)} == {report["id"] for report in reports}
    documents = json.loads(_get(address + "nianbao/documents.json?_shape=array&_size=max&_col=sha256"))
    sha = {document["id"]: document["sha256"] for document in documents}
    years = {(report["organ_id"], report["year"]): report["id"] for report in reports}
    for report in reports:
        page = _get(f"{address}report/{report['id']}").decode()
        primary = sha[report["primary_document_id"]]
        assert f'href="/original/{primary}"' in page, report["id"]
        assert hashlib.sha256(_get(f"{address}original/{primary}")).hexdigest() == primary
        earlier = [year for (organ, year) in years if organ == report["organ_id"] and year < report["year"]]
        if earlier:
            assert f'rel="prev" class="previous-year" href="/report/{years[(report["organ_id"], max(earlier))]}"' in page
