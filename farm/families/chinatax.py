"""国家税务总局's disclosure page (PORTALS.md §9 row 3): ``/chinatax/n810214/c102384r/index.html?tab=gknb``
is a layui shell with tabs (指南, 制度, 年报); the page for a tab declares ``channelId = "<32 hex>"`` and its
script fills the list from the custom JSON listing ``POST /getFileListByCodeId`` (form
``codeId=&channelId=…&page=N&size=M``), which answers ``{"results":{"data":{"results":[{title, url,
publishedTimeStr, channelName…}], "total":N}}}``. Without ``tab`` the page shows the guide tab. Details are
``…/c{id}/content.html`` with the body in ``div.article``. The ``/{id}/files/`` attachment paths are an
inference (~)."""

from __future__ import annotations

import hashlib
import json
from html import escape

from farm import content, http, pages
from farm.families.base import Family, listed_below
from farm.http import Request, Response
from farm.model import Article, Portal

COLUMN = "/chinatax/n810214/c102384r/"
API = "/getFileListByCodeId"
# The tabs of the disclosure page: (tab, label); only gknb holds the annual-report column.
TABS = (("gkzn", "政府信息公开指南"), ("gkzd", "政府信息公开制度"), ("gknb", "政府信息公开年报"))


class Chinatax(Family):
    name = "chinatax"

    def layout(self, portal: Portal) -> None:
        portal.routes.clear()
        for tab, _ in TABS:
            portal.params.setdefault(f"channel_{tab}", hashlib.md5(f"{portal.site_id}/{tab}".encode()).hexdigest())
        for column in portal.columns.values():
            column.path = column.list_path = f"{COLUMN}index.html?tab=gknb"
            for article_id in column.article_ids:
                article = portal.articles[article_id]
                folder = f"{COLUMN}c{article_id}/"
                article.path = folder + "content.html"
                portal.routes[article.path] = ("detail", article_id)
                for att in article.attachments:
                    att.path = f"{folder}{article_id}/files/{att.token}.{att.fmt}"
                    portal.routes[att.path] = ("file", (article_id, att.att_id))
        portal.start_path = f"{COLUMN}index.html?tab=gknb"

    def handle(self, portal: Portal, request: Request) -> Response | None:
        if request.path == "/":
            return self.home(portal, '政府信息公开')
        if request.path in (COLUMN, COLUMN + "index.html"):
            return self._shell(portal, request.query.get("tab", "gkzn"))
        if request.path == API:
            return self._api(portal, request)
        route = portal.routes.get(request.path)
        if route is None:
            return None
        kind, key = route
        return self.article_or_file(portal, kind, key)

    def _shell(self, portal: Portal, tab: str) -> Response:
        if tab not in dict(TABS):
            tab = "gkzn"
        channel = portal.params[f"channel_{tab}"]
        tabs = "".join(f'<li class="{"layui-this" if t == tab else ""}"><a href="?tab={t}">{label}</a></li>'
                       for t, label in TABS)
        body = (f'<div class="layui-tab"><ul class="layui-tab-title">{tabs}</ul>'
                '<div class="layui-tab-content"><div id="fileList"></div><div id="laypage"></div></div></div>'
                f'<script>var channelId = "{channel}";\n'
                "var pageSize = " + str(portal.page_size) + ";\n"
                "function load(page){$.post('" + API + "', {codeId: '', channelId: channelId, page: page, size: pageSize},"
                " function(d){ render(d.results.data); });}\nload(1);</script>")
        root = portal.columns["root"]
        markup = pages.document(pages.column_meta(portal, root), dict(TABS)[tab], body)
        return http.page(portal, markup, pages.column_modified(portal, root))

    def _api(self, portal: Portal, request: Request) -> Response:
        if request.method != "POST":
            return Response(405, b'{"code":405,"msg":"Request method not supported"}', "application/json")
        form = request.form
        items = listed_below(portal, portal.columns["root"]) if form.get("channelId") == portal.params["channel_gknb"] else []
        size = max(1, min(int(form.get("size") or 10), 100))
        page = max(1, int(form.get("page") or 1))
        host = request.headers.get("host", "127.0.0.1")
        rows = [{"id": str(a.article_id), "title": a.title, "url": f"http://{host}{a.path}",
                 "publishedTimeStr": f"{a.published:%Y-%m-%d} 09:30:00", "channelName": "政府信息公开年报",
                 "channelId": portal.params["channel_gknb"]} for a in items[(page - 1) * size:page * size]]
        body = {"code": 200, "msg": "success",
                "results": {"data": {"results": rows, "total": len(items), "page": page, "size": size}}}
        return http.data(json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json;charset=UTF-8",
                         pages.column_modified(portal, portal.columns["root"]))

    def detail_body(self, portal: Portal, article: Article) -> str:
        files = "".join(f'<p>附件：<a href="{a.path}">{escape(a.filename)}</a></p>' for a in article.attachments)
        body = (f'<div class="article"><h1 class="title">{escape(article.title)}</h1>'
                f'<div class="info">发布时间：{article.published:%Y-%m-%d}{pages.updated_note(article)}'
                f' 来源：{escape(article.organ)}</div>'
                f'<div class="content" id="fontzoom">{content.body_html(article)}</div>{files}</div>')
        return body
