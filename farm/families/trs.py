"""TRS WCM (PORTALS.md §1): static ``index.html``/``index_N.html`` listings paged by ``createPageHTML``,
``./YYYYMM/tYYYYMMDD_ID.html`` details with a ``div.TRS_Editor`` body, ``./P0….pdf`` attachments.
Portals with the ``shtml`` habit publish ``index.shtml``/``index_N.shtml`` and ``.shtml`` details instead."""

from __future__ import annotations

import math
import re
from datetime import datetime
from html import escape

from farm import content, http, pages
from farm.families.base import Family, short, tree_path
from farm.http import Request, Response
from farm.model import Article, Attachment, Column, Portal

ROOT = "/zfxxgk/zfxxgknb/"
PAGER_JS = """<script>
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount <= 1){ return; }
  var h = "";
  if(_nCurrIndex == 0){ h += "首页 上一页 "; }
  else { h += "<a href=\\"" + _sPageName + "." + _sPageExt + "\\">首页</a> ";
    h += "<a href=\\"" + (_nCurrIndex == 1 ? _sPageName : _sPageName + "_" + (_nCurrIndex - 1)) + "." + _sPageExt + "\\">上一页</a> "; }
  if(_nCurrIndex + 1 >= _nPageCount){ h += "下一页 尾页"; }
  else { h += "<a href=\\"" + _sPageName + "_" + (_nCurrIndex + 1) + "." + _sPageExt + "\\">下一页</a> ";
    h += "<a href=\\"" + _sPageName + "_" + (_nPageCount - 1) + "." + _sPageExt + "\\">尾页</a>"; }
  document.write(h + " 共" + _nPageCount + "页");
}
</script>
"""
INDEX_RE = re.compile(r"^(?:index(?:_(\d+))?\.s?html)?$")


class Trs(Family):
    name = "trs"

    def layout(self, portal: Portal) -> None:
        portal.start_path = ROOT
        portal.routes.clear()
        for column in portal.columns.values():
            column.path = column.list_path = tree_path(ROOT, column, "n")
            kind = "nav" if column.unit is None else "list"
            if column.shell:
                column.list_path = column.path.rstrip("/") + "list/"
                portal.routes[column.path] = ("shell", column.key)
                portal.routes[column.path + f"index.{ext(portal)}"] = ("shell", column.key)
            portal.routes[column.list_path] = (kind, column.key)
            for article_id in column.article_ids:
                self._layout_article(portal, column, portal.articles[article_id])

    def _layout_article(self, portal: Portal, column: Column, article: Article) -> None:
        day = article.published
        folder = f"{column.list_path}{day:%Y%m}/"
        article.path = f"{folder}t{day:%Y%m%d}_{article.article_id}.{ext(portal)}"
        portal.routes[article.path] = ("detail", article.article_id)
        for att in article.attachments:
            att.path = folder + p0_name(article, att)
            portal.routes[att.path] = ("file", (article.article_id, att.att_id))

    def handle(self, portal: Portal, request: Request) -> Response | None:
        if request.path == "/":
            return self._home(portal)
        folder, _, leaf = request.path.rpartition("/")
        route, index = portal.routes.get(request.path), 0
        match = INDEX_RE.match(leaf)
        if route is None and match:
            route, index = portal.routes.get(folder + "/"), int(match.group(1) or 0)
        if route is None:
            return None
        kind, key = route
        if kind == "shell":
            return self._shell(portal, portal.columns[key])
        if kind == "nav":
            return self._nav(portal, portal.columns[key])
        if kind == "list":
            return self._listing(portal, portal.columns[key], index)
        return self.article_or_file(portal, kind, key)

    def _home(self, portal: Portal) -> Response:
        body = (f'<div class="header"><h1>{escape(portal.name)}</h1></div>'
                f'<ul class="nav"><li><a href="{ROOT}">政府信息公开年报</a></li>'
                '<li><a href="/zfxxgk/fdzdgknr/">法定主动公开内容</a></li></ul>')
        return http.page(portal, pages.document(pages.site_meta(portal), portal.name, body), pages.BASE_TIME)

    def _nav(self, portal: Portal, column: Column) -> Response:
        links = []
        for key in column.children:
            child = portal.columns[key]
            rel = child.path.removeprefix(column.path)
            links.append(f'<li><a href="./{rel}" title="{escape(child.title)}">{escape(child.title)}</a></li>')
        body = (f'<div class="position">当前位置：首页 &gt; 政府信息公开 &gt; {escape(column.title)}</div>'
                f'<ul class="sub-column">{"".join(links)}</ul>')
        markup = pages.document(pages.column_meta(portal, column), column.title, body)
        return http.page(portal, markup, pages.column_modified(portal, column))

    def _shell(self, portal: Portal, column: Column) -> Response:
        markup = f'<html><head><script>location.replace("{column.list_path}");</script></head><body></body></html>'
        return http.page(portal, markup, pages.BASE_TIME)

    def _listing(self, portal: Portal, column: Column, index: int) -> Response:
        items = portal.listed(column)
        count = max(1, math.ceil(len(items) / portal.page_size))
        modified = pages.column_modified(portal, column)
        if index >= count:
            return self._past_end(portal, column, index, modified)
        chosen = items[index * portal.page_size:(index + 1) * portal.page_size]
        rows = list_markup(portal, column, chosen)
        body = (f'<div class="position">当前位置：首页 &gt; 政府信息公开年报 &gt; {escape(column.title)}</div>'
                f'{rows}'
                f'<div class="page"><script>var countPage = {count};'
                f'createPageHTML({count}, {index}, "index", "{ext(portal)}");</script></div>')
        markup = pages.document(pages.column_meta(portal, column) + PAGER_JS, column.title, body)
        return http.page(portal, markup, modified)

    def _past_end(self, portal: Portal, column: Column, index: int, modified: datetime) -> Response | None:
        if "meta_refresh" in portal.habits:
            markup = ('<html><head><meta http-equiv="refresh" content="0;url=./"></head>'
                      '<body>页面跳转中...</body></html>')
            return http.page(portal, markup, modified)
        if "page_stub" in portal.habits and index < 40:
            markup = (f'<html><head><meta charset="utf-8"><title>{escape(column.title)}</title></head><body>'
                      '<div class="list"><ul class="gov-com-list"></ul></div>'
                      f'<div class="page"><script>createPageHTML(0, {index}, "index", "{ext(portal)}");</script></div>'
                      '</body></html>')
            return http.page(portal, markup, modified)
        return None

    def detail_body(self, portal: Portal, article: Article) -> str:
        files = "".join(f'<p><a href="./{a.path.rpartition("/")[2]}">{escape(a.filename)}</a></p>'
                        for a in article.attachments)
        body = (f'<div class="artT"><h1>{escape(article.title)}</h1></div>'
                f'<div class="art_infos">发布时间：{article.published:%Y-%m-%d}{pages.updated_note(article)} 来源：{escape(article.organ)}</div>'
                f'{pages.xxgk_table(portal, article)}'
                f'<div class="TRS_Editor">{content.body_html(article)}</div>'
                + (f'<div class="fj">附件：{files}</div>' if files else ""))
        return body


_DIGITS = str.maketrans("abcdef", "123456")


def p0_name(article: Article, attachment: Attachment) -> str:
    """A TRS attachment's file name: ``P0`` + the publication day + digits (PORTALS.md §1)."""
    return f"P0{article.published:%Y%m%d}{attachment.att_id}{attachment.token[:6].translate(_DIGITS)}.{attachment.fmt}"


def list_markup(portal: Portal, column: Column, articles: list[Article]) -> str:
    """The rows as one of the TRS sites of PORTALS.md §1 prints them (``trs_list`` portal parameter):
    Yulin ``ul.gov-com-list li.clearfix a + span`` (default), mohrss ``ul.rsb_con_rightUl > li > a + span``,
    or mva ``.overview_right li a[title]`` with the date in a ``<span>`` inside the anchor."""
    style = portal.params.get("trs_list", "yulin")
    rows = []
    for article in articles:
        rel, title, day = "./" + article.path.removeprefix(column.list_path), escape(article.title), article.published
        if style == "mva":
            rows.append(f'<li><a href="{rel}" title="{title}" target="_blank">{escape(short(article.title))}'
                        f"<span>{day:%Y-%m-%d}</span></a></li>")
        elif style == "mohrss":
            rows.append(f'<li><a href="{rel}" title="{title}">{escape(short(article.title))}</a>'
                        f"<span>{day:%Y/%m/%d}</span></li>")
        else:
            rows.append(f'<li class="clearfix"><a href="{rel}" title="{title}" target="_blank">'
                        f"{escape(short(article.title))}</a><span>{day:%Y-%m-%d}</span></li>")
    container = {"mva": '<div class="overview_right"><ul>{}</ul></div>',
                 "mohrss": '<ul class="rsb_con_rightUl">{}</ul>'}.get(style, '<div class="list"><ul class="gov-com-list">{}</ul></div>')
    return container.format("".join(rows))


def ext(portal: Portal) -> str:
    return "shtml" if "shtml" in portal.habits else "html"
