"""The Datasette site on the snapshot, through Datasette's in-process client."""

from __future__ import annotations

import sqlite_utils
from click.testing import CliRunner

from archive.db import MAIN_TABLES, SUPPORT_TABLES
from archive.metadata import METADATA_PATH, build_metadata, render_metadata
from nianbao.cli import cli
from archive.serve import SETTINGS, datasette_args, served_file

# Installed Datasette plugins, exactly: any other (a write or upload plugin above all) fails this test.
PLUGINS = {
    "datasette-block-robots",
    "datasette-copyable",
    "datasette-dashboards",
    "datasette-leaflet",  # required by datasette-dashboards
    "datasette-render-markdown",  # required by datasette-dashboards
    "datasette-search-all",
    "datasette-template-sql",
    "nianbao_fts.py",
    "nianbao_guard.py",
    "nianbao_site.py",
}


def test_committed_metadata_is_what_the_code_generates():
    assert METADATA_PATH.read_text(encoding="utf-8") == render_metadata()


def test_every_table_and_column_is_described_in_chinese_and_english(world):
    db = sqlite_utils.Database(world.data.archive_db)
    described = build_metadata()["databases"]["nianbao"]["tables"]
    for table in MAIN_TABLES + SUPPORT_TABLES:
        meta = described[table]
        assert "/" in meta["title"], table
        assert set(meta["columns"]) == set(db[table].columns_dict), table
        for column, text in meta["columns"].items():
            assert "/" in text and any("\u4e00" <= ch <= "\u9fff" for ch in text), (table, column)


def test_installed_plugins(site):
    names = {plugin["name"] for plugin in site.json("/-/plugins.json")}
    assert names == PLUGINS


def test_served_read_only_with_download_and_settings(site, world):
    databases = site.json("/-/databases.json")
    assert [(d["name"], d["is_mutable"]) for d in databases] == [("nianbao", False)]
    manifest = (world.data.snapshots / "latest.json").read_text()
    assert databases[0]["hash"] in (world.data.snapshots / "2025-06-02" / "SHA256SUMS").read_text()
    assert "nianbao-2025-06-02.db" in manifest
    download = site.get("/nianbao.db")
    assert download.status_code == 200 and download.content == served_file(world.data).read_bytes()
    settings = site.json("/-/settings.json")
    assert settings["sql_time_limit_ms"] == SETTINGS["sql_time_limit_ms"]
    assert settings["facet_time_limit_ms"] == SETTINGS["facet_time_limit_ms"]
    assert site.get("/nianbao/reports", _sort="organ").status_code == 200
    write = site.get("/nianbao.json", sql="DELETE FROM reports")
    assert write.status_code == 400 and site.json("/nianbao/reports.json")["filtered_table_rows_count"] == 6


def test_robots(site):
    robots = site.get("/robots.txt").text
    assert "Disallow: /nianbao" in robots


def test_home_and_tables_are_titled_in_chinese(site):
    home = site.get("/").text
    assert "政府信息公开工作年度报告数据库" in home
    table = site.get("/nianbao/sec3").text
    assert "三、收到和处理政府信息公开申请情况" in table


def test_facets_by_year_region_level_template_and_check_status(site):
    data = site.json("/nianbao/reports.json")
    facets = data["facet_results"]
    assert set(facets) == {"year", "region", "level", "template", "check_status"}
    years = {item["value"]: item["count"] for item in facets["year"]["results"]}
    assert years == {2022: 1, 2023: 2, 2024: 3}
    status = {item["value"]: item["count"] for item in facets["check_status"]["results"]}
    assert status == {"pass": 4, "fail": 2}
    regions = {item["value"]: item["count"] for item in site.json("/nianbao/sec3.json")["facet_results"]["region"]["results"]}
    assert regions == {"安徽省": 5, "河南省": 1}
    failing = site.json("/nianbao/checks.json", status="fail", cross_year="1", _shape="array")
    assert {row["rule"] for row in failing} == {"cross_year.carried_over.natural_person", "cross_year.carried_over.total"}


def test_organ_labels_render_as_links(site):
    html = site.get("/nianbao/reports").text
    assert '<a href="/nianbao/organs/1">' in html


def test_canned_query_one_organ_across_years(site, world):
    rows = site.json("/nianbao/organ_over_time.json", organ="生态环境", _shape="array")
    assert [(row["机关"], row["年度"]) for row in rows] == [("铜陵市生态环境局", y) for y in (2022, 2023, 2024)]
    assert [row["新收申请"] for row in rows] == [world.specs[("a", y)].cells["sec3.new_received.total"] for y in (2022, 2023, 2024)]


def test_canned_query_sums_that_do_not_add_up(site):
    rows = site.json("/nianbao/sums_do_not_add_up.json", _shape="array")
    assert {(row["机关"], row["年度"]) for row in rows} == {("铜陵市生态环境局", 2024), ("鲁山县教育局", 2024)}
    planted = next(row for row in rows if row["机关"] == "铜陵市生态环境局")
    assert planted["不符条数"] == 2 and "cross_year.carried_over.total" in planted["不符规则"]


def test_canned_query_refusal_reasons_by_region_and_year(site, world):
    rows = site.json("/nianbao/refusal_reasons.json", _shape="array")
    by_key = {(row["地区"], row["年度"]): row for row in rows}
    assert set(by_key) == {("安徽省", 2022), ("安徽省", 2023), ("安徽省", 2024), ("河南省", 2024)}
    expected = sum(world.specs[key].cells["sec3.not_processed_duplicate.total"] for key in (("a", 2024), ("b", 2024)))
    assert by_key[("安徽省", 2024)]["重复申请"] == expected
    assert by_key[("安徽省", 2024)]["报告数"] == 2


def _texts_containing(world, word: str) -> set[int]:
    db = sqlite_utils.Database(world.data.archive_db)
    return {row[0] for row in db.execute("SELECT DISTINCT report_id FROM texts WHERE text LIKE ?", [f"%{word}%"])}


def test_full_text_search_ranked_finds_three_and_two_character_words(site, world):
    for word in ("信息处理费", "复议", "考核"):
        expected = _texts_containing(world, word)
        assert expected, word
        rows = site.json("/nianbao/search.json", q=word, _shape="array")
        assert {row["report_id"] for row in rows} == expected, word
        assert all(word in row["片段"] for row in rows)
        scores = [row["相关度"] for row in rows]
        assert scores == sorted(scores)
    # Some reports have 信息处理费 and some do not: the search must tell them apart.
    assert _texts_containing(world, "信息处理费") != _texts_containing(world, "复议")


def test_table_search_box_uses_the_bigram_index(site, world):
    for word in ("公开", "复议", "信息处理费"):
        rows = site.json("/nianbao/texts.json", _search=word, _shape="array")
        assert {row["report_id"] for row in rows} == _texts_containing(world, word), word
    assert site.json("/nianbao/texts.json", _search="没有这个词语", _shape="array") == []


def test_trigram_index_answers_plain_sql_for_snapshot_users(world):
    db = sqlite_utils.Database(world.data.snapshots / "nianbao.db")
    hits = {row[0] for row in db.execute(
        "SELECT report_id FROM texts WHERE id IN (SELECT rowid FROM texts_fts WHERE texts_fts MATCH '\"信息处理费\"')")}
    assert hits == _texts_containing(world, "信息处理费")


def test_coverage_table(site):
    rows = site.json("/nianbao/coverage.json", year="2024", expected_as="registry", _shape="array", _sort="organ_id")
    assert {row["organ"]: row["status"] for row in rows} == {
        "铜陵市生态环境局": "late",
        "枞阳县人民政府": "found",
        "鲁山县教育局": "found",
        "南山县人民政府": "unreachable",
        "新集镇人民政府": "missing",
    }
    facets = site.json("/nianbao/coverage.json")["facet_results"]
    assert {"status", "year", "region", "level", "expected_as"} <= set(facets)
    summary = site.json("/nianbao/coverage_summary.json", year="2024", level="county", _shape="array")
    # 2024, county level: 枞阳县人民政府 (found), 鲁山县教育局 (found), 鲁山县人民政府 (missing, a government of a
    # registry region), 南山县人民政府 (unreachable).
    assert [(row["region"], row["published"], row["missing"], row["unreachable"]) for row in summary] == [
        ("安徽省", 1, 0, 0), ("河南省", 1, 1, 1)]
    assert [row["share_found"] for row in summary] == [100.0, 33.3]
    years = site.json("/nianbao/organ_years.json", organ="铜陵市生态环境局", _shape="array", _sort="year")
    assert [(row["year"], row["status"]) for row in years if row["year"] >= 2022] == [
        (2022, "found"), (2023, "found"), (2024, "late")]
    assert years[-1]["cross_year_failed"] >= 1  # the planted break between 2023 and 2024


def test_custom_pages_in_chinese(site, world):
    about = site.get("/about")
    assert about.status_code == 200 and "texts_bigram_fts" in about.text and "来源" in about.text
    downloads = site.get("/downloads").text
    manifest_sha = (world.data.snapshots / "2025-06-02" / "SHA256SUMS").read_text().split()[0]
    assert manifest_sha in downloads and "引用" in downloads
    assert site.get("/snapshots/2025-06-02/SHA256SUMS").status_code == 200
    db = sqlite_utils.Database(world.data.archive_db)
    rid, url = db.execute("SELECT id, source_url FROM reports WHERE organ = '枞阳县人民政府' AND year = 2024").fetchone()
    page = site.get(f"/report/{rid}")
    assert page.status_code == 200
    assert "枞阳县人民政府" in page.text and f'href="{url}"' in page.text
    granted = world.specs[("b", 2024)].cells["sec3.granted.total"]
    assert f"<td>{granted} 件</td>" in page.text.replace("\n", "")
    assert site.get("/report/99999").status_code == 404


def test_dashboard_and_its_chart_queries(site):
    page = site.get("/-/dashboards/trends")
    assert page.status_code == 200 and "全国及各地趋势" in page.text
    charts = build_metadata()["plugins"]["datasette-dashboards"]["trends"]["charts"]
    for _ in range(10):  # a person looking at the dashboard ten times a minute is never rate limited
        for chart in charts.values():
            sql = chart["query"].replace("[[ AND region = :region ]]", "")
            response = site.get("/nianbao.json", sql=sql, _shape="array")
            assert response.status_code == 200, response.text
    rows = site.json("/nianbao.json", sql=charts["applications"]["query"].replace("[[ AND region = :region ]]", ""), _shape="array")
    assert [row["year"] for row in rows] == [2022, 2023, 2024]
    assert site.get("/-/dashboards/trends", region="河南省").status_code == 200


def test_serve_without_a_snapshot_says_what_to_do(tmp_path):
    result = CliRunner().invoke(cli, ["--data", str(tmp_path / "empty"), "serve"])
    assert result.exit_code == 1
    assert "no snapshot" in result.output and "nianbao snapshot" in result.output


def test_serve_command_line_is_immutable_relative_and_limited(world):
    args = datasette_args(world.data, "127.0.0.1", 8123)
    assert args[:3] == ["serve", "-i", "nianbao.db"]
    assert "--inspect-file" in args and "--plugins-dir" in args and "--template-dir" in args
    settings = {args[i + 1]: args[i + 2] for i, arg in enumerate(args) if arg == "--setting"}
    assert settings["sql_time_limit_ms"] == "3000" and settings["facet_time_limit_ms"] == "1000"
    assert settings["max_csv_mb"] == "1" and settings["num_sql_threads"] == "3"
