"""``/search``: ranked full-text search of the report texts, each hit linking to its report page.

The page runs ``archive.search`` on a connection of the archive (with the texts file attached by
``nianbao_fts``) under the site's SQL time limit, and shows hints rather than errors for queries it
cannot answer (a lone ``"``, a single Chinese character). ``/-/search``, where datasette-search-all
used to dump whole reports, sends people here.
"""

import sqlite3
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils import sqlite_timelimit
from datasette.utils.asgi import Response

from archive.paths import ARCHIVE_NAME, TEXTS_NAME
from archive.search import CANDIDATES, PAGE_SIZE, Results, search


async def search_page(datasette, request):
    query = (request.args.get("q") or "").strip()
    try:
        page = max(1, min(int(request.args.get("page") or 1), CANDIDATES // PAGE_SIZE))
    except ValueError:
        page = 1
    results, error = Results(query=query, page=page), None
    if query and TEXTS_NAME not in datasette.databases:
        error = "本站未发布全文库。 The texts are not published on this site."
    elif query:
        limit = datasette.setting("sql_time_limit_ms")

        def run(conn: sqlite3.Connection) -> Results:
            with sqlite_timelimit(conn, limit):
                return search(conn, query, page)

        try:
            results = await datasette.get_database(ARCHIVE_NAME).execute_fn(run)
        except sqlite3.OperationalError as exc:
            error = f"检索超时或出错，请换一个词。 The search failed or took too long: {exc}"
    pages = [(number, "?" + urlencode({"q": query, "page": number})) for number in range(1, results.pages + 1)]
    return Response.html(
        await datasette.render_template(
            "search.html",
            {"q": query, "results": results, "error": error, "pages": pages, "page_size": PAGE_SIZE},
            request=request,
        )
    )


async def old_search(request):
    query = request.args.get("q")
    return Response.redirect("/search" + ("?" + urlencode({"q": query}) if query else ""))


@hookimpl(tryfirst=True)
def register_routes():
    return [(r"^/search$", search_page), (r"^/-/search$", old_search)]


@hookimpl
def menu_links(datasette, request):
    return [{"href": datasette.urls.path("/search"), "label": "全文检索 Search"}]
