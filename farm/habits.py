"""Hostile habits that sit in front of a family (PORTALS.md §0 "Anti-bot", "Transport quirks").

``Gate.check`` runs before the family answers: a WAF block page, the 瑞数-style 412 check, the 加速乐
521 ``go({...})`` challenge, transient 503/429 with Retry-After. The checks are passed by running their
JavaScript (it computes a cookie and reloads), which is what a real browser does by itself.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import zlib
from collections import Counter

from farm.http import Request, Response
from farm.model import Portal

RUISHU_COOKIE = "FSSBBIl1UgzbN7N80T"
JSL_COOKIE = "__jsl_clearance_s"
JSL_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
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
        if "jsl_challenge" in habits:
            answer = self._jsl(portal, request)
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

    def _jsl(self, portal: Portal, request: Request) -> Response | None:
        """加速乐: 521 with a ``go({...})`` page whose script finds the two characters that make the
        clearance string hash to ``ct``, sets it as a cookie and reloads (PORTALS.md §0)."""
        if request.path == "/robots.txt" or ATTACHMENT_RE.search(request.path):
            return None
        if request.cookies.get(JSL_COOKIE) == jsl_clearance(portal):
            return None
        clearance = jsl_clearance(portal)
        head, tail = clearance[:JSL_HIDDEN_AT], clearance[JSL_HIDDEN_AT + 2:]
        challenge = {"bts": [head, tail], "chars": JSL_CHARS, "ct": hashlib.sha256(clearance.encode()).hexdigest(),
                     "ha": "sha256", "is": True, "tn": JSL_COOKIE, "vt": "3600", "wt": "1500"}
        markup = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body><script>"
                  + JSL_SCRIPT + f"go({json.dumps(challenge)});</script></body></html>")
        uid = hashlib.md5(f"jsluid/{portal.site_id}".encode()).hexdigest()
        return Response(521, markup.encode(), headers=[("Set-Cookie", f"__jsluid_s={uid}; path=/")])


JSL_HIDDEN_AT = 16


def jsl_clearance(portal: Portal) -> str:
    """The clearance value a browser ends up with on this portal (two of its characters are hidden)."""
    digest = hashlib.md5(f"jsl/{portal.site_id}".encode()).hexdigest()
    rng = int(digest[:8], 16)
    return f"1700000000.{digest[8:10]}|0|" + JSL_CHARS[rng % 52] + JSL_CHARS[(rng // 52) % 52] + digest[10:30]


JSL_SCRIPT = """async function go(c){
  var enc=new TextEncoder();
  async function hex(t){ var b=await crypto.subtle.digest("SHA-256", enc.encode(t));
    return Array.from(new Uint8Array(b)).map(function(x){return x.toString(16).padStart(2,"0");}).join(""); }
  for(var i=0;i<c.chars.length;i++){ for(var j=0;j<c.chars.length;j++){
    var v=c.bts[0]+c.chars[i]+c.chars[j]+c.bts[1];
    if(await hex(v)===c.ct){ document.cookie=c.tn+"="+v+";Max-Age="+c.vt+";path=/"; location.href=location.pathname+location.search; return; }
  } }
}
"""
