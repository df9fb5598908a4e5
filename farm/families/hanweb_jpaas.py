"""Hanweb JPaaS / 集约化 (PORTALS.md §3), laid out like Linxia's annual-report columns: path columns
``/{prefix}/zwgk/zfxxgknb/{year}/{unit}/`` whose first rows are static HTML under a ``div.pagination``
carrying ``count``/``rows``/``pageNo`` and ``queryData="{'webId':…,'pageId':…,'tagId':…,'tplSetId':…}"``;
the later rows come only from the "build unit" JSON API
``/api-gateway/jpaas-publish-server/front/page/build/unit``, which honours the page number only inside
``paramJson={"pageNo":N,"pageSize":"15"}`` (a bare ``pageNo`` gets page 1). Details are
``{column}art/{YYYY}/art_<32hex>.html``; files come from
``/api-gateway/jpaas-web-server/front/document/download?fileUrl=…&fileName=…``. The upload path inside
``fileUrl`` is an inference (~)."""

from __future__ import annotations

import hashlib
import json
import math
import zlib
from html import escape
from urllib.parse import quote

from farm import content, http, pages
from farm.families.base import Family, short, tree_path
from farm.http import Request, Response
from farm.model import Article, Column, Portal

BUILD_UNIT = "/api-gateway/jpaas-publish-server/front/page/build/unit"
DOWNLOAD = "/api-gateway/jpaas-web-server/front/document/download"
PAGE_JS = "/jpaas-jpage/js/page.js"


class HanwebJpaas(Family):
    name = "hanweb_jpaas"

    def layout(self, portal: Portal) -> None:
        params = portal.params
        params.setdefault("prefix", "lxz")
        params.setdefault("webid", str(zlib.crc32(portal.site_id.encode()) % 9000 + 1000))
        params.setdefault("tplsetid", hashlib.md5(portal.site_id.encode()).hexdigest()[:21])
        root = f"/{params['prefix']}/zwgk/zfxxgknb/"
        portal.routes.clear()
        for column in portal.columns.values():
            column.path = column.list_path = tree_path(root, column)
            portal.routes[column.path] = ("col", column.key)
            portal.routes[column.path + "index.html"] = ("col", column.key)
            portal.routes[f"page:{column.col_id}"] = ("col", column.key)
            for article_id in column.article_ids:
                article = portal.articles[article_id]
                uid = hashlib.md5(f"{portal.site_id}/{article_id}".encode()).hexdigest()
                article.path = f"{column.path}art/{article.published.year}/art_{uid}.html"
                portal.routes[article.path] = ("detail", article_id)
                for att in article.attachments:
                    stored = f"/jpaas-upload/{params['webid']}/{article.published:%Y%m}/{att.token}.{att.fmt}"
                    att.path = f"{DOWNLOAD}?fileUrl={quote(stored, safe='')}&fileName={quote(att.filename)}"
                    portal.routes[f"file:{stored}"] = ("file", (article_id, att.att_id))
        portal.start_path = portal.columns["root"].path

    def handle(self, portal: Portal, request: Request) -> Response | None:
        if request.path == "/":
            return self.home(portal)
        if request.path == BUILD_UNIT:
            return self._build_unit(portal, request)
        if request.path == PAGE_JS:
            return http.data(PAGE_SHIM.encode(), "application/javascript", pages.BASE_TIME)
        route = self.route_of(portal, request, DOWNLOAD, "fileUrl")
        if route is None:
            return None
        kind, key = route
        if kind == "col":
            column = portal.columns[key]
            return self._column(portal, column) if column.unit else self._nav(portal, column)
        return self.article_or_file(portal, kind, key, disposition=True)

    def _nav(self, portal: Portal, column: Column) -> Response:
        links = "".join(f'<li><a href="{portal.columns[k].path}" title="{escape(portal.columns[k].title)}">'
                        f"{escape(portal.columns[k].title)}</a></li>" for k in column.children)
        body = (f'<div class="bt-position">当前位置：首页 &gt; 政务公开 &gt; {escape(column.title)}</div>'
                f'<div class="lm-list"><ul>{links}</ul></div>')
        markup = pages.document(pages.column_meta(portal, column), column.title, body)
        return http.page(portal, markup, pages.column_modified(portal, column))

    def _rows(self, articles: list[Article]) -> str:
        return "".join(f'<li class="clearfix"><a class="bt-left" title="{escape(a.title)}" href="{a.path}" '
                       f'target="_blank">{escape(short(a.title))}</a><span class="bt-right">'
                       f"{a.published:%Y-%m-%d}</span></li>" for a in articles)

    def _query_data(self, portal: Portal, column: Column) -> dict[str, str]:
        return {"webId": portal.params["webid"], "pageId": str(column.col_id), "tagId": "信息列表",
                "tplSetId": portal.params["tplsetid"]}

    def _column(self, portal: Portal, column: Column) -> Response:
        items = portal.listed(column)
        size = portal.page_size
        query = "{" + ",".join(f"'{k}':'{v}'" for k, v in self._query_data(portal, column).items()) + "}"
        body = (f'<div class="bt-position">当前位置：首页 &gt; 政务公开 &gt; {escape(column.title)}</div>'
                f'<div id="{column.col_id}" class="default_pgContainer"><ul class="list">'
                f"{self._rows(items[:size])}</ul></div>"
                f'<div class="pagination" id="page_{column.col_id}" count="{len(items)}" rows="{size}" pageNo="1"'
                f' unitUrl="{BUILD_UNIT}" queryData="{query}"></div>'
                f'<script src="{PAGE_JS}"></script>')
        markup = pages.document(pages.column_meta(portal, column), column.title, body)
        return http.page(portal, markup, pages.column_modified(portal, column))

    def _build_unit(self, portal: Portal, request: Request) -> Response:
        query = request.query
        route = portal.routes.get(f"page:{query.get('pageId', '')}")
        if query.get("webId") != portal.params["webid"] or route is None:
            body = {"success": False, "code": 400, "msg": "页面不存在", "data": None}
            return http.data(json.dumps(body, ensure_ascii=False).encode(), "application/json", pages.BASE_TIME)
        column = portal.columns[route[1]]
        try:
            param = json.loads(query.get("paramJson") or "{}")
        except json.JSONDecodeError:
            param = {}
        # The page number counts only inside paramJson: a bare pageNo is ignored (PORTALS.md §3).
        page = max(1, int(param.get("pageNo") or 1))
        size = max(1, int(param.get("pageSize") or query.get("rows") or portal.page_size))
        items = portal.listed(column)
        chosen = items[(page - 1) * size:page * size]
        html_rows = f'<ul class="list">{self._rows(chosen)}</ul>' if chosen else ""
        body = {"success": True, "code": 200, "msg": "操作成功",
                "data": {"html": html_rows, "total": len(items), "pageCount": max(1, math.ceil(len(items) / size))}}
        return http.data(json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json;charset=UTF-8",
                         pages.column_modified(portal, column))

    def detail_body(self, portal: Portal, article: Article) -> str:
        files = "".join(f'<p><a href="{escape(a.path)}" target="_blank">{escape(a.filename)}</a></p>'
                        for a in article.attachments)
        body = (f'<div class="article"><div class="art-title"><h1>{escape(article.title)}</h1></div>'
                f'<div class="art-info">发布日期：{article.published:%Y-%m-%d}{pages.updated_note(article)}'
                f' 来源：{escape(article.organ)}</div>{pages.xxgk_table(portal, article)}'
                f'<div id="zoom">{content.body_html(article)}</div>'
                + (f'<div class="fujian">附件：{files}</div>' if files else "") + "</div>")
        return body


# What the real page.js does, enough for a browser: read div.pagination and fetch later pages from the
# build-unit API with the page number inside paramJson.
PAGE_SHIM = r"""
(function(){
  var bar = document.querySelector("div.pagination"); if(!bar){ return; }
  var count = +bar.getAttribute("count"), rows = +bar.getAttribute("rows");
  var pages = Math.max(1, Math.ceil(count / rows));
  var q = JSON.parse(bar.getAttribute("queryData").replace(/'/g, '"'));
  var list = document.querySelector(".default_pgContainer");
  function show(n){
    var url = bar.getAttribute("unitUrl") + "?webId=" + q.webId + "&pageId=" + q.pageId + "&parseType=bulidstatic"
      + "&pageType=column&tagId=" + encodeURIComponent(q.tagId) + "&tplSetId=" + q.tplSetId + "&rows=" + rows
      + "&paramJson=" + encodeURIComponent(JSON.stringify({pageNo: n, pageSize: String(rows)}));
    fetch(url).then(function(r){ return r.json(); }).then(function(d){
      list.innerHTML = d.data.html;
      bar.innerHTML = "共" + pages + "页 " + (n < pages ? '<a href="#">下一页</a>' : "");
      var next = bar.querySelector("a"); if(next){ next.onclick = function(e){ e.preventDefault(); show(n + 1); }; }
    });
  }
  bar.innerHTML = "共" + pages + "页 " + (pages > 1 ? '<a href="#">下一页</a>' : "");
  var first = bar.querySelector("a"); if(first){ first.onclick = function(e){ e.preventDefault(); show(2); }; }
})();
"""
