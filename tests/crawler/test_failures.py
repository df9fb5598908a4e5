"""Every failure is a fetches row with its reason: HTTP errors, timeouts, refused connections, DNS, size."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from archive.registry import Portal, save_registry
from crawler.cli import PARTIAL
from tests.crawler.helpers import nianbao_crawl, query

LISTING = """<html><head><meta charset="utf-8"><title>信息公开年报</title></head><body><ul>
<li><a href="/big.pdf" title="某镇2023年政府信息公开工作年度报告">2023</a><span>2024-01-05</span></li>
<li><a href="/slow.html" title="某镇2022年政府信息公开工作年度报告">2022</a><span>2023-01-05</span></li>
<li><a href="/missing.html" title="某镇2021年政府信息公开工作年度报告">2021</a><span>2022-01-05</span></li>
</ul></body></html>""".encode()

# Whole crawls: kept on one xdist worker so the session farm and its crawls are made once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("crawler-farm")]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        return

    def do_GET(self) -> None:
        if self.path == "/slow.html":
            time.sleep(3)
        body, status, kind = {
            "/": (LISTING, 200, "text/html; charset=utf-8"),
            "/big.pdf": (b"%PDF-1.4\n" + b"0" * 300_000, 200, "application/pdf"),
            "/slow.html": (b"<html>late</html>", 200, "text/html"),
        }.get(self.path, (b"<html>not found</html>", 404, "text/html"))
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


def test_failures_are_recorded_with_reasons(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    registry = tmp_path / "portals.csv"
    save_registry([
        Portal(site_id="flaky", start_url=f"http://127.0.0.1:{server.server_address[1]}/"),
        Portal(site_id="down", start_url=f"http://127.0.0.1:{closed_port}/zfxxgknb/"),
        Portal(site_id="nodns", start_url="http://www.nianbao-test.invalid/xxgknb/"),
    ], registry)
    try:
        result = nianbao_crawl(tmp_path, "--registry", str(registry), "--no-browser", "-s", "RETRY_TIMES=0",
                               "-s", "DOWNLOAD_TIMEOUT=1", "-s", "DOWNLOAD_MAXSIZE=100000",
                               "-s", "TWISTED_DNS_RESOLVER=tests.crawler.fakedns.NoDnsResolver", expect=(PARTIAL,))
    finally:
        server.shutdown()
    rows = {url.rstrip("/").rsplit("/", 1)[1]: (outcome, reason) for url, outcome, reason in query(
        tmp_path, "select url, outcome, reason from fetches where outcome != 'downloaded'")}
    assert rows["big.pdf"][0] == "too_large"
    assert rows["slow.html"][0] == "failed" and "timeout" in rows["slow.html"][1].lower()
    assert rows["missing.html"] == ("failed", "HTTP 404")
    assert rows["zfxxgknb"][0] == "failed" and "refused" in rows["zfxxgknb"][1].lower()
    assert rows["xxgknb"][0] == "failed" and "nianbao-test.invalid" in rows["xxgknb"][1]
    assert query(tmp_path, "select count(*) from documents") == [(0,)]
    assert "flaky" in result.output and "down" in result.output
