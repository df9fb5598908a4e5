"""Ranking by a derived rate, and the province × year heat table.

Both read ``rates`` (``archive.rates``: one row per report and rate, its percentiles precomputed) and
its ``rate_summary`` (the rates counted and pooled per year, province and level, written by the build):
the ranked reports of one year (optionally one level and one province) a page at a time from an index
in percent order, their counts and filter choices from the summary; or the rate pooled over each
province and year from the summary (the sum of numerators over the sum of denominators, so a county of
ten requests weighs less than a city of ten thousand).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from archive.rates import BY_KEY, RATES, Rate, summary_source
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
    source = summary_source(conn)
    years = [row[0] for row in conn.execute(
        f"SELECT year FROM {source} WHERE rate = ? GROUP BY year ORDER BY year DESC", [rate.key])]
    if year not in years:
        year = years[0] if years else None
    order = "asc" if order == "asc" else "desc"
    page = max(1, min(page, MAX_PAGE))
    where, params = "rate = ? AND year = ?", [rate.key, year]
    if level:
        where, params = where + " AND level = ?", params + [level]
    if region:
        where, params = where + " AND region = ?", params + [region]
    reports, ranked = conn.execute(f"SELECT sum(reports), sum(ranked) FROM {source} WHERE {where}", params).fetchone()
    found = _page(conn, where, params, order, (page - 1) * PAGE_SIZE)
    return Ranking(rate, years, year, level, region, order, page, found, ranked or 0, (reports or 0) - (ranked or 0),
                   _distinct(conn, source, "level", rate.key, year), _distinct(conn, source, "region", rate.key, year))


def _page(conn: sqlite3.Connection, where: str, params: list[Any], order: str, offset: int) -> list[dict[str, Any]]:
    """One page of the ranked reports, each with its ``rank()`` among them: read in percent order from an
    index, so a page costs its own rows and not a window over every report of the year.

    A report's position is one more than the number of reports with a strictly better rate: on the page,
    the row after a different rate is at its place in the order; a tie keeps the position before it;
    the first row's is counted in the index.
    """
    found = rows(conn, f"""SELECT * FROM rates WHERE {where} AND ranked = 1
                           ORDER BY percent {order}, denominator DESC, report_id LIMIT ? OFFSET ?""",
                 [*params, PAGE_SIZE, offset])
    if not found:
        return found
    better = ">" if order == "desc" else "<"
    position = 1 + conn.execute(f"SELECT count(*) FROM rates WHERE {where} AND ranked = 1 AND percent {better} ?",
                                [*params, found[0]["percent"]]).fetchone()[0]
    for index, row in enumerate(found):
        if index and row["percent"] != found[index - 1]["percent"]:
            position = offset + index + 1
        row["position"] = position
    return found


def _distinct(conn: sqlite3.Connection, source: str, column: str, rate: str, year: int | None) -> list[str]:
    return [row[0] for row in conn.execute(
        f"SELECT DISTINCT {column} FROM {source} WHERE rate = ? AND year = ? AND {column} IS NOT NULL ORDER BY 1",
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
    for row in rows(conn, f"""SELECT region, year, sum(numerator) AS n, sum(denominator) AS d, sum(pooled) AS reports
                              FROM {summary_source(conn)} WHERE rate = ? AND region IS NOT NULL AND pooled > 0
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
