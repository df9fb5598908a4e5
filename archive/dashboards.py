"""The site's dashboard (datasette-dashboards, Vega-Lite bundled): national and per-region trends.

Kept apart from ``metadata.py``, which places it under ``plugins`` in ``metadata.yml``; the organ page's
chart (``site/organ.py``) shares its year axis, so every chart on the site reads years the same way.
"""

from __future__ import annotations

from typing import Any


def _chart(database: str, title: str, query: str, mark: Any, x: dict, y: dict,
           color: dict | None = None) -> dict[str, Any]:
    """A Vega-Lite chart; a query's ``href`` column makes each mark a link (Vega-Lite's ``href`` channel)."""
    encoding = {"x": x, "y": y, "href": {"field": "href"}}
    if color:
        encoding["color"] = color
    return {
        "title": title,
        "db": database,
        "query": query,
        "library": "vega-lite",
        "display": {"mark": mark, "encoding": encoding},
    }


# Optional filters of every chart (datasette-dashboards' [[ ]] clauses): a province, and part of an organ's name.
CHART_FILTERS = "[[ AND region = :region ]] [[ AND instr(organ, :organ) > 0 ]]"
# Years as text on a UTC time axis: a year with no report is a gap, not a neighbour (2020, 2023 are not adjacent).
YEAR_AXIS = {"field": "year", "type": "temporal", "timeUnit": "utcyear", "title": "年度 / Year",
             "axis": {"format": "%Y", "labelAngle": 0, "tickCount": {"interval": "year", "step": 1}}}


def dashboards(database: str) -> dict[str, Any]:
    """One dashboard of national and per-region trends (datasette-dashboards, Vega-Lite bundled).

    Every chart can be narrowed to one province and to one organ; clicking a bar or point opens the
    table rows behind it.
    """
    where = f"WHERE 1 = 1 {CHART_FILTERS}"
    count_y = {"field": "n", "type": "quantitative", "title": "件 / count"}
    kind = {"field": "kind", "type": "nominal", "title": "类别 / Kind"}

    def by_year(table: str, columns: tuple[tuple[str, str], ...]) -> str:
        return " UNION ALL ".join(
            f"SELECT CAST(year AS TEXT) AS year, '{label}' AS kind, sum({column}) AS n, "
            f"'/{database}/{table}?year=' || year AS href FROM {table} {where} GROUP BY year"
            for column, label in columns
        )

    outcomes = by_year("sec3", (
        ("granted_total", "予以公开"),
        ("partially_granted_total", "部分公开"),
        ("total_processed_total - coalesce(granted_total, 0) - coalesce(partially_granted_total, 0)", "其他处理"),
    ))
    reviews = by_year("sec4", (
        ("review_total", "行政复议"),
        ("litigation_direct_total", "直接起诉"),
        ("litigation_after_review_total", "复议后起诉"),
    ))
    return {
        "trends": {
            "title": "全国及各地趋势 / National and regional trends",
            "description": "按年度汇总各报告的数字；可按地区或机关筛选，点击图形查看对应的数据行。"
            " Sums over reports by year; filter by region or organ, click a mark for its rows.",
            "layout": [["reports", "applications"], ["outcomes", "reviews"], ["by_region", "by_region"]],
            "filters": {
                "region": {
                    "name": "地区 / Region",
                    "type": "select",
                    "db": database,
                    "query": "SELECT DISTINCT region FROM reports WHERE region IS NOT NULL ORDER BY region",
                },
                "organ": {"name": "机关名称含 / Organ name contains", "type": "text"},
            },
            "charts": {
                "reports": _chart(
                    database,
                    "收录报告数 / Reports in the archive",
                    f"SELECT CAST(year AS TEXT) AS year, count(*) AS n, '/{database}/reports?year=' || year AS href "
                    f"FROM reports {where} GROUP BY year ORDER BY year",
                    {"type": "bar", "tooltip": True},
                    YEAR_AXIS,
                    {"field": "n", "type": "quantitative", "title": "份 / reports"},
                ),
                "applications": _chart(
                    database,
                    "本年新收申请 / Requests received",
                    f"SELECT CAST(year AS TEXT) AS year, sum(new_received_total) AS n, "
                    f"'/{database}/sec3?year=' || year AS href FROM sec3 {where} GROUP BY year ORDER BY year",
                    {"type": "line", "point": True, "tooltip": True},
                    YEAR_AXIS,
                    count_y,
                ),
                "outcomes": _chart(database, "办理结果 / Outcomes", outcomes, {"type": "bar", "tooltip": True},
                                   YEAR_AXIS, count_y, kind),
                "reviews": _chart(database, "行政复议与行政诉讼 / Reviews and lawsuits", reviews,
                                  {"type": "line", "point": True, "tooltip": True}, YEAR_AXIS, count_y, kind),
                "by_region": _chart(
                    database,
                    "各地区新收申请（最近年度）/ Requests received by region, latest year",
                    "SELECT region, sum(new_received_total) AS n, "
                    f"'/{database}/sec3?year=' || year || '&region=' || region AS href FROM sec3 "
                    f"WHERE year = (SELECT max(year) FROM sec3) {CHART_FILTERS} GROUP BY region ORDER BY n DESC",
                    {"type": "bar", "tooltip": True},
                    {"field": "region", "type": "nominal", "sort": "-y", "title": "地区 / Region", "axis": {"labelAngle": 0}},
                    count_y,
                ),
            },
        }
    }
