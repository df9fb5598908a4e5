"""Plain error answers: one short page (or JSON object) per status, cheap to build and to log.

Datasette 0.65's default ``handle_exception`` prints every exception, a 404 included, with rich's
traceback and *every local variable* (0.2 s of CPU and 16 KB of log per not-found page), and when it
runs outside an ``except`` block (an unmatched route such as ``/a/b/c/d``) rich refuses and the visitor
gets a 500. ``error_for`` turns what a view raised into a status and a message instead: visitor errors
(4xx, Datasette's own request errors, SQL errors, a query needing too much memory) are answered
and not logged; anything else is a 500
and one log line naming the exception and where it was raised. The guard's own refusals (405, 429,
503, too large) are built by the same ``PlainError``, so every refusal looks alike.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import traceback
from dataclasses import dataclass, field

from markupsafe import Markup, escape

log = logging.getLogger("nianbao.site")

NOT_FOUND = "未找到 / Not found"


@dataclass(frozen=True)
class PlainError:
    status: int
    message: str
    headers: dict[str, str] = field(default_factory=dict)

    def body(self, *, as_json: bool) -> tuple[bytes, str]:
        """The body and its content type: JSON for ``.json`` paths (API clients), else a tiny page."""
        if as_json:
            payload = {"ok": False, "error": self.message, "status": self.status, "title": None}
            return json.dumps(payload, ensure_ascii=False).encode(), "application/json; charset=utf-8"
        page = (
            '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{self.status}</title></head><body><h1>{self.status}</h1><p>{escape(self.message)}</p>"
            '<p><a href="/">首页 / Home</a></p></body></html>\n'
        )
        return page.encode(), "text/html; charset=utf-8"

    def header_map(self, *, cors: bool) -> dict[str, str]:
        """Never cached (a refusal is for now, not for the URL); CORS as the site's own answers have it."""
        headers = {"cache-control": "no-store", **self.headers}
        if cors:
            headers["access-control-allow-origin"] = "*"
        return headers

    async def send(self, send, path: str, *, cors: bool, head: bool = False) -> None:
        """Answer at the ASGI level (the guard's refusals, before Datasette sees the request)."""
        body, content_type = self.body(as_json=wants_json(path))
        headers = {"content-type": content_type, **self.header_map(cors=cors)}
        await send({"type": "http.response.start", "status": self.status,
                    "headers": [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]})
        await send({"type": "http.response.body", "body": b"" if head else body})


def wants_json(path: str) -> bool:
    return path.endswith(".json")


def error_for(exception: BaseException, method: str, path: str) -> PlainError:
    """The answer to an exception raised while serving ``method path``; a 500 is logged on one line."""
    from datasette.utils.asgi import Base400, NotFound
    from datasette.views.base import DatasetteError

    if isinstance(exception, NotFound):
        return PlainError(404, NOT_FOUND)
    if isinstance(exception, Base400):
        return PlainError(exception.status, str(exception.args[0]) if exception.args else "Bad request")
    if isinstance(exception, DatasetteError):
        # Datasette raises these for what a request asked wrongly (an unknown _sort column, SQL that
        # fails, an invalid _through), often with the class's default status 500: the visitor's error.
        message = str(exception.message)
        status = exception.status if 400 <= exception.status < 500 else 400
        return PlainError(status, Markup(message).striptags() if exception.message_is_html else message)
    if isinstance(exception, json.JSONDecodeError):
        # A filter's JSON list that does not parse (``?id__in=[``): Datasette lets json.loads raise.
        return PlainError(400, f"参数不是有效的 JSON / A parameter is not valid JSON: {exception}")
    if isinstance(exception, sqlite3.Error):
        # The site's own SQL is tested; a database error here comes from what the visitor asked for.
        return PlainError(400, f"SQL 错误 / SQL error: {exception}")
    if isinstance(exception, MemoryError):
        # Raised by SQLite when a statement passes the heap limit (archive.guard.sqlite).
        return PlainError(400, "查询所需内存超过本站上限 / The query needs more memory than this site allows")
    log.error("500 on %s %s: %s", method, path, _one_line(exception))
    return PlainError(500, "服务器内部错误 / Internal server error")


def _one_line(exception: BaseException) -> str:
    where = traceback.extract_tb(exception.__traceback__)[-1:] if exception.__traceback__ else []
    place = f" at {where[0].filename}:{where[0].lineno}" if where else ""
    return f"{type(exception).__name__}: {exception}{place}".replace("\n", " ")
