"""The site's own pages and links: routes for ``archive.site``'s pages, and report links in every table.

Routes (``register_routes``): ``/`` home, ``/report/{id}``, ``/organ/{id}``, ``/compare``, ``/rank``,
``/heat``, ``/editions``, ``/feed.atom``, ``/original/{sha256}`` (a document's stored bytes) and
``/warc/{document_id}.warc.gz`` (the WARC record they came from). Each page's data is read by a plain
function of ``archive.site`` on one of Datasette's connections to the archive, under the site's SQL
time limit (a page that runs out of time answers 503, never 500); parameters are checked before any
query (a bad one is 400, an unknown id 404).

``render_cell`` turns every ``report_id`` in any table or query into a link to ``/report/{id}`` (the
reports table links its titles, the wide tables their organ names), every ``organ_id`` into
``/organ/{id}``, and a document's SHA-256 into its archived original.

``startup`` readies the process for its visitors. It compiles the templates (Datasette's table page
cost its first request after each start 30–45 ms of CPU, a report page's four times its own), then
moves everything the start loaded out of the garbage collector's sight (``gc.freeze``): a full
collection walked those 75,000 objects every twenty or so table pages, 40 ms of CPU (100–250 ms of wall
time on a busy machine) landing on one visitor's request: the slowest in twenty, the p95.
"""

from __future__ import annotations

import gc
import sqlite3
from urllib.parse import urlencode

import markupsafe
from datasette import hookimpl
from datasette.plugins import pm
from datasette.utils import sqlite_timelimit
from datasette.utils.asgi import NotFound, Response

from archive.metadata import DATABASE
from archive.paths import DataDir
from archive.site import changes, compare, feed, home, organ, originals, ranking, report
from archive.site.labels import CHECK_STATUS, COVERAGE_STATUS, KINDS, LEVELS, TEMPLATES, number, one
from archive.site.streaming import FileRange
from archive.site_tables import EDITION_KINDS

_WIDE = ("sec2", "sec3", "sec4")
_GLOBALS = {"LEVELS": LEVELS, "KINDS": KINDS, "TEMPLATES": TEMPLATES, "CHECK_STATUS": CHECK_STATUS,
            "COVERAGE_STATUS": COVERAGE_STATUS, "EDITION_KINDS": EDITION_KINDS, "number": number}
_home_cache: dict[str, home.Home] = {}


class BadRequest(Exception):
    """A parameter no page can answer: 400 with the reason."""


async def _read(datasette, fn, *args, **kwargs):
    """Run ``fn(conn, …)`` on a connection to the archive under the SQL time limit."""
    try:
        database = datasette.get_database(DATABASE)
    except KeyError as exc:
        raise NotFound("本站没有发布档案库 / No archive is published here") from exc
    limit = datasette.setting("sql_time_limit_ms")

    def call(conn: sqlite3.Connection):
        with sqlite_timelimit(conn, limit):
            return fn(conn, *args, **kwargs)

    return await database.execute_fn(call)


def _data_dir(datasette) -> DataDir:
    return DataDir.resolve((datasette.plugin_config("nianbao-site") or {}).get("data_dir"))


async def _page(datasette, request, template: str, context: dict, *, status: int = 200) -> Response:
    html = await datasette.render_template(f"site/{template}", {**_GLOBALS, **context}, request=request)
    return Response.html(html, status=status)


def _number(value: str, name: str) -> int:
    """An id or page number: ASCII digits only (``str.isdigit`` also says yes to ``²``), at most 12."""
    if not (value.isascii() and value.isdigit()) or len(value) > 12:
        raise BadRequest(f"参数 {name} 应为数字 / {name} must be a number")
    return int(value)


def _int(request, name: str, default: int | None = None) -> int | None:
    value = request.args.get(name)
    return default if value in (None, "") else _number(value, name)


def _guarded(view):
    """Parameter errors are 400 and time-outs 503, with a plain Chinese and English page."""

    async def wrapped(datasette, request):
        try:
            return await view(datasette, request)
        except BadRequest as exc:
            return await _page(datasette, request, "error.html", {"status": 400, "message": str(exc)}, status=400)
        except sqlite3.OperationalError:
            message = "查询超时，请稍后再试或缩小范围 / The page took too long to build: please try again or narrow it"
            return await _page(datasette, request, "error.html", {"status": 503, "message": message}, status=503)

    return wrapped


@_guarded
async def home_view(datasette, request):
    database = datasette.databases.get(DATABASE)
    key = database.hash if database is not None and database.hash else None
    figures = _home_cache.get(key) if key else None
    if figures is None:
        figures = await _read(datasette, home.home)
        if key:
            _home_cache.clear()
            _home_cache[key] = figures
    return await _page(datasette, request, "home.html", {"home": figures})


def _one_thing(build, template: str, missing: str):
    """A page about one report or organ, by the id in its URL: 404 when the archive has none."""

    @_guarded
    async def view(datasette, request):
        page = await _read(datasette, build, int(request.url_vars["id"]))
        if page is None:
            raise NotFound(missing)
        return await _page(datasette, request, template, {"page": page})

    return view


report_view = _one_thing(report.report_page, "report.html", "没有这份报告 / No such report")
organ_view = _one_thing(organ.organ_page, "organ.html", "没有这个机关 / No such organ")


@_guarded
async def compare_view(datasette, request):
    a, b = _int(request, "a"), _int(request, "b")
    organs = [value for value in request.args.getlist("organ") if value]
    context: dict = {"a": a, "b": b, "with": (request.args.get("with") or "")[:50]}
    if a is not None and b is not None:
        context["reports"] = await _read(datasette, compare.compare_reports, a, b)
        if context["reports"] is None:
            raise NotFound("没有这份报告 / No such report")
    elif organs:
        first, *others = [_number(value, "organ") for value in organs[:2]]
        if others:
            context["organs"] = await _read(datasette, compare.compare_organs, first, others[0])
            if context["organs"] is None:
                raise NotFound("没有这个机关 / No such organ")
        else:
            context["first"] = await _read(datasette, one, "SELECT * FROM organs WHERE id = ?", [first])
            if context["first"] is None:
                raise NotFound("没有这个机关 / No such organ")
            context["candidates"] = await _read(datasette, compare.candidates, context["with"], exclude=first)
    return await _page(datasette, request, "compare.html", context)


@_guarded
async def rank_view(datasette, request):
    result = await _read(
        datasette, ranking.ranking, request.args.get("rate") or "disclosure", year=_int(request, "year"),
        level=request.args.get("level") or None, region=request.args.get("region") or None,
        order=request.args.get("order") or "desc", page=_int(request, "page", 1) or 1)
    if result is None:
        raise BadRequest("没有这个比率 / Unknown rate: " + ", ".join(rate.key for rate in ranking.rate_choices()))
    base = {"rate": result.rate.key, "year": result.year, "level": result.level or "", "region": result.region or "",
            "order": result.order}
    pages = [(n, "?" + urlencode({**base, "page": n})) for n in range(1, result.pages + 1)]
    return await _page(datasette, request, "rank.html", {"r": result, "rates": ranking.rate_choices(), "pages": pages})


@_guarded
async def heat_view(datasette, request):
    result = await _read(datasette, ranking.heat, request.args.get("rate") or "disclosure")
    if result is None:
        raise BadRequest("没有这个比率 / Unknown rate")
    return await _page(datasette, request, "heat.html", {"h": result, "rates": ranking.rate_choices()})


@_guarded
async def editions_view(datasette, request):
    region = request.args.get("region") or None
    kinds = tuple(kind for kind in request.args.getlist("kind") if kind in EDITION_KINDS)
    rows = await _read(datasette, changes.recent, region=region, kinds=kinds, limit=200)
    regions = await _read(datasette, changes.regions_with_changes)
    return await _page(datasette, request, "editions.html", {"rows": rows, "region": region, "regions": regions,
                                                             "kinds": kinds})


@_guarded
async def feed_view(datasette, request):
    base = datasette.absolute_url(request, "/").rstrip("/")  # honours force_https_urls behind a proxy
    body = await _read(datasette, feed.atom, base, region=request.args.get("region") or None)
    return Response(body, content_type="application/atom+xml; charset=utf-8",
                    headers={"cache-control": "public, max-age=600"})


@_guarded
async def original_view(datasette, request):
    found = await _read(datasette, originals.find_original, _data_dir(datasette), request.url_vars["sha256"])
    if found is None:
        raise NotFound("本站没有这个原文件 / This file is not in the archive's store")
    return FileRange(found.path, 0, found.size, found.media_type, found.headers)


@_guarded
async def warc_view(datasette, request):
    found = await _read(datasette, originals.find_warc_record, _data_dir(datasette), int(request.url_vars["id"]))
    if found is None:
        raise NotFound("这个文件没有 WARC 记录 / No WARC record is indexed for this document")
    headers = {"content-disposition": f'attachment; filename="{found.filename}"', "x-content-type-options": "nosniff",
               "cache-control": originals.IMMUTABLE}
    return FileRange(found.path, found.offset, found.length, "application/gzip", headers)


# datasette-render-markdown comes with datasette-dashboards, which needs it for markdown charts only (the
# site has none), and no column of ours is markdown. Its render_cell looked up its configuration for
# every text cell of every table page: a fifth of the reports table's CPU. Taken out of the plugin manager,
# it costs nothing (pluggy's unregister; /-/plugins.json no longer lists it).
_MARKDOWN = pm.get_plugin("render_markdown")
if _MARKDOWN is not None:
    pm.unregister(_MARKDOWN)

# Datasette's pages that every visitor meets, besides the site's own (every template under site/).
_DATASETTE_TEMPLATES = ("table.html", "row.html", "query.html", "database.html")


@hookimpl(trylast=True)  # after the other plugins' start, so what they load is frozen too
def startup(datasette):
    environment = datasette.jinja_env
    ours = [name for name in environment.list_templates() if name.startswith(("site/", "pages/"))]
    for name in (*_DATASETTE_TEMPLATES, "search.html", *ours):
        environment.get_template(name)
    gc.collect()  # what the start left behind, then the rest is kept out of every later collection
    gc.freeze()


@hookimpl
def register_routes():
    return [
        (r"^/$", home_view),
        (r"^/report/(?P<id>\d{1,12})$", report_view),
        (r"^/organ/(?P<id>\d{1,12})$", organ_view),
        (r"^/compare$", compare_view),
        (r"^/rank$", rank_view),
        (r"^/heat$", heat_view),
        (r"^/editions$", editions_view),
        (r"^/feed\.atom$", feed_view),
        (r"^/original/(?P<sha256>[0-9a-f]{64})$", original_view),
        (r"^/warc/(?P<id>\d{1,12})\.warc\.gz$", warc_view),
    ]


def _link(href: str, text: object, title: str | None = None) -> markupsafe.Markup:
    """An ``<a>``: built by concatenation, since a table page makes hundreds (``Markup.format`` cost a tenth
    of the reports page)."""
    escape = markupsafe.escape
    extra = f' title="{escape(title)}"' if title else ""
    return markupsafe.Markup(f'<a href="{escape(href)}"{extra}>{escape(text)}</a>')


def _key_and_label(value: object) -> tuple[object, object]:
    """A cell's value and what to show: a foreign key Datasette expanded is ``{"value": …, "label": …}``."""
    if isinstance(value, dict):
        return value.get("value"), value.get("label")
    return value, value


# The columns that link elsewhere in some table: any other cell is left to Datasette at once.
_LINKED_COLUMNS = frozenset({"report_id", "organ_id", "title", "organ", "sha256"})


@hookimpl
def render_cell(row, value, column, table, database):
    """Report and organ links wherever a table or query names one."""
    if column not in _LINKED_COLUMNS or database != DATABASE:
        return None
    key, label = _key_and_label(value)
    if column == "report_id" and key not in (None, ""):
        return _link(f"/report/{key}", label or key, "年度报告 / Report page")
    if column == "organ_id" and key not in (None, ""):
        return _link(f"/organ/{key}", label or key, "机关页 / Organ page")
    keys = row.keys() if hasattr(row, "keys") else ()
    if table == "reports" and column == "title" and "id" in keys and value:
        return _link(f"/report/{row['id']}", value, "年度报告 / Report page")
    if table in _WIDE and column == "organ" and "report_id" in keys and value:
        return _link(f"/report/{_key_and_label(row['report_id'])[0]}", value, "年度报告 / Report page")
    if table == "documents" and column == "sha256" and value:
        return _link(f"/original/{value}", value, "存档原文 / Archived original")
    return None


@hookimpl
def menu_links(datasette, request):
    return [
        {"href": "/", "label": "首页 Home"},
        {"href": f"/{DATABASE}/reports", "label": "年度报告 Reports"},
        {"href": "/compare", "label": "比较 Compare"},
        {"href": "/rank", "label": "排名 Ranking"},
        {"href": "/heat", "label": "地区热力表 Heat table"},
        {"href": "/editions", "label": "新增与改动 Changes"},
        {"href": "/feed.atom", "label": "订阅 Atom feed"},
    ]
