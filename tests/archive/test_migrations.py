"""The archive's migrations upgrade archives in place, including those the pipeline added tables to itself."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from archive import fts, migrations
from archive.db import open_archive


def columns(db: sqlite_utils.Database, table: str) -> list[tuple[str, str, bool]]:
    return [(c.name, c.type, bool(c.is_pk)) for c in db[table].columns]


def test_run_portals_made_by_the_old_pipeline_is_kept(tmp_path: Path) -> None:
    old = sqlite_utils.Database(tmp_path / "old.db")
    migrations.migrations.apply(old, stop_before="m005_run_portals")
    # What nianbao/pipeline/runs.py created itself before the table was a migration (commit 1ae0202).
    old["run_portals"].create(
        {"run_id": int, "site_id": str, "status": str, "found": int, "new": int, "changed": int, "gone": int,
         "failed": int, "blocked": int, "fetched": int, "robots": int, "reasons": str, "visited_at": str},
        pk=("run_id", "site_id"),
    )
    old["run_portals"].create_index(["site_id", "visited_at"])
    old["run_portals"].insert({"run_id": 1, "site_id": "a", "status": "ok", "visited_at": "2025-01-02T00:00:00"})
    old.close()
    upgraded = open_archive(tmp_path / "old.db")
    fresh = open_archive(tmp_path / "fresh.db")
    assert columns(upgraded, "run_portals") == columns(fresh, "run_portals")
    assert [i.columns for i in upgraded["run_portals"].indexes] == [i.columns for i in fresh["run_portals"].indexes]
    assert [row["site_id"] for row in upgraded["run_portals"].rows] == ["a"]
    assert upgraded.execute("PRAGMA user_version").fetchone()[0] == len(migrations.migrations.applied(fresh)) == 9


def test_texts_made_before_the_narrow_table_keep_every_text_and_stay_searchable(tmp_path: Path) -> None:
    archive = sqlite_utils.Database(tmp_path / "nianbao.db")
    migrations.migrations.apply(archive)
    archive.close()
    old = sqlite_utils.Database(fts.texts_path(tmp_path / "nianbao.db"))
    fts.migrations.apply(old, stop_before="t002_narrow_texts")
    # Rows as the loader wrote them before t002: the body in ``texts``, the index built from it.
    rows = [(1, 10, "甲县人民政府", 2023, "甲县2023年政府信息公开工作年度报告", "http://a/1", "本年度收到行政复议申请2件。"),
            (2, 11, "乙县教育局", 2023, "乙县教育局2023年年度报告", "http://b/2", "未收到信息处理费。")]
    old["texts"].insert_all([dict(zip(fts.TEXT_COLUMNS, row)) for row in rows])
    old.conn.executemany("INSERT INTO texts_bigram_fts (rowid, title, bigrams) VALUES (?, ?, ?)",
                         [(row[0], fts.bigrams(row[4]), fts.bigrams(row[6])) for row in rows])
    old.conn.commit()
    old.close()

    db = open_archive(tmp_path / "nianbao.db")
    texts = f"{fts.SCHEMA}."
    assert [c[1] for c in db.execute(f"PRAGMA {texts}table_info(texts)")] == list(fts.LISTED_COLUMNS)
    assert db.execute(f"SELECT * FROM {texts}full_texts ORDER BY id").fetchall() == rows
    assert db.execute(f"SELECT id, text FROM {texts}text_bodies ORDER BY id").fetchall() == [(r[0], r[6]) for r in rows]
    assert db.execute(f"SELECT name FROM {texts}sqlite_master WHERE type = 'index' AND tbl_name = 'texts'").fetchall() == [
        ("idx_texts_report",)]
    found = db.execute(f"SELECT rowid FROM {texts}texts_bigram_fts WHERE texts_bigram_fts MATCH ?",
                       [fts.bigram_query("复议")]).fetchall()
    assert found == [(1,)]
    # A text removed after the upgrade leaves the index, its row and its body.
    with db.atomic():
        fts.remove_texts(db, [1])
    assert db.execute(f"SELECT count(*) FROM {texts}texts_bigram_fts WHERE texts_bigram_fts MATCH ?",
                      [fts.bigram_query("复议")]).fetchone()[0] == 0
    assert db.execute(f"SELECT id FROM {texts}full_texts").fetchall() == [(2,)]
    assert db.execute(f"SELECT id FROM {texts}text_bodies").fetchall() == [(2,)]
