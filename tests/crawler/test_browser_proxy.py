"""The proxy Chromium talks through (crawler/browser.py): what it lets through, what it refuses, and how.

Driven with plain sockets, as Chromium speaks to an HTTP proxy: ``CONNECT host:port`` for https and
absolute-form requests for http. The farm's https portal is the far end of a tunnel.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from urllib.parse import urlsplit

import pytest
from scrapy.utils.test import get_crawler

from archive.registry import Portal
from crawler.addon import LOCAL_FARM
from crawler.browser import REFUSED_HEADER, PolicyProxy, browser_request_refused
from crawler.policy import policy_for
from farm.server import FarmServer

PRIVATE_NAME = "files.example-county.gov.cn"


async def fake_resolve(host: str) -> tuple[str | None, str | None]:
    if host == PRIVATE_NAME:
        return None, f"{host} resolves to 10.0.0.7: a private address"
    return None, f"cannot resolve {host}"


def exchange(port: int, head: str, *, tls_host: str | None = None) -> bytes:
    """Send ``head`` to the proxy; after a ``200`` to a CONNECT, speak TLS and GET /robots.txt."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as raw:
        raw.sendall(head.encode())
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = raw.recv(4096)
            if not chunk:
                break
            reply += chunk
        if tls_host is None or not reply.startswith(b"HTTP/1.1 200"):
            return reply + _drain(raw)
        with ssl._create_unverified_context().wrap_socket(raw, server_hostname=tls_host) as tunnel:
            tunnel.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return _drain(tunnel)


def _drain(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


@pytest.fixture
def scenario(farm: FarmServer):
    crawler = get_crawler(settings_dict={**LOCAL_FARM, "NIANBAO_ATTACHMENT_DOMAINS": ["gov.cn"]})
    tls = urlsplit(farm.tls_urls["trs-https"])
    policy_for(crawler).add_portals([Portal(site_id="trs-https", start_url=farm.tls_urls["trs-https"])])
    refused: list[dict] = []
    crawler.signals.connect(lambda **sent: refused.append(sent), signal=browser_request_refused, weak=False)

    def run(portal_id: str | None, head: str, *, tunnel: bool = False) -> bytes:
        async def go() -> bytes:
            proxy = await PolicyProxy(crawler, portal_id, fake_resolve).start()
            port = int(proxy.url.rsplit(":", 1)[1])
            try:
                return await asyncio.get_running_loop().run_in_executor(
                    None, lambda: exchange(port, head, tls_host=tls.hostname if tunnel else None))
            finally:
                await proxy.close()
        return asyncio.run(go())

    return run, tls, refused


def test_a_tunnel_to_the_portal_is_made(scenario) -> None:
    run, tls, refused = scenario
    reply = run("trs-https", f"CONNECT {tls.netloc} HTTP/1.1\r\nHost: {tls.netloc}\r\n\r\n", tunnel=True)
    assert reply.startswith(b"HTTP/1.1 200") and b"User-agent" in reply  # the farm's robots.txt, through TLS
    assert refused == []


@pytest.mark.parametrize(("target", "reason"), [
    ("10.0.0.1:443", "10.0.0.1: a private address"),
    ("[::ffff:169.254.169.254]:443", "::ffff:169.254.169.254: mapped to 169.254.169.254, a link-local address"),
    (f"{PRIVATE_NAME}:443", f"{PRIVATE_NAME} resolves to 10.0.0.7: a private address"),
    ("www.example.com:443", "host www.example.com is neither the portal's nor under the allowed domains (*.gov.cn)"),
])
def test_a_tunnel_elsewhere_is_refused_and_recorded(scenario, target: str, reason: str) -> None:
    run, _tls, refused = scenario
    reply = run("trs-https", f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 403")
    assert f"{REFUSED_HEADER}: {reason}\r\n".encode() in reply
    assert refused == [{"portal_id": "trs-https", "url": f"https://{target}/", "parent_url": None, "reason": reason,
                        "signal": browser_request_refused, "sender": refused[0]["sender"]}]


def test_plain_http_is_forwarded_to_the_checked_address(scenario, farm: FarmServer) -> None:
    run, _tls, refused = scenario
    base = farm.base_urls["gkmlpt"].rstrip("/")
    reply = run("trs-https", f"GET {base}/robots.txt HTTP/1.1\r\nHost: {urlsplit(base).netloc}\r\n"
                             "Proxy-Connection: keep-alive\r\n\r\n")
    assert reply.startswith((b"HTTP/1.1 200", b"HTTP/1.1 404")) and REFUSED_HEADER.encode() not in reply
    reply = run("trs-https", "GET http://192.168.1.1/nb.html HTTP/1.1\r\nHost: 192.168.1.1\r\n\r\n")
    assert f"{REFUSED_HEADER}: 192.168.1.1: a private address".encode() in reply
    assert [r["url"] for r in refused] == ["http://192.168.1.1/nb.html"]


def test_traffic_outside_any_portal_is_refused_unrecorded(scenario) -> None:
    run, tls, refused = scenario
    reply = run(None, f"CONNECT {tls.netloc} HTTP/1.1\r\nHost: {tls.netloc}\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 403") and b"Chromium's own traffic" in reply
    assert refused == []  # Chromium's update checks are not the crawl's fetches
