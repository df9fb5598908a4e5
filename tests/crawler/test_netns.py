"""Done-when of issue 13: in a network namespace with only loopback, traced with strace, a crawl of farm
portals linking ``file://``, 10.x, 169.254.x, 192.168.x (also by redirect and by JavaScript) and other
domains connects to none of them and stores no local file.

The namespace makes a connection to 10.0.0.1 fail fast instead of leaving the machine, but a
``connect()`` would still be made and traced: the test asserts that every traced connection of the
crawler, Chromium and its helpers went to loopback, where the farm is.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.policy import parse_address
from farm.faults import BROWSER_TARGETS, HOSTILE_FILES, HOSTILE_LINKS, REDIRECTS, SHELL_TARGET
from tests.crawler.helpers import documents, query, run_bounded

pytestmark = [pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = {"127.0.0.1", "::1", "::ffff:127.0.0.1"}
# Chromium checks whether IPv6 reaches the internet with a UDP connect() to Google's public DNS; a UDP
# connect sends nothing (upstream Chromium has no switch to skip it). No other UDP destination is allowed.
IPV6_PROBE = {"2001:4860:4860::8888"}
_CONNECT_RE = re.compile(r'connect\(\d+<(\w+):[^>]*>, \{sa_family=AF_INET6?, .*?'
                         r'(?:inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)")')


def connections(trace: Path) -> list[tuple[str, str]]:
    """(protocol, address) of every IP connect() in an ``strace -yy`` trace: ("TCP", "127.0.0.1")."""
    return [(protocol.removesuffix("v6"), v4 or v6)
            for protocol, v4, v6 in _CONNECT_RE.findall(trace.read_text(errors="replace"))]


# Where the farm's hostile portals point (farm/faults.py), and what the test's DNS answers for files.<domain>.
# (::ffff:10.0.0.1 and ::ffff:a00:1 are one address, as strace and Python print it.)
HOSTILE_ADDRESSES = {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.7", "10.0.0.8", "169.254.169.254", "192.168.1.1",
                     "fd00::1", "::ffff:10.0.0.1", "::ffff:a00:1"}


def test_the_hostile_addresses_are_all_the_farm_links() -> None:
    urls = [*(h for h, _ in HOSTILE_LINKS), *(h for h, _ in HOSTILE_FILES), *REDIRECTS.values(), SHELL_TARGET,
            *BROWSER_TARGETS]
    literals = {parse_address(urlsplit(url).hostname or "") for url in urls if url.startswith("http")} - {None}
    assert {str(address) for address in literals} <= HOSTILE_ADDRESSES


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("strace") is None:
        pytest.fail("strace is missing: scripts/install.sh installs it")
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True, text=True, timeout=30, check=False)
    if probe.returncode:
        pytest.skip(f"the kernel refuses an unprivileged network namespace: {probe.stderr.strip()}")
    data = tmp_path_factory.mktemp("netns")
    trace = data / "connect.trace"
    script = f"ip link set lo up && exec {sys.executable} -m tests.crawler.netns_crawl {data} {trace}"
    done = run_bounded(["unshare", "-rn", "sh", "-c", script], 900, cwd=ROOT)
    assert done.exit_code == 0, done.stderr[-3000:]
    return data, trace


def test_every_connection_went_to_loopback(traced: tuple[Path, Path]) -> None:
    _data, trace = traced
    seen = connections(trace)
    tcp = {address for protocol, address in seen if protocol == "TCP"}
    udp = {address for protocol, address in seen if protocol == "UDP"}
    assert "127.0.0.1" in tcp, "the trace shows no connection to the farm: strace saw nothing"
    assert not HOSTILE_ADDRESSES & (tcp | udp)
    assert tcp <= LOOPBACK, sorted(tcp - LOOPBACK)
    assert udp <= IPV6_PROBE, sorted(udp - IPV6_PROBE)  # no DNS server either: nothing was resolved outside


def test_the_hostile_links_were_refused_and_the_reports_stored(traced: tuple[Path, Path]) -> None:
    data, _trace = traced
    refused = dict(query(data, "select url, reason from fetches where outcome = 'refused'"))
    assert refused["file:///etc/passwd"] == "scheme file: only http and https are fetched"
    assert refused["http://169.254.169.254/latest/meta-data/"] == "169.254.169.254: a link-local address"
    assert "http://192.168.1.1/nb.html" in refused  # the hop of a redirect inside Chromium
    bases = json.loads((data / "farm.json").read_text())["base_urls"]
    assert refused[bases["hostile"] + "hostile/go/192"].startswith("redirect to http://192.168.1.1/")
    assert refused[bases["hostile"] + "hostile/shell.html"] == "10.0.0.2: a private address"
    passwd = Path("/etc/passwd").read_bytes()
    assert not any(p.read_bytes() == passwd for p in (data / "store" / "blobs").rglob("*") if p.is_file())
    assert set(documents(data)) == {"hostile", "hostile-js"}
