"""Hostile habits that sit in front of a family (PORTALS.md §0 "Anti-bot", "Transport quirks").

``gate`` runs before the family answers: a WAF block page, the 瑞数-style 412 check, transient 503/429
with Retry-After. The 412 check is passed only by running its JavaScript (it computes a cookie and
reloads), which is what a real browser does by itself; the farm never makes it solvable by reading text.
"""

from __future__ import annotations

import re
import threading
import zlib
from collections import Counter

from farm.http import Request, Response
from farm.model import Portal

RUISHU_COOKIE = "FSSBBIl1UgzbN7N80T"
RUISHU_JS_PATH = "/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js"
ATTACHMENT_RE = re.compile(r"\.(pdf|docx?|wps|xlsx?)$|/downfile\.jsp$", re.I)
TRANSIENT_LIMIT = 2

BLOCK_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>访问被拦截</title></head>
<body><div class="block"><h1>您的访问请求可能对网站造成安全威胁，已被拦截</h1>
<p>拦截时间：2025-04-01 10:00:00　您的IP：127.0.0.1</p>
<p>如果您是网站管理员，请登录云防御控制台查看详情。</p>
<p class="footer">网站安全由 知道创宇云防御 提供保护</p></div></body></html>
"""

RUISHU_SCRIPT = """var _$n=window['$_ts'].nsd,_$h=0;for(var _$i=0;_$i<5000;_$i++){_$h=(_$h*31+_$n+_$i)%1000000007;}
document.cookie="COOKIE="+_$h.toString(16)+"; path=/";location.reload();
""".replace("COOKIE", RUISHU_COOKIE)


def is_slow(article_id: object) -> bool:
    """On a ``slow`` portal, one detail page in three answers late (real slowness is uneven)."""
    return isinstance(article_id, int) and article_id % 3 == 0


def ruishu_nsd(portal: Portal) -> int:
    return zlib.crc32(f"nsd/{portal.site_id}".encode()) % 90000 + 10000


def ruishu_token(portal: Portal) -> str:
    """What the 412 page's script computes in the browser; the server checks the cookie against it."""
    nsd, h = ruishu_nsd(portal), 0
    for i in range(5000):
        h = (h * 31 + nsd + i) % 1000000007
    return format(h, "x")


class Gate:
    """Per-farm state of the habits that depend on how often a path was asked for."""

    def __init__(self) -> None:
        self._hits: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    def _hit(self, portal: Portal, path: str) -> int:
        with self._lock:
            self._hits[(portal.site_id, path)] += 1
            return self._hits[(portal.site_id, path)]

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()

    def check(self, portal: Portal, request: Request) -> Response | None:
        habits = portal.habits
        if "block_page" in habits:
            return Response(403, BLOCK_PAGE.encode("utf-8"), headers=[("Server", "KS-WAF")])
        if "ruishu_412" in habits:
            answer = self._ruishu(portal, request)
            if answer:
                return answer
        if "transient_5xx" in habits and re.search(r"/index_1\.html$", request.path):
            if self._hit(portal, request.path) <= TRANSIENT_LIMIT:
                return Response(503, b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
                                headers=[("Retry-After", "1")])
        if "retry_after_429" in habits and request.path.endswith("/dataproxy.jsp"):
            if self._hit(portal, request.path) <= 1:
                return Response(429, b"<html><body><h1>429 Too Many Requests</h1></body></html>",
                                headers=[("Retry-After", "1")])
        return None

    def _ruishu(self, portal: Portal, request: Request) -> Response | None:
        if request.path == RUISHU_JS_PATH:
            return Response(200, RUISHU_SCRIPT.encode(), "application/javascript")
        if request.path == "/robots.txt" or ATTACHMENT_RE.search(request.path):
            return None
        if request.cookies.get(RUISHU_COOKIE) == ruishu_token(portal):
            return None
        cd = zlib.crc32(request.path.encode()).to_bytes(4, "big").hex() * 8
        markup = ("<!DOCTYPE html><html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
                  f"<script type=\"text/javascript\" r=\"m\">$_ts=window['$_ts'];if(!$_ts)$_ts={{}};"
                  f"$_ts.nsd={ruishu_nsd(portal)};$_ts.cd=\"{cd}\";</script>"
                  f"<script type=\"text/javascript\" charset=\"utf-8\" src=\"{RUISHU_JS_PATH}\" r=\"m\"></script>"
                  "</head><body></body></html>")
        return Response(412, markup.encode(), headers=[("Set-Cookie", f"{RUISHU_COOKIE}S=5f{cd[:16]}; path=/")])
