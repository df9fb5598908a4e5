"""The request policy: where the crawler may connect, checked the same way on every path.

A listing is input written by strangers. Before issue 13 a ``file:///etc/passwd`` link, a link to
169.254.169.254 or a 302 to 192.168.1.1 was fetched, stored and published like a report. The rules:

- only ``http`` and ``https`` (Scrapy's ``file``, ``data``, ``ftp`` and ``s3`` handlers are off too);
- the address connected to is public: names are resolved by ``PublicAddressResolver``, which checks
  the address and hands the very same address to the connection, so a second, different answer (DNS
  rebinding) is never used; address literals (IPv4, IPv6, IPv4-mapped, 6to4, NAT64) are checked as such;
- listings and report pages stay on the portal's host (``www.`` or not) and its registry ``aliases``;
  attachments, and what the browser loads for a page, may also come from hosts under the allowed
  domains (``NIANBAO_ATTACHMENT_DOMAINS``, ``*.gov.cn`` unless the registry row's ``allowed_domains``
  says otherwise).

``NIANBAO_ALLOW_PRIVATE_HOSTS`` lists the only non-public addresses or networks that may be connected
to: the bundled farm and the tests run on 127.0.0.1 through it, and the shipped settings leave it empty.

Every path goes through here: ``PolicyMiddleware`` sees each request before robots.txt is asked
(spider requests, redirects rescheduled by the engine, robots.txt fetches); ``PolicyRedirectMiddleware``
refuses a redirect's target before it is scheduled; ``ConnectRefusalMiddleware`` turns a resolver
refusal back into its reason; ``crawler.browser`` applies the same checks to Chromium's requests.
A refused request raises ``Refused`` and the spider records it as a ``refused`` fetch with its reason.
"""

from __future__ import annotations

import ipaddress
import logging
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest
from scrapy.http import Response
from scrapy.resolver import CachingThreadedResolver
from scrapy.settings import BaseSettings
from scrapy.utils.datatypes import LocalCache
from twisted.internet import defer
from twisted.internet.error import DNSLookupError
from twisted.internet.interfaces import IResolverSimple
from zope.interface import implementer

from crawler.middlewares import META_KEY

logger = logging.getLogger(__name__)

SCHEMES = ("http", "https")
# Kinds whose host must be the portal's own; the others (attachment, resource) may also be under the
# allowed domains. ``robots`` and requests of other spiders get the scheme and address rules only.
PAGE_KINDS = ("listing", "api", "page")
WIDE_KINDS = ("attachment", "resource")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_FLAGS = (
    ("is_unspecified", "an unspecified"),
    ("is_loopback", "a loopback"),
    ("is_link_local", "a link-local"),
    ("is_multicast", "a multicast"),
    ("is_private", "a private"),
    ("is_reserved", "a reserved"),
)


class Refused(IgnoreRequest):
    """A request the policy will not make; ``reason`` says why, for the ``fetches`` row."""

    def __init__(self, reason: str):
        super().__init__(f"refused: {reason}")
        self.reason = reason


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo client, NAT64), if any."""
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_problem(address: IPAddress) -> str | None:
    """What ``address`` is when it is not public (``"a private address"``, ``"mapped to 10.0.0.1, a
    private address"``), or None when it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            problem = address_problem(embedded)
            return f"mapped to {embedded}, {problem}" if problem else None
    for flag, label in _FLAGS:
        if getattr(address, flag):
            return f"{label} address"
    if not address.is_global:
        return "not a public address"
    return None


def parse_address(text: str) -> IPAddress | None:
    """An IP address literal (IPv6 with or without brackets and zone), or None for a host name."""
    try:
        return ipaddress.ip_address(text.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


@dataclass(frozen=True)
class AddressRules:
    """Which addresses may be connected to: public ones, and the few networks explicitly allowed."""

    allowed: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> "AddressRules":
        networks = []
        for value in settings.getlist("NIANBAO_ALLOW_PRIVATE_HOSTS"):
            try:
                networks.append(ipaddress.ip_network(value.strip(), strict=False))
            except ValueError:
                raise ValueError(f"NIANBAO_ALLOW_PRIVATE_HOSTS: {value!r} is not an address or network") from None
        return cls(tuple(networks))

    def refuse(self, text: str) -> str | None:
        """Why the address ``text`` may not be connected to, or None."""
        address = parse_address(text)
        if address is None:
            return f"{text!r} is not an address"
        candidates = [address]
        if isinstance(address, ipaddress.IPv6Address) and (embedded := _embedded_ipv4(address)):
            candidates.append(embedded)
        if any(a.version == n.version and a in n for a in candidates for n in self.allowed):
            return None
        problem = address_problem(address)
        return f"{text}: {problem}" if problem else None


def _bare(host: str) -> str:
    """A host as scopes compare it: lower case, no trailing dot, ``www.`` and the bare name alike."""
    host = host.lower().rstrip(".")
    return host.removeprefix("www.")


def under(host: str, domain: str) -> bool:
    host, domain = host.lower().rstrip("."), domain.lower().strip(".")
    return host == domain or host.endswith("." + domain)


@dataclass(frozen=True)
class Scope:
    """One portal's reach: its own hosts, and the domains its files and scripts may come from."""

    hosts: frozenset[str]
    domains: tuple[str, ...]

    def refuse(self, host: str, kind: str) -> str | None:
        if _bare(host) in self.hosts:
            return None
        if kind in PAGE_KINDS:
            return f"host {host} is not the portal's ({', '.join(sorted(self.hosts))}; registry column aliases)"
        if kind in WIDE_KINDS and not any(under(host, domain) for domain in self.domains):
            allowed = ", ".join(f"*.{d}" for d in self.domains) or "none"
            return f"host {host} is neither the portal's nor under the allowed domains ({allowed})"
        return None


@dataclass
class RequestPolicy:
    """The whole policy for one crawl: address rules, and a scope per portal of the spider."""

    addresses: AddressRules
    default_domains: tuple[str, ...]
    scopes: dict[str, Scope] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> "RequestPolicy":
        domains = tuple(d.strip().strip(".") for d in settings.getlist("NIANBAO_ATTACHMENT_DOMAINS") if d.strip())
        return cls(AddressRules.from_settings(settings), domains)

    def add_portals(self, portals: Iterable[Any]) -> None:
        """Scopes from registry rows (``archive.registry.Portal``: start_url, aliases, allowed_domains)."""
        for portal in portals:
            hosts = {urlsplit(portal.start_url).hostname or "", *portal.alias_hosts}
            domains = tuple(portal.domain_list) or self.default_domains
            self.scopes[portal.site_id] = Scope(frozenset(_bare(h) for h in hosts if h), domains)

    def refuse(self, url: str, portal_id: str | None = None, kind: str = "robots") -> str | None:
        """Why ``url`` may not be requested for this portal and kind, or None. Names are checked later,
        by the resolver, when their address is known."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in SCHEMES:
            return f"scheme {scheme or '(none)'}: only http and https are fetched"
        try:
            host = parts.hostname
        except ValueError:
            host = None
        if not host:
            return f"no host in {url[:200]}"
        if parse_address(host) is not None:
            problem = self.addresses.refuse(host)
            if problem:
                return problem
        scope = self.scopes.get(portal_id or "")
        return scope.refuse(host, kind) if scope else None

    def refuse_request(self, request: Request) -> str | None:
        info = request.meta.get(META_KEY) or {}
        return self.refuse(request.url, info.get("portal_id"), info.get("kind", "robots"))


_policies: weakref.WeakKeyDictionary[Crawler, RequestPolicy] = weakref.WeakKeyDictionary()


def policy_for(crawler: Crawler) -> RequestPolicy:
    """The crawl's one policy, shared by the middlewares and the browser handler."""
    policy = _policies.get(crawler)
    if policy is None:
        policy = _policies[crawler] = RequestPolicy.from_settings(crawler.settings)
    if not policy.scopes and crawler.spider is not None:
        policy.add_portals(getattr(crawler.spider, "portals", ()))
    return policy


# -- the resolver: the address connected to is the address checked ------------------------------------------


@implementer(IResolverSimple)
class PublicAddressResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, answering only addresses the policy allows (``TWISTED_DNS_RESOLVER``).

    Twisted connects to exactly the address a resolver returns, so checking it here leaves no window
    between the check and the connection. A refused name fails like an unknown one (Twisted turns any
    failure into "no results"); ``refusals`` keeps the real reason for ``ConnectRefusalMiddleware``.
    Scrapy builds resolvers from the crawler process, so only settings are available here.
    """

    def __init__(self, reactor: Any, cache_size: int, timeout: float, rules: AddressRules):
        super().__init__(reactor, cache_size, timeout)
        self.rules = rules
        self.refusals: LocalCache[str, str] = LocalCache(10000)

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> "PublicAddressResolver":
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        return cls(reactor, cache_size, settings.getfloat("DNS_TIMEOUT"), AddressRules.from_settings(settings))

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred:
        deferred = self.lookup(name, timeout)
        deferred.addCallback(self._checked, name)
        return deferred

    def lookup(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred:
        """The plain lookup (cached); tests override it to answer without a DNS server."""
        return super().getHostByName(name, timeout)

    def _checked(self, address: str, name: str) -> str:
        problem = self.rules.refuse(address)
        if problem is None:
            return address
        # "10.0.0.7: a private address", or "files.x.gov.cn resolves to 10.0.0.7: a private address"
        reason = problem if parse_address(name) else f"{name} resolves to {problem}"
        self.refusals[name.lower()] = reason
        logger.info("Refused %s: %s", name, reason)
        raise DNSLookupError(reason)

    def refusal(self, host: str) -> str | None:
        return self.refusals.get(host.lower())


def installed_resolver() -> PublicAddressResolver | None:
    from twisted.internet import reactor

    resolver = getattr(reactor, "resolver", None)
    return resolver if isinstance(resolver, PublicAddressResolver) else None


# -- downloader middlewares ---------------------------------------------------------------------------------


class PolicyMiddleware:
    """Refuses requests the policy forbids, before robots.txt is asked and before any connection.

    Placed ahead of RobotsTxtMiddleware (100), so a forbidden host is not even asked for robots.txt;
    robots.txt requests pass here as well (kind ``robots``: scheme and address rules).
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "PolicyMiddleware":
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if installed_resolver() is None:
            raise Refused("the reactor's resolver is not crawler.policy.PublicAddressResolver "
                          "(TWISTED_DNS_RESOLVER), so addresses could not be checked")
        reason = policy_for(self.crawler).refuse_request(request)
        if reason:
            self.crawler.stats.inc_value("nianbao/refused")
            raise Refused(reason)


class ConnectRefusalMiddleware:
    """Gives a connection the resolver refused its reason, so it is recorded as ``refused`` and not
    retried as a DNS failure. Placed next to the downloader (900), before retries see the error."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ConnectRefusalMiddleware":
        return cls(crawler)

    def process_exception(self, request: Request, exception: Exception) -> None:
        if not isinstance(exception, (DNSLookupError, CannotResolveHostError)):
            return None
        resolver = installed_resolver()
        reason = resolver.refusal(urlsplit(request.url).hostname or "") if resolver else None
        if reason:
            self.crawler.stats.inc_value("nianbao/refused")
            raise Refused(reason)
        return None


class _PolicyRedirects:
    """Redirect targets go through the policy before they are scheduled, so the refusal names the
    redirect; redirected requests skip the duplicate filter (they continue an admitted request, and a
    dropped one would leave no record) and a chain that comes back to a URL twice is a loop."""

    crawler: Crawler

    def _build_redirect_request(self, source_request: Request, response: Response, *, url: str,
                                **kwargs: Any) -> Request:
        redirected = super()._build_redirect_request(source_request, response, url=url, **kwargs)  # type: ignore[misc]
        reason = policy_for(self.crawler).refuse_request(redirected)
        if reason:
            self.crawler.stats.inc_value("nianbao/refused")
            raise Refused(f"redirect to {url[:300]}: {reason}")
        return redirected

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if chain.count(redirected.url) >= 2:
            raise IgnoreRequest(f"redirect loop: {' -> '.join([*chain, redirected.url][-4:])}")
        result = super()._redirect(redirected, request, reason)  # type: ignore[misc]
        result.dont_filter = True
        return result


class PolicyRedirectMiddleware(_PolicyRedirects, RedirectMiddleware):
    """Scrapy's RedirectMiddleware under the request policy."""


class PolicyMetaRefreshMiddleware(_PolicyRedirects, MetaRefreshMiddleware):
    """Scrapy's MetaRefreshMiddleware under the request policy."""
