"""Anhui ``/public/column`` platform (PORTALS.md §5a): column pages
``/public/column/{organId}?type=4&action=list&nav=3&catId={catId}`` are shells with the catalogue tree on
the left and an empty list box that a script fills from
``/site/label/8888?IsAjax=1&dataType=html&labelName=publicInfoList&siteId=…&pageSize=…&pageIndex=N&action=list
&isDate=true&dateFormat=yyyy-MM-dd&organId=…&type=4&catId=…&file=/c3/hs/publicInfoList_newest``. That call
answers 403 without its ``Referer``, ``X-Requested-With`` and ``Ls-Language: zh`` headers; its fragment is
``ul.clearfix.xxgk_nav_list > li > a + span`` and a pager script holding ``pageCount:N``. A catalogue
node lists everything below it. Details are ``/public/{organId}/{id}.html``.

Inferred (~, configurable): the ``type`` of the annual-report catalogue (``anhui_type`` parameter, 4 by
default), the ``#zoom`` body container and the ``/group1/M00/…`` (FastDFS-style) attachment paths."""

from __future__ import annotations

import math
import zlib
from html import escape
from urllib.parse import urlencode

from farm import content, http, pages
from farm.families.base import Family, listed_below, short
from farm.http import Request, Response
from farm.model import Article, Column, Portal

LABEL = "/site/label/8888"
LIST_FILE = "/c3/hs/publicInfoList_newest"
REQUIRED_HEADERS = {"x-requested-with": "XMLHttpRequest", "ls-language": "zh"}


class AnhuiColumn(Family):
    name = "anhui_column"

    def layout(self, portal: Portal) -> None:
        params = portal.params
        organ_id = params.setdefault("organ_id", str(1600 + zlib.crc32(portal.site_id.encode()) % 300))
        params.setdefault("site_id", str(zlib.crc32(b"site/" + portal.site_id.encode()) % 90 + 10))
        params.setdefault("anhui_type", "4")
        portal.routes.clear()
        for column in portal.columns.values():
            column.path = column.list_path = self.shell_path(portal, column)
            portal.routes[f"cat:{column.col_id}"] = ("col", column.key)
            for article_id in column.article_ids:
                article = portal.articles[article_id]
                article.path = f"/public/{organ_id}/{article_id}.html"
                portal.routes[article.path] = ("detail", article_id)
                for att in article.attachments:
                    att.path = f"/group1/M00/{att.att_id % 256:02X}/{att.att_id // 256 % 256:02X}/{att.token}.{att.fmt}"
                    portal.routes[att.path] = ("file", (article_id, att.att_id))
        root = portal.columns["root"]
        portal.start_path = f"/public/column/{organ_id}?type={params['anhui_type']}&action=list"
        portal.routes["cat:"] = ("col", root.key)

    def shell_path(self, portal: Portal, column: Column) -> str:
        query = {"type": portal.params["anhui_type"], "catId": column.col_id, "action": "list", "nav": 3}
        return f"/public/column/{portal.params['organ_id']}?{urlencode(query)}"

    def label_path(self, portal: Portal, column: Column, page: int) -> str:
        params = portal.params
        query = {"IsAjax": 1, "dataType": "html", "labelName": "publicInfoList", "siteId": params["site_id"],
                 "pageSize": portal.page_size, "pageIndex": page, "action": "list", "isDate": "true",
                 "dateFormat": "yyyy-MM-dd", "organId": params["organ_id"], "type": params["anhui_type"],
                 "catId": column.col_id if column.key != "root" else "", "file": LIST_FILE}
        return f"{LABEL}?{urlencode(query)}"

    def handle(self, portal: Portal, request: Request) -> Response | None:
        query = request.query
        if request.path == "/":
            return self.home(portal, '政府信息公开')
        if request.path == f"/public/column/{portal.params['organ_id']}":
            route = portal.routes.get(f"cat:{query.get('catId', '')}")
            return self._shell(portal, portal.columns[route[1]]) if route else None
        if request.path == LABEL:
            return self._label(portal, request)
        route = portal.routes.get(request.path)
        if route is None:
            return None
        kind, key = route
        return self.article_or_file(portal, kind, key)

    def _tree(self, portal: Portal, column: Column) -> str:
        items = "".join(f'<li><a href="{escape(portal.columns[k].path)}" title="{escape(portal.columns[k].title)}">'
                        f"{escape(portal.columns[k].title)}</a>{self._tree(portal, portal.columns[k])}</li>"
                        for k in column.children)
        return f"<ul>{items}</ul>" if items else ""

    def _shell(self, portal: Portal, column: Column) -> Response:
        root = portal.columns["root"]
        tree = (f'<div class="xxgk_lmcon"><h3><a href="{escape(root.path)}">{escape(root.title)}</a></h3>'
                f"{self._tree(portal, root)}</div>")
        label = self.label_path(portal, column, 1)
        body = (f'<div class="xxgk_left">{tree}</div><div class="xxgk_right"><h2>{escape(column.title)}</h2>'
                '<div id="xxgkListBox" class="xxgk_list">正在加载……</div></div>'
                "<script>$.ajax({url:\"" + label + "\",type:\"GET\",headers:{\"Ls-Language\":\"zh\"},"
                "success:function(html){$(\"#xxgkListBox\").html(html);}});</script>")
        markup = pages.document(pages.column_meta(portal, column), column.title, body)
        response = http.page(portal, markup, pages.column_modified(portal, column))
        response.headers.append(("Set-Cookie", f"SHIROJSESSIONID={zlib.crc32(portal.site_id.encode()):08x}; Path=/"))
        return response

    def _label(self, portal: Portal, request: Request) -> Response | None:
        headers = request.headers
        if any(headers.get(k, "").lower() != v.lower() for k, v in REQUIRED_HEADERS.items()) or not headers.get("referer"):
            return Response(403, "<html><body><h1>403 Forbidden</h1><p>非法请求</p></body></html>".encode("utf-8"))
        query = request.query
        if query.get("organId") != portal.params["organ_id"] or query.get("type") != portal.params["anhui_type"]:
            return http.data('<ul class="clearfix xxgk_nav_list"><li>暂无信息</li></ul>'.encode("utf-8"),
                             "text/html;charset=UTF-8", pages.BASE_TIME)
        route = portal.routes.get(f"cat:{query.get('catId', '')}")
        if route is None:
            return None
        column = portal.columns[route[1]]
        items = listed_below(portal, column)
        size = max(1, int(query.get("pageSize") or portal.page_size))
        count = max(1, math.ceil(len(items) / size))
        index = max(1, int(query.get("pageIndex") or 1))
        rows = "".join(f'<li><a href="{a.path}" title="{escape(a.title)}" target="_blank">{escape(short(a.title))}'
                       f'</a><span class="date">{a.published:%Y-%m-%d}</span></li>'
                       for a in items[(index - 1) * size:index * size]) or "<li>暂无信息</li>"
        pager = ('<div id="page_public_info" class="pagination"></div><script>'
                 f'$("#page_public_info").page({{pageCount:{count},current:{index},totalCount:{len(items)},'
                 'backFn:function(p){loadPublicInfo(p);}});</script>')
        fragment = f'<ul class="clearfix xxgk_nav_list">{rows}</ul>{pager}'
        return http.data(fragment.encode("utf-8"), "text/html;charset=UTF-8", pages.column_modified(portal, column))

    def detail_body(self, portal: Portal, article: Article) -> str:
        files = "".join(f'<li><a href="{a.path}" title="{escape(a.filename)}">{escape(a.filename)}</a></li>'
                        for a in article.attachments)
        body = (f'<div id="container"><div class="container">{pages.xxgk_table(portal, article)}'
                f'<h1 class="newstitle">{escape(article.title)}</h1>'
                f'<div class="newsinfo">发布时间：{article.published:%Y-%m-%d}{pages.updated_note(article)}</div>'
                f'<div class="wzcon j-fontContent" id="zoom">{content.body_html(article)}</div>'
                + (f'<div class="fjdown"><h4>相关附件：</h4><ul>{files}</ul></div>' if files else "") + "</div></div>")
        return body

