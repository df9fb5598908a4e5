"""store.db under migrations: a new store, and stores written before migrations, end with one schema.

``old_stores/store-1ae0202.sql`` was dumped from a store the code of commit 1ae0202 (the last before
migrations) wrote; without the columns and index that code added to older stores by hand, it is a store
as the first versions made it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archive.paths import DataDir
from archive.store import StoreWriter, open_store_db
from archive.store_migrations import migrations
from archive.store_reader import StoreReader

OLD_STORES = Path(__file__).with_name("old_stores")


def schema(db) -> dict[str, list[tuple[str, str]]]:
    """Columns (name, type) per table, and the indexes, of a store."""
    tables = {name: [(c.name, c.type) for c in db[name].columns] for name in db.table_names()}
    tables["indexes"] = sorted(
        (index.name, tuple(index.columns)) for name in db.table_names() for index in db[name].indexes
    )
    return tables


def old_store(tmp_path: Path, first: bool) -> DataDir:
    data = DataDir.resolve(tmp_path / ("first" if first else "1ae0202"))
    data.store.mkdir(parents=True)
    con = sqlite3.connect(data.store_db)
    con.executescript((OLD_STORES / "store-1ae0202.sql").read_text(encoding="utf-8"))
    if first:
        con.execute("DROP INDEX fetches_portal")
        for table, column in (("runs", "job"), ("runs", "resumes"), ("fetches", "parent_url"), ("fetches", "family")):
            con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        con.commit()
    con.close()
    return data


@pytest.mark.parametrize("first", [False, True], ids=["1ae0202", "first"])
def test_an_old_store_is_upgraded_in_place(tmp_path: Path, first: bool) -> None:
    fresh = open_store_db(DataDir.resolve(tmp_path / "fresh"))
    data = old_store(tmp_path, first)
    db = open_store_db(data)
    assert schema(db) == schema(fresh)
    assert [m.name for m in migrations.applied(db)] == ["m001_initial", "m002_jobs_and_families", "m003_crawl_schedule",
                                                   "m004_rendered_loads"]
    # Nothing it held is lost, and the store goes on from where it was.
    with StoreReader(data) as store:
        docs = [(d.url, d.version, d.kind, d.parent_url) for d in store.documents()]
        assert docs == [("http://x/a.html", 1, "page", None), ("http://x/a.pdf", 1, "attachment", "http://x/a.html")]
        assert store.fetch_progress(0) == (4, "http://x/b.html")
    writer = StoreWriter(data)
    run = writer.start_run("portal", {"registry": "portals.csv"}, "job1")
    assert run.resumes is None  # the old run finished
    fetch = {"portal_id": "p", "kind": "page", "url": "http://x/a.html", "method": "GET", "status": 200}
    assert writer.record(run.id, fetch, b"page a, corrected") == (5, "downloaded")
    assert writer.latest_document("http://x/a.html")["version"] == 2


def test_a_store_old_columns_lost_are_added_back_empty(tmp_path: Path) -> None:
    db = open_store_db(old_store(tmp_path, first=True))
    assert [row["job"] for row in db["runs"].rows] == [None]
    assert {row["family"] for row in db["fetches"].rows} == {None}


def test_migrations_apply_once(tmp_path: Path) -> None:
    data = DataDir.resolve(tmp_path)
    open_store_db(data).close()
    db = open_store_db(data)
    assert db["_sqlite_migrations"].count == len(migrations.applied(db)) == 4
