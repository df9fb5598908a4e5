"""When to ask a portal again: the incremental crawl's schedule, kept in ``store.db`` beside the fetches.

A daily crawl that re-walks every listing and revalidates every document spends the portals' patience
on nothing: reports are published once and rarely touched after their first weeks, and a column that
has not changed for months will most likely not change tomorrow. So after every crawl each URL that
answered gets a ``next_check``:

- a report page or attachment by its age (since it was listed, else first seen): daily in its first
  month, weekly until three months, monthly until a year, quarterly after;
- a listing or list API page by how long its body has stayed the same, on the same steps.

``due_at`` is the earliest ``next_check`` in a URL's subtree (a column, the columns and pages under it,
the reports it lists, their attachments), because a report can only be asked for again by reading the
page that lists it. The tables are ``archive/store_migrations.py``'s m003. The crawler reads the schedule once per crawl
(``load``) and writes it at the end (``update``), in one transaction, so a killed crawl only leaves URLs looking more due than they are.

``skips`` counts, per run and portal, what an incremental crawl chose not to ask for and why, for the
crawl summary and the run report. ``robots`` keeps each host's last robots.txt answer, which a crawl
within ``ROBOTS_FRESH`` reuses instead of asking again (RFC 9309 §2.4 allows a day's caching).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

DOCUMENT_KINDS = ("page", "attachment")
LISTING_KINDS = ("listing", "api")

# (younger than, ask again after): the age tiers for documents and for unchanged listings.
TIERS: tuple[tuple[timedelta, timedelta], ...] = (
    (timedelta(days=30), timedelta(days=1)),
    (timedelta(days=90), timedelta(days=7)),
    (timedelta(days=365), timedelta(days=30)),
)
OLDEST_INTERVAL = timedelta(days=90)

# What an incremental crawl may leave out, as ``skips.what``.
SKIP_PAGER = "listing_pages"  # further pages of a list whose page before held no new report
SKIP_COLUMN = "columns"  # columns (sub-lists) unchanged and not due
SKIP_DOCUMENT = "documents"  # known documents not due for revalidation
SKIP_RENDER = "renders"  # listings the browser builds, not rendered again (unchanged page, or not due)
SKIP_REASONS = {
    SKIP_PAGER: "the page before held no report the store does not know",
    SKIP_COLUMN: "unchanged column, not due by its schedule",
    SKIP_RENDER: "browser-built listing not rendered again: its page answered 304 and its rendering loaded"
                 " nothing else, or its rendering stayed the same and is not due by its schedule",
    SKIP_DOCUMENT: "known document, not due for revalidation by its age",
}


def interval(age: timedelta) -> timedelta:
    """How long to wait before asking again about something this old (or unchanged this long)."""
    for younger_than, wait in TIERS:
        if age < younger_than:
            return wait
    return OLDEST_INTERVAL


def parse_time(value: str | None) -> datetime | None:
    """An ISO date or timestamp from the store; dates as listed (naive days) are taken as UTC."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Entry:
    kind: str
    due_at: datetime | None
    checked_at: datetime | None = None
    parent_url: str | None = None


@dataclass
class Schedule:
    """What an incremental crawl needs to decide, read once: the schedule and the known documents."""

    entries: dict[str, Entry]
    known_documents: set[str]  # URLs with a current (not gone) document version
    now: datetime

    def due(self, url: str) -> bool:
        """Unknown URLs are always due; known ones when their subtree's earliest check has come."""
        entry = self.entries.get(url)
        return entry is None or entry.due_at is None or entry.due_at <= self.now

    def known(self, url: str) -> bool:
        return url in self.known_documents

    def scheduled(self, url: str) -> bool:
        return url in self.entries

    def newer(self, url: str, lastmod: str) -> bool:
        """Whether a sitemap's ``<lastmod>`` for a scheduled URL is not older than its last check, at the
        precision the sitemap gives (a date-only lastmod of the day checked counts: it may be later)."""
        entry = self.entries.get(url)
        when = parse_time(lastmod)
        if entry is None or entry.checked_at is None or when is None:
            return False
        if "T" not in lastmod:
            return when.date() >= entry.checked_at.astimezone(UTC).date()
        return when >= entry.checked_at.replace(microsecond=0)

    def ancestors(self, url: str) -> Iterator[str]:
        """The listings above a URL, nearest first, by the parents the schedule keeps."""
        seen = {url}
        parent = self.entries[url].parent_url if url in self.entries else None
        while parent is not None and parent not in seen:
            seen.add(parent)
            yield parent
            parent = self.entries[parent].parent_url if parent in self.entries else None


ROBOTS_FRESH = timedelta(hours=24)


def fresh_robots(db: sqlite_utils.Database, now: datetime, url: str | None = None) -> list[dict]:
    """The stored robots.txt answers younger than ``ROBOTS_FRESH``: ``url``'s, else every host's."""
    rows = db.query("select * from robots" + (" where url = ?" if url else ""), [url] if url else [])
    return [dict(row) for row in rows if (at := parse_time(row["fetched_at"])) and now - at < ROBOTS_FRESH]


def save_robots(db: sqlite_utils.Database, row: Mapping[str, object]) -> None:
    with db.conn:
        db["robots"].upsert(dict(row), pk="url")


def load(db: sqlite_utils.Database, now: datetime, portals: Iterable[str] | None = None) -> Schedule:
    where, params = "", []
    if portals is not None:
        wanted = sorted(set(portals))
        where = f" where portal_id in ({','.join('?' * len(wanted))})"
        params = wanted
    entries = {
        row["url"]: Entry(row["kind"], parse_time(row["due_at"]), parse_time(row["checked_at"]), row["parent_url"])
        for row in db.query(f"select url, kind, due_at, checked_at, parent_url from schedule{where}", params)
    }
    documents = {
        row["url"]
        for row in db.query(
            "select url from documents where id in (select max(id) from documents group by url)"
            " and gone_on is null" + where.replace(" where", " and"),
            params,
        )
    }
    return Schedule(entries, documents, now)


_SEEN = ("downloaded", "unchanged", "not_modified")


def update(db: sqlite_utils.Database, run_ids: list[int], now: datetime) -> int:
    """After a crawl (finished or not): every URL that answered in these runs gets its next check.

    Returns the number of URLs scheduled. Runs in one transaction with the caller's connection.
    """
    marks = ",".join("?" * len(run_ids))
    rows = list(db.query(
        "select f.url, f.portal_id, f.kind, f.listing_url, f.parent_url, f.fetched_at, f.outcome,"
        " d.listed_date, d.first_seen"
        " from fetches f left join documents d on d.id = (select max(id) from documents where url = f.url)"
        f" where f.id in (select max(id) from fetches where run_id in ({marks})"
        f" and outcome in {_SEEN!r} group by url)",
        run_ids,
    ))
    previous = {r["url"]: r for r in db.query("select url, changed_at from schedule")}
    fresh: dict[str, dict[str, str | None]] = {}
    for row in rows:
        checked = parse_time(row["fetched_at"]) or now
        old = previous.get(row["url"])
        changed_at = row["fetched_at"] if row["outcome"] == "downloaded" or old is None else old["changed_at"]
        if row["kind"] in DOCUMENT_KINDS:
            born = parse_time(row["listed_date"]) or parse_time(row["first_seen"]) or checked
        else:
            born = parse_time(changed_at) or checked
        parent = row["parent_url"] if row["kind"] == "attachment" and row["parent_url"] else row["listing_url"]
        fresh[row["url"]] = {
            "url": row["url"],
            "portal_id": row["portal_id"],
            "kind": row["kind"],
            "parent_url": parent if parent != row["url"] else None,
            "checked_at": row["fetched_at"],
            "changed_at": changed_at,
            "next_check": (checked + interval(max(checked - born, timedelta(0)))).isoformat(),
        }
    with db.conn:
        if fresh:
            db["schedule"].upsert_all(
                [{**row, "due_at": row["next_check"]} for row in fresh.values()], pk="url", alter=False
            )
        _propagate(db, {row["portal_id"] for row in fresh.values()})
    return len(fresh)


def _propagate(db: sqlite_utils.Database, portals: set[str | None]) -> None:
    """``due_at`` = the earliest ``next_check`` in each URL's subtree (parents are read to reach children)."""
    wanted = sorted(p for p in portals if p is not None)
    rows = {r["url"]: r for r in db.query(
        f"select url, parent_url, next_check from schedule where portal_id in ({','.join('?' * len(wanted))})",
        wanted)}
    children: dict[str, list[str]] = {}
    for url, row in rows.items():
        if row["parent_url"] in rows:
            children.setdefault(row["parent_url"], []).append(url)
    due: dict[str, str] = {}

    def subtree(url: str, path: set[str]) -> str:
        if url in due:
            return due[url]
        earliest = rows[url]["next_check"]
        for child in children.get(url, ()):
            if child not in path:
                earliest = min(earliest, subtree(child, path | {child}))
        due[url] = earliest
        return earliest

    for url in rows:
        subtree(url, {url})
    db.conn.executemany("update schedule set due_at = ? where url = ? and due_at is not ?",
                   [(value, url, value) for url, value in due.items()])


def record_skips(db: sqlite_utils.Database, run_id: int, counts: Mapping[tuple[str, str], int]) -> None:
    """Per portal, what this run left out (``counts`` by (portal_id, what)), replacing earlier counts."""
    with db.conn:
        db["skips"].upsert_all(
            [{"run_id": run_id, "portal_id": portal, "what": what, "count": count}
             for (portal, what), count in counts.items()],
            pk=("run_id", "portal_id", "what"),
        )


def skipped(db: sqlite_utils.Database, run_ids: list[int]) -> dict[str, dict[str, int]]:
    """Per portal, what the runs of one session left out: ``{portal: {what: count}}``."""
    out: dict[str, dict[str, int]] = {}
    marks = ",".join("?" * len(run_ids))
    for row in db.query(f"select portal_id, what, sum(count) as n from skips where run_id in ({marks})"
                        " group by portal_id, what", run_ids):
        out.setdefault(row["portal_id"], {})[row["what"]] = row["n"]
    return out


# A full walk (every listing, every known document; the only crawl that marks reports gone) at least
# this often, whatever the schedule says: it also catches what the age tiers would reach too late.
FULL_WALK_EVERY = timedelta(days=30)


def full_walk_due(db: sqlite_utils.Database, now: datetime) -> bool:
    """True when no crawl finished a full walk in the last ``FULL_WALK_EVERY`` (or none ever did)."""
    if "runs" not in db.table_names():
        return True
    last = next(db.query(
        "select max(started_at) as at from runs where status = 'finished'"
        " and json_extract(stats, '$.\"nianbao/full\"') in (1, 'true', 'True')"), {}).get("at")
    started = parse_time(last)
    return started is None or now - started >= FULL_WALK_EVERY


def skipped_since(db: sqlite_utils.Database, run_id: int) -> dict[str, dict[str, int]]:
    """Per portal, what the runs after ``run_id`` left out."""
    if "robots" not in db.table_names():
        db["robots"].create(
            {"url": str, "status": int, "sha256": str, "headers": str, "fetched_at": str},
            pk="url",
        )
    if "skips" not in db.table_names():
        return {}
    runs = [r["id"] for r in db.query("select id from runs where id > ?", [run_id])]
    return skipped(db, runs) if runs else {}


def tally(counts: Mapping[str, int]) -> str:
    """``3 listing pages, 12 documents``: what was left out, without the why."""
    return ", ".join(f"{counts[what]} {what.replace('_', ' ')}" for what in SKIP_REASONS if counts.get(what))


def describe(counts: Mapping[str, int]) -> str:
    """One line for a report: ``not asked (incremental): 3 listing pages (why); 12 documents (why)``."""
    parts = [f"{counts[what]} {what.replace('_', ' ')} ({why})" for what, why in SKIP_REASONS.items()
             if counts.get(what)]
    return "not asked (incremental crawl; --full walks everything): " + "; ".join(parts) if parts else ""


class ScheduleStore:
    """``StoreWriter``'s methods of the incremental crawl, on its connection (``db``), blob store (``blobs``),
    write guard (``_writing``) and sessions (``session_runs``)."""

    db: sqlite_utils.Database
    blobs: Any
    _writing: Any
    session_runs: Any

    def schedule(self, portals: list[str] | None = None) -> Schedule:
        """What is known and what is due, read once when an incremental crawl starts."""
        return load(self.db, datetime.now(UTC), portals)

    def update_schedule(self, run_id: int) -> int:
        """After a crawl, finished or not: every URL that answered in its session gets its next check."""
        with self._writing():
            return update(self.db, self.session_runs(run_id), datetime.now(UTC))

    def record_skips(self, run_id: int, counts: Mapping[tuple[str, str], int]) -> None:
        with self._writing():
            record_skips(self.db, run_id, counts)

    def fresh_robots(self, url: str | None = None) -> list[dict[str, Any]]:
        """robots.txt answers of the last day (``url``'s, else every host's, which a shared crawl publishes)
        whose body is in the blob store: url, status, sha256, headers (a dict), fetched_at."""
        rows = fresh_robots(self.db, datetime.now(UTC), url)
        return [{**row, "headers": json.loads(row["headers"])} for row in rows
                if not row["sha256"] or row["sha256"] in self.blobs]

    def last_robots_text(self, robots_url: str) -> str | None:
        """The host's last stored robots.txt (a 200), whatever its age: a re-crawl reads the sitemaps it
        names before it has asked robots.txt again."""
        row = next(self.db.query("select sha256 from robots where url = ? and status = 200", [robots_url]), None)
        if row is None or not row["sha256"] or row["sha256"] not in self.blobs:
            return None
        return self.blobs.get(row["sha256"]).decode("utf-8", "replace")

    def stored_robots(self, url: str) -> tuple[int, bytes, dict[str, str]] | None:
        """A robots.txt answer fetched within the last day: (status, body, headers), or None."""
        row = next(iter(self.fresh_robots(url)), None)
        if row is None:
            return None
        return row["status"], self.blobs.get(row["sha256"]) if row["sha256"] else b"", row["headers"]

    def save_robots(self, url: str, status: int, body: bytes, headers: Mapping[str, str],
                    fetched_at: str | None = None) -> None:
        """``fetched_at``: when it was asked, if not now (a shared crawl's worker asked it before)."""
        with self._writing():
            sha256 = self.blobs.put(body) if body else None
            save_robots(self.db, {"url": url, "status": status, "sha256": sha256,
                                  "headers": json.dumps(dict(headers), ensure_ascii=False),
                                  "fetched_at": fetched_at or datetime.now(UTC).isoformat(timespec="microseconds")})
