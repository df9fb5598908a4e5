"""Ranking by a derived rate, and the province × year heat table.

Both read ``rates`` (``archive.rates``: one row per report and rate, its percentiles precomputed), so a
page is one indexed query: the ranked reports of one year (optionally one level and one province),
a page at a time; or the rate pooled over each province and year (the sum of numerators over the sum
of denominators, so a county of ten requests weighs less than a city of ten thousand).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from archive.rates import BY_KEY, RATES, Rate
from archive.site.labels import rows

PAGE_SIZE = 50
MAX_PAGE = 200  # 10,000 rows deep; the CSV of the rates table has them all


@dataclass
class Ranking:
    rate: Rate
    years: list[int]
    year: int | None
    level: str | None
    region: str | None
    order: str
    page: int
    rows: list[dict[str, Any]]
    ranked: int  # reports ranked under these filters
    too_small: int  # reports whose denominator is below the rule's minimum, or whose numbers do not add up
    levels: list[str]
    regions: list[str]

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, max(1, -(-self.ranked // PAGE_SIZE)))


def ranking(conn: sqlite3.Connection, rate_key: str, *, year: int | None = None, level: str | None = None,
            region: str | None = None, order: str = "desc", page: int = 1) -> Ranking | None:
    rate = BY_KEY.get(rate_key)
    if rate is None:
        return None
    years = [row[0] for row in conn.execute("SELECT year FROM rates WHERE rate = ? GROUP BY year ORDER BY year DESC",
                                            [rate.key])]
    if year not in years:
        year = years[0] if years else None
    order = "asc" if order == "asc" else "desc"
    page = max(1, min(page, MAX_PAGE))
    where, params = "rate = ? AND year = ?", [rate.key, year]
    if level:
        where, params = where + " AND level = ?", params + [level]
    if region:
        where, params = where + " AND region = ?", params + [region]
    counts = dict(conn.execute(f"SELECT ranked, count(*) FROM rates WHERE {where} GROUP BY ranked", params))
    found = rows(
        conn,
        f"""SELECT * FROM (SELECT rates.*, rank() OVER (ORDER BY percent {order}) AS position
                           FROM rates WHERE {where} AND ranked = 1)
            ORDER BY position, denominator DESC, report_id LIMIT ? OFFSET ?""",
        [*params, PAGE_SIZE, (page - 1) * PAGE_SIZE],
    )
    return Ranking(rate, years, year, level, region, order, page, found, counts.get(1, 0), counts.get(0, 0),
                   _distinct(conn, "level", rate.key, year), _distinct(conn, "region", rate.key, year))


def _distinct(conn: sqlite3.Connection, column: str, rate: str, year: int | None) -> list[str]:
    return [row[0] for row in conn.execute(
        f"SELECT DISTINCT {column} FROM rates WHERE rate = ? AND year = ? AND {column} IS NOT NULL ORDER BY 1",
        [rate, year])]


@dataclass
class HeatCell:
    percent: float | None
    numerator: Any
    denominator: Any
    reports: int
    small: bool  # pooled denominator below the rule's minimum volume
    shade: float  # 0–1 along the colour scale, worse = darker


@dataclass
class Heat:
    rate: Rate
    years: list[int]
    regions: list[tuple[str, list[HeatCell | None]]]


def heat(conn: sqlite3.Connection, rate_key: str) -> Heat | None:
    """The rate pooled over each province and year, for reports whose numbers are consistent."""
    rate = BY_KEY.get(rate_key)
    if rate is None:
        return None
    cells: dict[tuple[str, int], dict[str, Any]] = {}
    for row in rows(conn, """SELECT region, year, sum(numerator) AS n, sum(denominator) AS d, count(*) AS reports
                             FROM rates WHERE rate = ? AND region IS NOT NULL AND denominator > 0
                               AND numerator >= 0 AND numerator <= denominator
                             GROUP BY region, year""", [rate.key]):
        cells[(row["region"], row["year"])] = row
    seen = sorted({year for _, year in cells})
    years = list(range(seen[0], seen[-1] + 1)) if seen else []  # a year with no report is an empty column
    percents = [100 * row["n"] / row["d"] for row in cells.values() if row["d"] >= rate.min_volume]
    low, high = (min(percents), max(percents)) if percents else (0.0, 0.0)
    regions = []
    for region in sorted({region for region, _ in cells}):
        line: list[HeatCell | None] = []
        for year in years:
            row = cells.get((region, year))
            if row is None:
                line.append(None)
                continue
            percent = round(100 * row["n"] / row["d"], 1)
            small = row["d"] < rate.min_volume
            position = (percent - low) / (high - low) if high > low else 0.5
            shade = 0.0 if small else (1 - position if rate.higher_is_better else position)
            line.append(HeatCell(percent, row["n"], row["d"], row["reports"], small, round(shade, 3)))
        regions.append((region, line))
    return Heat(rate, years, regions)


def rate_choices() -> list[Rate]:
    return list(RATES)
