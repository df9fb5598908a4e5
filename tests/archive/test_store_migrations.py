"""store.db under migrations: a new store, and stores written before migrations, end with one schema.

The two SQL files in ``old_stores/`` were dumped from stores the code of commit 1ae0202 wrote (the last
before migrations): ``store-1ae0202.sql`` with every column it knew, ``store-first.sql`` the same store
without the columns that were added by hand over time (as the first stores were made).
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


def old_store(tmp_path: Path, dump: str) -> DataDir:
    data = DataDir.resolve(tmp_path / dump)
    data.store.mkdir(parents=True)
    con = sqlite3.connect(data.store_db)
    con.executescript((OLD_STORES / dump).read_text(encoding="utf-8"))
    con.close()
    return data


@pytest.mark.parametrize("dump", ["store-1ae0202.sql", "store-first.sql"])
def test_an_old_store_is_upgraded_in_place(tmp_path: Path, dump: str) -> None:
    fresh = open_store_db(DataDir.resolve(tmp_path / "fresh"))
    data = old_store(tmp_path, dump)
    db = open_store_db(data)
    assert schema(db) == schema(fresh)
    assert [m.name for m in migrations.applied(db)] == ["m001_initial", "m002_jobs_and_families"]
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
    db = open_store_db(old_store(tmp_path, "store-first.sql"))
    assert [row["job"] for row in db["runs"].rows] == [None]
    assert {row["family"] for row in db["fetches"].rows} == {None}


def test_migrations_apply_once(tmp_path: Path) -> None:
    data = DataDir.resolve(tmp_path)
    open_store_db(data).close()
    db = open_store_db(data)
    assert db["_sqlite_migrations"].count == len(migrations.applied(db)) == 2
