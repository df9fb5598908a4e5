"""A bad day on the farm: servers that fail in every way real ones do, and portals that lead elsewhere.

``World(seed, size, faults=True)`` (``nianbao farm serve --faults``) adds three portals (``plans.FAULTS``):

- ``faults`` (habit ``bad_day``): one report per fault of ``PAGE_FAULTS`` and ``FILE_FAULTS``, a report
  page linking an attachment on a host that does not resolve (``dns_failure``), and a burst of 503s
  that retries get through. A crawler must end each fault as a recorded failure and archive the rest.
- ``hostile`` and ``hostile-js`` (habit ``hostile_links``): listings, a report page and (on the
  JavaScript portal) the list script point at ``file://``, private, link-local and metadata
  addresses, other domains and non-http schemes, directly, through a 302 and through a JavaScript
  shell (``HOSTILE_LINKS``, ``HOSTILE_FILES``, ``HOSTILE_SCRIPT``). A crawler must connect to none.

Faults that replace an answer are decided here (``FaultGate.check``); faults of the body on the wire
(slow, cut, lying Content-Length) are flags on the ``Response`` that ``farm.server`` obeys through
``declared_length`` and ``write_body``.
"""

from __future__ import annotations

import functools
import gzip
import threading
import time
from collections.abc import Callable
from html import escape

from farm.http import Request, Response
from farm.model import Article, Attachment, Portal

PAGE_FAULTS: dict[str, str] = {
    "server_error": "the report page answers 503 on every try",
    "rate_limited": "the report page answers 429 with Retry-After: 1 on every try",
    "redirect_loop": "the report page redirects to ?loop=1, which redirects back",
    "gzip_bomb": "the report page is 1 GiB of zeros, gzip-compressed to about 1 MB",
}
FILE_FAULTS: dict[str, str] = {
    "slow_body": "the attachment's bytes come one every 0.2 s (a read never ends in time)",
    "truncated_body": "the connection closes half-way through the attachment",
    "length_long": "Content-Length says 1000 bytes more than are sent, then the connection closes",
    "length_short": "Content-Length says 200 bytes fewer than the file has: the PDF's end is cut off",
}
LINK_FAULTS: dict[str, str] = {"dns_failure": "a report page links a PDF on dl.<domain>, a host that does not resolve"}
BURST_LENGTH = 2  # consecutive requests to the portal that answer 503 (from the fifth request on)
BURST_FROM = 5

# What hostile listings link, titled as annual reports: (href, title). ``{port}`` is the farm port.
HOSTILE_LINKS: tuple[tuple[str, str], ...] = (
    ("file:///etc/passwd", "某区人民政府2022年政府信息公开工作年度报告"),
    ("http://10.0.0.1/zfxxgk/nb2021.html", "某区人民政府2021年政府信息公开工作年度报告"),
    ("http://169.254.169.254/latest/meta-data/", "某区人民政府2020年政府信息公开工作年度报告"),
    ("/hostile/go/192", "某区人民政府2019年政府信息公开工作年度报告"),
    ("/hostile/shell.html", "某区人民政府2018年政府信息公开工作年度报告"),
    ("http://www.another-county.gov.cn/zfxxgk/nb2022.html", "某县人民政府2022年政府信息公开工作年度报告"),
    ("http://localhost:{port}/zfxxgk/nb2022.html", "某镇人民政府2022年政府信息公开工作年度报告"),
    ("http://167772161/nb2017.html", "某区人民政府2017年政府信息公开工作年度报告"),
    ("http://[::ffff:10.0.0.1]/nb2016.html", "某区人民政府2016年政府信息公开工作年度报告"),
    ("http://[fd00::1]/nb2015.html", "某区人民政府2015年政府信息公开工作年度报告"),
    ("data:text/html,<h1>2014</h1>", "某区人民政府2014年政府信息公开工作年度报告"),
)
# Attachment links put on the first report page of a hostile portal: (href, name). ``{domain}`` is the portal's.
HOSTILE_FILES: tuple[tuple[str, str], ...] = (
    ("http://10.0.0.3/files/nb2023.pdf", "年报附件（内网）.pdf"),
    ("http://files.{domain}/files/nb2023.pdf", "年报附件（解析到内网）.pdf"),
    ("http://www.example.com/files/nb2023.pdf", "年报附件（外域）.pdf"),
    ("ftp://ftp.{domain}/nb2023.pdf", "年报附件（FTP）.pdf"),
    ("/hostile/go/254.pdf", "年报附件（跳转到元数据地址）.pdf"),
    ("/hostile/go/file.pdf", "年报附件（跳转到本地文件）.pdf"),
)
REDIRECTS = {
    "/hostile/go/192": "http://192.168.1.1/nb.html",
    "/hostile/go/254.pdf": "http://169.254.169.254/latest/meta-data/iam.pdf",
    "/hostile/go/file.pdf": "file:///etc/passwd",
}
SHELL_TARGET = "http://10.0.0.2/nb2018.html"
# What the JavaScript portal's list page asks for by itself, in the browser.
HOSTILE_SCRIPT = """<script src="http://169.254.169.254/latest/meta-data/boot.js"></script>
<iframe src="http://192.168.1.1/" style="display:none"></iframe>
<iframe src="/hostile/go/192" style="display:none"></iframe>
<script>
try { fetch("http://10.0.0.1/api/list.json").catch(function(){}); } catch (e) {}
try { fetch("http://files.{domain}/api/list.json").catch(function(){}); } catch (e) {}
</script>"""
BROWSER_TARGETS = ("http://169.254.169.254/latest/meta-data/boot.js", "http://192.168.1.1/",
                   "http://10.0.0.1/api/list.json", "http://192.168.1.1/nb.html")


def assign(portal: Portal, reports: list[Article], new_pdf: Callable[[str], Attachment]) -> None:
    """Give the faults of a bad day to distinct reports of ``portal``, deterministically."""
    pool = sorted((a for a in reports if not a.broken), key=lambda a: a.article_id)
    for name, article in zip(PAGE_FAULTS, [a for a in pool if a.inline]):
        article.fault = name
    rest = [a for a in pool if not a.fault]
    for name, article in zip(FILE_FAULTS, rest):
        if not article.attachments or article.attachments[0].fmt != "pdf":
            article.attachments = [new_pdf(article.title)]
        article.fault = "file"
        article.attachments[0].fault = name
    # A report page (it and its files are fine) that also links a file on a host that does not resolve.
    carrier = next(a for a in pool if not a.fault and a.inline)
    carrier.fault = "dns_failure"


def dns_failure_url(portal: Portal, article: Article, port: int | str) -> str:
    return f"http://dl.{portal.domain}:{port}/dl/{article.article_id}.pdf"


def fault_paths(portal: Portal, article: Article) -> tuple[tuple[str, str], ...]:
    """(path or URL, fault) of one report: what a crawl must end as a recorded failure."""
    if article.fault in PAGE_FAULTS:
        return ((article.path, article.fault),)
    if article.fault == "dns_failure":
        return ((dns_failure_url(portal, article, "{port}"), "dns_failure"),)
    return tuple((a.path, a.fault) for a in article.attachments if a.fault)


class FaultGate:
    """Answers that replace a family's on a bad day, and the state they need (the 503 burst)."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()

    def check(self, portal: Portal, request: Request) -> Response | None:
        if "hostile_links" in portal.habits:
            return hostile_route(request)
        if "bad_day" not in portal.habits:
            return None
        with self._lock:
            count = self._counts[portal.site_id] = self._counts.get(portal.site_id, 0) + 1
        if BURST_FROM <= count < BURST_FROM + BURST_LENGTH:
            return Response(503, b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>")
        kind, key = portal.routes.get(request.path, ("", None))
        if kind == "detail":
            return page_fault(portal.articles[key], request)
        if kind == "file":
            article = portal.articles[key[0]]
            attachment = next(a for a in article.attachments if a.att_id == key[1])
            if attachment.fault:
                body = synthetic_pdf(article.title)
                return Response(200, body, "application/pdf", body_fault=attachment.fault)
        if request.path.startswith("/dl/"):
            return Response(404, b"")  # reached only if a crawler connected to the unresolvable host
        return None


def page_fault(article: Article, request: Request) -> Response | None:
    if article.fault == "server_error":
        return Response(503, b"<html><body><h1>503 Service Unavailable</h1></body></html>")
    if article.fault == "rate_limited":
        return Response(429, b"<html><body><h1>429 Too Many Requests</h1></body></html>",
                        headers=[("Retry-After", "1")])
    if article.fault == "redirect_loop":
        target = article.path if request.query.get("loop") else article.path + "?loop=1"
        return Response(302, b"", headers=[("Location", target)])
    if article.fault == "gzip_bomb":
        return Response(200, gzip_bomb, headers=[("Content-Encoding", "gzip")])  # built outside the world's lock
    return None


def hostile_route(request: Request) -> Response | None:
    if request.path in REDIRECTS:
        return Response(302, b"", headers=[("Location", REDIRECTS[request.path])])
    if request.path == "/hostile/shell.html":
        markup = f'<html><head><script>location.replace("{SHELL_TARGET}");</script></head><body></body></html>'
        return Response(200, markup.encode())
    return None


def decorate(portal: Portal, request: Request, response: Response) -> Response:
    """Links a family's page does not have: hostile ones, and the unresolvable file of a bad day."""
    if response.status != 200 or callable(response.body) or "text/html" not in response.content_type:
        return response
    if not {"hostile_links", "bad_day"} & portal.habits:
        return response
    port_text = request.headers.get("host", "").rpartition(":")[2]
    port = int(port_text) if port_text.isdigit() else 80
    kind, key = portal.routes.get(request.path, ("", None))
    extra = ""
    if "hostile_links" in portal.habits:
        if request.path == portal.start_path:
            rows = "".join(f'<li><a href="{escape(href.format(port=port))}" title="{escape(title)}">{escape(title)}</a>'
                           f"<span>2023-01-05</span></li>" for href, title in HOSTILE_LINKS)
            extra = f'<ul class="hostile">{rows}</ul>'
            if portal.family == "js_only":
                extra += HOSTILE_SCRIPT.replace("{domain}", portal.domain)
        elif kind == "detail" and key == min(a.article_id for a in portal.articles.values() if a.is_report):
            extra = "".join(f'<p><a href="{escape(href.format(domain=portal.domain))}">{escape(name)}</a></p>'
                            for href, name in HOSTILE_FILES)
    elif "bad_day" in portal.habits and kind == "detail" and portal.articles[key].fault == "dns_failure":
        url = dns_failure_url(portal, portal.articles[key], port)
        extra = f'<p>附件：<a href="{url}">年度报告附件.pdf</a></p>'
    if not extra:
        return response
    response.body = response.body.replace(b"</body>", extra.encode("utf-8") + b"</body>", 1)
    response.etag = None  # the page changed; its family's validator no longer describes it
    return response


def synthetic_pdf(title: str, size: int = 64 * 1024) -> bytes:
    """A PDF-shaped body ending in ``%%EOF`` (no rendering needed: it is only ever cut or dripped)."""
    head = f"%PDF-1.4\n% {title}\n".encode("utf-8")
    return head + b"0" * (size - len(head) - 7) + b"\n%%EOF\n"


BOMB_SIZE = 1 << 30


@functools.lru_cache(maxsize=1)
def gzip_bomb() -> bytes:
    """1 GiB of zeros as 1,024 gzip members of 1 MiB each (about 1 MB on the wire): every gzip reader,
    Scrapy's and browsers', inflates concatenated members as one body."""
    return gzip.compress(bytes(1 << 20), compresslevel=9, mtime=0) * (BOMB_SIZE >> 20)


def declared_length(fault: str, length: int) -> int:
    """The Content-Length a faulty body claims."""
    return {"length_long": length + 1000, "length_short": length - 200}.get(fault, length)


def write_body(wfile, fault: str, body: bytes) -> None:
    """Send ``body`` the faulty way; the caller closes the connection afterwards."""
    try:
        if fault == "slow_body":
            deadline = time.monotonic() + 120
            for index in range(len(body)):
                if time.monotonic() > deadline:
                    break
                wfile.write(body[index:index + 1])
                wfile.flush()
                time.sleep(0.2)
        elif fault == "truncated_body":
            wfile.write(body[: len(body) // 2])
        else:  # length_long, length_short: the whole body, whatever the header said
            wfile.write(body)
        wfile.flush()
    except OSError:
        pass  # the client gave up, as it should
