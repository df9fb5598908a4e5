"""The read side of the store: everything extraction, the archive and the pipeline ask of ``store.db``.

The crawler writes through ``StoreWriter`` (``archive/store.py``); every other stage reads through
this class, so the store's tables can change (by a migration) without a query elsewhere going stale.
It answers in the store's own terms: document versions as ``StoredDocument``, fetches by outcome, and
``StoreMark``, where the store stood at some moment, from which later stages measure what changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.paths import DataDir
from archive.blobs import BlobStore
from archive.store import BLOCKED_OUTCOMES, FAILED_OUTCOMES, open_store_db

_CHUNK = 500  # ids per ``in (...)`` query, well below SQLite's variable limit


@dataclass
class StoredDocument:
    """One version of one report page or attachment, as extraction and the archive see it."""

    id: int
    url: str
    version: int
    sha256: str
    portal_id: str | None
    kind: str  # "page" (an HTML report page) or "attachment"
    parent_url: str | None  # for an attachment: the report page it was linked from
    listing_url: str | None
    title: str | None
    listed_date: str | None
    filename: str | None
    content_type: str | None
    size: int
    first_seen: str
    last_seen: str
    gone_on: str | None
    blob_path: Path

    def body(self) -> bytes:
        return self.blob_path.read_bytes()


@dataclass(frozen=True)
class StoreMark:
    """Where the store stood: the last run, document and fetch ids, and which documents were gone."""

    run_id: int
    document_id: int
    fetch_id: int
    gone: frozenset[int]


class StoreReader:
    """Queries on one data directory's store; the store is created (empty) if there is none yet."""

    def __init__(self, data: DataDir):
        self.db = open_store_db(data)
        self.blobs = BlobStore(data.blobs)

    # -- documents -------------------------------------------------------------------------------------

    def documents(
        self,
        *,
        after: int = 0,
        ids: Iterable[int] | None = None,
        latest_only: bool = False,
        gone: bool | None = None,
    ) -> Iterator[StoredDocument]:
        """Document versions, oldest first: those with an id above ``after``, or among ``ids``.

        ``latest_only`` keeps each URL's newest version (older ones are history, not removals);
        ``gone`` keeps only those that disappeared from their portal (True) or did not (False).
        """
        where = ["d.id > ?"]
        params: list[Any] = [after]
        if latest_only:
            where.append("d.version = (select max(version) from documents where url = d.url)")
        if gone is not None:
            where.append("d.gone_on is not null" if gone else "d.gone_on is null")
        if ids is None:
            yield from self._documents(where, params)
            return
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            yield from self._documents([*where, f"d.id in ({','.join('?' * len(chunk))})"], [*params, *chunk])

    def _documents(self, where: list[str], params: list[Any]) -> Iterator[StoredDocument]:
        sql = f"select * from documents d where {' and '.join(where)} order by d.id"
        for row in self.db.query(sql, params):
            row.pop("fetch_id", None)
            yield StoredDocument(**row, blob_path=self.blobs.path(row["sha256"]))

    def mark(self) -> StoreMark:
        """Where the store stands now."""
        gone = frozenset(row["id"] for row in self.db.query("select id from documents where gone_on is not null"))
        return StoreMark(self._max_id("runs"), self._max_id("documents"), self._max_id("fetches"), gone)

    def _max_id(self, table: str) -> int:
        return int(self.db.execute(f"select coalesce(max(id), 0) from [{table}]").fetchone()[0])

    # -- fetches ---------------------------------------------------------------------------------------

    def fetch_progress(self, after: int) -> tuple[int, str | None]:
        """How many requests were logged after fetch ``after``, and the URL of the newest."""
        count, = self.db.execute("select count(*) from fetches where id > ?", [after]).fetchone()
        last = self.db.execute("select url from fetches where id > ? order by id desc limit 1", [after]).fetchone()
        return int(count), last[0] if last else None

    def fetches(self, columns: Sequence[str], *, after: int = 0) -> Iterator[dict[str, Any]]:
        """The named columns of every fetch after ``after``, oldest first."""
        yield from self.db.query(f"select {', '.join(columns)} from fetches where id > ? order by id", [after])

    def outcome_counts(self, *, after: int = 0) -> list[tuple[str | None, str, int]]:
        """(portal, outcome, requests) for the fetches after ``after``."""
        return [
            tuple(row)  # type: ignore[misc]
            for row in self.db.execute(
                "select portal_id, outcome, count(*) from fetches where id > ? group by portal_id, outcome", [after]
            ).fetchall()
        ]

    def problem_reasons(self, *, after: int = 0) -> list[tuple[str | None, str]]:
        """(portal, reason) of the failed and blocked fetches after ``after`` (the outcome when no reason)."""
        outcomes = FAILED_OUTCOMES + BLOCKED_OUTCOMES
        return [
            tuple(row)  # type: ignore[misc]
            for row in self.db.execute(
                "select distinct portal_id, coalesce(reason, outcome) from fetches"
                f" where id > ? and outcome in ({','.join('?' * len(outcomes))})",
                [after, *outcomes],
            ).fetchall()
        ]

    def families(self, site_ids: Sequence[str]) -> dict[str, str]:
        """The CMS family the crawler used most often on each portal (``auto`` never counts)."""
        if not site_ids:
            return {}
        found: dict[str, str] = {}
        for site_id, family, _ in self.db.execute(
            f"select portal_id, family, count(*) as n from fetches where portal_id in ({','.join('?' * len(site_ids))})"
            " and family is not null and family != 'auto' group by portal_id, family order by portal_id, n desc",
            list(site_ids),
        ).fetchall():
            found.setdefault(site_id, family)
        return found

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "StoreReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def iter_documents(data: DataDir, *, include_gone: bool = True) -> Iterator[StoredDocument]:
    """Every stored document version, oldest first; nothing (and no store created) when there is no store."""
    if not data.store_db.exists():
        return
    with StoreReader(data) as reader:
        yield from reader.documents(gone=None if include_gone else False)
