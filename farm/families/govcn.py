"""The State Council's gov.cn columns (PORTALS.md §6): a column is ``…/home.htm`` and its later pages
``home_1.htm``, ``home_2.htm`` … (``home_0.htm`` is the first page again), numbered by a
``createPageHTML('page-box', count, index, 'home', 'htm', total)`` call; rows are
``div.list.list_1 li h4 > a + span.date`` with links like ``../../202404/content_6946880.htm``. Report
pages use both templates: A ``/zhengce/content/YYYYMM/content_N.htm`` with the ``<td><b>索引号：</b></td>``
metadata table, B ``/zhengce/YYYYMM/content_N.htm`` with ``h1#ti``, ``div.pages-date`` and ``span.font``;
both put the body in ``#UCAP-CONTENT`` around ``.trs_editor_view`` and link TRS ``./P0…`` files. As on
``/zhengce/zhengceku/``, a folder address answers 403 while its pages answer 200. Where the annual reports
sit on gov.cn (``/zhengce/xxgk/gknb/``) is an inference (~). So is its sitemap (~): robots.txt names
``/sitemap.xml`` (sitemaps.org), listing the column's pages and every report page with its ``<lastmod>``,
as large CMS-built sites publish for search engines; a crawler may take it as the site's change signal."""

from __future__ import annotations

import math
import re
from html import escape

from farm import content, http, pages
from farm.families.base import Family, listed_below, short
from farm.families.trs import p0_name
from farm.http import Request, Response
from farm.model import Article, Column, Portal

COLUMN = "/zhengce/xxgk/gknb/"
SITEMAP = "/sitemap.xml"
HOME_RE = re.compile(r"^home(?:_(\d+))?\.htm$")


class Govcn(Family):
    name = "govcn"

    def layout(self, portal: Portal) -> None:
        portal.routes.clear()
        for column in portal.columns.values():
            column.path = column.list_path = COLUMN + "home.htm"
            for article_id in column.article_ids:
                article = portal.articles[article_id]
                folder = (f"/zhengce/content/{article.published:%Y%m}/" if template_a(article)
                          else f"/zhengce/{article.published:%Y%m}/")
                article.path = f"{folder}content_{article_id}.htm"
                portal.routes[article.path] = ("detail", article_id)
                for att in article.attachments:
                    att.path = folder + p0_name(article, att)
                    portal.routes[att.path] = ("file", (article_id, att.att_id))
        portal.start_path = COLUMN + "home.htm"

    def handle(self, portal: Portal, request: Request) -> Response | None:
        if request.path == "/":
            return self.home(portal)
        if request.path == SITEMAP:
            return self._sitemap(portal, request)
        folder, _, leaf = request.path.rpartition("/")
        match = HOME_RE.match(leaf)
        if folder + "/" == COLUMN and match:
            return self._listing(portal, int(match.group(1) or 0))
        route = portal.routes.get(request.path)
        if route is None:
            if request.path.startswith("/zhengce/") and request.path.endswith("/"):
                return Response(403, b"<html><head><title>403 Forbidden</title></head><body><center>"
                                     b"<h1>403 Forbidden</h1></center></body></html>")
            return None
        kind, key = route
        return self.article_or_file(portal, kind, key)

    def robots_lines(self, portal: Portal, request: Request) -> list[str]:
        return [f"Sitemap: {_origin(request)}{SITEMAP}"]

    def _sitemap(self, portal: Portal, request: Request) -> Response:
        root = portal.columns["root"]
        items = listed_below(portal, root)
        modified = pages.column_modified(portal, root)
        count = max(1, math.ceil(len(items) / portal.page_size))
        entries = [(COLUMN + (f"home_{n}.htm" if n else "home.htm"), modified) for n in range(count)]
        entries += [(a.path, a.modified) for a in items]
        origin = _origin(request)
        urls = "".join(f"<url><loc>{escape(origin + path)}</loc><lastmod>{when.isoformat(timespec='seconds')}"
                       "</lastmod></url>" for path, when in entries)
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n')
        return http.data(body.encode("utf-8"), "application/xml; charset=utf-8", modified)

    def _listing(self, portal: Portal, index: int) -> Response | None:
        root = portal.columns["root"]
        items = listed_below(portal, root)
        count = max(1, math.ceil(len(items) / portal.page_size))
        if index >= count:
            return None
        rows = "".join(f'<li><h4><a href="../..{a.path.removeprefix("/zhengce")}" target="_blank">'
                       f'{escape(a.title)}</a><span class="date">{a.published:%Y-%m-%d}</span></h4></li>'
                       for a in items[index * portal.page_size:(index + 1) * portal.page_size])
        body = (f'<div class="channel_tab"><h2>{escape(root.title)}</h2></div>'
                f'<div class="list list_1 list_2"><ul>{rows}</ul></div>'
                '<div class="pages_show" id="page-box"></div>'
                f"<script>createPageHTML('page-box', {count}, {index}, 'home', 'htm', {len(items)});</script>")
        head = pages.column_meta(portal, root) + f'<meta name="lanmu" content="{escape(root.title)}">\n'
        return http.page(portal, pages.document(head, f"{root.title}_中国政府网", body),
                         pages.column_modified(portal, root))

    def detail_body(self, portal: Portal, article: Article) -> str:
        files = "".join(f'<p><a href="./{a.path.rpartition("/")[2]}">{escape(a.filename)}</a></p>'
                        for a in article.attachments)
        body_html = (f'<div class="pages_content" id="UCAP-CONTENT"><div class="trs_editor_view TRS_UEDITOR '
                     f'trs_paper_default trs_web">{content.body_html(article)}</div>{files}</div>')
        if template_a(article):
            return (f'<div class="policyLibraryOverview_content">{pages.xxgk_table(portal, article)}</div>'
                    f"<table><tr><td>{body_html}</td></tr></table>")
        return (f'<div class="article oneColumn pub_border"><h1 id="ti">{escape(article.title)}</h1>'
                f'<div class="pages-date">{article.published:%Y-%m-%d} 09:30{pages.updated_note(article)}'
                f'<span class="font">来源：{escape(article.organ)}</span></div>{body_html}</div>')

    def detail_head(self, portal: Portal, column: Column, article: Article) -> str:
        return pages.article_meta(portal, column, article) + (
            f'<meta name="manuscriptId" content="{article.article_id}">\n'
            f'<meta name="firstpublishedtime" content="{article.published:%Y-%m-%d}-09:30:00">\n'
            f'<meta name="lanmu" content="{escape(portal.columns["root"].title)}">\n')

    def detail_title(self, article: Article) -> str:
        return f"{short(article.title, 60)}_中国政府网"

def _origin(request: Request) -> str:
    return f"{request.scheme}://{request.headers.get('host', '')}"


def template_a(article: Article) -> bool:
    """Which of the two gov.cn detail templates a page uses (half of each)."""
    return article.article_id % 2 == 0

