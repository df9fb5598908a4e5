"""Markup every family shares: the national-spec meta tags (PORTALS.md §0), the 索引号 table, page shells."""

from __future__ import annotations

import zlib
from datetime import datetime, timezone
from html import escape

from farm.model import Article, Column, Portal

BASE_TIME = datetime(2019, 1, 1, tzinfo=timezone.utc)


def charset(portal: Portal) -> str:
    return "gb2312" if "gbk" in portal.habits else "utf-8"


def site_meta(portal: Portal) -> str:
    code = f"{zlib.crc32(portal.site_id.encode()) % 10**10:010d}"
    return (f'<meta http-equiv="Content-Type" content="text/html; charset={charset(portal)}">\n'
            f'<meta name="SiteName" content="{escape(portal.name)}">\n'
            f'<meta name="SiteDomain" content="{portal.domain}">\n'
            f'<meta name="SiteIDCode" content="{code}">\n')


def column_meta(portal: Portal, column: Column) -> str:
    return site_meta(portal) + (
        f'<meta name="ColumnName" content="{escape(column.title)}">\n'
        f'<meta name="ColumnDescription" content="{escape(portal.organ)}{escape(column.title)}">\n'
        f'<meta name="ColumnKeywords" content="政府信息公开年报,{escape(column.title)}">\n'
        '<meta name="ColumnType" content="政府信息公开年报">\n')


def article_meta(portal: Portal, column: Column, article: Article) -> str:
    return column_meta(portal, column) + (
        f'<meta name="ArticleTitle" content="{escape(article.title)}">\n'
        f'<meta name="PubDate" content="{article.published:%Y-%m-%d} 09:30">\n'
        f'<meta name="ContentSource" content="{escape(article.organ)}">\n'
        f'<meta name="Keywords" content="{escape(article.title)}">\n'
        f'<meta name="Description" content="{escape(article.title)}">\n')


def index_number(portal: Portal, article: Article) -> str:
    return f"{zlib.crc32(article.organ.encode()) % 10**9:09d}/{article.published:%Y}-{article.article_id % 100000:05d}"


def xxgk_table(portal: Portal, article: Article) -> str:
    rows = [("索引号", index_number(portal, article)), ("发布机构", article.organ), ("发文字号", ""),
            ("成文日期", f"{article.published:%Y-%m-%d}"), ("发布日期", f"{article.published:%Y-%m-%d}"),
            ("主题分类", "政务公开"), ("公开形式", "主动公开"), ("是否有效", "是")]
    cells = "".join(f"<tr><td><b>{k}：</b></td><td>{escape(v)}</td></tr>" for k, v in rows)
    return f'<table class="xxgk_table">{cells}</table>'


def document(head: str, title: str, body: str) -> str:
    return (f"<!DOCTYPE html>\n<html>\n<head>\n{head}<title>{escape(title)}</title>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")


def column_modified(portal: Portal, column: Column) -> datetime:
    """Latest change under a column, removed items included (a removal changes the listing too)."""
    keys = [column.key]
    stack = list(column.children)
    while stack:
        key = stack.pop()
        keys.append(key)
        stack.extend(portal.columns[key].children)
    return max((portal.articles[i].modified for k in keys for i in portal.columns[k].article_ids),
               default=BASE_TIME)


def updated_note(article: Article) -> str:
    """Republished reports say so next to the date, as many portals print 更新时间."""
    return f" 更新时间：{article.modified:%Y-%m-%d %H:%M}" if article.version > 1 else ""
