"""Requests and responses as the families see them, independent of the HTTP server underneath.

A family returns a ``Response`` whose body may be a callable, so that validators (ETag, Last-Modified)
can be checked — and a 304 sent — before an expensive attachment is rendered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from farm.model import Portal


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""
    scheme: str = "http"

    @property
    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()}

    @property
    def cookies(self) -> dict[str, str]:
        jar = SimpleCookie()
        try:
            jar.load(self.headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header is the client's problem, not the farm's
            return {}
        return {key: morsel.value for key, morsel in jar.items()}

    @property
    def conditional(self) -> bool:
        return "if-none-match" in self.headers or "if-modified-since" in self.headers


Body = bytes | Callable[[], bytes]


@dataclass
class Response:
    status: int = 200
    body: Body = b""
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    etag: str | None = None
    last_modified: datetime | None = None
    delay: float = 0.0
    body_fault: str = ""  # farm.faults.FILE_FAULTS: how the body goes wrong on the wire

    def payload(self) -> bytes:
        return self.body() if callable(self.body) else self.body

    def not_modified_for(self, request: Request) -> bool:
        """RFC 9110 §13.1: If-None-Match wins over If-Modified-Since; both only for 200 answers."""
        if self.status != 200 or request.method not in ("GET", "HEAD"):
            return False
        inm = request.headers.get("if-none-match")
        if inm is not None and self.etag:
            tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
            return "*" in tags or self.etag in tags
        ims = request.headers.get("if-modified-since")
        if ims and self.last_modified:
            try:
                since = parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
            if since.tzinfo is None:
                since = since.replace(tzinfo=timezone.utc)
            return self.last_modified.replace(microsecond=0) <= since
        return False

    def validator_headers(self) -> list[tuple[str, str]]:
        out = []
        if self.etag:
            out.append(("ETag", self.etag))
        if self.last_modified:
            out.append(("Last-Modified", format_datetime(self.last_modified.astimezone(timezone.utc), usegmt=True)))
        return out


def etag_of(*parts: object) -> str:
    return '"' + hashlib.sha1("/".join(map(str, parts)).encode()).hexdigest()[:20] + '"'


def page(portal: Portal, markup: str, modified: datetime, *, status: int = 200) -> Response:
    """An HTML page in the portal's encoding; GBK portals send no charset in the header, as real ones do."""
    if "gbk" in portal.habits:
        body = markup.encode("gbk", "xmlcharrefreplace")
        content_type = "text/html"
    else:
        body = markup.encode("utf-8")
        content_type = "text/html; charset=utf-8"
    return Response(status, body, content_type, etag='"' + hashlib.md5(body).hexdigest() + '"',
                    last_modified=modified)


def data(body: bytes, content_type: str, modified: datetime) -> Response:
    return Response(200, body, content_type, etag='"' + hashlib.md5(body).hexdigest() + '"',
                    last_modified=modified)


def not_found() -> Response:
    return Response(404, "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1>"
                         "<p>您访问的页面不存在或已被删除。</p></body></html>".encode("utf-8"))
