"""``nianbao extract``: documents in the store become reports, cells, checks and coverage in the archive."""

from __future__ import annotations

import copy
import json
import sqlite3

import sqlite_utils
from click.testing import CliRunner

from archive import coverage, extract_stage, migrations, reports
from archive.db import drop_indexes, open_archive
from archive.extract_stage import Parser, run_extract
from archive.fts import bigram_query
from archive.wide import WIDE_TABLES
from extract.parse import PARSER_VERSION, parse_bytes
from extract.templates import cell_ids
from farm.render.html import HTML_LAYOUTS
from nianbao.cli import cli
from archive_world import store_document


def archive(world) -> sqlite_utils.Database:
    """The archive with its texts file attached (``nianbao_texts``), as every command opens it."""
    return open_archive(world.data.archive_db)


def report_id(db, organ: str, year: int) -> int:
    return db.execute("SELECT id FROM reports WHERE organ = ? AND year = ?", [organ, year]).fetchone()[0]


def test_schema_is_migrated_and_recorded(world):
    db = archive(world)
    applied = [row["name"] for row in db["_sqlite_migrations"].rows_where("migration_set = 'nianbao.archive'")]
    assert applied == ["m001_initial", "m002_organ_identity", "m003_compact", "m004_site_tables", "m005_run_portals",
                       "m006_facet_indexes", "m007_region_summary", "m008_rate_summary",
                       "m009_edition_order"]
    assert db.execute("PRAGMA user_version").fetchone()[0] == 9
    texts = sqlite_utils.Database(world.data.root / "nianbao-texts.db")
    assert [row["name"] for row in texts["_sqlite_migrations"].rows] == ["t001_initial", "t002_narrow_texts"]
    assert "texts" not in db.table_names() and {"texts", "texts_bigram_fts"} <= set(texts.table_names())


def test_one_report_per_organ_and_year(world):
    db = archive(world)
    found = {(row["organ"], row["year"]) for row in db["reports"].rows}
    assert found == {
        ("铜陵市生态环境局", 2022),
        ("铜陵市生态环境局", 2023),
        ("铜陵市生态环境局", 2024),
        ("枞阳县人民政府", 2023),
        ("枞阳县人民政府", 2024),
        ("鲁山县教育局", 2024),
    }
    organs = {row["name"]: row for row in db["organs"].rows}
    assert organs["枞阳县人民政府"]["region"] == "安徽省" and organs["枞阳县人民政府"]["level"] == "county"
    assert organs["南山县人民政府"]["source"] == "registry"


def test_page_and_its_pdf_are_one_report(world):
    db = archive(world)
    rid = report_id(db, "铜陵市生态环境局", 2022)
    docs = list(db.query("SELECT url, kind, format, edition FROM documents WHERE report_id = ? ORDER BY id", [rid]))
    assert [(d["kind"], d["format"], d["edition"]) for d in docs] == [("page", "html", 1), ("attachment", "pdf", 1)]
    # Both documents were read, and the PDF's cells carry their page, row and column.
    pdf_cells = dict(
        db.execute(
            "SELECT c.cell_id, c.value FROM cell_values c JOIN documents d ON d.id = c.document_id WHERE d.url = ?",
            [world.pdf_url],
        ).fetchall()
    )
    spec = world.specs[("a", 2022)]
    assert pdf_cells == {cell: spec.cells[cell] for cell in cell_ids("2021")}
    located = db.execute(
        "SELECT page, row_index, col_index FROM cell_values c JOIN documents d ON d.id = c.document_id "
        "WHERE d.url = ? AND c.cell_id = 'sec3.new_received.total'",
        [world.pdf_url],
    ).fetchone()
    assert all(value is not None for value in located)


def test_corrected_reissue_is_a_new_edition_and_its_numbers_win(world):
    db = archive(world)
    rid = report_id(db, "枞阳县人民政府", 2024)
    report = db["reports"].get(rid)
    assert report["editions"] == 2 and report["documents"] == 2
    primary = db["documents"].get(report["primary_document_id"])
    assert (primary["version"], primary["edition"]) == (2, 2)
    corrected, first = world.specs[("b", 2024)], world.first_edition[("b", 2024)]
    assert corrected.cells["sec3.granted.total"] != first.cells["sec3.granted.total"]
    sec3 = db["sec3"].get(rid)
    assert sec3["granted_total"] == corrected.cells["sec3.granted.total"]


def test_wide_tables_hold_the_primary_documents_numbers_with_facets(world):
    db = archive(world)
    for (key, year), spec in world.specs.items():
        rid = db.execute("SELECT id FROM reports WHERE organ = ? AND year = ?", [spec.organ, year]).fetchone()[0]
        for table, columns in WIDE_TABLES.items():
            row = db[table].get(rid)
            assert (row["organ"], row["year"], row["template"]) == (spec.organ, year, "2021")
            for column, cell in columns.items():
                assert row[column] == spec.cells.get(cell), (table, column)
    assert db["sec3"].get(report_id(db, "枞阳县人民政府", 2023))["region"] == "安徽省"


def test_unreadable_document_is_recorded_and_the_rest_go_on(world):
    db = archive(world)
    failed = list(db.query("SELECT d.url, e.status, e.error, e.parser_version FROM extractions e "
                           "JOIN documents d ON d.id = e.document_id WHERE e.status != 'ok'"))
    assert failed == [
        {"url": world.broken_url, "status": "failed", "error": "report.doc: empty file (0 bytes)",
         "parser_version": PARSER_VERSION}
    ]
    assert db.execute("SELECT count(*) FROM extractions WHERE status = 'ok'").fetchone()[0] == 8


def test_single_report_checks_are_stored(world):
    db = archive(world)
    failed = list(db.query("SELECT r.organ, c.rule FROM check_results c JOIN reports r ON r.id = c.report_id "
                           "WHERE c.status = 'fail' AND c.cross_year = 0"))
    assert failed == [{"organ": "鲁山县教育局", "rule": "sec4.total.review"}]


def test_planted_cross_year_failure_is_found_and_nothing_else(world):
    db = archive(world)
    rows = list(db.query("SELECT r.organ, r.year, c.rule, c.status, c.expected, c.actual, c.cells FROM check_results c "
                         "JOIN reports r ON r.id = c.report_id WHERE c.cross_year = 1 ORDER BY r.organ, r.year, c.rule"))
    failing = [(r["organ"], r["year"], r["rule"]) for r in rows if r["status"] == "fail"]
    assert failing == [
        ("铜陵市生态环境局", 2024, "cross_year.carried_over.natural_person"),
        ("铜陵市生态环境局", 2024, "cross_year.carried_over.total"),
    ]
    planted = next(r for r in rows if r["rule"] == "cross_year.carried_over.total" and r["status"] == "fail")
    assert planted["actual"] == planted["expected"] + 1
    assert json.loads(planted["cells"]) == ["prev:sec3.carried_forward.total", "sec3.carried_over.total"]
    # Every consecutive pair was checked, with section 二's balance too; nothing pairs across a gap.
    pairs = {(r["organ"], r["year"]) for r in rows}
    assert pairs == {("铜陵市生态环境局", 2023), ("铜陵市生态环境局", 2024), ("枞阳县人民政府", 2024)}
    balance = [r for r in rows if r["rule"].startswith("sec2.in_force.")]
    assert len(balance) == 6 and all(r["status"] == "pass" for r in balance)
    assert archive(world)["reports"].get(report_id(db, "铜陵市生态环境局", 2024))["check_status"] == "fail"


def test_coverage_statuses_with_evidence(world):
    db = archive(world)
    status = {(r["organ"], r["year"]): r for r in db["coverage"].rows}
    assert status[("铜陵市生态环境局", 2023)]["status"] == "found"
    late = status[("铜陵市生态环境局", 2024)]
    assert (late["status"], late["published_on"], late["deadline"]) == ("late", "2025-02-15", "2025-01-31")
    assert status[("枞阳县人民政府", 2024)]["status"] == "found"  # county governments have until 31 March
    assert status[("枞阳县人民政府", 2024)]["deadline"] == "2025-03-31"
    unreachable = status[("南山县人民政府", 2024)]
    assert unreachable["status"] == "unreachable" and "HTTP 412" in unreachable["evidence"]
    missing = status[("新集镇人民政府", 2024)]
    assert missing["status"] == "missing" and missing["evidence_url"]
    assert status[("铜陵市生态环境局", 2021)]["status"] == "missing"
    assert {year for _, year in status} == set(range(2019, 2025))
    registry = {key for key, row in status.items() if row["expected_as"] == "registry"}
    assert len(registry) == 5 * 6
    # The governments of the registry's regions (NBS 2023): the city of 铜陵市生态环境局, the county of
    # 鲁山县教育局, and the townships of both counties (枞阳县's own government is in the registry).
    division = {key: row for key, row in status.items() if row["expected_as"] == "division"}
    assert division[("铜陵市人民政府", 2024)]["region_code"] == "340700"
    assert division[("鲁山县人民政府", 2024)]["deadline"] == "2025-03-31"
    township = division[("琴台街道办事处", 2024)]
    assert (township["region_code"], township["kind"], township["level"]) == ("410423002", "street office", "township")
    assert (township["status"], township["deadline"]) == ("missing", "2025-01-31")
    assert division[("金社镇人民政府", 2024)]["region_code"] == "340722115"
    assert not any(row["region_code"] == "410000" for row in division.values())  # 新集镇 is not in the tree
    assert set(status) == registry | set(division)


def texts_dump(db: sqlite_utils.Database) -> list[str]:
    """The texts file's rows, as ``iterdump`` prints the main file's."""
    conn = sqlite3.connect(db.execute("PRAGMA database_list").fetchall()[-1][2])
    return list(conn.iterdump())


def test_extract_twice_changes_nothing(world_copy):
    before = list(archive(world_copy).iterdump())
    texts = texts_dump(archive(world_copy))
    result = CliRunner().invoke(cli, ["--data", str(world_copy.data.root), "extract"])
    assert result.exit_code == 0, result.output
    assert "0 of 9 documents extracted" in result.output
    assert list(archive(world_copy).iterdump()) == before
    assert texts_dump(archive(world_copy)) == texts


def test_extract_all_rereads_every_document_to_the_same_rows(world_copy):
    def content(db):
        """Every row but the extraction times and the FTS b-trees (their layout depends on the writes)."""
        return [line for line in db.iterdump() if "extractions" not in line and "_fts_" not in line]

    def searched(db, word: str) -> list[int]:
        query = "SELECT rowid FROM nianbao_texts.texts_bigram_fts WHERE texts_bigram_fts MATCH ? ORDER BY rowid"
        return [row[0] for row in db.execute(query, [bigram_query(word)])]

    before = content(archive(world_copy))
    texts_before = [line for line in texts_dump(archive(world_copy)) if "_fts_" not in line]
    assert any("复议" in line for line in texts_before)
    found = {word: searched(archive(world_copy), word) for word in ("复议", "信息处理费")}
    result = run_extract(world_copy.data, everything=True)
    assert (result.extracted, result.failed) == (9, 1)
    db = archive(world_copy)
    assert content(db) == before
    # The contentless bigram index lost each old row exactly: same hits, no ghosts, consistent b-trees.
    assert {word: searched(db, word) for word in found} == found
    db.execute("INSERT INTO nianbao_texts.texts_bigram_fts (texts_bigram_fts) VALUES ('integrity-check')")
    assert [line for line in texts_dump(db) if "_fts_" not in line] == texts_before


def test_new_parser_version_rereads_and_a_crashing_parser_is_recorded(world_copy):
    def crashing(data: bytes, filename: str | None = None):
        if filename == "report.pdf":
            raise RuntimeError("boom")
        return parse_bytes(data, filename)

    result = run_extract(world_copy.data, parser=Parser("test-2", crashing))
    assert result.extracted == 9 and result.failed == 2
    db = archive(world_copy)
    assert {row["parser_version"] for row in db["extractions"].rows} == {"test-2"}
    pdf = db.execute("SELECT e.error FROM extractions e JOIN documents d ON d.id = e.document_id WHERE d.url = ?",
                     [world_copy.pdf_url]).fetchone()[0]
    assert pdf == "RuntimeError: boom"
    # The PDF still belongs to its page's report, with no cells of its own left behind.
    assert db.execute("SELECT count(*) FROM cells c JOIN documents d ON d.id = c.document_id WHERE d.url = ?",
                      [world_copy.pdf_url]).fetchone()[0] == 0
    assert db.execute("SELECT report_id IS NOT NULL FROM documents WHERE url = ?", [world_copy.pdf_url]).fetchone()[0]


def _content(db: sqlite_utils.Database) -> list[str]:
    """Every row but the extraction times and the FTS b-trees, and the texts file's rows."""
    rows = [line for line in db.iterdump() if "extractions" not in line and "_fts_" not in line]
    return rows + [line for line in texts_dump(db) if "_fts_" not in line]


def test_a_corrected_report_rebuilds_itself_and_the_next_year_only_as_a_full_rebuild_would(world_copy, monkeypatch):
    """枞阳县 2023 is re-issued with more requests carried forward: its own numbers change, and 2024's
    cross-year check (carried over from 2023) now fails. The run reads one document and rebuilds the
    reports it touches and their next year; a full rebuild afterwards changes nothing."""
    corrected = copy.deepcopy(world_copy.specs[("b", 2023)])
    for row in ("carried_forward", "new_received"):
        for col in ("natural_person", "total"):
            corrected.cells[f"sec3.{row}.{col}"] += 5
    assert corrected.expected_failures() == []
    store_document(world_copy.data, "b", world_copy.url("b", 2023), HTML_LAYOUTS["trs_table"](corrected).encode(),
                   version=2, year=2023, seen="2025-05-01T00:00:00")
    asked = []
    monkeypatch.setattr(reports, "rebuild", lambda db, ids=None, rebuild=reports.rebuild: (asked.append(ids), rebuild(db, ids)))
    result = run_extract(world_copy.data)
    assert result.extracted == 1
    db = archive(world_copy)
    assert asked == [{report_id(db, "枞阳县人民政府", 2023)}]  # the next year is added by the rebuild itself
    monkeypatch.undo()
    later = report_id(db, "枞阳县人民政府", 2024)
    assert db["reports"].get(later)["check_status"] == "fail"
    failing = {row["rule"] for row in db.query(
        "SELECT rule FROM check_results WHERE report_id = ? AND status = 'fail'", [later])}
    assert failing == {"cross_year.carried_over.natural_person", "cross_year.carried_over.total"}
    assert db["sec3"].get(later)["check_status"] == "fail"
    earlier = report_id(db, "枞阳县人民政府", 2023)
    assert db["sec3"].get(earlier)["carried_forward_total"] == corrected.cells["sec3.carried_forward.total"]
    assert db["reports"].get(earlier)["editions"] == 2
    region_total = db.execute("SELECT carried_forward_total FROM totals WHERE region = '安徽省' AND year = 2023").fetchone()[0]
    assert region_total == sum(db["sec3"].get(r)["carried_forward_total"] for r in
                               (earlier, report_id(db, "铜陵市生态环境局", 2023)))
    before = _content(db)
    reports.rebuild(db)
    coverage.rebuild(db)
    assert _content(archive(world_copy)) == before


def test_a_bulk_load_gives_the_same_rows_and_its_indexes_back(world_copy, monkeypatch):
    db = archive(world_copy)
    before = _content(db)
    indexes = sorted(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'").fetchall())
    monkeypatch.setattr(extract_stage, "BULK_DOCUMENTS", 1)
    assert run_extract(world_copy.data, everything=True).extracted == 9
    db = archive(world_copy)
    assert sorted(_content(db)) == sorted(before)  # rebuilt indexes come later in sqlite_master
    assert sorted(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'").fetchall()) == indexes


def test_indexes_dropped_by_a_bulk_load_that_crashed_come_back(world_copy):
    db = archive(world_copy)
    wanted = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cells'")}
    assert "idx_cells_report" in wanted
    drop_indexes(db, ["cells", "checks"])
    assert not db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'idx_cells_report'").fetchall()
    db.close()
    again = archive(world_copy)
    assert {row[0] for row in again.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cells'")} == wanted
    assert "_dropped_indexes" not in again.table_names()


def test_an_archive_of_the_first_schema_is_migrated_in_place(tmp_path):
    """Cell ids and rule names become ids, the texts move to their own file and stay searchable."""
    path = tmp_path / "nianbao.db"
    old = sqlite_utils.Database(path)
    migrations.migrations.apply(old, stop_before="m003_compact")
    old.execute("INSERT INTO items (cell_id, section, sort_order) VALUES ('sec4.review.total', '四', 1)")
    old.execute("INSERT INTO cells (document_id, cell_id, report_id, value, raw) VALUES (1, 'sec4.review.total', 1, 3, '3')")
    old.execute("INSERT INTO checks (document_id, rule, report_id, rule_group, cross_year, status) "
                "VALUES (1, 'sec4.total.review', 1, 'sec4.total', 0, 'fail')")
    old.execute("INSERT INTO texts (id, report_id, organ, year, title, url, text) "
                "VALUES (1, 1, '某县人民政府', 2024, '某县2024年年报', 'http://x.gov.cn/1.html', '本年度行政复议3件')")
    old.conn.commit()
    old.close()
    db = open_archive(path)
    assert list(db.query("SELECT cell_id, value, raw FROM cell_values")) == [
        {"cell_id": "sec4.review.total", "value": 3, "raw": "3"}]
    assert list(db.query("SELECT rule, rule_group, status FROM check_results")) == [
        {"rule": "sec4.total.review", "rule_group": "sec4.total", "status": "fail"}]
    assert "texts" not in db.table_names() and "texts_fts" not in db.table_names()
    hits = db.execute("SELECT rowid FROM nianbao_texts.texts_bigram_fts WHERE texts_bigram_fts MATCH ?",
                      [bigram_query("行政复议")]).fetchall()
    assert hits == [(1,)]
    assert (tmp_path / "nianbao-texts.db").exists()
