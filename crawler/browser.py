"""Chromium inside the request policy: every request the browser makes is checked like the crawler's.

scrapy-playwright hands pages to Chromium, which then asks for scripts, frames and XHR by itself, follows
redirects and runs ``location = …``. Two layers keep all of that inside ``crawler.policy``:

- routing: ``PLAYWRIGHT_ABORT_REQUEST``'s hook is the policy, so a URL with another scheme, another
  host or an address literal that is not public is aborted before Chromium opens anything, and
  recorded as a ``refused`` fetch of kind ``resource`` (images, fonts and media are not needed to
  read a list, and are never fetched);
- a proxy: each portal's browser context talks to the network only through its own small HTTP proxy
  on 127.0.0.1, which resolves the host with the crawl's ``PublicAddressResolver`` and connects to
  the address it checked. Routing does not see the hops of a redirect, and Chromium would resolve
  a name again by itself; the proxy sees every connection, so neither can reach a private address.

One context per portal (``playwright_context`` is the portal id) also keeps one portal's cookies from
another's. The proxy answers a refusal with 403 and ``X-Nianbao-Refused: <reason>``, which the spider
records as ``refused``.

The handler also notes what each rendering loaded besides the page itself (scripts, XHR, frames: the
request's ``meta["nianbao_loaded"]``), which the store keeps with the fetch: a rendering that loaded
nothing else can be told unchanged later by a conditional GET of the page alone. Playwright and
Chromium start when the first page needs them, not with the crawl: a re-crawl that renders nothing
starts neither.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Page
from playwright.async_api import Request as PlaywrightRequest
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_to_future
from scrapy_playwright.handler import BrowserContextWrapper, ScrapyPlaywrightDownloadHandler

from crawler.policy import installed_resolver, parse_address, policy_for

logger = logging.getLogger(__name__)

# Sent with the proxy's 403, so the spider can record the refusal with its reason.
REFUSED_HEADER = "X-Nianbao-Refused"
# A portal's context is named after it; the spider sets ``playwright_context`` to this.
CONTEXT_PREFIX = "portal:"
# Resources a list or a challenge never needs: never fetched, so nothing to check or record.
SKIPPED_TYPES = frozenset({"image", "media", "font"})
LOCAL_SCHEMES = ("data", "blob", "about")  # handled inside the browser, no connection
# A signal: the browser (route or proxy) refused a request. Sent with portal_id, url, parent_url, reason.
browser_request_refused = object()

# How the proxy turns a host name into the address to connect to: (address, None) or (None, why not).
Resolve = Callable[[str], Awaitable[tuple[str | None, str | None]]]
HEAD_LIMIT = 64 * 1024
IDLE_SECONDS = 120.0
# Where a rendered response's request carries what the page loaded besides itself (sorted URLs).
LOADED_META = "nianbao_loaded"


def context_name(portal_id: str) -> str:
    return CONTEXT_PREFIX + portal_id


class PolicyProxy:
    """An HTTP proxy for one portal's browser context, refusing what the request policy refuses.

    ``CONNECT host:port`` (https, websockets) and absolute-form requests (plain http) are checked,
    resolved by the crawl's resolver and connected to the checked address; each plain request is
    sent with ``Connection: close`` so one connection carries one checked request.
    """

    def __init__(self, crawler: Crawler, portal_id: str | None, resolve: Resolve | None = None):
        self.crawler = crawler
        self.portal_id = portal_id
        self.resolve = resolve or resolve_with_policy
        self.server: asyncio.Server | None = None
        self.url = ""
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> "PolicyProxy":
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def close(self) -> None:
        """Stop listening and hang up on Chromium's open connections (their handlers then end by themselves)."""
        if self.server is not None:
            self.server.close()
        for writer in list(self._writers):
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            await self._handle(reader, writer)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError, ValueError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IDLE_SECONDS)
        if len(head) > HEAD_LIMIT:
            return
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, target, _version = request_line.split(" ", 2)
        if method.upper() == "CONNECT":
            host, _, port_text = target.rpartition(":")
            url, port = f"https://{target}/", int(port_text)
        else:
            url = target
            parts = urlsplit(target)
            host, port = parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
        host = host.strip("[]")
        address, reason = await self._check(url, host)
        if reason or address is None:
            await self._refuse(writer, url, reason or "no address")
            return
        upstream_reader, upstream_writer = await asyncio.wait_for(asyncio.open_connection(address, port), 30)
        try:
            if method.upper() == "CONNECT":
                writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                await writer.drain()
                await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))
                return
            upstream_writer.write(_origin_form(method, url, header_lines))
            length = _content_length(header_lines)
            if length:
                upstream_writer.write(await reader.readexactly(length))
            await upstream_writer.drain()
            await _pipe(upstream_reader, writer)
        finally:
            upstream_writer.close()

    async def _check(self, url: str, host: str) -> tuple[str | None, str | None]:
        """The address to connect to, or why not."""
        if self.portal_id is None:
            return None, "not a request of a portal's page (Chromium's own traffic)"
        policy = policy_for(self.crawler)
        reason = policy.refuse(url, self.portal_id, "resource")
        if reason:
            return None, reason
        if parse_address(host) is not None:
            return host, None
        return await self.resolve(host)

    async def _refuse(self, writer: asyncio.StreamWriter, url: str, reason: str) -> None:
        if self.portal_id is None:
            logger.debug("Refused browser traffic outside any portal: %s (%s)", url, reason)
        else:
            self.crawler.stats.inc_value("nianbao/refused/browser")
            self.crawler.signals.send_catch_log(browser_request_refused, portal_id=self.portal_id, url=url,
                                                parent_url=None, reason=reason)
        body = f"refused by nianbao's request policy: {reason}\n".encode()
        safe = reason.encode("ascii", "replace").decode().replace("\r", " ").replace("\n", " ")
        writer.write(
            f"HTTP/1.1 403 Forbidden\r\n{REFUSED_HEADER}: {safe}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body
        )
        await writer.drain()


async def resolve_with_policy(host: str) -> tuple[str | None, str | None]:
    """The address of ``host`` from the crawl's ``PublicAddressResolver`` (checked), or why not."""
    resolver = installed_resolver()
    if resolver is None:
        return None, "the policy's resolver is not installed"
    try:
        return await deferred_to_future(resolver.getHostByName(host)), None
    except Exception:  # refused by the resolver, or no such name
        return None, resolver.refusal(host) or f"cannot resolve {host}"


def _origin_form(method: str, url: str, header_lines: list[str]) -> bytes:
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    kept = [line for line in header_lines if line and line.split(":", 1)[0].strip().lower()
            not in ("connection", "proxy-connection", "keep-alive", "proxy-authorization")]
    return (f"{method} {path} HTTP/1.1\r\n" + "".join(f"{line}\r\n" for line in kept)
            + "Connection: close\r\n\r\n").encode("latin-1")


def _content_length(header_lines: list[str]) -> int:
    for line in header_lines:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length" and value.strip().isdigit():
            return int(value.strip())
    return 0


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            data = await asyncio.wait_for(reader.read(65536), IDLE_SECONDS)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    finally:
        with contextlib.suppress(OSError):
            writer.close()


class PolicyPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's download handler with Chromium behind the request policy (see the module)."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self.policy_crawler = crawler
        # PLAYWRIGHT_ABORT_REQUEST's hook, bound to this crawl's policy; a project's own predicate still runs.
        self.project_abort_request = self.abort_request
        self.abort_request = self.refuse
        self.proxies: dict[str | None, PolicyProxy] = {}
        self._context_portals: dict[Any, str | None] = {}
        self._loads: dict[Page, set[str]] = {}
        self._start_lock = asyncio.Lock()
        crawler.signals.connect(self._close_proxies, signal=signals.spider_closed)

    # -- lazy start: Playwright's driver and Chromium only when a page needs them ------------------------

    def _engine_started(self) -> None:  # type: ignore[override]
        """scrapy-playwright starts Playwright with the engine; ours waits for the first page."""

    async def _maybe_launch_in_thread(self) -> None:
        """As ``_engine_started`` (the hook scrapy-playwright connects under Scrapy's async API)."""

    async def _download_request(self, request: Any, spider: Any = None) -> Any:
        async with self._start_lock:
            if getattr(self, "browser_provider", None) is None:
                started = time.perf_counter()
                await self._launch()
                self.policy_crawler.stats.set_value("nianbao/browser/driver_start_s",
                                                    round(time.perf_counter() - started, 3))
        return await super()._download_request(request, spider)

    async def _maybe_launch_browser(self) -> None:
        started, launching = time.perf_counter(), not hasattr(self, "browser")
        await super()._maybe_launch_browser()
        if launching:
            self.policy_crawler.stats.set_value("nianbao/browser/launch_s", round(time.perf_counter() - started, 3))

    async def _download_request_with_page(self, request: Any, page: Page, spider: Any) -> Any:
        """A rendering, with what the page loaded besides itself noted in ``meta[LOADED_META]``."""
        self._loads[page] = set()
        started = time.perf_counter()
        try:
            response = await super()._download_request_with_page(request, page, spider)
        finally:
            loaded = self._loads.pop(page, set())
            stats = self.policy_crawler.stats
            stats.inc_value("nianbao/browser/renders")
            stats.inc_value("nianbao/browser/render_s", round(time.perf_counter() - started, 3))
        request.meta[LOADED_META] = sorted(loaded)
        return response

    async def _proxy(self, portal_id: str | None) -> PolicyProxy:
        if portal_id not in self.proxies:
            self.proxies[portal_id] = await PolicyProxy(self.policy_crawler, portal_id).start()
        return self.proxies[portal_id]

    async def _create_browser_context(self, name: str, context_kwargs: dict | None,
                                      spider: Any = None) -> BrowserContextWrapper:
        portal_id = name.removeprefix(CONTEXT_PREFIX) if name.startswith(CONTEXT_PREFIX) else None
        # The browser-wide proxy (for anything outside a context) knows no portal: address rules only.
        self.config.launch_options["proxy"] = {"server": (await self._proxy(None)).url}
        kwargs = {
            **(context_kwargs or {}),
            # Same trust as Scrapy's own downloader: county portals run on expired and self-signed certificates.
            "ignore_https_errors": True,
            "proxy": {"server": (await self._proxy(portal_id)).url},
        }
        # Every request the browser makes (scripts, data, favicons too, not only the navigations Scrapy's
        # headers reach) names the crawler as Scrapy's own requests do.
        kwargs.setdefault("user_agent", self.policy_crawler.settings.get("USER_AGENT"))
        wrapper = await super()._create_browser_context(name, kwargs, spider)
        self._context_portals[wrapper.context] = portal_id
        return wrapper

    async def refuse(self, request: PlaywrightRequest) -> bool:
        """True when the browser must not make ``request`` (recorded unless merely not needed)."""
        if request.resource_type in SKIPPED_TYPES:
            return True
        if urlsplit(request.url).scheme in LOCAL_SCHEMES:
            return False
        portal_id, parent, kind, page = None, None, "resource", None
        with contextlib.suppress(Exception):  # service-worker requests have no frame
            frame = request.frame
            page = frame.page
            portal_id = self._context_portals.get(page.context)
            parent = page.url
            if request.is_navigation_request() and frame == page.main_frame:
                kind = "page"
        reason = policy_for(self.policy_crawler).refuse(request.url, portal_id, kind)
        if reason:
            self.policy_crawler.stats.inc_value("nianbao/refused/browser")
            self.policy_crawler.signals.send_catch_log(browser_request_refused, portal_id=portal_id,
                                                       url=request.url, parent_url=parent, reason=reason)
            return True
        if self.project_abort_request is not None:
            verdict = self.project_abort_request(request)
            if bool(await verdict) if inspect.isawaitable(verdict) else bool(verdict):
                return True
        if kind == "resource" and page in self._loads:
            self._loads[page].add(request.url)
        return False

    async def _close_proxies(self) -> None:
        for proxy in self.proxies.values():
            await proxy.close()
        self.proxies.clear()
