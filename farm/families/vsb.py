"""博达 VSB (PORTALS.md §7 table): a CMS no adapter knows, registered as ``auto`` so the crawler's generic
fallback (report titles, 下一页/尾页 links) must cope. Columns are ``/….htm``; page k of P is
``/…/{P-k+1}.htm`` (VSB numbers pages backwards, so the last page is ``1.htm``); details are
``/info/{col}/{id}.htm`` with a ``div.v_news_content`` body; attachments are query-named
``/system/_content/download.jsp?…&wbfileid=N`` links whose anchor text is the file name."""

from __future__ import annotations

import math
import re
from html import escape

from farm import content, http, pages
from farm.families.base import Family, short
from farm.http import Request, Response
from farm.model import UNIT_TYPES, Article, Column, Portal

ROOT = "/zfxxgk/zfxxgknb"
DOWNLOAD = "/system/_content/download.jsp"
PAGE_RE = re.compile(r"^(.*)/(\d+)\.htm$")


class Vsb(Family):
    name = "vsb"

    def layout(self, portal: Portal) -> None:
        portal.routes.clear()
        for column in portal.columns.values():
            if column.year is None:
                stem = ROOT
            elif column.unit is None:
                stem = f"{ROOT}/{column.year}n"
            else:
                stem = f"{ROOT}/{column.year}n/{UNIT_TYPES[column.unit][1]}"
            column.path = column.list_path = stem + ".htm"
            portal.routes[column.path] = ("col", column.key)
            portal.routes[f"stem:{stem}"] = ("col", column.key)
            for article_id in column.article_ids:
                article = portal.articles[article_id]
                article.path = f"/info/{column.col_id}/{article_id}.htm"
                portal.routes[article.path] = ("detail", article_id)
                for att in article.attachments:
                    att.path = (f"{DOWNLOAD}?urltype=news.DownloadAttachUrl&owner={1000000 + column.col_id}"
                                f"&wbfileid={att.att_id}")
                    portal.routes[f"file:{att.att_id}"] = ("file", (article_id, att.att_id))
        portal.start_path = portal.columns["root"].path

    def handle(self, portal: Portal, request: Request) -> Response | None:
        if request.path == "/":
            return self.home(portal)
        route = self.route_of(portal, request, DOWNLOAD, "wbfileid")
        number = None
        if route is None:
            match = PAGE_RE.match(request.path)
            if match:
                route, number = portal.routes.get(f"stem:{match.group(1)}"), int(match.group(2))
        if route is None:
            return None
        kind, key = route
        if kind == "col":
            column = portal.columns[key]
            if column.unit is None:
                return self._nav(portal, column) if number is None else None
            return self._listing(portal, column, number)
        return self.article_or_file(portal, kind, key, disposition=True)

    def _nav(self, portal: Portal, column: Column) -> Response:
        links = "".join(f'<li><a href="{portal.columns[k].path}">{escape(portal.columns[k].title)}</a></li>'
                        for k in column.children)
        body = f'<div class="lm_list"><h2>{escape(column.title)}</h2><ul>{links}</ul></div>'
        markup = pages.document(pages.column_meta(portal, column), column.title, body)
        return http.page(portal, markup, pages.column_modified(portal, column))

    def _listing(self, portal: Portal, column: Column, number: int | None) -> Response | None:
        items = portal.listed(column)
        total = max(1, math.ceil(len(items) / portal.page_size))
        page = 1 if number is None else total - number + 1
        if number is not None and not 1 <= number < total:
            return None
        stem = column.path.removesuffix(".htm")

        def href(k: int) -> str:
            return f"{stem}.htm" if k == 1 else f"{stem}/{total - k + 1}.htm"

        rows = "".join(f'<li><a href="{a.path}" title="{escape(a.title)}">{escape(short(a.title))}</a>'
                       f'<span>{a.published:%Y-%m-%d}</span></li>'
                       for a in items[(page - 1) * portal.page_size:page * portal.page_size])
        fun = []
        if page > 1:
            fun.append(f'<span class="p_first p_fun"><a href="{href(1)}">首页</a></span>'
                       f'<span class="p_prev p_fun"><a href="{href(page - 1)}">上一页</a></span>')
        if page < total:
            fun.append(f'<span class="p_next p_fun"><a href="{href(page + 1)}">下一页</a></span>'
                       f'<span class="p_last p_fun"><a href="{href(total)}">尾页</a></span>')
        pager = (f'<span class="p_pages">共{len(items)}条&nbsp;&nbsp;{page}/{total}&nbsp;</span>{"".join(fun)}')
        body = (f'<div class="lm_list"><h2>{escape(column.title)}</h2><ul>{rows}</ul>'
                f'<div class="pb_sys_common pb_sys_normal">{pager}</div></div>')
        markup = pages.document(pages.column_meta(portal, column), column.title, body)
        return http.page(portal, markup, pages.column_modified(portal, column))

    def detail_body(self, portal: Portal, article: Article) -> str:
        files = "".join(f'<li>附件【<a href="{a.path}" target="_blank">{escape(a.filename)}</a>】</li>'
                        for a in article.attachments)
        body = (f'<form name="_newscontent_fromname"><h1 class="arti_title">{escape(article.title)}</h1>'
                f'<p class="arti_metas">发布时间：{article.published:%Y-%m-%d}{pages.updated_note(article)}</p>'
                f'<div id="vsb_content"><div class="v_news_content">{content.body_html(article)}</div></div>'
                + (f"<ul>{files}</ul>" if files else "") + "</form>")
        return body
