"""Portals found in reports: the URLs a report mentions become registry candidates, if they may be crawled.

Reports name their organ's disclosure platform (``本机关政府信息公开平台 http://…``); those addresses are
how the registry grows beyond the portals a person listed. But a report is text anyone could have
written, so an address is only accepted when it is on an allowed domain (``*.gov.cn`` by default) and
is not an address inside our own network: a crawler that follows ``http://127.0.0.1:8080/`` or
``http://10.0.0.5/`` out of a document would be a server-side request forgery waiting to happen. The
demo, whose farm lives on 127.0.0.1, is the one place that allows loopback, and only for its own ports.
"""

from __future__ import annotations

import fnmatch
import hashlib
import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

DEFAULT_ALLOWED = ("*.gov.cn",)
CANDIDATE = "candidate"
# Host names that always mean "this machine or its network", whatever DNS says.
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa", ".localdomain")
INDEX_PAGES = re.compile(r"/(index|default)\.(s?html?|jsp|php|aspx?)$", re.IGNORECASE)


@dataclass(frozen=True)
class DiscoveryPolicy:
    """Which addresses may become candidates.

    ``allowed`` holds host patterns (``*.gov.cn`` also admits ``gov.cn`` itself), optionally with a
    port (``127.0.0.1:8765``). ``allow_private`` admits loopback and private addresses: only the demo
    sets it, and then only for the hosts it lists in ``allowed``.
    """

    allowed: tuple[str, ...] = DEFAULT_ALLOWED
    allow_private: bool = False


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str


def _host_is_internal(host: str) -> str | None:
    """Why ``host`` points inside our own machine or network, or None when it does not."""
    host = host.strip("[]").lower()
    if host in {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"} or host.endswith(LOCAL_SUFFIXES):
        return "local host name"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if re.fullmatch(r"[0-9.]+|0x[0-9a-f.x]+", host):
            return "numeric host in an unusual notation"  # 2130706433, 0x7f.1: loopback in disguise
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    for flag in ("is_loopback", "is_private", "is_link_local", "is_reserved", "is_multicast", "is_unspecified"):
        if getattr(address, flag):
            return flag.removeprefix("is_").replace("_", "-") + " address"
    return None


def _matches(host: str, port: int | None, pattern: str) -> bool:
    pattern = pattern.strip().lower()
    pattern_host, _, pattern_port = pattern.partition(":") if not pattern.startswith("[") else (pattern, "", "")
    if pattern_port and str(port or "") != pattern_port:
        return False
    if fnmatch.fnmatchcase(host, pattern_host):
        return True
    return pattern_host.startswith("*.") and host == pattern_host[2:]


def judge(url: str, policy: DiscoveryPolicy = DiscoveryPolicy()) -> Verdict:
    """Whether ``url`` may become a candidate portal under ``policy``, and why (or why not)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return Verdict(False, "not a valid URL")
    if parts.scheme not in {"http", "https"}:
        return Verdict(False, f"scheme {parts.scheme or 'missing'} is not http(s)")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return Verdict(False, "no host")
    if parts.username or parts.password:
        return Verdict(False, "credentials in URL")
    internal = _host_is_internal(host)
    if not any(_matches(host, port, pattern) for pattern in policy.allowed):
        return Verdict(False, f"{internal or 'host'} {host} is not on an allowed domain")
    if internal and not policy.allow_private:
        return Verdict(False, f"{internal} {host} is refused outside the demo")
    return Verdict(True, "allowed")


def normalise(url: str) -> str:
    """The form two mentions of one portal share: lower-case host, no fragment, no index page, no '/' end."""
    parts = urlsplit(url.strip())
    path = INDEX_PAGES.sub("/", parts.path or "/").rstrip("/") or ""
    netloc = parts.netloc.lower()
    if (parts.scheme == "http" and netloc.endswith(":80")) or (parts.scheme == "https" and netloc.endswith(":443")):
        netloc = netloc.rsplit(":", 1)[0]
    return urlunsplit(("", netloc, path, parts.query, ""))


def candidate_id(url: str) -> str:
    """A stable, readable site_id for a discovered address: its host and a short hash of the address."""
    host = (urlsplit(url).hostname or "site").replace(".", "_").replace("-", "_")
    digest = hashlib.sha256(normalise(url).encode("utf-8")).hexdigest()[:8]
    return f"found_{host}_{digest}"


@dataclass
class Mention:
    """A URL as a report mentions it, and the report (document) it came from."""

    url: str
    source: str  # where it was read: the document URL or report id
    organ: str | None = None
    region: str | None = None
    year: int | None = None


@dataclass
class DiscoveryResult:
    added: list[dict[str, str]] = field(default_factory=list)
    known: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)


def add_candidates(
    rows: list[dict[str, str]], mentions: Iterable[Mention], policy: DiscoveryPolicy = DiscoveryPolicy()
) -> DiscoveryResult:
    """Append a ``candidate`` row to ``rows`` for each allowed URL no row has yet; return what happened.

    ``rows`` are registry rows (the CSV's columns as strings); existing rows are never changed, so a
    person's edits to the registry always win.
    """
    result = DiscoveryResult()
    seen = {normalise(row.get("start_url", "")) for row in rows if row.get("start_url")}
    for mention in mentions:
        verdict = judge(mention.url, policy)
        if not verdict.ok:
            result.refused.append((mention.url, verdict.reason))
            continue
        key = normalise(mention.url)
        if key in seen:
            result.known += 1
            continue
        seen.add(key)
        year = f" {mention.year}" if mention.year else ""
        row = {
            "site_id": candidate_id(mention.url),
            "name": urlsplit(mention.url).hostname or mention.url,
            "organ": mention.organ or "",
            "region": mention.region or "",
            "level": "",
            "start_url": mention.url.strip(),
            "family": "auto",
            "status": CANDIDATE,
            "source": mention.source,
            "notes": f"mentioned in the{year} report of {mention.organ}" if mention.organ else "mentioned in a report",
        }
        rows.append(row)
        result.added.append(row)
    return result


def policy_for(allowed: Sequence[str] | None, *, allow_private: bool = False) -> DiscoveryPolicy:
    return DiscoveryPolicy(tuple(allowed) if allowed else DEFAULT_ALLOWED, allow_private)
