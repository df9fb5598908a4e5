"""Guangdong 集约化 gkmlpt (PORTALS.md §4): a Vue SPA shell carrying ``window._CONFIG = {SID, TREE…}``,
``/gkmlpt/annualreport#{catId}``, the JSON list API ``/gkmlpt/api/all/{catId}?page=&sid=`` (page 0 =
page 1; 100 rows in the full world), ``/gkmlpt/content/{a}/{b}/post_{id}.html`` details and
``/attachment/{x}/{y}/{attId}/{postId}.{ext}`` files."""

from __future__ import annotations

import json
import re
import zlib
from html import escape

from farm import content, http, pages
from farm.families.base import Family, listed_below
from farm.http import Request, Response
from farm.model import Article, Column, Portal

API_RE = re.compile(r"^/gkmlpt/api/all/(\d+)$")
# Categories beside the annual reports; their ids stay below every generated column id (>= 1000).
OTHER_CATEGORIES = (("机构职能", 1), ("政策文件", 2), ("规划计划", 3), ("财政资金", 4))


class Gkmlpt(Family):
    name = "gkmlpt"

    def layout(self, portal: Portal) -> None:
        portal.params.setdefault("sid", str(755000 + zlib.crc32(portal.site_id.encode()) % 1000))
        portal.routes.clear()
        for column in portal.columns.values():
            column.path = column.list_path = f"/gkmlpt/annualreport#{column.col_id}"
            for article_id in column.article_ids:
                article = portal.articles[article_id]
                article.path = self.post_path(article_id)
                portal.routes[article.path] = ("detail", article_id)
                portal.routes[article.path.replace("/post_", "/mpost_")] = ("detail", article_id)
                for att in article.attachments:
                    att.path = (f"/attachment/{att.att_id // 1_000_000}/{att.att_id // 1000}/{att.att_id}/"
                                f"{article_id}.{att.fmt}")
                    portal.routes[att.path] = ("file", (article_id, att.att_id))
        portal.start_path = portal.columns["root"].path

    @staticmethod
    def post_path(article_id: int) -> str:
        return f"/gkmlpt/content/{article_id // 1_000_000}/{article_id // 1000}/post_{article_id}.html"

    def handle(self, portal: Portal, request: Request) -> Response | None:
        if request.path in ("/", "/gkmlpt/index", "/gkmlpt/annualreport", "/gkmlpt/annualreport/"):
            return self._shell(portal, request.path)
        match = API_RE.match(request.path)
        if match:
            return self._api(portal, request, int(match.group(1)))
        route = portal.routes.get(request.path)
        if route is None:
            return None
        kind, key = route
        return self.article_or_file(portal, kind, key)

    def _tree(self, portal: Portal, column: Column) -> dict:
        node = {"id": column.col_id, "name": column.title, "parent": 0,
                "children": [self._tree(portal, portal.columns[k]) for k in column.children]}
        if column.key == "root":
            node["jump_url"] = f"/gkmlpt/annualreport#{column.col_id}"
        return node

    def config(self, portal: Portal) -> dict:
        tree = [{"id": 100 + n, "name": name, "parent": 0, "children": []} for name, n in OTHER_CATEGORIES]
        tree.append(self._tree(portal, portal.columns["root"]))
        return {"SID": portal.params["sid"], "TREE": tree, "SITE_NAME": portal.name, "IS_ANNUAL_REPORT": True}

    def _shell(self, portal: Portal, path: str) -> Response:
        cfg = json.dumps(self.config(portal), ensure_ascii=False)
        head = pages.site_meta(portal) + '<link href="/gkmlpt/static/css/app.css" rel="stylesheet">\n'
        body = (f"<script>window._CONFIG = {cfg};</script>"
                '<div id="app"></div>'
                '<script src="/gkmlpt/static/js/chunk-vendors.js"></script>'
                '<script src="/gkmlpt/static/js/chunk-common.js"></script>')
        markup = pages.document(head, "政府信息公开", body)
        return http.page(portal, markup, pages.column_modified(portal, portal.columns["root"]))

    def _api(self, portal: Portal, request: Request, cat_id: int) -> Response:
        if request.query.get("sid") != portal.params["sid"]:
            return http.data(b'{"code":400,"msg":"sid error"}', "application/json", pages.BASE_TIME)
        column = next((c for c in portal.columns.values() if c.col_id == cat_id), None)
        if column is None:
            body = {"classify": {"id": cat_id, "post_count": 0}, "articles": [], "total": 0}
            return http.data(json.dumps(body).encode(), "application/json", pages.BASE_TIME)
        articles = listed_below(portal, column)
        page = max(1, int(request.query.get("page") or 1))
        if "gkmlpt_one_page" in portal.habits:
            if page > 1:
                return http.not_found()
            rows = articles
        else:
            rows = articles[(page - 1) * portal.page_size:page * portal.page_size]
        host = request.headers.get("host", "127.0.0.1")
        body = {"classify": {"id": cat_id, "name": column.title, "post_count": len(articles)},
                "articles": [self._json(portal, a, host) for a in rows], "total": len(articles)}
        return http.data(json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json;charset=UTF-8",
                         pages.column_modified(portal, column))

    def _json(self, portal: Portal, article: Article, host: str) -> dict:
        stamp = int(article.modified.timestamp())
        return {
            "id": article.article_id, "title": article.title, "url": f"http://{host}{article.path}",
            "post_url": article.path, "created_at": f"{article.published:%Y-%m-%d} 09:30:00",
            "create_time": stamp, "date": stamp, "document_number": "",
            "identifier": pages.index_number(portal, article), "publisher": article.organ,
            "attachment": [{"name": a.filename, "type": a.fmt, "mime": content.MIME[a.fmt], "size": content.sizes.get((a.att_id, article.version), 0),
                            "url": f"http://{host}{a.path}"} for a in article.attachments],
        }

    def detail_body(self, portal: Portal, article: Article) -> str:
        column = portal.columns[article.column_key]
        body_html = content.body_html(article)
        detail = {"id": article.article_id, "title": article.title, "publisher": article.organ,
                  "content": body_html, "date": f"{article.published:%Y-%m-%d}"}
        cfg = json.dumps({"SID": portal.params["sid"], "DETAIL": detail}, ensure_ascii=False)
        cfg = cfg.replace("<", "\\u003C").replace(">", "\\u003E")
        files = "".join(f'<p><a class="nfw-cms-attachment" href="{a.path}">{escape(a.filename)}</a></p>'
                        for a in article.attachments)
        labels = (("索引号", pages.index_number(portal, article)), ("分类", column.title), ("发布机构", article.organ),
                  ("成文日期", f"{article.published:%Y-%m-%d}"), ("名称", article.title), ("文号", ""),
                  ("发布日期", f"{article.published:%Y-%m-%d}"), ("主题词", ""))
        table = "".join(f"<tr><th>{k}：</th><td>{escape(v)}</td></tr>" for k, v in labels)
        body = (f"<script>window._CONFIG = {cfg};</script>"
                f'<div class="introduce"><table>{table}</table></div>'
                f'<h1 class="content-title">{escape(article.title)}</h1>'
                f'<div class="date">发布日期：{article.published:%Y-%m-%d}{pages.updated_note(article)}</div>'
                f'<div class="content">{body_html}{files}</div>')
        return body
