"""A portal whose report list exists only after JavaScript runs (PORTALS.md §8.2: Tianjin/Jinan datacall,
Guizhou counties): the page carries an opaque string that inline JS decodes and turns into the year →
unit type → report tree. There is no list API to call, so only a browser (or a crawler that renders
the page) sees the links. Details and attachments are plain static files."""

from __future__ import annotations

import base64
import json
from html import escape

from farm import content, http, pages
from farm.families.base import Family
from farm.http import Request, Response
from farm.model import UNIT_TYPES, Article, Portal

ROOT = "/xxgk/zfxxgknb/"
SCRIPT = """<script>
(function(){
  var _0x3f = "%s";
  var _0xd = JSON.parse(decodeURIComponent(escape(atob(_0x3f.split("").reverse().join("")))));
  var box = document.getElementById("nb-tree"); box.innerHTML = "";
  _0xd.forEach(function(y){
    var h = document.createElement("h3"); h.textContent = y[0]; box.appendChild(h);
    y[1].forEach(function(u){
      var h4 = document.createElement("h4"); h4.textContent = u[0]; box.appendChild(h4);
      var ul = document.createElement("ul"); ul.className = "nb-list";
      u[1].forEach(function(r){
        var li = document.createElement("li"), a = document.createElement("a");
        a.href = r[1]; a.title = r[0]; a.textContent = r[0];
        var s = document.createElement("span"); s.textContent = r[2];
        li.appendChild(a); li.appendChild(s); ul.appendChild(li);
      });
      box.appendChild(ul);
    });
  });
})();
</script>"""


class JsOnly(Family):
    name = "js_only"

    def layout(self, portal: Portal) -> None:
        portal.routes.clear()
        for column in portal.columns.values():
            column.path = column.list_path = ROOT
            for article_id in column.article_ids:
                article = portal.articles[article_id]
                article.path = f"{ROOT}{article.year}/{UNIT_TYPES[article.unit][1]}/{article_id}.html"
                portal.routes[article.path] = ("detail", article_id)
                for att in article.attachments:
                    att.path = f"/xxgk/uploadfiles/{article.published:%Y%m}/{att.token}.{att.fmt}"
                    portal.routes[att.path] = ("file", (article_id, att.att_id))
        portal.start_path = ROOT + "index.html"

    def handle(self, portal: Portal, request: Request) -> Response | None:
        if request.path in ("/", ROOT, ROOT + "index.html"):
            return self._index(portal)
        route = portal.routes.get(request.path)
        if route is None:
            return None
        kind, key = route
        return self.article_or_file(portal, kind, key)

    def _index(self, portal: Portal) -> Response:
        root = portal.columns["root"]
        tree = []
        for ykey in root.children:
            year = portal.columns[ykey]
            units = [[portal.columns[k].title, [[a.title, a.path, f"{a.published:%Y-%m-%d}"]
                                                for a in portal.listed(portal.columns[k])]]
                     for k in year.children]
            tree.append([year.title, units])
        packed = base64.b64encode(json.dumps(tree, ensure_ascii=False).encode("utf-8")).decode()[::-1]
        body = ('<div class="main"><h2>政府信息公开工作年度报告</h2>'
                '<div id="nb-tree">正在加载，请稍候……</div></div>' + SCRIPT % packed)
        markup = pages.document(pages.column_meta(portal, root), root.title, body)
        return http.page(portal, markup, pages.column_modified(portal, root))

    def detail_body(self, portal: Portal, article: Article) -> str:
        files = "".join(f'<p>附件：<a href="{a.path}">{escape(a.filename)}</a></p>' for a in article.attachments)
        body = (f'<div class="article"><h1>{escape(article.title)}</h1>'
                f'<div class="info">发布日期：{article.published:%Y-%m-%d}{pages.updated_note(article)}</div>'
                f'<div class="article-content">{content.body_html(article)}{files}</div></div>')
        return body
