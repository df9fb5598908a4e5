"""The site's dashboard (datasette-dashboards, Vega-Lite bundled): national and per-region trends.

Kept apart from ``metadata.py``, which places it under ``plugins`` in ``metadata.yml``; the organ page's
chart (``site/organ.py``) shares its year axis, so every chart on the site reads years the same way.
The charts read ``totals`` (sums by province and year, built by ``nianbao extract``), so each is a few
milliseconds whatever the archive's size; one organ's years are charted on its own page, ``/organ/{id}``.
"""

from __future__ import annotations

from typing import Any

from archive.dictionary import DATABASE

# The optional filter of every chart (datasette-dashboards' [[ ]] clause): a province.
CHART_FILTERS = "[[ AND region = :region ]]"
# Years as text on a UTC time axis: a year with no report is a gap, not a neighbour (2020, 2023 are not adjacent).
YEAR_AXIS = {"field": "year", "type": "temporal", "timeUnit": "utcyear", "title": "年度 / Year",
             "axis": {"format": "%Y", "labelAngle": 0, "tickCount": {"interval": "year", "step": 1}}}


def _chart(title: str, query: str, mark: Any, x: dict, y: dict, color: dict | None = None) -> dict[str, Any]:
    """A Vega-Lite chart; a query's ``href`` column makes each mark a link (Vega-Lite's ``href`` channel)."""
    encoding = {"x": x, "y": y, "href": {"field": "href"}}
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
    """One dashboard of national and per-region trends: a province can be chosen; clicking a bar or
    point opens the table rows behind it."""
    where = f"WHERE 1 = 1 {CHART_FILTERS}"
    count_y = {"field": "n", "type": "quantitative", "title": "件 / count"}
    kind = {"field": "kind", "type": "nominal", "title": "类别 / Kind"}

    def by_year(table: str, columns: tuple[tuple[str, str], ...]) -> str:
        return " UNION ALL ".join(
            f"SELECT CAST(year AS TEXT) AS year, '{label}' AS kind, {column} AS n, "
            f"'/{DATABASE}/{table}?year=' || year AS href FROM totals {where} GROUP BY year"
            for column, label in columns
        )

    outcomes = by_year("sec3", (
        ("sum(granted_total)", "予以公开"),
        ("sum(partially_granted_total)", "部分公开"),
        ("sum(total_processed_total) - coalesce(sum(granted_total), 0) - coalesce(sum(partially_granted_total), 0)",
         "其他处理"),
    ))
    reviews = by_year("sec4", (
        ("sum(review_total)", "行政复议"),
        ("sum(litigation_direct_total)", "直接起诉"),
        ("sum(litigation_after_review_total)", "复议后起诉"),
    ))
    return {
        "trends": {
            "title": "全国及各地趋势 / National and regional trends",
            "description": "按年度汇总各报告的数字；可按地区筛选，点击图形查看对应的数据行；单个机关的历年数字见其机关页。"
            " Sums over reports by year; filter by region, click a mark for its rows; one organ's years are on its page.",
            "layout": [["reports", "applications"], ["outcomes", "reviews"], ["by_region", "by_region"]],
            "filters": {
                "region": {
                    "name": "地区 / Region",
                    "type": "select",
                    "db": DATABASE,
                    "query": "SELECT DISTINCT region FROM totals WHERE region IS NOT NULL ORDER BY region",
                },
            },
            "charts": {
                "reports": _chart(
                    "收录报告数 / Reports in the archive",
                    f"SELECT CAST(year AS TEXT) AS year, sum(reports) AS n, '/{DATABASE}/reports?year=' || year AS href "
                    f"FROM totals {where} GROUP BY year ORDER BY year",
                    {"type": "bar", "tooltip": True},
                    YEAR_AXIS,
                    {"field": "n", "type": "quantitative", "title": "份 / reports"},
                ),
                "applications": _chart(
                    "本年新收申请 / Requests received",
                    f"SELECT CAST(year AS TEXT) AS year, sum(new_received_total) AS n, "
                    f"'/{DATABASE}/sec3?year=' || year AS href FROM totals {where} GROUP BY year ORDER BY year",
                    {"type": "line", "point": True, "tooltip": True},
                    YEAR_AXIS,
                    count_y,
                ),
                "outcomes": _chart("办理结果 / Outcomes", outcomes, {"type": "bar", "tooltip": True},
                                   YEAR_AXIS, count_y, kind),
                "reviews": _chart("行政复议与行政诉讼 / Reviews and lawsuits", reviews,
                                  {"type": "line", "point": True, "tooltip": True}, YEAR_AXIS, count_y, kind),
                "by_region": _chart(
                    "各地区新收申请（最近年度）/ Requests received by region, latest year",
                    "SELECT region, new_received_total AS n, "
                    f"'/{DATABASE}/sec3?year=' || year || '&region=' || region AS href FROM totals "
                    f"WHERE year = (SELECT max(year) FROM totals) {CHART_FILTERS} ORDER BY n DESC",
                    {"type": "bar", "tooltip": True},
                    {"field": "region", "type": "nominal", "sort": "-y", "title": "地区 / Region",
                     "axis": {"labelAngle": 0}},
                    count_y,
                ),
            },
        }
    }
