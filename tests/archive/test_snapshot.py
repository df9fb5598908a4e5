"""``nianbao snapshot``: dated, never overwritten, checksummed, with its manifest, exports and stable name."""

from __future__ import annotations

import csv
import errno
import hashlib
import json
import os
import sqlite3
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from archive import divisions
from archive.dictionary import database_tables
from archive.snapshot import EXPORTS, TEXT_EXPORTS, SnapshotExists, snapshot_lock, write_snapshot
from nianbao.cli import cli

FILES = ("nianbao-2025-06-02.db", "nianbao-texts-2025-06-02.db")


def test_snapshot_files_checksums_and_manifest(world):
    folder = world.data.snapshots / "2025-06-02"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["date"] == "2025-06-02"
    assert manifest["schema_version"] == 9  # migrations applied: m001 … m007_region_summary, m008_rate_summary, m009_edition_order
    assert manifest["parser_version"]
    assert manifest["git_commit"] == "0" * 40
    assert manifest["row_counts"]["reports"] == 6
    assert manifest["row_counts"]["snapshots"] == 1  # the snapshot lists itself, and counts itself
    assert manifest["row_counts"]["texts"] == 8  # the text of each of the 8 documents read, from the texts file
    assert (manifest["file"], manifest["texts_file"]) == FILES
    # The registry's five organs, and the governments of their regions that NBS lists (铜陵市, 鲁山县 and the
    # townships of 枞阳县 and 鲁山县), missing in each of the six years.
    tree = divisions.load()
    governments = 2 + sum(len(tree.children(tree.get(code), "township")) for code in ("340722", "410423"))
    assert manifest["coverage"] == {"found": 5, "late": 1, "missing": 18 + 6 * governments, "unreachable": 6}
    assert manifest["changes"] == {"previous": None}
    sums = dict(reversed(line.split("  ")) for line in (folder / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == {f["name"] for f in manifest["files"]}
    for name, digest in sums.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    exported = {**EXPORTS, **TEXT_EXPORTS}
    assert {f"csv/{t}.csv" for t in exported} | {f"parquet/{t}.parquet" for t in exported} <= set(sums)
    assert {*FILES, "README.md", "CITATION.txt", "citation.bib", "citation.json", "inspect.json"} <= set(sums)


def test_snapshot_database_is_self_contained_analyzed_and_lists_itself(world):
    folder = world.data.snapshots / "2025-06-02"
    conn = sqlite3.connect(f"file:{folder / 'nianbao-2025-06-02.db'}?mode=ro", uri=True)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("SELECT count(*) FROM sqlite_stat1").fetchone()[0] > 0
    assert conn.execute("SELECT date, file FROM snapshots").fetchall() == [("2025-06-02", "nianbao-2025-06-02.db")]
    assert json.loads(conn.execute("SELECT row_counts FROM snapshots").fetchone()[0])["snapshots"] == 1
    assert not (folder / "nianbao-2025-06-02.db-wal").exists()
    # The archive itself learns the file's hash afterwards.
    archive = sqlite3.connect(world.data.archive_db)
    sha = archive.execute("SELECT sha256 FROM snapshots WHERE date = '2025-06-02'").fetchone()[0]
    assert sha == hashlib.sha256((folder / "nianbao-2025-06-02.db").read_bytes()).hexdigest()


def test_exports_have_every_row_and_a_bom(world):
    folder = world.data.snapshots / "2025-06-02"
    for exports, db_file in ((EXPORTS, FILES[0]), (TEXT_EXPORTS, FILES[1])):
        conn = sqlite3.connect(folder / db_file)
        for name, source in exports.items():
            count = conn.execute(f"SELECT count(*) FROM [{source}]").fetchone()[0]
            raw = (folder / "csv" / f"{name}.csv").read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf") and not raw.startswith(b"\xef\xbb\xbf\xef\xbb\xbf"), name
            with (folder / "csv" / f"{name}.csv").open(encoding="utf-8-sig") as handle:
                rows = list(csv.reader(handle))
            assert len(rows) == count + 1, name
            assert pq.read_table(folder / "parquet" / f"{name}.parquet").num_rows == count, name
    cells = pq.read_table(folder / "parquet" / "cell_values.parquet").to_pylist()
    assert any(row["cell_id"] == "sec3.new_received.total" and isinstance(row["value"], float) for row in cells)
    texts = list(csv.DictReader((folder / "csv" / "texts.csv").open(encoding="utf-8-sig")))
    assert len(texts) == 8 and all(row["text"] for row in texts) and any("复议" in row["text"] for row in texts)


def test_two_files_research_and_texts(world):
    folder = world.data.snapshots / "2025-06-02"
    research = sqlite3.connect(folder / FILES[0])
    names = {row[0] for row in research.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    assert {"reports", "cells", "checks", "coverage", "documents", "cell_values", "check_results", "totals"} <= names
    assert not {name for name in names if name.startswith("texts")}
    texts = sqlite3.connect(folder / FILES[1])
    assert texts.execute("SELECT count(*) FROM texts").fetchone()[0] == 8
    assert texts.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    # Both files in one query, as README.md shows.
    research.execute("ATTACH DATABASE ? AS nianbao_texts", [str(folder / FILES[1])])
    joined = research.execute(
        "SELECT count(*) FROM reports r JOIN nianbao_texts.texts t ON t.report_id = r.id WHERE t.id IN "
        "(SELECT rowid FROM nianbao_texts.texts_bigram_fts WHERE texts_bigram_fts MATCH '\"复议\"')").fetchone()[0]
    assert joined > 0
    assert (world.data.snapshots / "nianbao-texts.db").resolve() == (folder / FILES[1]).resolve()
    assert json.loads((world.data.snapshots / "latest.json").read_text())["texts_file"] == f"2025-06-02/{FILES[1]}"


def test_readme_has_the_data_dictionary_of_the_site(world):
    readme = (world.data.snapshots / "2025-06-02" / "README.md").read_text(encoding="utf-8")
    assert FILES[0] in readme and FILES[1] in readme and "Which file to take" in readme
    for database in ("nianbao", "nianbao-texts"):
        for table, meta in database_tables(database).items():
            assert f"### `{table}`: {meta['title']}" in readme, table
            for column, text in meta["columns"].items():
                assert f"| `{column}` | {text.replace('|', '/')} |" in readme, (table, column)


def test_citations_as_text_bibtex_and_csl_json_with_a_stable_url(world):
    folder = world.data.snapshots / "2025-06-02"
    manifest = json.loads((folder / "manifest.json").read_text())
    url = "http://127.0.0.1:8001/snapshots/2025-06-02/"
    assert manifest["url"] == url
    digest = hashlib.sha256((folder / FILES[0]).read_bytes()).hexdigest()
    text = (folder / "CITATION.txt").read_text(encoding="utf-8")
    assert url in text and digest in text and "2025-06-02" in text
    bibtex = (folder / "citation.bib").read_text(encoding="utf-8")
    assert bibtex.startswith("@misc{nianbao_2025_06_02,") and f"url = {{{url}}}" in bibtex
    assert bibtex.count("{") == bibtex.count("}")
    [item] = json.loads((folder / "citation.json").read_text(encoding="utf-8"))
    assert item["type"] == "dataset" and item["URL"] == url and item["issued"] == {"date-parts": [[2025, 6, 2]]}
    assert digest in item["note"]


def test_site_url_is_the_citations_address(world_copy, monkeypatch):
    monkeypatch.setenv("NIANBAO_SITE_URL", "https://nianbao.example.org/")
    made = write_snapshot(world_copy.data, date="2025-07-01", git_commit="1" * 40)
    assert made.manifest["url"] == "https://nianbao.example.org/snapshots/2025-07-01/"
    assert "https://nianbao.example.org/snapshots/2025-07-01/" in (made.path / "citation.bib").read_text()


def test_never_overwritten_and_the_next_one_reports_changes(world_copy):
    data = world_copy.data
    with pytest.raises(SnapshotExists):
        write_snapshot(data, date="2025-06-02", git_commit="1" * 40)
    result = CliRunner().invoke(cli, ["--data", str(data.root), "snapshot", "--date", "2025-06-02"])
    assert result.exit_code == 1 and "never overwritten" in result.output
    first_bytes = (data.snapshots / "2025-06-02" / "nianbao-2025-06-02.db").read_bytes()

    made = write_snapshot(data, date="2025-07-01", git_commit="1" * 40)
    assert made.manifest["changes"] == {
        "previous": "2025-06-02",
        "rows": {**{table: 0 for table in made.manifest["row_counts"]}, "snapshots": 1},
        "reports_added": 0,
        "reports_removed": 0,
        "reports_changed": 0,
    }
    assert (data.snapshots / "2025-06-02" / "nianbao-2025-06-02.db").read_bytes() == first_bytes
    assert (data.snapshots / "nianbao.db").resolve() == made.db_file.resolve()
    assert json.loads((data.snapshots / "latest.json").read_text())["date"] == "2025-07-01"
    conn = sqlite3.connect(made.db_file)
    listed = conn.execute("SELECT date, sha256 IS NOT NULL FROM snapshots ORDER BY date").fetchall()
    assert listed == [("2025-06-02", 1), ("2025-07-01", 0)]


def test_two_snapshots_at_once_take_turns(world_copy):
    """Both succeed, one after the other, under different names; neither sees the other's .partial."""
    data = world_copy.data
    with ThreadPoolExecutor(2) as pool:
        made = list(pool.map(lambda _: write_snapshot(data, git_commit="1" * 40, wait=120), range(2)))
    assert len({snapshot.date for snapshot in made}) == 2
    for snapshot in made:
        check = subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=snapshot.path, capture_output=True)
        assert check.returncode == 0
    assert not [path for path in data.snapshots.iterdir() if path.name.endswith(".partial")]


def test_a_second_snapshot_is_refused_on_one_line_while_one_is_written(world_copy):
    data = world_copy.data
    holder = snapshot_lock(data)
    holder.acquire()
    try:
        result = CliRunner().invoke(cli, ["--data", str(data.root), "snapshot"])
        waited = CliRunner().invoke(cli, ["--data", str(data.root), "snapshot", "--wait", "0.5"])
    finally:
        holder.release()
    for refused in (result, waited):
        assert refused.exit_code == 75
        (line,) = refused.stderr.strip().splitlines()
        assert line.startswith("nianbao snapshot: another nianbao snapshot holds") and "--wait" in line
        assert f"pid {os.getpid()}" in line
    assert [path.name for path in data.snapshots.iterdir() if path.is_dir()] == ["2025-06-02"]
    assert CliRunner().invoke(cli, ["--data", str(data.root), "snapshot"]).exit_code == 0


def test_a_failed_snapshot_leaves_no_partial_folder_and_no_row(world_copy, monkeypatch):
    data = world_copy.data

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("archive.snapshot._export_tables", full)
    with pytest.raises(OSError):
        write_snapshot(data, date="2025-07-01", git_commit="2" * 40)
    assert sorted(path.name for path in data.snapshots.iterdir() if path.is_dir()) == ["2025-06-02"]
    with sqlite3.connect(data.archive_db) as db:
        assert [row[0] for row in db.execute("SELECT date FROM snapshots")] == ["2025-06-02"]
