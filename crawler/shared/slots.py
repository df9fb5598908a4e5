"""Politeness across workers: a per-host slot in Redis that every request takes a lease in before it goes.

One process never has more than its slot's concurrency (``CONCURRENT_REQUESTS_PER_DOMAIN``, or the
slot's own in ``DOWNLOAD_SLOTS``) requests under way to a host, and starts them its slot's delay apart
(``DOWNLOAD_DELAY`` with Scrapy's jitter, raised by AutoThrottle). Workers of a shared crawl each have
such a slot, so together they could do several times that. Here a request also needs a lease in the
host's Redis slot, taken right before it goes on the wire and given back when its answer is in: the
slot grants at most the local slot's concurrency leases at once, and a new one only once the delay the
local slot draws has passed since the last was granted (Redis's clock, so machines need not agree on the
time). Leases expire unless their worker's heartbeat renews them, so a killed worker's leases free
themselves. The lease is taken in the downloader, around its download handler (``SharedSlotsDownloader``):
whatever else a request waits for (robots.txt, the local slot, a retry's backoff) comes before.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from typing import Any

import redis
from scrapy import Request
from scrapy.core.downloader import Downloader
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.shared.keys import SlotKeys

# KEYS: leases, next start. ARGV: lease id, limit, delay (ms), lease time to live (ms).
# Returns {0, now} when granted, {wait ms, now} when the delay has not passed, {-1, now} when full.
_ACQUIRE = """
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return {-1, now} end
local next_start = tonumber(redis.call('GET', KEYS[2]) or '0')
if now < next_start then return {next_start - now, now} end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]) * 2)
local delay = tonumber(ARGV[3])
if delay > 0 then redis.call('SET', KEYS[2], now + delay, 'PX', delay + 1000) end
return {0, now}
"""

# KEYS: lease sets. ARGV: time to live (ms), then one lease id per key. Extends leases still held.
_RENEW = """
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], 'XX', now + tonumber(ARGV[1]), ARGV[i + 1])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[1]) * 2)
end
return #KEYS
"""

POLL_START, POLL_MAX = 0.02, 0.25  # seconds between looks at a full slot


class HostSlots:
    """This worker's leases in the hosts' Redis slots."""

    def __init__(self, server: redis.Redis, owner: str, ttl_s: float):
        self.server = server
        self.owner = owner
        self.ttl_ms = int(ttl_s * 1000)
        self.held: dict[str, str] = {}  # lease id → host
        self.lock = threading.Lock()  # the heartbeat thread renews what the reactor holds
        self.counter = itertools.count()
        self._acquire = server.register_script(_ACQUIRE)
        self._renew = server.register_script(_RENEW)

    def try_acquire(self, host: str, limit: int, delay_s: float) -> tuple[str | None, float, int]:
        """One attempt: (lease id or None, seconds to wait before the next attempt, Redis's time in ms)."""
        lease = f"{self.owner}:{next(self.counter)}"
        keys = SlotKeys(host)
        code, now = self._acquire(keys=[keys.leases, keys.next_start],
                                  args=[lease, max(1, limit), int(delay_s * 1000), self.ttl_ms])
        if code == 0:
            with self.lock:
                self.held[lease] = host
            return lease, 0.0, int(now)
        return None, (code / 1000 if code > 0 else -1.0), int(now)

    async def acquire(self, host: str, limit: int, delay_s: float) -> str:
        poll = POLL_START
        while True:
            lease, wait, _ = self.try_acquire(host, limit, delay_s)
            if lease is not None:
                return lease
            if wait >= 0:
                await asyncio.sleep(wait)
            else:
                await asyncio.sleep(poll)
                poll = min(poll * 1.5, POLL_MAX)

    def release(self, lease: str) -> None:
        with self.lock:
            host = self.held.pop(lease, None)
        if host is not None:
            self.server.zrem(SlotKeys(host).leases, lease)

    def renew(self) -> None:
        with self.lock:
            held = list(self.held.items())
        if held:
            self._renew(keys=[SlotKeys(host).leases for _, host in held],
                        args=[self.ttl_ms, *(lease for lease, _ in held)])

    def release_all(self) -> None:
        for lease in list(self.held):
            self.release(lease)


class _LeasedHandlers:
    """The downloader's handlers, each download made under a lease of its host's shared slot."""

    def __init__(self, handlers: Any, downloader: Downloader, slots: HostSlots):
        self._handlers = handlers
        self._downloader = downloader
        self._slots = slots

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handlers, name)

    async def download_request_async(self, request: Request) -> Response:
        downloader = self._downloader
        key = request.meta.get(Downloader.DOWNLOAD_SLOT) or downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        limit = slot.concurrency if slot is not None else downloader.domain_concurrency
        delay = slot.download_delay() if slot is not None else 0.0
        lease = await self._slots.acquire(key, limit, delay)
        try:
            return await self._handlers.download_request_async(request)
        finally:
            self._slots.release(lease)


class SharedSlotsDownloader(Downloader):
    """Scrapy's downloader (``DOWNLOADER``), its downloads under the shared per-host slots."""

    def __init__(self, crawler: Crawler):
        from crawler.shared.worker import SharedCrawl

        super().__init__(crawler)
        hub = crawler.get_extension(SharedCrawl)
        if hub is None:
            raise RuntimeError("SharedSlotsDownloader needs the SharedCrawl extension (crawler.shared.addon)")
        self.shared_slots = HostSlots(hub.server, hub.worker, hub.timeout)
        hub.slots = self.shared_slots
        self.handlers = _LeasedHandlers(self.handlers, self, self.shared_slots)

    def close(self) -> None:
        super().close()
        self.shared_slots.release_all()
