"""A county CMS that no adapter knows (PORTALS.md §7 "Snowflake-ID CMS", §9 rows 25–26, 29–31): static
``.shtml`` columns ``/zfxxgk/zfxxgknb/{year}/{unit}/`` whose report pages carry 19-digit ids. It is
registered ``generic``: the shipped rows whose CMS PORTALS.md cannot name are walked the same way, by
report titles, the tree's own column links and the listing's own pager. Both pagers of such sites occur,
by year: even years print a ``createPageHTML('page_div', count, current, 'index', 'shtml', total)`` call
numbered from 1 (page 2 is ``index_2.shtml``), odd years plain 首页/上一页/下一页/尾页 links. With the
``js_list`` habit the street columns hold their rows only in an inline script array, as Guizhou county
sites do: the static page has no report link, a browser shows them."""

from __future__ import annotations

import json
import math
import re
from html import escape

from farm import content, http, pages
from farm.families.base import Family, short, tree_path
from farm.http import Request, Response
from farm.model import Article, Column, Portal

ROOT = "/zfxxgk/zfxxgknb/"
PAGE_RE = re.compile(r"^index(?:_(\d+))?\.shtml$")
JS_LIST = """<script>
(function(){
  var rows = %s, box = document.getElementById("list_box"), ul = document.createElement("ul");
  rows.forEach(function(r){ var li = document.createElement("li"), a = document.createElement("a");
    a.href = r[1]; a.title = r[0]; a.textContent = r[0]; var s = document.createElement("span"); s.textContent = r[2];
    li.appendChild(a); li.appendChild(s); ul.appendChild(li); });
  box.innerHTML = ""; box.appendChild(ul);
})();
</script>"""


def snowflake(number: int) -> str:
    """A 19-digit id, as these CMSs name pages and files."""
    return str(1_880_000_000_000_000_000 + number * 1_000_003)


class Snowflake(Family):
    name = "snowflake"

    def layout(self, portal: Portal) -> None:
        portal.routes.clear()
        for column in portal.columns.values():
            column.path = column.list_path = tree_path(ROOT, column)
            portal.routes[column.path] = ("col", column.key)
            for article_id in column.article_ids:
                article = portal.articles[article_id]
                article.path = f"{column.path}{snowflake(article_id)}.shtml"
                portal.routes[article.path] = ("detail", article_id)
                for att in article.attachments:
                    att.path = f"/uploadfiles/{article.published:%Y%m}/{snowflake(att.att_id)}.{att.fmt}"
                    portal.routes[att.path] = ("file", (article_id, att.att_id))
        portal.start_path = ROOT

    def handle(self, portal: Portal, request: Request) -> Response | None:
        if request.path == "/":
            return self.home(portal)
        route, number = portal.routes.get(request.path), 1
        if route is None:
            folder, _, leaf = request.path.rpartition("/")
            match = PAGE_RE.match(leaf)
            if match:
                route, number = portal.routes.get(folder + "/"), int(match.group(1) or 1)
        if route is None:
            return None
        kind, key = route
        if kind != "col":
            return self.article_or_file(portal, kind, key)
        column = portal.columns[key]
        if column.unit is None:
            return self._nav(portal, column) if number == 1 else None
        return self._listing(portal, column, number)

    def _frame(self, portal: Portal, column: Column, inner: str) -> Response:
        crumbs = '<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zfxxgk/">政府信息公开</a></div>'
        body = (f'<div class="top"><a href="/">首页</a> <a href="/zwdt/">政务动态</a> <a href="/hdjl/">互动交流</a></div>'
                f'{crumbs}<div class="main"><h2>{escape(column.title)}</h2>{inner}</div>')
        markup = pages.document(pages.column_meta(portal, column), column.title, body)
        return http.page(portal, markup, pages.column_modified(portal, column))

    def _nav(self, portal: Portal, column: Column) -> Response:
        links = "".join(f'<li><a href="./{portal.columns[k].path.removeprefix(column.path)}">'
                        f"{escape(portal.columns[k].title)}</a></li>" for k in column.children)
        return self._frame(portal, column, f'<ul class="sub_lm">{links}</ul>')

    def _listing(self, portal: Portal, column: Column, number: int) -> Response | None:
        items = portal.listed(column)
        if column.unit == "street" and "js_list" in portal.habits:
            rows = json.dumps([[a.title, a.path, f"{a.published:%Y-%m-%d}"] for a in items], ensure_ascii=False)
            return self._frame(portal, column, '<div id="list_box">加载中……</div>' + JS_LIST % rows)
        count = max(1, math.ceil(len(items) / portal.page_size))
        if not 1 <= number <= count:
            return None
        chosen = items[(number - 1) * portal.page_size:number * portal.page_size]
        rows = "".join(f'<li><a href="./{a.path.rpartition("/")[2]}" title="{escape(a.title)}">{escape(short(a.title))}'
                       f"</a><span>{a.published:%Y-%m-%d}</span></li>" for a in chosen)
        return self._frame(portal, column, f'<ul class="list_ul">{rows}</ul>{self._pager(column, number, count, len(items))}')

    @staticmethod
    def _pager(column: Column, number: int, count: int, total: int) -> str:
        if column.year is not None and column.year % 2 == 0:
            return (f'<div class="page" id="page_div"></div><script>'
                    f"createPageHTML('page_div', {count}, {number}, 'index', 'shtml', {total});</script>")

        def href(k: int) -> str:
            return "index.shtml" if k == 1 else f"index_{k}.shtml"

        links = [f"共{total}条 第{number}/{count}页"]
        if number > 1:
            links.append(f'<a href="{href(1)}">首页</a> <a href="{href(number - 1)}">上一页</a>')
        if number < count:
            links.append(f'<a href="{href(number + 1)}">下一页</a> <a href="{href(count)}">尾页</a>')
        return f'<div class="page">{" ".join(links)}</div>'

    def detail_body(self, portal: Portal, article: Article) -> str:
        files = "".join(f'<li><a href="{a.path}">{escape(a.filename)}</a></li>' for a in article.attachments)
        body = (f'<div class="detail"><h1>{escape(article.title)}</h1>'
                f'<div class="info">发布时间：{article.published:%Y-%m-%d}{pages.updated_note(article)}'
                f' 信息来源：{escape(article.organ)}</div>'
                f'<div class="article-content">{content.body_html(article)}</div>'
                + (f'<div class="attach">附件：<ul>{files}</ul></div>' if files else "") + "</div>")
        return body
