"""The guard's ASGI middleware: what every request to the site passes before and after Datasette.

In order, for each HTTP request:

1. methods: the site is read-only, so only GET, HEAD and OPTIONS reach Datasette (405 otherwise; a
   POST to a canned query used to crash Datasette 0.65 with a 500);
2. static files (``static_prefixes``) go straight through: they are files, cheap and often large;
3. the client is named by ``client_key``: the connection's address as uvicorn reports it, which takes
   ``X-Forwarded-For`` only from the proxies ``FORWARDED_ALLOW_IPS`` trusts (``nianbao serve`` sets it
   from ``--trusted-proxy``; nobody by default);
4. rate limits per client: every request, requests with a query string of any shape, and the seconds
   of query work the client has used; 429 with ``Retry-After`` past any of them; then parameters that
   Datasette 0.65 would crash on are refused with 400 (``params``);
5. concurrency: a client runs ``concurrent_per_client`` requests at once and queues a few more; requests
   with a query string also need one of ``query_slots`` shared places, so the slowest queries of every
   client together never hold all of Datasette's SQL threads and plain pages stay fast; a query that
   runs past ``heavy_query_seconds`` needs the one heavy slot as well, or is stopped there, so at
   most one slow query runs at a time and holds one core of the machine (503 with ``Retry-After``
   when no place frees within ``slot_wait_seconds``);
6. every request has a deadline (``request_seconds``) and every dynamic response a size cap
   (``max_response_bytes``): a response found too large before it starts is refused with 400; one that
   grows too large while streaming is cut off, the connection closed so the client sees it incomplete.
"""

from __future__ import annotations

import asyncio
import math
import time

from archive.guard.config import GuardConfig
from archive.guard.errors import PlainError
from archive.guard.limits import Buckets, Gate, Slots, client_key
from archive.guard.params import malformed

ALLOWED_METHODS = ("GET", "HEAD", "OPTIONS")

TOO_MANY = "请求过于频繁，请稍后再试 / Too many requests: please wait a moment and try again"
TOO_MANY_AT_ONCE = "同时发出的请求过多 / Too many requests at once from your address"
BUSY = "服务器繁忙，请稍后再试 / The server is busy: please try again shortly"
SLOW_BUSY = ("慢查询过多，请稍后再试 / Another slow query is running: this one was stopped; "
             "try again shortly, or ask for less")
TOO_SLOW = "请求处理超时 / The request took too long and was stopped"
TOO_LARGE = ("结果过大，请减少行数或列数，或下载快照 / The result is too large: ask for fewer rows or "
             "columns (_size, _col), or download the snapshot at /downloads")


class ResponseTooLarge(BaseException):
    """Raised from the capped ``send``. A ``BaseException``, like ``CancelledError``, so that Datasette's
    own ``except Exception`` handlers (which would try to send an error page) let it through."""


class _CappedSend:
    """Wraps ``send``: holds the response start until the first body part, counts the bytes sent."""

    def __init__(self, send, limit: int | None):
        self.send = send
        self.limit = limit
        self.held: dict | None = None
        self.started = False
        self.sent = 0

    async def __call__(self, message: dict) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            self.held = message
            return
        if kind == "http.response.body":
            size = len(message.get("body", b""))
            if self.limit is not None and self.sent + size > self.limit:
                raise ResponseTooLarge()
            if self.held is not None:
                await self.send(self.held)
                self.held, self.started = None, True
            self.sent += size
        await self.send(message)


class GuardMiddleware:
    def __init__(self, app, config: GuardConfig, *, cors: bool = False, sql_seconds: float = 3.0):
        self.app = app
        self.config = config
        self.cors = cors
        self.sql_seconds = sql_seconds  # Datasette's sql_time_limit_ms: how long a query may still run
        self.requests = Buckets(config.requests_per_minute, max_keys=config.max_clients)
        self.queries = Buckets(config.queries_per_minute, max_keys=config.max_clients)
        self.work = Buckets(config.work_seconds_per_minute, max_keys=config.max_clients)
        self.gate = Gate(config.concurrent_per_client, config.queued_per_client)
        self.slots = Slots(config.query_slots)
        self.heavy = Slots(config.heavy_slots)
        # A bucket of one token that a slow query empties and that refills over heavy_for_seconds.
        self.slow = Buckets(1, period=config.heavy_for_seconds, max_keys=config.max_clients)
        self._abandoned: set[asyncio.Task] = set()  # stopped requests, kept referenced until they end

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        if method not in ALLOWED_METHODS:
            allow = {"allow": ", ".join(ALLOWED_METHODS)}
            await self._refuse(send, scope, PlainError(405, "只读网站 / This site is read-only", allow))
            return
        if path.startswith(self.config.static_prefixes):
            await self.app(scope, receive, send)
            return
        key = client_key(scope)
        query = bool(scope.get("query_string"))
        wait = self.requests.take(key) or (query and (self.queries.take(key) or self.work.wait(key)))
        if wait:
            await self._refuse(send, scope, PlainError(429, TOO_MANY, _retry_after(wait)))
            return
        problem = malformed(path, scope.get("query_string", b""))
        if problem:
            await self._refuse(send, scope, PlainError(400, problem))
            return
        line = self.gate.enter(key)
        if line is None:
            await self._refuse(send, scope, PlainError(429, TOO_MANY_AT_ONCE, _retry_after(1)))
            return
        uncapped = path in self.config.uncapped_paths or path.startswith(self.config.uncapped_prefixes)
        capped = _CappedSend(send, None if uncapped else self.config.max_response_bytes)
        try:
            async with asyncio.timeout(self.config.request_seconds):
                await self._admitted(scope, receive, capped, line, key, query)
        except ResponseTooLarge:
            if not capped.started:
                await self._refuse(send, scope, PlainError(400, TOO_LARGE))
            # else: part of the body is out; returning without finishing makes the server close the
            # connection, so the client knows the response is incomplete.
        except TimeoutError:
            if not capped.started:
                await self._refuse(send, scope, PlainError(503, TOO_SLOW, _retry_after(10)))
        finally:
            self.gate.leave(key)

    async def _admitted(self, scope, receive, send: _CappedSend, line: asyncio.Semaphore, key: str, query: bool) -> None:
        async with line:
            if query:
                await self._query(scope, receive, send, key)
            else:
                await self.app(scope, receive, send)

    async def _query(self, scope, receive, send: _CappedSend, key: str) -> None:
        """A query-carrying request: it holds a query slot, and runs past ``heavy_query_seconds`` only
        while it holds the heavy slot too. A client known to be slow takes that slot before it starts;
        any other takes it when it crosses the mark, or is stopped there with a 503 if another slow
        query holds it. A stopped request's SQL may still run up to Datasette's time limit in its
        thread, so its slots are given back only when that time is up."""
        known_slow = self.slow.used(key) > 0
        query_slot, heavy_slot = self.slots.semaphore(), self.heavy.semaphore()
        taken: list[asyncio.Semaphore] = []
        try:
            async with asyncio.timeout(self.config.slot_wait_seconds):
                for place in [heavy_slot, query_slot] if known_slow else [query_slot]:
                    await place.acquire()
                    taken.append(place)
        except TimeoutError:
            self._release(taken, 0.0)
            await self._refuse(send, scope, PlainError(503, BUSY, _retry_after(self.config.slot_wait_seconds)))
            return
        started = time.monotonic()
        task = asyncio.ensure_future(self.app(scope, receive, send))
        try:
            if not known_slow:
                done, _ = await asyncio.wait({task}, timeout=self.config.heavy_query_seconds)
                if not done:
                    self.slow.charge(key, 1)
                    if heavy_slot.locked():
                        task.cancel()
                        if not send.started:
                            await self._refuse(send, scope, PlainError(503, SLOW_BUSY, _retry_after(self.sql_seconds)))
                        return
                    await heavy_slot.acquire()  # free: taken at once
                    taken.append(heavy_slot)
            await task
        finally:
            seconds = time.monotonic() - started
            self.work.charge(key, seconds)
            if seconds > self.config.heavy_query_seconds:
                self.slow.charge(key, 1)
            abandoned = not task.done() or task.cancelled()
            if not task.done():
                task.cancel()
                self._abandoned.add(task)
                task.add_done_callback(self._abandoned.discard)
            self._release(taken, self.sql_seconds if abandoned else 0.0)

    def _release(self, places: list[asyncio.Semaphore], after: float) -> None:
        if not after:
            for place in places:
                place.release()
            return
        asyncio.get_running_loop().call_later(after, lambda: [place.release() for place in places])

    async def _refuse(self, send, scope, error: PlainError) -> None:
        await error.send(send, scope["path"], cors=self.cors, head=scope["method"] == "HEAD")


def _retry_after(seconds: float) -> dict[str, str]:
    return {"retry-after": str(max(1, math.ceil(seconds)))}
