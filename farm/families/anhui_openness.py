"""Anhui "openness" platform (PORTALS.md §5b): ``/OpennessContent/showList/{branch}/{column}/page_N.html``
listings (1-based, 下一页/尾页 links and 共N页), ``/OpennessContent/show/{id}.html`` details. The
attachment path ``/Uploads/openness/YYYYMM/<hex>.<ext>`` is an inference (~), not seen in sources."""

from __future__ import annotations

import math
import re
import zlib
from html import escape

from farm import content, http, pages
from farm.families.base import Family, short
from farm.http import Request, Response
from farm.model import Article, Column, Portal

LIST_RE = re.compile(r"^/OpennessContent/showList/(\d+)/(\d+)/page_(\d+)\.html$")


class AnhuiOpenness(Family):
    name = "anhui_openness"

    def layout(self, portal: Portal) -> None:
        branch = portal.params.setdefault("branch", str(1300 + zlib.crc32(portal.site_id.encode()) % 200))
        portal.routes.clear()
        for column in portal.columns.values():
            column.path = column.list_path = f"/OpennessContent/showList/{branch}/{column.col_id}/"
            portal.routes[f"col:{column.col_id}"] = ("col", column.key)
            for article_id in column.article_ids:
                article = portal.articles[article_id]
                article.path = f"/OpennessContent/show/{article_id}.html"
                portal.routes[article.path] = ("detail", article_id)
                for att in article.attachments:
                    att.path = f"/Uploads/openness/{article.published:%Y%m}/{att.token}.{att.fmt}"
                    portal.routes[att.path] = ("file", (article_id, att.att_id))
        portal.start_path = portal.columns["root"].path + "page_1.html"

    def handle(self, portal: Portal, request: Request) -> Response | None:
        if request.path == "/":
            return self.home(portal)
        match = LIST_RE.match(request.path)
        if match:
            route = portal.routes.get(f"col:{match.group(2)}")
            if match.group(1) != portal.params["branch"] or route is None:
                return None
            column = portal.columns[route[1]]
            number = int(match.group(3))
            return self._listing(portal, column, number) if column.unit else self._nav(portal, column)
        route = portal.routes.get(request.path)
        if route is None:
            return None
        kind, key = route
        return self.article_or_file(portal, kind, key)

    def _sidebar(self, portal: Portal) -> str:
        root = portal.columns["root"]
        years = []
        for key in root.children:
            year = portal.columns[key]
            units = "".join(f'<li><a href="{portal.columns[k].path}page_1.html">{escape(portal.columns[k].title)}</a></li>'
                            for k in year.children)
            years.append(f'<li><a href="{year.path}page_1.html">{escape(year.title)}</a><ul>{units}</ul></li>')
        return f'<div class="left_tree"><h3>{escape(root.title)}</h3><ul>{"".join(years)}</ul></div>'

    def _nav(self, portal: Portal, column: Column) -> Response:
        links = "".join(f'<li><a href="{portal.columns[k].path}page_1.html" title="{escape(portal.columns[k].title)}">'
                        f"{escape(portal.columns[k].title)}</a></li>" for k in column.children)
        body = self._sidebar(portal) + f'<div class="right_con"><ul class="column_list">{links}</ul></div>'
        markup = pages.document(pages.column_meta(portal, column), column.title, body)
        return http.page(portal, markup, pages.column_modified(portal, column))

    def _listing(self, portal: Portal, column: Column, number: int) -> Response:
        items = portal.listed(column)
        count = max(1, math.ceil(len(items) / portal.page_size))
        chosen = items[(number - 1) * portal.page_size:number * portal.page_size] if number >= 1 else []
        rows = "".join(f'<li><a href="{a.path}" title="{escape(a.title)}" target="_blank">{escape(short(a.title))}'
                       f'</a><span class="date">{a.published:%Y-%m-%d}</span></li>' for a in chosen) or "<li>暂无信息</li>"
        pager = [f"共{count}页 {len(items)}条 当前第{number}页"]
        if number > 1:
            pager.append(f'<a href="page_1.html">首页</a> <a href="page_{number - 1}.html">上一页</a>')
        if number < count:
            pager.append(f'<a href="page_{number + 1}.html">下一页</a> <a href="page_{count}.html">尾页</a>')
        body = (self._sidebar(portal) + f'<div class="right_con"><h2>{escape(column.title)}</h2>'
                f'<ul class="clearfix xxgk_nav_list">{rows}</ul><div class="pagination">{" ".join(pager)}</div></div>')
        markup = pages.document(pages.column_meta(portal, column), column.title, body)
        return http.page(portal, markup, pages.column_modified(portal, column))

    def detail_body(self, portal: Portal, article: Article) -> str:
        files = "".join(f'<li><a href="{a.path}" title="{escape(a.filename)}">{escape(a.filename)}</a></li>'
                        for a in article.attachments)
        body = (f'{pages.xxgk_table(portal, article)}<div class="wzcon"><h1 class="newstitle">{escape(article.title)}</h1>'
                f'<div class="newsinfo">发布日期：{article.published:%Y-%m-%d}{pages.updated_note(article)}</div>'
                f'<div class="j-fontContent minh500">{content.body_html(article)}</div>'
                + (f'<div class="fjdown"><h4>附件下载：</h4><ul>{files}</ul></div>' if files else "") + "</div>")
        return body
