"""A resolver for tests that asks no DNS server: it knows the names the test gives it, and no others.

It is the policy's resolver with its lookup replaced, so what it answers is checked exactly as a real
answer would be. ``FAKEDNS_HOSTS`` (a test-only setting) maps names to addresses:
``-s FAKEDNS_HOSTS=files.example.gov.cn=10.0.0.7,dl.example.gov.cn=203.0.113.5``.
"""

from __future__ import annotations

import socket

from twisted.internet import defer
from twisted.internet.error import DNSLookupError

from crawler.policy import PublicAddressResolver


class NoDnsResolver(PublicAddressResolver):
    hosts: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler, reactor) -> "NoDnsResolver":
        resolver = super().from_crawler(crawler, reactor)
        pairs = (item.split("=", 1) for item in crawler.settings.getlist("FAKEDNS_HOSTS") if "=" in item)
        resolver.hosts = {name.strip().lower(): address.strip() for name, address in pairs}
        return resolver

    def lookup(self, name: str, timeout=()) -> defer.Deferred:
        if name.lower() in self.hosts:
            return defer.succeed(self.hosts[name.lower()])
        try:  # numeric hosts in any notation (10.1, 167772161, 0x0a000001), as the C library reads them
            return defer.succeed(socket.inet_ntoa(socket.inet_aton(name)))
        except OSError:
            return defer.fail(DNSLookupError(f"no such host: {name}"))
