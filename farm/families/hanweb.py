"""Hanweb (大汉) JCMS classic (PORTALS.md §2): ``/col/colN/index.html`` whose first page carries the rows
as XML inside ``<script type="text/xml">``, later rows by POST to ``/module/web/jpage/dataproxy.jsp``;
``/art/Y/M/D/art_C_ID.html`` details (``div#zoom``); opaque ``downfile.jsp`` attachments named only by
Content-Disposition, one of them behind a 302 to ``/attach/0/<hex>.<ext>``."""

from __future__ import annotations

import math
import zlib
from html import escape

from farm import content, http, pages
from farm.families.base import Family, attachment_response, find_attachment, short
from farm.http import Request, Response
from farm.model import Article, Column, Portal

DATAPROXY = "/module/web/jpage/dataproxy.jsp"
JPAGE_JS = "/module/jslib/jquery/jpage/jpage.js"
DOWNFILE = "/module/download/downfile.jsp"
GROUP_SIZE = 3
MAX_PERPAGE = 300


class Hanweb(Family):
    name = "hanweb"

    def layout(self, portal: Portal) -> None:
        portal.params.setdefault("webid", str(zlib.crc32(portal.site_id.encode()) % 90 + 3))
        portal.routes.clear()
        for column in portal.columns.values():
            column.path = column.list_path = f"/col/col{column.col_id}/index.html"
            portal.routes[column.path] = ("col", column.key)
            portal.routes[f"/col/col{column.col_id}/"] = ("col", column.key)
            for article_id in column.article_ids:
                article = portal.articles[article_id]
                day = article.published
                article.path = f"/art/{day.year}/{day.month}/{day.day}/art_{column.col_id}_{article_id}.html"
                portal.routes[article.path] = ("detail", article_id)
                for att in article.attachments:
                    att.path = f"{DOWNFILE}?classid=0&filename={att.token}.{att.fmt}"
                    portal.routes[f"file:{att.token}.{att.fmt}"] = ("file", (article_id, att.att_id))
                    portal.routes[f"/attach/0/{att.token}.{att.fmt}"] = ("attach", (article_id, att.att_id))
        portal.start_path = portal.columns["root"].path

    def handle(self, portal: Portal, request: Request) -> Response | None:
        if request.path == "/":
            return self.home(portal)
        if request.path == DATAPROXY:
            return self._dataproxy(portal, request)
        if request.path == JPAGE_JS:
            return http.data(JPAGE_SHIM.encode(), "application/javascript", pages.BASE_TIME)
        route = self.route_of(portal, request, DOWNFILE, "filename")
        if route is None:
            return None
        kind, key = route
        if kind == "col":
            column = portal.columns[key]
            return self._leaf(portal, column) if column.unit else self._nav(portal, column)
        if kind == "detail":
            return self._detail(portal, portal.articles[key])
        article_id, att_id = key
        article = portal.articles[article_id]
        attachment = find_attachment(article, att_id)
        if kind == "file" and attachment.redirect and not article.removed:
            return Response(302, b"", headers=[("Location", f"/attach/0/{attachment.token}.{attachment.fmt}")])
        return attachment_response(article, attachment, disposition=True)

    def _nav(self, portal: Portal, column: Column) -> Response:
        items = []
        for key in column.children:
            child = portal.columns[key]
            subs = "".join(f'<li><a href="{portal.columns[k].path}" target="_self">{escape(portal.columns[k].title)}'
                           "</a></li>" for k in child.children)
            items.append(f'<li><a href="{child.path}">{escape(child.title)}</a>'
                         + (f"<ul>{subs}</ul>" if subs else "") + "</li>")
        body = (f'<div class="bt-position">您当前的位置：首页 &gt; {escape(column.title)}</div>'
                f'<ul class="tree">{"".join(items)}</ul>')
        markup = pages.document(pages.column_meta(portal, column), column.title, body)
        return http.page(portal, markup, pages.column_modified(portal, column))

    def _unitid(self, column: Column) -> int:
        return 400000 + column.col_id

    def _record(self, article: Article) -> str:
        return (f'<![CDATA[<li><a href="{article.path}" title="{escape(article.title)}" target="_blank">'
                f'{escape(short(article.title))}</a><span>\n\t\t\t{article.published:%Y-%m-%d}\n\t\t</span></li>]]>')

    def _nextgroup(self, portal: Portal, column: Column) -> str:
        return (f'<![CDATA[<a href="{DATAPROXY}?page=1&appid=1&webid={portal.params["webid"]}&path=/'
                f'&columnid={column.col_id}&unitid={self._unitid(column)}&webname={portal.name}'
                '&permissiontype=0"></a>]]>')

    def _leaf(self, portal: Portal, column: Column) -> Response:
        items = portal.listed(column)
        first = items[:portal.page_size * GROUP_SIZE]
        records = "".join(f"<record>{self._record(a)}</record>" for a in first)
        unitid = self._unitid(column)
        body = (f'<div class="bt-position">您当前的位置：首页 &gt; 政府信息公开年报 &gt; {escape(column.title)}</div>'
                f'<div id="{unitid}"><script type="text/xml"><datastore><nextgroup>{self._nextgroup(portal, column)}'
                f'</nextgroup><recordset>{records}</recordset></datastore></script></div>'
                "<script>$(document).ready(function(){"
                f"$('#{unitid}').jpage({{totalRecord: {len(items)}, perPage: {portal.page_size},"
                f" groupSize: {GROUP_SIZE}, proxyUrl: '{DATAPROXY}', barPosition: 'bottom',"
                f" webid: '{portal.params['webid']}', columnid: '{column.col_id}', unitid: '{unitid}'}});"
                "});</script>")
        head = pages.column_meta(portal, column) + f'<script src="{JPAGE_JS}"></script>\n'
        markup = pages.document(head, column.title, body)
        return http.page(portal, markup, pages.column_modified(portal, column))

    def _dataproxy(self, portal: Portal, request: Request) -> Response | None:
        if request.method != "POST":
            return Response(405, b"<html><body>Method Not Allowed</body></html>")
        params = {**request.query, **request.form}
        column = next((c for c in portal.leaf_columns() if str(c.col_id) == params.get("columnid")), None)
        if column is None:
            return Response(200, b'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>0</totalrecord>'
                                 b"<recordset></recordset></datastore>", "text/xml;charset=UTF-8")
        items = portal.listed(column)
        perpage = max(1, min(int(params.get("perpage") or portal.page_size), MAX_PERPAGE))
        if "startrecord" in params and "hanweb_page_only" not in portal.habits:
            start = max(1, int(params["startrecord"]))
            end = min(int(params.get("endrecord") or start + perpage - 1), start + MAX_PERPAGE - 1)
        else:
            start = (max(1, int(params.get("page") or 1)) - 1) * perpage + 1
            end = start + perpage - 1
        chosen = items[start - 1:end]
        records = "".join(f"<record>{self._record(a)}</record>" for a in chosen)
        xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<datastore>'
               f"<nextgroup>{self._nextgroup(portal, column)}</nextgroup>"
               f"<recordset>{records}</recordset><totalrecord>{len(items)}</totalrecord>"
               f"<totalpage>{max(1, math.ceil(len(items) / perpage))}</totalpage></datastore>")
        return http.data(xml.encode("utf-8"), "text/xml;charset=UTF-8", pages.column_modified(portal, column))

    def detail_body(self, portal: Portal, article: Article) -> str:
        files = "".join(f'<p><a href="{a.path}" target="_blank">附件{n}</a></p>'
                        for n, a in enumerate(article.attachments, 1))
        body = (f'<div class="bt-box-main"><div class="artile_title"><h1>{escape(article.title)}</h1></div>'
                f'<div class="artile_info">发布日期：{article.published:%Y-%m-%d}{pages.updated_note(article)} 信息来源：{escape(article.organ)}</div>'
                f'{pages.xxgk_table(portal, article)}'
                f'<div id="zoom">{content.body_html(article)}{files}</div></div>')
        return body


# A stand-in for jQuery + the jpage plugin, enough for a browser to show what a real Hanweb page shows:
# the rows of the XML datastore, then further pages fetched by POST from dataproxy.jsp.
JPAGE_SHIM = r"""
(function(){
  function records(xml){ var out=[], re=/<record><!\[CDATA\[([\s\S]*?)\]\]><\/record>/g, m;
    while((m=re.exec(xml))){ out.push(m[1]); } return out; }
  function Sel(target){ this.target=target; }
  Sel.prototype.ready=function(fn){ if(document.readyState!=="loading"){fn();} else {document.addEventListener("DOMContentLoaded", fn);} };
  Sel.prototype.jpage=function(cfg){
    var box=document.getElementById(String(this.target).slice(1)), store=box.querySelector('script[type="text/xml"]');
    var rows=records(store ? store.textContent : ""), list=document.createElement("ul"), bar=document.createElement("div");
    list.className="jpage-list"; bar.className="jpage-bar"; box.appendChild(list); box.appendChild(bar);
    var pages=Math.max(1, Math.ceil(cfg.totalRecord/cfg.perPage));
    function show(n){
      var start=(n-1)*cfg.perPage;
      function draw(){ list.innerHTML=rows.slice(start, start+cfg.perPage).join("");
        bar.innerHTML="共"+pages+"页 第"+n+"页 "+(n<pages?'<a href="#" data-n="'+(n+1)+'">下一页</a>':"");
        var next=bar.querySelector("a"); if(next){ next.onclick=function(e){ e.preventDefault(); show(n+1); }; } }
      if(rows.length>=Math.min(cfg.totalRecord, start+cfg.perPage)){ draw(); return; }
      var body="col=1&appid=1&webid="+cfg.webid+"&path=/&columnid="+cfg.columnid+"&unitid="+cfg.unitid+"&permissiontype=0";
      fetch(cfg.proxyUrl+"?startrecord="+(rows.length+1)+"&endrecord="+(rows.length+cfg.perPage*3)+"&perpage="+cfg.perPage,
            {method:"POST", body:body, headers:{"Content-Type":"application/x-www-form-urlencoded","X-Requested-With":"XMLHttpRequest"}})
        .then(function(r){ return r.text(); }).then(function(t){ rows=rows.concat(records(t)); draw(); });
    }
    show(1);
  };
  window.$=window.jQuery=function(target){ return new Sel(target); };
})();
"""
