"""``region_summary`` and ``rate_summary``: the figures the build writes agree with the world it was built
from and with the passes over the tables they replace, and an archive whose summaries are not written
yet shows the same figures, counted."""

from __future__ import annotations

import sqlite3

from archive.site import home, ranking
from archive.summary import COVERAGE_STATUSES


def test_the_build_writes_one_row_per_province_with_the_worlds_figures(world):
    conn = sqlite3.connect(world.data.archive_db)
    conn.row_factory = sqlite3.Row
    rows = {row["region"]: dict(row) for row in conn.execute("SELECT * FROM region_summary")}
    # The world: 铜陵市生态环境局 (2022–2024) and 枞阳县人民政府 (2023, 2024) in 安徽省, 鲁山县教育局 (2024) in
    # 河南省; two reports fail a check; 枞阳县 2024 was corrected, a second published state.
    assert {region: row["reports"] for region, row in rows.items() if row["reports"]} == {"安徽省": 5, "河南省": 1}
    assert (rows["安徽省"]["organs"], rows["安徽省"]["first_year"], rows["安徽省"]["last_year"]) == (2, 2022, 2024)
    assert (rows["河南省"]["organs"], rows["河南省"]["first_year"], rows["河南省"]["last_year"]) == (1, 2024, 2024)
    assert sum(row["failing"] for row in rows.values()) == 2
    assert (rows["安徽省"]["changes"], rows["河南省"]["changes"]) == (6, 1)
    counted = dict(conn.execute("SELECT status, count(*) FROM coverage GROUP BY status"))
    assert {status: sum(row[status] for row in rows.values()) for status in COVERAGE_STATUSES} == {
        status: counted.get(status, 0) for status in COVERAGE_STATUSES}


def test_an_archive_whose_summary_is_not_built_yet_counts_the_same_figures(world_copy):
    conn = sqlite3.connect(world_copy.data.archive_db)
    written = home.home(conn)
    conn.execute("DELETE FROM region_summary")
    conn.commit()
    counted = home.home(conn)
    assert counted == written
    assert (written.reports, written.organs, written.regions, written.years, written.failing_reports) == (6, 3, 2, (2022, 2024), 2)
    assert [row["region"] for row in written.by_region] == ["安徽省", "河南省"]
    assert written.feeds == [("安徽省", 6), ("河南省", 1)]


def test_the_rate_summary_pools_what_a_pass_over_the_rates_gives(world):
    """The heat table's cells and the ranking's counts, read from ``rate_summary``, are the figures the
    pages counted from ``rates`` before it existed (the queries written out here, as they were)."""
    conn = sqlite3.connect(world.data.archive_db)
    pooled = conn.execute(
        """SELECT rate, region, year, sum(numerator), sum(denominator), count(*) FROM rates
           WHERE region IS NOT NULL AND denominator > 0 AND numerator >= 0 AND numerator <= denominator
           GROUP BY rate, region, year ORDER BY 1, 2, 3""").fetchall()
    assert pooled  # the world has rates to pool
    assert conn.execute(
        """SELECT rate, region, year, sum(numerator), sum(denominator), sum(pooled) FROM rate_summary
           WHERE region IS NOT NULL AND pooled > 0 GROUP BY rate, region, year ORDER BY 1, 2, 3""").fetchall() == pooled
    counted = conn.execute("""SELECT rate, year, level, region, ranked, count(*) FROM rates
                              GROUP BY rate, year, level, region, ranked ORDER BY 1, 2, 3, 4, 5""").fetchall()
    summed = conn.execute("""SELECT rate, year, level, region, 1, ranked, 0, reports - ranked FROM rate_summary
                             ORDER BY 1, 2, 3, 4""").fetchall()
    assert [row for row in counted if row[-1]] == sorted(
        row for s in summed for row in (s[:4] + s[4:6], s[:4] + s[6:]) if row[-1])


def test_ranking_and_heat_from_an_archive_whose_rate_summary_is_not_built_yet(world_copy):
    conn = sqlite3.connect(world_copy.data.archive_db)
    written = (ranking.ranking(conn, "disclosure", year=2024), ranking.ranking(conn, "disclosure", level="county"),
               ranking.heat(conn, "disclosure"))
    conn.execute("DELETE FROM rate_summary")
    conn.commit()
    assert (ranking.ranking(conn, "disclosure", year=2024), ranking.ranking(conn, "disclosure", level="county"),
            ranking.heat(conn, "disclosure")) == written
    assert written[0].ranked and written[2].regions
