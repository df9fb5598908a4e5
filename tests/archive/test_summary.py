"""``region_summary``: the home page's figures written by the build agree with the world it was built from,
and an archive whose summary is not written yet shows the same figures, counted."""

from __future__ import annotations

import sqlite3

from archive.site import home
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
