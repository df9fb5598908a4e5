"""What every family shares: the layout/route contract and the answers for details and attachments."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from farm import content, http, pages
from farm.http import Request, Response
from farm.model import UNIT_TYPES, Article, Attachment, Column, Portal


class Family:
    """One CMS family: ``layout`` gives a portal's columns and articles their URLs (and fills
    ``portal.routes``, path → (kind, key)); ``handle`` answers a request or returns None for a 404."""

    name = ""

    def layout(self, portal: Portal) -> None:
        raise NotImplementedError

    def handle(self, portal: Portal, request: Request) -> Response | None:
        raise NotImplementedError

    def robots_lines(self, portal: Portal, request: Request) -> list[str]:
        """Lines the family adds to robots.txt (a ``Sitemap:``), given the address it was asked at."""
        return []

    def home(self, portal: Portal, label: str = "政府信息公开年报") -> Response:
        """The site's home page: the one link into the disclosure column, as portals' menus give it."""
        body = f'<div class="nav"><a href="{escape(portal.start_path)}">{label}</a></div>'
        return http.page(portal, pages.document(pages.site_meta(portal), portal.name, body), pages.BASE_TIME)

    def _detail(self, portal: Portal, article: Article) -> Response:
        """An article's page: 404 once removed, 500 when broken, else the family's markup around it."""
        failure = gone_or_broken(article)
        if failure:
            return failure
        column = portal.columns[article.column_key]
        markup = pages.document(self.detail_head(portal, column, article), self.detail_title(article),
                                self.detail_body(portal, article))
        return http.page(portal, markup, article.modified)

    def detail_body(self, portal: Portal, article: Article) -> str:
        """The inside of an article page's ``<body>``: title, dates, the report body, its file links."""
        raise NotImplementedError

    def detail_head(self, portal: Portal, column: Column, article: Article) -> str:
        return pages.article_meta(portal, column, article)

    def detail_title(self, article: Article) -> str:
        return article.title

    @staticmethod
    def route_of(portal: Portal, request: Request, download: str = "", key: str = "") -> tuple[str, object] | None:
        """The ``portal.routes`` entry a request names: a file of a download endpoint (``download``) by its
        query value ``key``, anything else by its path."""
        if download and request.path == download:
            return portal.routes.get(f"file:{request.query.get(key, '')}")
        return portal.routes.get(request.path)

    def article_or_file(self, portal: Portal, kind: str, key, *, disposition: bool = False) -> Response:
        """The answer to a ``portal.routes`` entry naming a report page (``detail``) or one of its files."""
        if kind == "detail":
            return self._detail(portal, portal.articles[key])
        article_id, att_id = key
        article = portal.articles[article_id]
        return attachment_response(article, find_attachment(article, att_id), disposition=disposition)


def find_attachment(article: Article, att_id: int) -> Attachment:
    return next(a for a in article.attachments if a.att_id == att_id)


def gone_or_broken(article: Article) -> Response | None:
    """Removed articles are 404 everywhere; a ``broken`` report page is a permanent 500."""
    if article.removed:
        return http.not_found()
    if article.broken:
        return Response(500, b"<html><body><h1>500 Internal Server Error</h1></body></html>")
    return None


def attachment_response(article: Article, attachment: Attachment, *, disposition: bool = False) -> Response:
    """The file, rendered lazily; validators come from the article's version, not from the bytes."""
    if article.removed:
        return http.not_found()
    response = Response(200, lambda: content.attachment_bytes(article, attachment), content.MIME[attachment.fmt],
                        etag=http.etag_of(article.article_id, article.version, attachment.att_id),
                        last_modified=article.modified)
    if disposition:
        response.headers.append(("Content-Disposition", content_disposition(attachment)))
    return response


def content_disposition(attachment: Attachment) -> str:
    """Hanweb style: raw GBK bytes in ``filename=`` (sent as latin-1 code points, so the wire carries the
    GBK bytes) and, unless the attachment is the GBK-only one, RFC 5987 ``filename*=`` as well."""
    raw = attachment.filename.encode("gbk", "replace").decode("latin-1")
    value = f'attachment; filename="{raw}"'
    if not attachment.gbk_only_name:
        value += f"; filename*=UTF-8''{quote(attachment.filename)}"
    return value


def listed_below(portal: Portal, column: Column) -> list[Article]:
    """A column's live articles and those of every column below it, newest first: what a catalogue
    node lists on the platforms whose list calls take a node (gkmlpt ``api/all``, Anhui ``catId``)."""
    out, stack = [], [column.key]
    while stack:
        current = portal.columns[stack.pop()]
        out.extend(portal.listed(current))
        stack.extend(current.children)
    return sorted(out, key=lambda a: (a.published, a.article_id), reverse=True)


def tree_path(root: str, column: Column, year_suffix: str = "") -> str:
    """A column's folder on a site whose tree is folders: ``root``, ``root{year}/``, ``root{year}/{unit}/``
    (TRS writes the year as ``2024n``: ``year_suffix="n"``)."""
    if column.year is None:
        return root
    year = f"{root}{column.year}{year_suffix}/"
    return year if column.unit is None else f"{year}{UNIT_TYPES[column.unit][1]}/"


def short(title: str, limit: int = 24) -> str:
    return title if len(title) <= limit else title[:limit] + "..."
