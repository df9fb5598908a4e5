"""The Datasette site on the snapshot, through Datasette's in-process client."""

from __future__ import annotations

import html
import re

import sqlite_utils
from click.testing import CliRunner

from archive.db import MAIN_TABLES, SUPPORT_TABLES, VIEWS, open_archive
from archive.metadata import METADATA_PATH, build_metadata, render_metadata
from nianbao.cli import cli
from archive.serve import SETTINGS, datasette_args, served_file

# Installed Datasette plugins, exactly: any other (a write or upload plugin above all) fails this test.
PLUGINS = {
    "datasette-block-robots",
    "datasette-copyable",
    "datasette-dashboards",
    "datasette-leaflet",  # required by datasette-dashboards
    # datasette-render-markdown, required by datasette-dashboards, is unregistered by nianbao_pages.py.
    "datasette-template-sql",
    "nianbao_fts.py",
    "nianbao_guard.py",
    "nianbao_pages.py",
    "nianbao_search.py",
    "nianbao_site.py",
}


def test_committed_metadata_is_what_the_code_generates():
    assert METADATA_PATH.read_text(encoding="utf-8") == render_metadata()


def test_every_table_and_column_is_described_in_chinese_and_english(world):
    databases = build_metadata()["databases"]
    for name, path, tables in (
        ("nianbao", world.data.archive_db, MAIN_TABLES + SUPPORT_TABLES + VIEWS),
        ("nianbao-texts", world.data.texts_db, ("texts", "text_bodies", "full_texts")),
    ):
        db = sqlite_utils.Database(path)
        described = databases[name]["tables"]
        for table in tables:
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
    assert [(d["name"], d["is_mutable"]) for d in databases] == [("nianbao", False), ("nianbao-texts", False)]
    manifest = (world.data.snapshots / "latest.json").read_text()
    sums = (world.data.snapshots / "2025-06-02" / "SHA256SUMS").read_text()
    assert databases[0]["hash"] in sums and databases[1]["hash"] in sums
    assert "nianbao-2025-06-02.db" in manifest
    download = site.get("/nianbao.db")
    assert download.status_code == 200 and download.content == served_file(world.data).read_bytes()
    texts = site.get("/nianbao-texts.db")
    assert texts.status_code == 200 and texts.content == (world.data.snapshots / "nianbao-texts.db").read_bytes()
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
    failing = site.json("/nianbao/check_results.json", status="fail", cross_year="1", _shape="array")
    assert {row["rule"] for row in failing} == {"cross_year.carried_over.natural_person", "cross_year.carried_over.total"}
    labelled = site.json("/nianbao/checks.json", status="fail", cross_year="1", _shape="array", _labels="on")
    assert {row["rule_id"]["label"] for row in labelled} == {row["rule"] for row in failing}


def test_organ_labels_render_as_links_to_the_organ_page(site):
    html = site.get("/nianbao/reports").text
    assert '<a href="/organ/1" title="机关页 / Organ page">' in html


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
    db = sqlite_utils.Database(world.data.texts_db)
    return {row[0] for row in db.execute("SELECT DISTINCT report_id FROM full_texts WHERE text LIKE ?", [f"%{word}%"])}


def test_full_text_search_ranked_finds_three_and_two_character_words(site, world):
    for word in ("信息处理费", "复议", "考核"):
        expected = _texts_containing(world, word)
        assert expected, word
        rows = site.json("/nianbao/search.json", q=word, _shape="array")
        assert {row["report_id"] for row in rows} == expected, word
        assert all(f"【{word}】" in row["片段"] for row in rows)
        scores = [row["相关度"] for row in rows]
        assert scores == sorted(scores, reverse=True) and scores[0] == 100.0
    # Some reports have 信息处理费 and some do not: the search must tell them apart.
    assert _texts_containing(world, "信息处理费") != _texts_containing(world, "复议")


def test_canned_search_never_answers_a_syntax_error(site):
    for query in ('"', '""', "复", "（", '"行政 复议', "OR", "*"):
        response = site.get("/nianbao/search.json", q=query, _shape="array")
        assert response.status_code == 200, (query, response.text)


def test_search_page_marks_ranks_pages_and_links_reports(site, world):
    page = site.get("/search", q="复议")
    assert page.status_code == 200
    expected = _texts_containing(world, "复议")
    linked = {int(found) for found in re.findall(r'<h2><a href="/report/(\d+)">', page.text)}
    assert linked == expected
    assert "<mark>复议</mark>" in page.text and "&lt;mark&gt;" not in page.text
    relevance = [float(found) for found in re.findall(r"相关度 relevance ([\d.]+)", page.text)]
    assert relevance[0] == 100.0 and relevance == sorted(relevance, reverse=True) and len(set(relevance)) > 1
    assert "ERROR" not in page.text and "fts5" not in page.text


def test_search_page_hints_instead_of_errors(site):
    quote = site.get("/search", q='"')
    assert quote.status_code == 200 and "请输入要检索的词" in quote.text and "fts5" not in quote.text
    single = site.get("/search", q="复")
    assert single.status_code == 200 and "单个汉字无法检索" in single.text
    unclosed = site.get("/search", q='"行政复议')
    assert unclosed.status_code == 200 and "引号不成对" in unclosed.text and "<mark>行政复议</mark>" in unclosed.text
    nothing = site.get("/search", q="没有这个词语")
    assert nothing.status_code == 200 and "没有找到" in nothing.text
    assert site.get("/search", q="复议", page="abc").status_code == 200


def test_old_search_all_page_leads_to_the_search_page(site):
    response = site.get("/-/search", q="复议")
    assert response.status_code == 302 and response.headers["location"] == "/search?q=%E5%A4%8D%E8%AE%AE"


def test_search_pages_every_hit_once_in_rank_order(world, monkeypatch):
    import archive.search

    db = open_archive(world.data.archive_db)
    documents = db.execute("SELECT count(*) FROM nianbao_texts.text_bodies WHERE text LIKE '%复议%'").fetchone()[0]
    whole = archive.search.search(db.conn, "复议", 1)
    assert whole.found == documents == len(whole.hits) and whole.pages == 1
    monkeypatch.setattr(archive.search, "PAGE_SIZE", 3)
    pages = [archive.search.search(db.conn, "复议", page) for page in (1, 2, 3)]
    assert [len(page.hits) for page in pages] == [3, 3, documents - 6] and pages[0].pages == 3
    assert [hit.document_id for page in pages for hit in page.hits] == [hit.document_id for hit in whole.hits]


def test_table_search_box_uses_the_bigram_index(site, world):
    for word in ("公开", "复议", "信息处理费"):
        rows = site.json("/nianbao-texts/texts.json", _search=word, _shape="array")
        assert {row["report_id"] for row in rows} == _texts_containing(world, word), word
    assert site.json("/nianbao-texts/texts.json", _search="没有这个词语", _shape="array") == []


def test_texts_are_attached_to_the_archive_for_one_query(site, world):
    rows = site.json(
        "/nianbao.json", _shape="array",
        sql="select r.organ, count(*) as n from reports r join nianbao_texts.texts t on t.report_id = r.id group by r.organ",
    )
    assert sum(row["n"] for row in rows) == sqlite_utils.Database(world.data.texts_db)["texts"].count


def test_snapshot_files_are_served_with_their_types(site):
    for name, media_type in (
        ("nianbao-2025-06-02.db", "application/vnd.sqlite3"),
        ("nianbao-texts-2025-06-02.db", "application/vnd.sqlite3"),
        ("parquet/reports.parquet", "application/vnd.apache.parquet"),
        ("csv/reports.csv", "text/csv"),
        ("citation.bib", "application/x-bibtex"),
        ("citation.json", "application/json"),
    ):
        response = site.get(f"/snapshots/2025-06-02/{name}")
        assert response.status_code == 200 and response.headers["content-type"].startswith(media_type), name
    for path in ("/nianbao.db", "/nianbao-texts.db"):
        assert not site.get(path).headers["content-type"].startswith("text/"), path


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
    assert "研究用小库" in downloads and 'href="/nianbao-texts.db"' in downloads and "citation.bib" in downloads
    citation = (world.data.snapshots / "2025-06-02" / "CITATION.txt").read_text(encoding="utf-8").strip()
    assert html.escape(citation, quote=False) in downloads
    assert site.get("/snapshots/2025-06-02/SHA256SUMS").status_code == 200
    db = sqlite_utils.Database(world.data.archive_db)
    rid, url = db.execute("SELECT id, source_url FROM reports WHERE organ = '枞阳县人民政府' AND year = 2024").fetchone()
    page = site.get(f"/report/{rid}")
    assert page.status_code == 200
    assert "枞阳县人民政府" in page.text and f'href="{url}"' in page.text  # the live address, beside the archived copy
    granted = world.specs[("b", 2024)].cells["sec3.granted.total"]
    assert f'id="cell-sec3.granted.total" title="（一）予以公开 · 总计｜原文「{granted}」' in page.text
    assert site.get("/report/99999").status_code == 404


def test_dashboard_and_its_chart_queries(site):
    page = site.get("/-/dashboards/trends")
    assert page.status_code == 200 and "全国及各地趋势" in page.text
    charts = build_metadata()["plugins"]["datasette-dashboards"]["trends"]["charts"]
    for _ in range(10):  # a person looking at the dashboard ten times a minute is never rate limited
        for chart in charts.values():
            sql = re.sub(r"\[\[.*?\]\]", "", chart["query"])
            response = site.get("/nianbao.json", sql=sql, _shape="array")
            assert response.status_code == 200, response.text
    rows = site.json("/nianbao.json", sql=re.sub(r"\[\[.*?\]\]", "", charts["applications"]["query"]), _shape="array")
    assert [row["year"] for row in rows] == ["2022", "2023", "2024"]
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
