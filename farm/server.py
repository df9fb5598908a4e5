"""The farm's HTTP server: one listening port per portal (so robots.txt and "hosts" are per portal).

``FarmServer(world).start()`` binds every portal (port 0 unless ``port_base`` is given) on 127.0.0.1 and
returns ``{site_id: base_url}``; it is also a context manager. Every request goes through the portal's
habits gate, then its family, then the conditional-request check, and lands in the JSONL access log.
An extra admin port serves the world's truth and applies mutations for tests in other processes.
"""

from __future__ import annotations

import json
import ssl
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from farm import content, faults
from farm.accesslog import AccessEntry, AccessLog, now
from farm.families import FAMILIES
from farm.habits import Gate, is_slow
from farm.http import Request, Response, data, not_found
from farm.model import Portal
from farm.pages import BASE_TIME
from farm.tls import self_signed_context
from farm.world import World


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address, handler, farm: "FarmServer", portal: Portal | None, scheme: str,
                 redirect_port: int | None = None):
        super().__init__(address, handler)
        self.farm = farm
        self.portal = portal
        self.scheme = scheme
        self.redirect_port = redirect_port

    def handle_error(self, request, client_address) -> None:
        """A client that hangs up mid-reply (a crawler stopping, a browser closing) is normal, not an error."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, ssl.SSLError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    server: _Server

    def log_message(self, format: str, *args) -> None:  # the JSONL access log replaces stderr logging
        return

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _request(self) -> Request:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        return Request(self.command, split.path or "/", {k: v[0] for k, v in parse_qs(split.query).items()},
                       {k.lower(): v for k, v in self.headers.items()}, body, self.server.scheme)

    def _serve(self) -> None:
        started = now()
        request = self._request()
        farm, portal = self.server.farm, self.server.portal
        if portal is None and self.path.startswith("http://"):
            portal = farm.proxied_portal(self.path)
        try:
            if portal is None:
                response = farm.admin(request)
            elif self.server.redirect_port:
                response = Response(301, b"", headers=[
                    ("Location", f"https://{farm.host}:{self.server.redirect_port}{self.path}")])
            else:
                response = farm.answer(portal, request)
        except Exception as error:  # a farm bug must show as a 500 in the log, not kill the thread
            response = Response(500, f"farm error: {error!r}".encode())
        self._send(request, response, portal, started)

    def _send(self, request: Request, response: Response, portal: Portal | None, started: str) -> None:
        if response.delay:
            time.sleep(response.delay)
        status, body = response.status, b""
        if response.not_modified_for(request):
            status = 304
        elif status != 304:
            body = response.payload()
        # Logged before the reply leaves, so a client that has its answer always finds the line.
        self.server.farm.log.write(AccessEntry(
            time=now(), site_id=portal.site_id if portal else "admin", port=self.server.server_address[1],
            scheme=self.server.scheme, method=request.method, path=self.path, status=status,
            bytes=0 if request.method == "HEAD" else len(body),
            user_agent=request.headers.get("user-agent", ""), conditional=request.conditional,
            if_none_match=request.headers.get("if-none-match"),
            if_modified_since=request.headers.get("if-modified-since"), started=started))
        self.send_response(status)
        headers = list(response.headers) + response.validator_headers()
        if status != 304:
            headers.append(("Content-Type", response.content_type))
        length = faults.declared_length(response.body_fault, len(body))
        headers.append(("Content-Length", str(0 if status == 304 else length)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if request.method != "HEAD" and status != 304:
            if response.body_fault:
                faults.write_body(self.wfile, response.body_fault, body)
                self.close_connection = True
            else:
                self.wfile.write(body)


class FarmServer:
    """Serves a ``World``. ``start()`` → ``{site_id: base_url}``; ``stop()``; usable as ``with``."""

    def __init__(self, world: World, *, host: str = "127.0.0.1", port_base: int | None = None,
                 log_path: Path | str | None = None, admin: bool = True):
        self.world = world
        self.host = host
        self.port_base = port_base
        self.log_path = Path(log_path) if log_path else Path(tempfile.mkdtemp(prefix="nianbao-farm-")) / "access.jsonl"
        self.log = AccessLog(self.log_path)
        self.gate = Gate()
        self.faults = faults.FaultGate()
        self.with_admin = admin
        self.base_urls: dict[str, str] = {}
        self.tls_urls: dict[str, str] = {}
        self.admin_url: str | None = None
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> "FarmServer":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _port(self) -> int:
        if self.port_base is None:
            return 0
        port = self.port_base + len(self._servers)
        return port

    def _listen(self, portal: Portal | None, scheme: str = "http", redirect_port: int | None = None,
                context=None) -> _Server:
        server = _Server((self.host, self._port()), _Handler, self, portal, scheme, redirect_port)
        if context is not None:
            server.socket = context.wrap_socket(server.socket, server_side=True)
        self._servers.append(server)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True,
                                  name=f"farm-{portal.site_id if portal else 'admin'}-{scheme}")
        thread.start()
        self._threads.append(thread)
        return server

    def start(self) -> dict[str, str]:
        try:
            return self._start()
        except BaseException:
            self.stop()  # a port already taken must not leave the other portals listening
            raise

    def _start(self) -> dict[str, str]:
        context = None
        for portal in self.world.portals.values():
            if "https_redirect" in portal.habits:
                context = context or self_signed_context(self.log_path.parent / "tls")
                secure = self._listen(portal, "https", context=context)
                tls_port = secure.server_address[1]
                plain = self._listen(portal, "http", redirect_port=tls_port)
                self.tls_urls[portal.site_id] = f"https://{self.host}:{tls_port}/"
                self.base_urls[portal.site_id] = f"http://{self.host}:{plain.server_address[1]}/"
            else:
                server = self._listen(portal)
                self.base_urls[portal.site_id] = f"http://{self.host}:{server.server_address[1]}/"
        if self.with_admin:
            self.admin_url = f"http://{self.host}:{self._listen(None).server_address[1]}/"
        return dict(self.base_urls)

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()
        self.log.close()

    def prewarm(self) -> int:
        """Render every body and PDF/DOC/WPS file now (see ``content.prewarm``); returns the file count."""
        return content.prewarm([a for p in self.world.portals.values() for a in p.articles.values()])

    def reset_habits(self) -> None:
        """Re-arm the habits that count requests (503 twice, 429 once, a bad day's burst), e.g. before a
        second crawl."""
        self.gate.reset()
        self.faults.reset()

    def registry_rows(self) -> list[dict[str, str]]:
        return self.world.registry_rows(self.base_urls)

    def url(self, site_id: str, path: str) -> str:
        """An absolute URL for a path of one portal, on the port a client should use first."""
        return self.base_urls[site_id].rstrip("/") + path

    def proxied_portal(self, target: str) -> Portal | None:
        """The portal an absolute-form request (``GET http://www.x.gov.cn/…``, as a client asks a proxy)
        is for. The admin port doubles as an HTTP proxy to the portals by their domains, so a crawl can
        follow addresses as reports print them (``http_proxy=farm.admin_url``)."""
        host = urlsplit(target).hostname
        return next((p for p in self.world.portals.values() if p.domain == host), None)

    def answer(self, portal: Portal, request: Request) -> Response:
        """Robots, habits, then the family; 304s and delays are applied by the handler."""
        with self.world.lock:
            if request.path == "/robots.txt" and "block_page" not in portal.habits:
                extra = FAMILIES[portal.family].robots_lines(portal, request)
                if portal.robots_txt is None and not extra:
                    return not_found()
                text = (portal.robots_txt or "User-agent: *\n") + "".join(f"{line}\n" for line in extra)
                return data(text.encode(), "text/plain", BASE_TIME)
            response = (self.gate.check(portal, request) or self.faults.check(portal, request)
                        or FAMILIES[portal.family].handle(portal, request))
            if response is not None:
                response = faults.decorate(portal, request, response)
        if response is None:
            return not_found()
        kind, key = portal.routes.get(request.path, ("", None))
        if "slow" in portal.habits and kind == "detail" and is_slow(key):
            response.delay = self.world.slow_seconds
        return response

    def admin(self, request: Request) -> Response:
        """Truth and mutations over HTTP: GET /truth, POST /change?id=, /remove?id=, /add?site_id=."""
        world, q = self.world, request.query
        if request.path == "/truth":
            body = {"seed": world.seed, "size": world.size, "base_urls": self.base_urls, "tls_urls": self.tls_urls,
                    "status": {s: world.portal_status(s) for s in world.portals},
                    "reports": [{k: v for k, v in asdict(t).items() if k != "spec"} for t in world.reports()],
                    "non_reports": [asdict(n) for n in world.non_reports()]}
        elif request.path == "/change" and request.method == "POST":
            body = {k: v for k, v in asdict(world.change_report(int(q["id"]))).items() if k != "spec"}
        elif request.path == "/remove" and request.method == "POST":
            world.remove_report(int(q["id"]))
            body = {"removed": int(q["id"])}
        elif request.path == "/add" and request.method == "POST":
            formats = tuple(f for f in q.get("formats", "").split(",") if f)
            truth = world.add_report(q["site_id"], q.get("column"), q.get("organ"), formats)
            body = {k: v for k, v in asdict(truth).items() if k != "spec"}
        else:
            return not_found()
        return Response(200, json.dumps(body, ensure_ascii=False, default=str).encode(),
                        "application/json; charset=utf-8")

