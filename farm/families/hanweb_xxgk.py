"""Hanweb 信息公开 (xxgk) module's annual-report JSP (PORTALS.md §2, §9 rows 32–33):
``/module/xxgk/xxgkAnnualReport.jsp?area=<统一社会信用代码>&fbtime=<year>`` shows one organ's report of
one year, inline, with Hanweb ``downfile.jsp`` attachments; an organ-year with no report shows an empty
page (200, 暂无年报). No page lists the reports: the organs are the nodes of the unit tree that
``tree.jsp?area=<portal code>`` returns (each with its code), and the years are whatever a visitor picks
in a year box the page's script fills, so a crawler enumerates years for every unit code.

``fbtime`` means the report's year here; the ``xxgk_fbtime`` portal parameter ``published`` makes it the
year of publication instead (the name suggests 发布时间; which one real sites mean is not known, ~).
Articles that are not annual reports are ordinary ``/art/`` pages that no annual-report page links."""

from __future__ import annotations

import zlib
from html import escape
from urllib.parse import urlencode

from farm import content, http, pages
from farm.families.base import Family, gone_or_broken
from farm.families.hanweb import DOWNFILE
from farm.http import Request, Response
from farm.model import UNIT_TYPES, Article, Portal

ANNUAL = "/module/xxgk/xxgkAnnualReport.jsp"
TREE = "/module/xxgk/tree.jsp"
# GB 32100-2015: the 31 characters of a 统一社会信用代码 and the weights of its check character.
CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_char(body: str) -> str:
    """The 18th character of a 统一社会信用代码 whose first 17 are ``body`` (GB 32100-2015)."""
    total = sum(CODE_CHARS.index(ch) * weight for ch, weight in zip(body, CODE_WEIGHTS))
    return CODE_CHARS[(31 - total % 31) % 31]


def credit_code(organ: str, area: str) -> str:
    """A well-formed 统一社会信用代码 for an organ: 11 (机关), the 6-digit area, a 9-character organisation
    code drawn from the name, and the check character."""
    value = zlib.crc32(organ.encode("utf-8"))
    body = "11" + area + "".join(CODE_CHARS[(value >> (3 * i)) % 31] for i in range(9))
    return body + check_char(body)


class HanwebXxgk(Family):
    name = "hanweb_xxgk"

    def layout(self, portal: Portal) -> None:
        area = portal.params.setdefault("area", f"3708{zlib.crc32(portal.site_id.encode()) % 100:02d}")
        portal.params.setdefault("code", credit_code(portal.organ, area))
        portal.routes.clear()
        for column in portal.columns.values():
            column.path = column.list_path = f"{ANNUAL}?area={portal.params['code']}"
            for article_id in column.article_ids:
                article = portal.articles[article_id]
                for att in article.attachments:
                    att.path = f"{DOWNFILE}?classid=0&filename={att.token}.{att.fmt}"
                    portal.routes[f"file:{att.token}.{att.fmt}"] = ("file", (article_id, att.att_id))
                if not article.is_report:
                    day = article.published
                    article.path = f"/art/{day.year}/{day.month}/{day.day}/art_{column.col_id}_{article_id}.html"
                    portal.routes[article.path] = ("detail", article_id)
                    continue
                code = credit_code(article.organ, area)
                year = self._fbtime(portal, article)
                article.path = f"{ANNUAL}?{urlencode({'area': code, 'fbtime': year})}"
                # The newest report of an organ-year is the one the page shows.
                shown = portal.routes.get(f"annual:{code}:{year}")
                if shown is None or portal.articles[shown[1]].published <= article.published:
                    portal.routes[f"annual:{code}:{year}"] = ("detail", article_id)
        # The registry's address: the portal's own (government) organ in its latest year.
        reports = [a for a in portal.articles.values() if a.is_report]
        latest = max((self._fbtime(portal, a) for a in reports), default=2024)
        portal.start_path = f"{ANNUAL}?{urlencode({'area': portal.params['code'], 'fbtime': latest})}"

    def _fbtime(self, portal: Portal, article: Article) -> int:
        return article.published.year if portal.params.get("xxgk_fbtime") == "published" else article.year

    def handle(self, portal: Portal, request: Request) -> Response | None:
        if request.path == "/":
            return self.home(portal)
        if request.path == TREE:
            return self._tree(portal) if request.query.get("area") == portal.params["code"] else None
        if request.path == ANNUAL:
            return self._annual(portal, request.query.get("area", ""), request.query.get("fbtime", ""))
        route = self.route_of(portal, request, DOWNFILE, "filename")
        if route is None:
            return None
        kind, key = route
        return self.article_or_file(portal, kind, key, disposition=True)

    def _tree(self, portal: Portal) -> Response:
        """The unit tree: organs grouped by unit type, each with its code (a fragment the page loads)."""
        groups: dict[str, list[tuple[str, str]]] = {}
        for article in sorted(portal.articles.values(), key=lambda a: a.article_id):
            entry = (article.organ, credit_code(article.organ, portal.params["area"]))
            if article.is_report and entry not in groups.setdefault(article.unit, []):
                groups[article.unit].append(entry)
        items = []
        for unit, organs in groups.items():
            nodes = "".join(f'<li><a href="javascript:void(0);" onclick="changeArea(\'{code}\')" '
                            f'title="{escape(organ)}">{escape(organ)}</a></li>' for organ, code in organs)
            items.append(f'<li class="tree_type"><span>{UNIT_TYPES[unit][0]}</span><ul>{nodes}</ul></li>')
        markup = f'<ul class="xxgk_tree" id="tree_{portal.params["code"]}">{"".join(items)}</ul>'
        return http.page(portal, markup, pages.BASE_TIME)

    def _annual(self, portal: Portal, code: str, fbtime: str) -> Response:
        route = portal.routes.get(f"annual:{code}:{fbtime}")
        article = portal.articles[route[1]] if route else None
        if article is not None and not article.removed:
            failure = gone_or_broken(article)
            if failure:
                return failure
            main, title, modified = self._report(portal, article), article.title, article.modified
            head = pages.article_meta(portal, portal.columns[article.column_key], article)
        else:
            main, title, modified = '<div class="nb_empty">暂无年报信息</div>', "政府信息公开年报", pages.BASE_TIME
            head = pages.site_meta(portal)
        tree_url = f"{TREE}?area={portal.params['code']}&amp;divid=div_tree"
        body = ('<div class="xxgk_left"><div id="div_tree">正在加载……</div></div>'
                f'<div class="xxgk_right"><div class="nb_search">年度：<select id="fbtime"></select></div>{main}</div>'
                "<script>var box=document.getElementById('fbtime');"
                "for(var y=new Date().getFullYear();y>=2008;y--){box.options.add(new Option(y+'年',y));}"
                f"box.value='{escape(fbtime)}';"
                "box.onchange=function(){location.href='?area=" + escape(code) + "&fbtime='+this.value;};"
                "function changeArea(a){location.href='?area='+a+'&fbtime='+box.value;}"
                f"fetch('{tree_url.replace('&amp;', '&')}').then(function(r){{return r.text();}})"
                ".then(function(t){document.getElementById('div_tree').innerHTML=t;});</script>"
                f'<noscript><a href="{tree_url}">单位列表</a></noscript>')
        return http.page(portal, pages.document(head, title, body), modified)

    def _report(self, portal: Portal, article: Article) -> str:
        files = "".join(f'<p><a href="{a.path}" target="_blank">{escape(a.filename)}</a></p>'
                        for a in article.attachments)
        return (f'<div class="nb_title"><h1>{escape(article.title)}</h1></div>'
                f'<div class="nb_info">发布日期：{article.published:%Y-%m-%d}{pages.updated_note(article)}</div>'
                f'{pages.xxgk_table(portal, article)}<div id="zoom">{content.body_html(article)}</div>'
                + (f'<div class="nb_files">附件：{files}</div>' if files else ""))

    def detail_body(self, portal: Portal, article: Article) -> str:
        return (f'<div class="bt-box-main"><h1>{escape(article.title)}</h1>'
                f'<div id="zoom">{content.body_html(article)}</div></div>')
