"""The site's ``metadata.yml``, generated from code so it cannot drift from the schema.

``build_metadata()`` is the one emitter: titles and descriptions (Chinese, then English, with units)
for every table and column, taken from the schema's own descriptions (``archive/descriptions.py``),
then facets, sortable columns, label columns, canned queries and plugin configuration.
``nianbao site-metadata`` writes it to ``metadata.yml`` at the repository root, which is committed; a test fails if the committed file and this code disagree. Keeping it to Datasette 0.65's
single file means the move to Datasette 1.0 is a matter of writing the same dict as two files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from archive.descriptions import TABLES
from archive.guard.config import GuardConfig

DATABASE = "nianbao"  # the route the site serves the archive under (the stable file name's stem)
METADATA_PATH = Path(__file__).resolve().parents[1] / "metadata.yml"

FACETS = ["year", "region", "level", "template", "check_status"]

# How the site browses each table (its titles and column descriptions are in archive.descriptions).
_WIDE: dict[str, Any] = {"facets": FACETS, "sort_desc": "year", "facet_size": 20}
BROWSING: dict[str, dict[str, Any]] = {
    "reports": {
        "label_column": "title",
        "facets": FACETS,
        "sort_desc": "year",
        "sortable_columns": ["year", "organ", "region", "published_on", "failed_checks", "active_total", "first_seen"],
    },
    "organs": {"label_column": "name", "facets": ["region", "level", "kind", "source"]},
    "portals": {"label_column": "name", "facets": ["region", "level", "family", "status"]},
    "documents": {"label_column": "title", "facets": ["kind", "format", "portal_id"], "sort_desc": "first_seen"},
    "items": {"label_column": "label_zh", "facets": ["section", "unit", "templates"]},
    # Millions of rows: facet on what is indexed; by region or year, use reports or the canned query.
    "checks": {"facets": ["status", "rule_group"]},
    "sec2": _WIDE,
    "sec3": {**_WIDE, "sortable_columns": ["year", "organ", "new_received_total", "total_processed_total", "granted_total"]},
    "sec4": _WIDE,
    "coverage": {"facets": ["status", "year", "region", "level", "expected_as"], "sort_desc": "year"},
    "coverage_summary": {"facets": ["region", "level", "year"]},
    "organ_years": {"facets": ["region", "level", "kind", "year"]},
    "texts": {"fts_table": "texts_bigram_fts", "fts_pk": "id", "facets": ["year"]},
    "extractions": {"facets": ["status", "parser_version", "source_format"]},
    "fetches": {"facets": ["outcome", "kind", "portal_id"], "sort_desc": "fetched_at"},
    "runs": {"sort_desc": "id"},
    "snapshots": {"sort_desc": "date"},
}


def tables() -> dict[str, dict[str, Any]]:
    """Every table of the archive with its bilingual title, description, columns and browsing options."""
    return {
        name: {"title": table.title, "description": table.description, **BROWSING.get(name, {}), "columns": table.columns}
        for name, table in TABLES.items()
    }


_REFUSAL_ROWS = {
    "denied_state_secret": "国家秘密",
    "denied_law_prohibited": "法律法规禁止",
    "denied_three_safeties": "三安全一稳定",
    "denied_third_party": "第三方权益",
    "denied_internal_affairs": "内部事务",
    "denied_process_info": "过程性信息",
    "denied_enforcement_file": "执法案卷",
    "denied_query_item": "查询事项",
    "unavailable_not_held": "本机关不掌握",
    "unavailable_needs_creation": "需另行制作",
    "unavailable_still_unclear": "补正后仍不明确",
    "not_processed_petition": "信访举报投诉",
    "not_processed_duplicate": "重复申请",
    "not_processed_publication": "公开出版物",
    "not_processed_excessive": "大量反复申请",
    "not_processed_confirmation": "要求确认或重新出具",
}


def queries() -> dict[str, dict[str, Any]]:
    """Canned queries a journalist would want, each with a Chinese and English title."""
    refusals = ",\n  ".join(f"sum({row}_total) AS {label}" for row, label in _REFUSAL_ROWS.items())
    return {
        "organ_over_time": {
            "title": "单个机关历年数据 / One organ across years",
            "description": "输入机关名称的一部分，如“生态环境局”。 Type part of an organ's name.",
            "sql": """SELECT r.organ AS 机关, r.year AS 年度, r.template AS 模板,
  s3.new_received_total AS 新收申请, s3.carried_over_total AS 上年结转,
  s3.granted_total AS 予以公开, s3.partially_granted_total AS 部分公开,
  s3.total_processed_total AS 办理总计, s3.carried_forward_total AS 结转下年,
  s4.review_total AS 行政复议, s4.litigation_direct_total + s4.litigation_after_review_total AS 行政诉讼,
  r.check_status AS 勾稽, r.id AS report_id, r.source_url AS 原文
FROM reports r
LEFT JOIN sec3 s3 ON s3.report_id = r.id
LEFT JOIN sec4 s4 ON s4.report_id = r.id
WHERE r.organ LIKE '%' || :organ || '%'
ORDER BY r.organ, r.year
LIMIT 500""",
        },
        "sums_do_not_add_up": {
            "title": "数字对不上的报告 / Reports whose sums do not add up",
            "description": "至少一条勾稽规则不相符的报告（含跨年度），不符规则最多的在前。"
            " Reports failing at least one consistency check, cross-year included; most failures first.",
            "sql": """SELECT r.organ AS 机关, r.region AS 地区, r.level AS 层级, r.year AS 年度,
  r.failed_checks AS 不符条数,
  (SELECT group_concat(c.rule, ' ') FROM checks c
   WHERE c.report_id = r.id AND c.status = 'fail'
     AND (c.cross_year = 1 OR c.document_id = r.primary_document_id)) AS 不符规则,
  r.id AS report_id, r.source_url AS 原文
FROM reports r
WHERE r.check_status = 'fail'
ORDER BY r.failed_checks DESC, r.organ, r.year
LIMIT 1000""",
        },
        "refusal_reasons": {
            "title": "不予公开、无法提供、不予处理的理由（按地区和年度）/ Why requests were refused, by region and year",
            "description": "第三部分各理由的“总计”列之和（件）。 Sums of each reason's total column (count).",
            "sql": f"""SELECT region AS 地区, year AS 年度, count(*) AS 报告数,
  sum(new_received_total) AS 新收申请,
  {refusals}
FROM sec3
GROUP BY region, year
ORDER BY region, year""",
        },
        "search": {
            "title": "全文检索（按相关度排序）/ Full-text search, ranked by relevance",
            "description": "两个字以上的词均可检索，如“复议”“信息处理费”；多个词用空格分开表示同时包含。"
            " Any word of two or more characters; words separated by spaces must all occur.",
            "sql": """SELECT t.report_id, t.organ AS 机关, t.year AS 年度, t.title AS 标题,
  '…' || substr(t.text, max(1, instr(t.text, :q) - 30), 100) || '…' AS 片段,
  round(bm25(texts_bigram_fts), 2) AS 相关度
FROM texts_bigram_fts
JOIN texts t ON t.id = texts_bigram_fts.rowid
WHERE :q != '' AND texts_bigram_fts MATCH escape_fts(:q)
ORDER BY bm25(texts_bigram_fts)
LIMIT 100""",
        },
    }


def _chart(title: str, query: str, mark: Any, x: dict, y: dict, color: dict | None = None) -> dict[str, Any]:
    encoding = {"x": x, "y": y}
    if color:
        encoding["color"] = color
    return {
        "title": title,
        "db": DATABASE,
        "query": query,
        "library": "vega-lite",
        "display": {"mark": mark, "encoding": encoding},
    }


def dashboards() -> dict[str, Any]:
    """One dashboard of national and per-region trends (datasette-dashboards, Vega-Lite bundled)."""
    region = "[[ AND region = :region ]]"
    year_x = {"field": "year", "type": "ordinal", "title": "年度 / Year", "axis": {"labelAngle": 0}}
    count_y = {"field": "n", "type": "quantitative", "title": "件 / count"}
    kind = {"field": "kind", "type": "nominal", "title": "类别 / Kind"}
    outcomes = " UNION ALL ".join(
        f"SELECT year, '{label}' AS kind, sum({column}) AS n FROM sec3 WHERE 1 = 1 {region} GROUP BY year"
        for column, label in (
            ("granted_total", "予以公开"),
            ("partially_granted_total", "部分公开"),
            ("total_processed_total - coalesce(granted_total, 0) - coalesce(partially_granted_total, 0)", "其他处理"),
        )
    )
    reviews = " UNION ALL ".join(
        f"SELECT year, '{label}' AS kind, sum({column}) AS n FROM sec4 WHERE 1 = 1 {region} GROUP BY year"
        for column, label in (
            ("review_total", "行政复议"),
            ("litigation_direct_total", "直接起诉"),
            ("litigation_after_review_total", "复议后起诉"),
        )
    )
    return {
        "trends": {
            "title": "全国及各地趋势 / National and regional trends",
            "description": "按年度汇总各报告的数字；可按地区筛选。 Sums over reports by year; filter by region.",
            "layout": [["reports", "applications"], ["outcomes", "reviews"], ["by_region", "by_region"]],
            "filters": {
                "region": {
                    "name": "地区 / Region",
                    "type": "select",
                    "db": DATABASE,
                    "query": "SELECT DISTINCT region FROM reports WHERE region IS NOT NULL ORDER BY region",
                }
            },
            "charts": {
                "reports": _chart(
                    "收录报告数 / Reports in the archive",
                    f"SELECT year, count(*) AS n FROM reports WHERE 1 = 1 {region} GROUP BY year ORDER BY year",
                    {"type": "bar", "tooltip": True},
                    year_x,
                    {"field": "n", "type": "quantitative", "title": "份 / reports"},
                ),
                "applications": _chart(
                    "本年新收申请 / Requests received",
                    f"SELECT year, sum(new_received_total) AS n FROM sec3 WHERE 1 = 1 {region} GROUP BY year ORDER BY year",
                    {"type": "line", "point": True, "tooltip": True},
                    year_x,
                    count_y,
                ),
                "outcomes": _chart(
                    "办理结果 / Outcomes",
                    outcomes,
                    {"type": "bar", "tooltip": True},
                    year_x,
                    count_y,
                    kind,
                ),
                "reviews": _chart(
                    "行政复议与行政诉讼 / Reviews and lawsuits",
                    reviews,
                    {"type": "line", "point": True, "tooltip": True},
                    year_x,
                    count_y,
                    kind,
                ),
                "by_region": _chart(
                    "各地区新收申请（最近年度）/ Requests received by region, latest year",
                    "SELECT region, sum(new_received_total) AS n FROM sec3 WHERE year = (SELECT max(year) FROM sec3) "
                    f"{region} GROUP BY region ORDER BY n DESC",
                    {"type": "bar", "tooltip": True},
                    {"field": "region", "type": "nominal", "sort": "-y", "title": "地区 / Region", "axis": {"labelAngle": 0}},
                    count_y,
                ),
            },
        }
    }


def plugins() -> dict[str, Any]:
    return {
        # Crawlers may read the home page only; every table and query page is disallowed.
        "datasette-block-robots": {"allow_only_index": True},
        # archive/guard: rate limits per client on every request and on any query string, query work and
        # concurrency per client, query slots, request deadline, response and SQLite size limits.
        "nianbao-guard": GuardConfig(uncapped_paths=(f"/{DATABASE}.db",)).to_plugin_config(),
        "datasette-dashboards": dashboards(),
        # archive/site/plugins/nianbao_site.py: where /downloads finds the snapshots (set by `nianbao serve`).
        "nianbao-site": {"data_dir": {"$env": "NIANBAO_DATA"}},
    }


def build_metadata() -> dict[str, Any]:
    """The whole ``metadata.yml`` as a dict."""
    return {
        "title": "政府信息公开工作年度报告数据库 / Government Information Disclosure Annual Reports (China)",
        "description_html": (
            "<p>各级行政机关《政府信息公开工作年度报告》的结构化数据与原文出处。"
            "Structured tables of China's government information-disclosure annual reports, each number "
            "traceable to its source document.</p>"
            '<p><a href="/-/dashboards/trends">趋势图 Trends</a> · '
            '<a href="/downloads">下载与引用 Downloads &amp; citation</a> · '
            '<a href="/about">说明 About</a></p>'
            f'<p>从这里开始 Start here: <a href="/{DATABASE}/reports">年度报告 reports</a> · '
            f'<a href="/{DATABASE}/sec3">申请办理 sec3</a> · <a href="/{DATABASE}/sec4">复议诉讼 sec4</a> · '
            f'<a href="/{DATABASE}/coverage">覆盖情况 coverage</a> · '
            f'<a href="/{DATABASE}/sums_do_not_add_up">数字对不上的报告 sums that do not add up</a> · '
            f'<a href="/{DATABASE}/search">全文检索 search</a></p>'
        ),
        "license": "CC BY 4.0（数据整理）/ CC BY 4.0 (the compilation)",
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "source": "各机关政府信息公开专栏 / The organs' own disclosure portals",
        "source_url": "/about",
        "about": "说明、方法与局限 / About, method and limits",
        "about_url": "/about",
        "databases": {
            DATABASE: {
                "title": "年报数据库 / Annual-report archive",
                "description": "见 /about。每个数字都可追溯到原文件的页、表、行、列。 See /about.",
                "tables": tables(),
                "queries": queries(),
            }
        },
        "plugins": plugins(),
    }


class _PlainDumper(yaml.SafeDumper):
    """Writes shared lists out in full: ``&id001`` anchors would puzzle whoever reads the file."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def render_metadata() -> str:
    """The YAML text committed as ``metadata.yml``."""
    header = "# Generated by `nianbao site-metadata` from archive/metadata.py: edit that, not this file.\n"
    body = yaml.dump(build_metadata(), Dumper=_PlainDumper, allow_unicode=True, sort_keys=False, width=120)
    return header + body


def write_metadata(path: Path = METADATA_PATH) -> Path:
    path.write_text(render_metadata(), encoding="utf-8")
    return path
