"""Recognising pages that are not what they claim: block pages, JavaScript challenges and shells.

Pure functions over a response, so the spider can decide what to do (record ``blocked``, retry in the
browser, follow a redirect) and tests can check the decision on a saved page. We never solve a
challenge or CAPTCHA by hand: a challenge that an ordinary browser passes by itself goes to the
browser; anything else is recorded as blocked, with the evidence, for a later run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scrapy.http import Response, TextResponse

OK = "ok"
BLOCKED = "blocked"
CHALLENGE = "challenge"
REDIRECT = "redirect"

# Block and CAPTCHA pages: nothing to do but come back later.
_BLOCK_MARKERS = (
    ("知道创宇云防御", "Knownsec 创宇云防御 block page"),
    ("创宇盾", "Knownsec 创宇盾 block page"),
    ("您的访问被拦截", "WAF block page (访问被拦截)"),
    ("访问被拒绝", "WAF block page (访问被拒绝)"),
    ("网站防火墙", "WAF block page (网站防火墙)"),
    ("请输入验证码", "CAPTCHA page"),
    ("slide to verify", "CAPTCHA page"),
)
# JavaScript checks that a real browser passes by itself (PORTALS.md §0, §8).
_CHALLENGE_MARKERS = (
    (re.compile(r"\$_ts\s*="), "瑞数 (Ruishu) $_ts challenge"),
    (re.compile(r"go\(\{\"bts\""), "加速乐 (Knownsec) go({bts}) challenge"),
    (re.compile(r"__jsl_clearance"), "加速乐 (Knownsec) cookie challenge"),
    (re.compile(r"WTKkN|EO_Bot_Ssid"), "Tencent EdgeOne challenge"),
    (re.compile(r"wzws_cid|wzwschallenge", re.I), "360 网站卫士 challenge"),
)
_LOCATION_RE = re.compile(
    r"""(?:window\.|document\.|self\.|top\.)?location(?:\.href)?\s*(?:\.replace\(|\.assign\(|=)\s*["']([^"']+)["']"""
)
# A redirect shell is tiny (~160 B on Beijing street columns); a real page that happens to set
# location somewhere in its scripts is not one.
SHELL_MAX_BYTES = 2048


@dataclass(frozen=True)
class Verdict:
    kind: str  # ok, blocked, challenge, redirect
    evidence: str = ""
    location: str | None = None  # for a redirect shell: where it points (absolute)


def classify(response: Response) -> Verdict:
    """What a response is, before any adapter reads it."""
    if not isinstance(response, TextResponse):
        return Verdict(OK)
    head = response.text[:20000]
    for marker, label in _BLOCK_MARKERS:
        if marker in head:
            return Verdict(BLOCKED, f"HTTP {response.status}: {label} ({marker!r} in page)")
    for pattern, label in _CHALLENGE_MARKERS:
        if pattern.search(head):
            return Verdict(CHALLENGE, f"HTTP {response.status}: {label}")
    if len(response.body) <= SHELL_MAX_BYTES and "<a " not in head.lower():
        match = _LOCATION_RE.search(head)
        if match:
            return Verdict(REDIRECT, "JavaScript location shell", response.urljoin(match.group(1)))
    return Verdict(OK)


# A body cut short on the wire while the server's Content-Length agreed (a lying header, a cache or
# proxy that stored half a file) still arrives as a complete 200. The formats whose end is marked
# say so: a PDF ends with %%EOF, a ZIP (DOCX, XLSX, OFD) with its end-of-central-directory record.
_PDF_TAIL = 64 * 1024
_ZIP_TAIL = 65557  # the end record (22 bytes) plus the longest comment


def truncated_file(body: bytes) -> str | None:
    """Why ``body`` looks cut short, or None. Only formats with an end marker are judged."""
    if body.startswith(b"%PDF-") and b"%%EOF" not in body[-_PDF_TAIL:]:
        return f"truncated PDF: no %%EOF in the last {_PDF_TAIL // 1024} KB of {len(body)} bytes"
    if body.startswith(b"PK\x03\x04") and b"PK\x05\x06" not in body[-_ZIP_TAIL:]:
        return f"truncated ZIP (DOCX/XLSX/OFD): no end-of-central-directory record in {len(body)} bytes"
    return None
