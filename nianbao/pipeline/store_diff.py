"""What a crawl changed, measured from the document store itself, before and after.

The crawler owns how it walks portals; the store (``archive/store.py``) is the contract every stage
agrees on. Comparing the store before and after a crawl gives the run report's figures (new, changed,
gone, failed, blocked per portal) the same way whatever crawler produced them, and keeps them true
when a crawl is resumed after an interruption.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlite_utils

from archive.paths import DataDir
from archive.store import open_store_db

FAILED = ("failed", "too_large")
BLOCKED = ("blocked", "robots_denied")
ROBOTS = "robots_denied"
SEEN = ("downloaded", "unchanged", "not_modified")


@dataclass(frozen=True)
class StoreMark:
    """Where the store stood: the last run, document and fetch ids, and which documents were gone."""

    run_id: int
    document_id: int
    fetch_id: int
    gone: frozenset[int]


@dataclass
class PortalFigures:
    """One portal's line in the run report."""

    site_id: str
    found: int = 0  # reports alive on the portal after this run (a page and its attachments count once)
    new: int = 0  # documents stored for the first time
    changed: int = 0  # new versions of documents already stored
    gone: int = 0  # documents that disappeared in this run
    failed: int = 0  # requests that failed (timeouts, 5xx, 4xx, too large)
    blocked: int = 0  # requests refused by a block page, challenge or robots.txt
    fetched: int = 0  # requests made in this run
    robots: int = 0  # of ``blocked``: URLs robots.txt told us not to fetch (our choice, not a failure)
    family: str | None = None  # the family the crawler used, when the store says so
    reasons: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """ok, partial (some requests failed or were blocked), failed or blocked (nothing could be read).

        URLs that robots.txt disallows are counted under ``blocked`` but are no failure: obeying
        robots.txt is our policy. A portal that disallows everything is ``blocked`` all the same.
        """
        if self.fetched and self.failed + self.blocked >= self.fetched:
            return "blocked" if self.blocked >= self.failed else "failed"
        if self.failed or self.blocked > self.robots:
            return "partial"
        return "ok"


def _max_id(db: sqlite_utils.Database, table: str) -> int:
    row = db.execute(f"select coalesce(max(id), 0) from [{table}]").fetchone()
    return int(row[0])


def mark(data: DataDir) -> StoreMark:
    db = open_store_db(data)
    gone = frozenset(row[0] for row in db.execute("select id from documents where gone_on is not null"))
    return StoreMark(_max_id(db, "runs"), _max_id(db, "documents"), _max_id(db, "fetches"), gone)


def _report_count(rows: list[tuple[str, str, str | None]]) -> int:
    """Reports among live documents: each page, plus each attachment not linked from a live page."""
    pages = {url for url, kind, _ in rows if kind == "page"}
    return len(pages) + sum(1 for _, kind, parent in rows if kind != "page" and parent not in pages)


def figures_since(data: DataDir, before: StoreMark, portals: list[str]) -> dict[str, PortalFigures]:
    """Per-portal figures for everything the store gained after ``before`` (the named portals first)."""
    db = open_store_db(data)
    result: dict[str, PortalFigures] = {site_id: PortalFigures(site_id) for site_id in portals}

    def get(site_id: str | None) -> PortalFigures:
        key = site_id or "?"
        return result.setdefault(key, PortalFigures(key))

    for site_id, version in db.execute(
        "select portal_id, version from documents where id > ?", [before.document_id]
    ).fetchall():
        figures = get(site_id)
        if version == 1:
            figures.new += 1
        else:
            figures.changed += 1
    # Only a URL's latest version counts: an older version left behind by a change is not a removal.
    gone_now = db.execute(
        "select id, portal_id from documents d where gone_on is not null "
        "and version = (select max(version) from documents where url = d.url)"
    ).fetchall()
    for doc_id, site_id in gone_now:
        if doc_id not in before.gone:
            get(site_id).gone += 1
    reasons: dict[str, set[str]] = defaultdict(set)
    for site_id, outcome, count in db.execute(
        "select portal_id, outcome, count(*) from fetches where id > ? group by portal_id, outcome",
        [before.fetch_id],
    ).fetchall():
        figures = get(site_id)
        figures.fetched += count
        if outcome in FAILED:
            figures.failed += count
        elif outcome in BLOCKED:
            figures.blocked += count
            figures.robots += count if outcome == ROBOTS else 0
    for site_id, reason in db.execute(
        "select distinct portal_id, coalesce(reason, outcome) from fetches where id > ? and outcome in (?, ?, ?, ?)",
        [before.fetch_id, *FAILED, *BLOCKED],
    ).fetchall():
        reasons[site_id or "?"].add(reason)
    for site_id, found in reasons.items():
        get(site_id).reasons = sorted(found)[:5]
    live: dict[str, list[tuple[str, str, str | None]]] = defaultdict(list)
    for site_id, url, kind, parent in db.execute(
        "select portal_id, url, kind, parent_url from documents d where gone_on is null "
        "and version = (select max(version) from documents where url = d.url)"
    ).fetchall():
        live[site_id or "?"].append((url, kind, parent))
    for site_id, rows in live.items():
        if site_id in result:
            result[site_id].found = _report_count(rows)
    return result


def new_document_ids(data: DataDir, before: StoreMark) -> list[int]:
    db = open_store_db(data)
    return [row[0] for row in db.execute("select id from documents where id > ? order by id", [before.document_id])]
