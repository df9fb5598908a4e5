"""The tables built for the site's pages: derived rates, editions and the WARC index.

Expected values come from the world's specs (the numbers the farm rendered) and from the WARC file
read with warcio, never from the code under test.
"""

from __future__ import annotations

import gzip
import hashlib
import io

import sqlite_utils
from warcio.archiveiterator import ArchiveIterator

from archive import editions
from archive.db import open_archive
from archive.extract_stage import run_extract
from archive.paths import DataDir
from archive.rates import BY_KEY
from archive.store import BlobStore, open_store_db
from archive.warcs import index_warcs, read_records


def _db(world) -> sqlite_utils.Database:
    return sqlite_utils.Database(world.data.archive_db)


def _report(db, organ: str, year: int) -> int:
    return db.execute("SELECT id FROM reports WHERE organ = ? AND year = ?", [organ, year]).fetchone()[0]


ORGAN = {"a": "铜陵市生态环境局", "b": "枞阳县人民政府", "c": "鲁山县教育局"}


def test_disclosure_rate_is_granted_and_partly_granted_over_handled(world):
    db = _db(world)
    for (key, year), spec in world.specs.items():
        cells = spec.cells
        handled = cells["sec3.total_processed.total"]
        expected = round(100 * (cells["sec3.granted.total"] + cells["sec3.partially_granted.total"]) / handled, 2)
        row = db.execute("SELECT percent, denominator, ranked FROM rates WHERE rate = 'disclosure' AND report_id = ?",
                         [_report(db, ORGAN[key], year)]).fetchone()
        assert row == (expected, handled, int(handled >= BY_KEY["disclosure"].min_volume)), (key, year)


def test_review_correction_rate_counts_concluded_reviews_and_a_minimum_volume(world):
    db = _db(world)
    for (key, year), spec in world.specs.items():
        cells = spec.cells
        concluded = cells["sec4.review.total"] - cells["sec4.review.pending"]
        percent, ranked = db.execute(
            "SELECT percent, ranked FROM rates WHERE rate = 'review_correction' AND report_id = ?",
            [_report(db, ORGAN[key], year)]).fetchone()
        assert percent == (round(100 * cells["sec4.review.corrected"] / concluded, 2) if concluded else None)
        assert ranked == int(concluded >= 5)


def test_percentiles_among_the_same_years_reports(world):
    """percent_rank: the share of the other ranked reports of that year (and level) below this one."""
    db = _db(world)
    year = 2024
    values = {key: 100 * (world.specs[(key, year)].cells["sec3.granted.total"]
                          + world.specs[(key, year)].cells["sec3.partially_granted.total"])
              / world.specs[(key, year)].cells["sec3.total_processed.total"] for key in ("a", "b", "c")}
    for key, value in values.items():
        below = sum(other < value for other in values.values())
        pct_all = db.execute("SELECT pct_all FROM rates WHERE rate = 'disclosure' AND report_id = ?",
                             [_report(db, ORGAN[key], year)]).fetchone()[0]
        assert pct_all == round(100 * below / (len(values) - 1), 1), key
    # b and c are both county level in 2024: one is at 0, the other at 100 within the level.
    county = {row[0] for row in db.execute(
        "SELECT pct_level FROM rates WHERE rate = 'disclosure' AND year = 2024 AND level = 'county'")}
    assert county == {0.0, 100.0}
    # A report with no peer has no percentile there: a is 2024's only city-level report, c the only one of
    # 河南省 (ORGANS in archive_world); a and b share 安徽省.
    def pct(key: str, column: str) -> float | None:
        return db.execute(f"SELECT {column} FROM rates WHERE rate = 'disclosure' AND report_id = ?",
                          [_report(db, ORGAN[key], year)]).fetchone()[0]

    assert pct("a", "pct_level") is None and pct("c", "pct_region") is None
    assert {pct("a", "pct_region"), pct("b", "pct_region")} == {0.0, 100.0}
    rules = {row["rate"]: row for row in db.query("SELECT * FROM rate_rules")}
    assert set(rules) == set(BY_KEY) and "予以公开" in rules["disclosure"]["rule"]


def test_editions_first_and_corrected(world):
    db = _db(world)
    rid = _report(db, "枞阳县人民政府", 2024)
    rows = list(db.query("SELECT * FROM editions WHERE report_id = ? ORDER BY seq", [rid]))
    assert [(row["seq"], row["kind"], row["edition"], row["version"]) for row in rows] == [
        (1, "first", 1, 1), (2, "corrected", 2, 2)]
    first, second = world.first_edition[("b", 2024)].cells, world.specs[("b", 2024)].cells
    changed = {cell for cell in first if first[cell] != second[cell]}
    assert rows[1]["cells_changed"] == len(changed) == 6
    assert rows[1]["text_changed"] == 1
    assert f"{first['sec3.granted.total']} → {second['sec3.granted.total']}" in rows[1]["summary"]
    # Every other report appears once, as first seen; the page and its PDF are one state.
    assert db.execute("SELECT count(*) FROM editions").fetchone()[0] == 6 + 1


def test_editions_silent_change_and_gone(world_copy):
    """A new body at a known address with the same numbers is a silent change; a report that left the
    portal is gone."""
    data = world_copy.data
    store = open_store_db(data)
    url = world_copy.url("a", 2023)
    old = store.execute("SELECT sha256, fetch_id FROM documents WHERE url = ?", [url]).fetchone()
    body = BlobStore(data.blobs).get(old[0]).replace("本年度报告".encode(), "本年度报告（修订）".encode(), 1)
    assert body != BlobStore(data.blobs).get(old[0])
    sha = BlobStore(data.blobs).put(body)
    row = dict(next(store.query("SELECT * FROM documents WHERE url = ?", [url])))
    row.update(id=None, version=2, sha256=sha, size=len(body), first_seen="2024-05-01T00:00:00")
    store["documents"].insert(row)
    store.execute("UPDATE documents SET gone_on = '2025-05-20' WHERE url LIKE ?", [world_copy.url("c", 2024)[:-4] + "%"])
    store.conn.commit()
    run_extract(data)
    db = _db(world_copy)
    a2023 = list(db.query("SELECT kind, cells_changed, text_changed, summary FROM editions WHERE report_id = ? ORDER BY seq",
                          [_report(db, "铜陵市生态环境局", 2023)]))
    assert [(row["kind"], row["cells_changed"], row["text_changed"]) for row in a2023] == [
        ("first", None, None), ("changed", 0, 1)]
    c2024 = [row["kind"] for row in db.query("SELECT kind FROM editions WHERE report_id = ? ORDER BY seq",
                                              [_report(db, "鲁山县教育局", 2024)])]
    assert c2024 == ["first", "gone"]
    archive = open_archive(data.archive_db)  # the texts file attached, as nianbao extract opens it
    assert editions.rebuild(archive) == archive.execute("SELECT count(*) FROM editions").fetchone()[0]


def test_warc_index_points_at_each_documents_record(world):
    db = _db(world)
    rows = list(db.query("SELECT d.sha256, d.url, w.* FROM documents d JOIN warc_records w ON w.sha256 = d.sha256"))
    assert len(rows) == db.execute("SELECT count(*) FROM documents").fetchone()[0]
    for row in rows:
        with (world.data.warc / row["warc_file"]).open("rb") as handle:
            handle.seek(row["offset"])
            chunk = handle.read(row["length"] + row["request_length"])
        kinds, payloads = [], []
        for record in ArchiveIterator(io.BytesIO(chunk)):
            kinds.append(record.rec_type)
            payloads.append(record.content_stream().read())
            if record.rec_type == "response":
                assert record.rec_headers.get_header("WARC-Target-URI") == row["url"]
        assert kinds == ["response", "request"]
        # The record's payload is the stored body, byte for byte.
        assert hashlib.sha256(payloads[0]).hexdigest() == row["sha256"]
        assert gzip.decompress(chunk[: row["length"]]).startswith(b"WARC/1.")


def test_warc_index_is_incremental_and_survives_a_truncated_file(world_copy, tmp_path):
    data: DataDir = world_copy.data
    db = _db(world_copy)
    assert index_warcs(db, data) == 0  # every ended run's file is indexed already
    source = next(data.warc.glob("*.warc.gz")).read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(source[: len(source) // 2])
    with cut.open("rb") as handle:
        kept = list(read_records("cut.warc.gz", handle))
    with next(data.warc.glob("*.warc.gz")).open("rb") as handle:
        every = list(read_records("x", handle))
    assert 0 < len(kept) < len(every)
    assert [row["offset"] for row in kept] == [row["offset"] for row in every[: len(kept)]]
