"""The request policy's rules, one by one, and the shipped settings that switch it on (issue 13)."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings
from twisted.internet.error import DNSLookupError

import crawler.settings
from archive.registry import Portal
from crawler.addon import LOCAL_FARM, NianbaoAddon
from crawler.guards import truncated_file
from crawler.policy import AddressRules, RequestPolicy
from tests.crawler.fakedns import NoDnsResolver


@pytest.mark.parametrize(("address", "problem"), [
    ("10.0.0.1", "10.0.0.1: a private address"),
    ("192.168.1.1", "192.168.1.1: a private address"),
    ("172.16.5.4", "172.16.5.4: a private address"),
    ("169.254.169.254", "169.254.169.254: a link-local address"),
    ("127.0.0.1", "127.0.0.1: a loopback address"),
    ("0.0.0.0", "0.0.0.0: an unspecified address"),
    ("100.64.0.1", "100.64.0.1: not a public address"),  # carrier-grade NAT
    ("224.0.0.251", "224.0.0.251: a multicast address"),
    ("::1", "::1: a loopback address"),
    ("fe80::1", "fe80::1: a link-local address"),
    ("fd00::1", "fd00::1: a private address"),
    ("::ffff:10.0.0.1", "::ffff:10.0.0.1: mapped to 10.0.0.1, a private address"),
    ("::ffff:169.254.169.254", "::ffff:169.254.169.254: mapped to 169.254.169.254, a link-local address"),
    ("2002:c0a8:101::1", "2002:c0a8:101::1: mapped to 192.168.1.1, a private address"),  # 6to4
    ("64:ff9b::a9fe:a9fe", "64:ff9b::a9fe:a9fe: mapped to 169.254.169.254, a link-local address"),  # NAT64
    ("[::1]", "[::1]: a loopback address"),
])
def test_addresses_that_are_not_public_are_refused(address: str, problem: str) -> None:
    assert AddressRules().refuse(address) == problem


@pytest.mark.parametrize("address", ["202.96.128.86", "1.2.4.8", "2400:da00::6666", "::ffff:202.96.128.86"])
def test_public_addresses_pass(address: str) -> None:
    assert AddressRules().refuse(address) is None


def test_only_the_networks_allowed_by_name_pass() -> None:
    rules = AddressRules.from_settings(Settings(LOCAL_FARM))
    assert rules.refuse("127.0.0.1") is None and rules.refuse("::1") is None
    assert rules.refuse("::ffff:127.0.0.1") is None
    assert rules.refuse("127.0.0.2") == "127.0.0.2: a loopback address"
    assert rules.refuse("10.0.0.1") == "10.0.0.1: a private address"
    with pytest.raises(ValueError, match="NIANBAO_ALLOW_PRIVATE_HOSTS: 'nonsense'"):
        AddressRules.from_settings(Settings({"NIANBAO_ALLOW_PRIVATE_HOSTS": "nonsense"}))


@pytest.fixture
def policy() -> RequestPolicy:
    policy = RequestPolicy.from_settings(Settings({"NIANBAO_ATTACHMENT_DOMAINS": ["gov.cn"]}))
    policy.add_portals([
        Portal(site_id="county", start_url="https://www.example-county.gov.cn/zfxxgk/nb/",
               aliases="xxgk.example-county.gov.cn, https://gk.example-county.gov.cn:8443/nb/"),
        Portal(site_id="own-files", start_url="http://portal.example.org/nb/", allowed_domains="files.example.org"),
    ])
    return policy


@pytest.mark.parametrize(("url", "kind", "refusal"), [
    ("file:///etc/passwd", "page", "scheme file: only http and https are fetched"),
    ("ftp://ftp.example-county.gov.cn/nb.pdf", "attachment", "scheme ftp: only http and https are fetched"),
    ("data:text/html,<h1>x</h1>", "page", "scheme data: only http and https are fetched"),
    ("javascript:alert(1)", "page", "scheme javascript: only http and https are fetched"),
    ("http://10.0.0.1/nb.html", "page", "10.0.0.1: a private address"),
    ("http://[::ffff:192.168.1.1]/nb.pdf", "attachment",
     "::ffff:192.168.1.1: mapped to 192.168.1.1, a private address"),
    ("http://www.another-county.gov.cn/nb.html", "page",
     "host www.another-county.gov.cn is not the portal's (example-county.gov.cn, gk.example-county.gov.cn,"
     " xxgk.example-county.gov.cn; registry column aliases)"),
    ("http://www.example.com/nb.pdf", "attachment",
     "host www.example.com is neither the portal's nor under the allowed domains (*.gov.cn)"),
    ("http://evil-gov.cn/nb.pdf", "attachment",
     "host evil-gov.cn is neither the portal's nor under the allowed domains (*.gov.cn)"),
    ("http://gov.cn.evil.com/nb.pdf", "attachment",
     "host gov.cn.evil.com is neither the portal's nor under the allowed domains (*.gov.cn)"),
])
def test_refusals_name_their_reason(policy: RequestPolicy, url: str, kind: str, refusal: str) -> None:
    assert policy.refuse(url, "county", kind) == refusal


@pytest.mark.parametrize(("url", "kind"), [
    ("https://www.example-county.gov.cn/zfxxgk/nb/index_1.html", "listing"),
    ("http://example-county.gov.cn/zfxxgk/nb/t20240105_1.html", "page"),  # www. or not: one site
    ("https://xxgk.example-county.gov.cn/nb/2023.html", "page"),  # a registered alias
    ("https://gk.example-county.gov.cn:8443/nb/2023.html", "page"),  # one written as a URL
    ("https://files.sz.gov.cn/nb/2023.pdf", "attachment"),  # under the allowed domain
    ("https://cdn.gd.gov.cn/js/list.js", "resource"),
])
def test_the_portal_its_aliases_and_allowed_domains_pass(policy: RequestPolicy, url: str, kind: str) -> None:
    assert policy.refuse(url, "county", kind) is None


def test_a_registry_row_replaces_the_allowed_domains(policy: RequestPolicy) -> None:
    assert policy.refuse("http://files.example.org/a.pdf", "own-files", "attachment") is None
    assert policy.refuse("http://files.sz.gov.cn/a.pdf", "own-files", "attachment") == (
        "host files.sz.gov.cn is neither the portal's nor under the allowed domains (*.files.example.org)")


def test_robots_txt_gets_the_scheme_and_address_rules(policy: RequestPolicy) -> None:
    assert policy.refuse("http://169.254.169.254/robots.txt") == "169.254.169.254: a link-local address"
    assert policy.refuse("https://www.example-county.gov.cn/robots.txt") is None


def resolved(resolver: NoDnsResolver, name: str) -> tuple[str | None, str | None]:
    outcome: list = []
    resolver.getHostByName(name).addCallbacks(lambda address: outcome.append((address, None)),
                                              lambda failure: outcome.append((None, failure)))
    address, failure = outcome[0]
    if failure is not None:
        assert failure.check(DNSLookupError)
        return None, resolver.refusal(name)
    return address, None


def test_the_resolver_answers_only_public_addresses() -> None:
    settings = Settings({"FAKEDNS_HOSTS": ["files.example.gov.cn=10.0.0.7", "www.example.gov.cn=202.96.128.86",
                                           "rebind.example.gov.cn=::ffff:127.0.0.1"], "DNSCACHE_ENABLED": False})
    resolver = NoDnsResolver.from_crawler(type("Process", (), {"settings": settings})(), reactor=None)
    assert resolved(resolver, "www.example.gov.cn") == ("202.96.128.86", None)
    assert resolved(resolver, "files.example.gov.cn") == (
        None, "files.example.gov.cn resolves to 10.0.0.7: a private address")
    # Numbers in the C library's other notations are read as the address they are.
    assert resolved(resolver, "167772161") == (None, "167772161 resolves to 10.0.0.1: a private address")
    assert resolved(resolver, "0x7f.1") == (None, "0x7f.1 resolves to 127.0.0.1: a loopback address")
    assert resolved(resolver, "10.0.0.9") == (None, "10.0.0.9: a private address")
    assert resolved(resolver, "rebind.example.gov.cn") == (
        None, "rebind.example.gov.cn resolves to ::ffff:127.0.0.1: mapped to 127.0.0.1, a loopback address")


def shipped() -> Settings:
    settings = Settings()
    settings.setmodule(crawler.settings, priority="project")
    NianbaoAddon().update_settings(settings)
    return settings


def test_shipped_settings_never_allow_private_addresses() -> None:
    settings = shipped()
    assert settings.getlist("NIANBAO_ALLOW_PRIVATE_HOSTS") == []
    assert settings.get("TWISTED_DNS_RESOLVER") == "crawler.policy.PublicAddressResolver"
    assert settings.getlist("NIANBAO_ATTACHMENT_DOMAINS") == ["gov.cn"]
    handlers = settings.getdict("DOWNLOAD_HANDLERS")
    assert all(handlers[scheme] is None for scheme in ("file", "data", "ftp", "s3"))
    assert handlers["http"] == handlers["https"] == "crawler.browser.PolicyPlaywrightHandler"
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["crawler.policy.PolicyMiddleware"] < 100  # before robots.txt is asked
    assert middlewares["scrapy.downloadermiddlewares.redirect.RedirectMiddleware"] is None
    assert middlewares["scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware"] is None
    retry = middlewares["crawler.middlewares.BackoffRetryMiddleware"]
    assert middlewares["crawler.policy.ConnectRefusalMiddleware"] > retry  # names a refusal before retries see it


@pytest.mark.parametrize(("body", "verdict"), [
    (b"%PDF-1.4\n" + b"0" * 100_000 + b"\n%%EOF\n", None),
    (b"%PDF-1.4\n" + b"0" * 100_000, "truncated PDF: no %%EOF in the last 64 KB of 100009 bytes"),
    (b"PK\x03\x04" + b"0" * 1000 + b"PK\x05\x06" + b"\0" * 18, None),
    (b"PK\x03\x04" + b"0" * 1000, "truncated ZIP (DOCX/XLSX/OFD): no end-of-central-directory record in 1004 bytes"),
    (b"\xd0\xcf\x11\xe0" + b"0" * 1000, None),  # OLE (DOC, WPS) has no end marker: not judged
    (b"<html><body>cut", None),
])
def test_truncated_files_are_told_by_their_end_marker(body: bytes, verdict: str | None) -> None:
    assert truncated_file(body) == verdict
