"""A resolver for tests that knows no names, so DNS failures are tested without asking any DNS server."""

from __future__ import annotations

from twisted.internet import defer
from twisted.internet.abstract import isIPAddress
from twisted.internet.error import DNSLookupError
from twisted.internet.interfaces import IResolverSimple
from zope.interface import implementer


@implementer(IResolverSimple)
class NoDnsResolver:
    def __init__(self, reactor):
        self.reactor = reactor

    @classmethod
    def from_crawler(cls, crawler, reactor) -> "NoDnsResolver":
        return cls(reactor)

    def install_on_reactor(self) -> None:
        self.reactor.installResolver(self)

    def getHostByName(self, name: str, timeout=()) -> defer.Deferred:
        if isIPAddress(name):
            return defer.succeed(name)
        return defer.fail(DNSLookupError(f"no such host: {name}"))
