"""Per-client token buckets and concurrency gates, and the key that names a client.

Why not a rate-limiting library: the work budget charges a request its cost only when the request
ends (how long its queries ran is not known before), which a bucket allowed to go into debt does in
three lines and the moving/fixed windows of ``limits`` cannot do without refusing the charge; and an
in-memory bucket table bounded by least-recent use needs no expiry thread.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


def client_key(scope: dict) -> str:
    """Who is asking: the connection's address, as uvicorn reports it after its proxy-header check.

    IPv6 clients are keyed by their /64, the block one subscriber gets: otherwise a single machine
    could take a fresh address (and a fresh allowance) for every request.
    """
    client = scope.get("client")
    host = client[0] if client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host or "unknown"  # a Unix socket, or a test client without an address
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


@dataclass
class _Bucket:
    tokens: float
    updated: float


class Buckets:
    """A token bucket per client: ``capacity`` tokens, refilled evenly over ``period`` seconds.

    ``capacity`` 0 means no limit. The table keeps at most ``max_keys`` clients, forgetting the least
    recently seen, so a flood of addresses costs bounded memory (a forgotten client starts full).
    """

    def __init__(self, capacity: float, *, period: float = 60.0, max_keys: int = 50_000,
                 clock: Callable[[], float] = time.monotonic):
        self.capacity = float(capacity)
        self.rate = self.capacity / period if period else 0.0
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def _bucket(self, key: str) -> _Bucket:
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self.capacity, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        else:
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            self._buckets.move_to_end(key)
        return bucket

    def take(self, key: str, cost: float = 1.0) -> float:
        """Take ``cost`` tokens if there are that many: 0.0; else the seconds until there will be."""
        if not self.enabled:
            return 0.0
        bucket = self._bucket(key)
        if bucket.tokens >= cost:
            bucket.tokens -= cost
            return 0.0
        return (cost - bucket.tokens) / self.rate

    def wait(self, key: str) -> float:
        """0.0 while the client has anything left; else the seconds until its debt is repaid."""
        if not self.enabled:
            return 0.0
        bucket = self._bucket(key)
        return 0.0 if bucket.tokens > 0 else (1e-3 - bucket.tokens) / self.rate

    def used(self, key: str) -> float:
        """How much of the bucket the client has spent and not yet got back."""
        return self.capacity - self._bucket(key).tokens if self.enabled else 0.0

    def charge(self, key: str, cost: float) -> None:
        """Charge a cost known only afterwards; the debt is at most one full bucket."""
        if self.enabled:
            bucket = self._bucket(key)
            bucket.tokens = max(-self.capacity, bucket.tokens - cost)


class Gate:
    """At most ``running`` requests of one client at once, ``queued`` more waiting; the rest are refused.

    Asyncio primitives belong to one event loop: a server has one, but tests start a loop per request,
    so the semaphores are kept per loop (counts of waiting requests cannot outlive their loop anyway).
    """

    def __init__(self, running: int, queued: int):
        self.running = running
        self.queued = queued
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, list]] = weakref.WeakKeyDictionary()

    def _entries(self) -> dict[str, list]:
        loop = asyncio.get_running_loop()
        entries = self._loops.get(loop)
        if entries is None:
            entries = self._loops[loop] = {}
        return entries

    def enter(self, key: str) -> asyncio.Semaphore | None:
        """Count the request in; None when the client already has too many in flight."""
        entries = self._entries()
        entry = entries.get(key)
        if entry is None:
            entry = entries[key] = [asyncio.Semaphore(self.running), 0]
        if entry[1] >= self.running + self.queued:
            return None
        entry[1] += 1
        return entry[0]

    def leave(self, key: str) -> None:
        entries = self._entries()
        entry = entries[key]
        entry[1] -= 1
        if entry[1] == 0:
            del entries[key]


class Slots:
    """A fixed number of places shared by every client, one semaphore per event loop (see ``Gate``)."""

    def __init__(self, size: int):
        self.size = size
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()

    def semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        found = self._loops.get(loop)
        if found is None:
            found = self._loops[loop] = asyncio.Semaphore(self.size)
        return found
