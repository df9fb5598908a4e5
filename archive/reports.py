"""Reports: one per organ × year, linking every document that carries it, and the wide tables built from them.

A report is found in *publications*: a page and the files attached to it (one publication, whatever
the parser read from each), every version of them at the same URL, and any other page that carries the
same organ's report for the same year (a re-issue at a new address, the copy on the parent government's
column). Each publication is read once, from its most complete reading (most cells; ties: the page),
and its organ is identified (``archive.organs``), so a page that names 三元镇 and its PDF that names
三元镇人民政府 can never become two reports.

A report's publications fall into editions by what they say: copies with the same numbers are one
edition, a corrected re-issue (different numbers, at the same URL or a new one) is a later edition.
The report's numbers come from its *primary document*: the most complete reading of its latest
edition. Everything here is rebuilt from ``documents``, ``extractions`` and ``cells``: the identity of
every publication on every run, the rest for the reports whose documents changed and what depends on
them (``rebuild``'s scope).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import sqlite_utils

from archive import checks, fts, wide
from archive.organs import identify_for_portal, narrowest, organ_key, upsert_organ
from archive.regions import OrganIdentity
from archive.scope import Scope


def rebuild(db: sqlite_utils.Database, report_ids: Iterable[int] | None = None) -> None:
    """Recompute report identity, editions, primary documents, report fields, cross-year checks, wide tables.

    ``report_ids`` limits all but the identity pass to the reports whose documents changed (``None``:
    every report). The scope grows by what depends on them: reports documents moved to or from, reports
    that lost their last document, and each one's next year, whose cross-year checks read it.
    """
    with db.atomic():
        moved = assign_reports(db)
        removed = db.execute(
            """DELETE FROM reports WHERE id NOT IN (SELECT report_id FROM documents WHERE report_id IS NOT NULL)
               RETURNING id, organ_id, year"""
        ).fetchall()
        db.execute("DELETE FROM organs WHERE source = 'report' AND id NOT IN (SELECT organ_id FROM reports)")
        scope = Scope() if report_ids is None else _scope(db, set(report_ids) | moved, removed)
        _editions_and_primaries(db, scope)
        _report_fields(db, scope)
        checks.rebuild_cross_year(db, scope)
        _check_status(db, scope)
        wide.rebuild(db, scope, removed=[row[0] for row in removed])
        wide.rebuild_totals(db)
        fts.sync_report_columns(db, scope)
        scope.drop(db)


def _scope(db: sqlite_utils.Database, report_ids: set[int], removed: list[tuple[int, int, int]]) -> Scope:
    """The given reports, those removed, and the next year of each (same organ)."""
    scope = Scope.of(db, report_ids | {row[0] for row in removed})
    following = [row[0] for row in db.execute(
        f"""SELECT n.id FROM reports r JOIN reports n ON n.organ_id = r.organ_id AND n.year = r.year + 1
            WHERE {scope.where('r.id')}"""
    )]
    for _, organ_id, year in removed:
        following += [row[0] for row in db.execute(
            "SELECT id FROM reports WHERE organ_id = ? AND year = ?", [organ_id, year + 1]
        )]
    db.conn.executemany(f"INSERT OR IGNORE INTO temp.{scope.table} (id) VALUES (?)", ((rid,) for rid in following))
    return scope


@dataclass
class Publication:
    """A page and its attachments (every version), read as one: its organ and year."""

    root: str
    members: list[dict] = field(default_factory=list)
    spelling: str | None = None
    year: int | None = None
    portal: dict | None = None
    identity: OrganIdentity | None = None


def publications(db: sqlite_utils.Database) -> list[Publication]:
    """Every stored document grouped under the page it was published on, with that publication's reading."""
    docs = list(
        db.query(
            """SELECT d.id, d.url, d.version, d.kind, d.parent_url, d.portal_id, d.report_id, d.first_seen,
                      e.status, e.organ, e.year, coalesce(e.cells, 0) AS cells
               FROM documents d LEFT JOIN extractions e ON e.document_id = d.id ORDER BY d.id"""
        )
    )
    pages = {doc["url"] for doc in docs if doc["kind"] != "attachment"}
    portals = {row["site_id"]: row for row in db["portals"].rows}
    groups: dict[str, Publication] = {}
    for doc in docs:
        root = doc["parent_url"] if doc["kind"] == "attachment" and doc["parent_url"] in pages else doc["url"]
        groups.setdefault(root, Publication(root)).members.append(doc)
    for publication in groups.values():
        read = sorted(
            (doc for doc in publication.members if doc["status"] == "ok"),
            key=lambda doc: (-doc["cells"], doc["kind"] == "attachment", -(doc["version"] or 1), doc["id"]),
        )
        if not read:
            continue
        publication.portal = portals.get(read[0]["portal_id"] or "")
        publication.spelling = next((doc["organ"] for doc in read if doc["organ"]), None) or (
            (publication.portal or {}).get("organ") or None
        )
        publication.year = next((doc["year"] for doc in read if doc["year"]), None)
        if publication.spelling:
            publication.identity = _identify(publication.spelling, publication.portal)
    return list(groups.values())


def _identify(spelling: str, portal: dict | None) -> OrganIdentity:
    context = (portal or {}).get("region_code"), (portal or {}).get("region"), (portal or {}).get("organ")
    return _identify_cached(spelling, *context)


@lru_cache(maxsize=65536)
def _identify_cached(spelling: str, region_code: str | None, region: str | None, organ: str | None) -> OrganIdentity:
    return identify_for_portal(spelling, {"region_code": region_code, "region": region, "organ": organ})


def assign_reports(db: sqlite_utils.Database) -> set[int]:
    """Give every document the report of its publication; returns the reports documents moved from or to.

    Extraction assigns each document a report from its own reading; this pass is the authority (a PDF
    whose text names no organ joins its page's report, a unit read on a city's column joins the one
    organ of that name in the city), and rewrites only the rows of documents that moved.
    """
    every = publications(db)
    found = [p for p in every if p.identity is not None and p.year is not None]
    keys = {id(p): organ_key(p.identity, p.spelling or "") for p in found}  # type: ignore[arg-type]
    identities = {keys[id(p)]: p.identity for p in found}
    fold = narrowest(identities)  # type: ignore[arg-type]
    spellings: dict[str, set[str]] = defaultdict(set)
    portal_of: dict[str, str | None] = {}
    for p in found:
        key = keys[id(p)] = fold.get(keys[id(p)], keys[id(p)])
        spellings[key].add(p.spelling or "")
        portal_of.setdefault(key, (p.portal or {}).get("site_id"))
    registry = {row[0]: row[1] for row in db.execute("SELECT key, id FROM organs WHERE source = 'registry'")}
    organ_ids: dict[str, int] = {}
    for key, names in spellings.items():
        if key in registry:
            organ_ids[key] = registry[key]
            _add_spellings(db, registry[key], names)
        else:
            organ_ids[key] = upsert_organ(db, identities[key], sorted(names), portal_id=portal_of[key], source="report")  # type: ignore[arg-type]
    wanted: dict[int, int] = {}
    for p in found:
        report_id = report_for(db, organ_ids[keys[id(p)]], p.year)  # type: ignore[arg-type]
        wanted.update((doc["id"], report_id) for doc in p.members)
    moved = [
        (wanted.get(doc["id"]), doc["id"], doc["report_id"])
        for p in every
        for doc in p.members
        if wanted.get(doc["id"]) != doc["report_id"]
    ]
    # Texts follow in ``fts.sync_report_columns``, for every report in the rebuild's scope.
    for table, column in (("documents", "id"), ("cells", "document_id"), ("checks", "document_id")):
        db.conn.executemany(f"UPDATE {table} SET report_id = ? WHERE {column} = ?", [row[:2] for row in moved])
    return {report for row in moved for report in (row[0], row[2]) if report is not None}


def _add_spellings(db: sqlite_utils.Database, organ_id: int, names: set[str]) -> None:
    """A registry organ keeps the registry's description; the spellings reports use are added to it."""
    old = db.execute("SELECT names FROM organs WHERE id = ?", [organ_id]).fetchone()[0]
    merged = sorted(set(json.loads(old or "[]")) | names)
    db.execute("UPDATE organs SET names = ? WHERE id = ?", [json.dumps(merged, ensure_ascii=False), organ_id])


def report_for(db: sqlite_utils.Database, organ_id: int, year: int) -> int:
    """The report of an organ and year, created on first sight; its id never changes afterwards."""
    found = db.execute("SELECT id FROM reports WHERE organ_id = ? AND year = ?", [organ_id, year]).fetchone()
    if found:
        return found[0]
    return db.execute("INSERT INTO reports (organ_id, year) VALUES (?, ?)", [organ_id, year]).lastrowid


def _editions_and_primaries(db: sqlite_utils.Database, scope: Scope) -> None:
    docs = list(
        db.query(
            f"""SELECT d.id, d.report_id, d.url, d.version, d.kind, d.parent_url, d.first_seen, d.listed_date,
                       e.status, coalesce(e.cells, 0) AS cells
                FROM documents d LEFT JOIN extractions e ON e.document_id = d.id
                WHERE d.report_id IS NOT NULL AND {scope.where('d.report_id')}"""
        )
    )
    pages = {doc["url"] for doc in docs if doc["kind"] != "attachment"}
    by_report: dict[int, list[dict]] = defaultdict(list)
    for doc in docs:
        doc["copy"] = copy_key(doc, pages)
        by_report[doc["report_id"]].append(doc)
    several = [doc["id"] for members in by_report.values() if len({d["copy"] for d in members}) > 1 for doc in members
               if doc["status"] == "ok"]
    prints = _fingerprints(db, several)
    edition_of: list[tuple[int, int]] = []
    primaries: list[tuple[int | None, int, int, int]] = []
    for report_id, members in by_report.items():
        copies: dict[tuple[str, int], list[dict]] = defaultdict(list)
        for doc in members:
            copies[doc["copy"]].append(doc)
        # Copies that say the same (the same numbers) are one edition, dated by the first of them seen.
        edition_key: dict[tuple[str, int], str] = {}
        first_seen: dict[str, str] = {}
        listed: dict[str, str] = {}
        for copy, group in copies.items():
            best = best_reading(group)
            says = prints.get(best["id"]) if best else None
            edition_key[copy] = says or f"{copy[0]}#{copy[1]}"
            seen = min(doc["first_seen"] or "" for doc in group)
            first_seen[edition_key[copy]] = min(first_seen.get(edition_key[copy], seen), seen)
            dated = min((doc["listed_date"] or "" for doc in group), default="")
            listed[edition_key[copy]] = min(listed.get(edition_key[copy], dated), dated)
        # Editions found on the same day (one crawl) follow their listed dates, not the crawl's order.
        order = sorted(first_seen, key=lambda key: (first_seen[key][:10], listed[key], first_seen[key], key))
        number = {key: index + 1 for index, key in enumerate(order)}
        for doc in members:
            doc["edition"] = number[edition_key[doc["copy"]]]
            edition_of.append((doc["edition"], doc["id"]))
        read = [doc for doc in members if doc["status"] == "ok"]
        primary = max(read, key=lambda d: (d["edition"], d["cells"], d["kind"] != "attachment", -d["id"]), default=None)
        primaries.append((primary["id"] if primary else None, len(order), len(members), report_id))
    db.conn.executemany("UPDATE documents SET edition = ? WHERE id = ?", edition_of)
    db.conn.executemany(
        "UPDATE reports SET primary_document_id = ?, editions = ?, documents = ? WHERE id = ?", primaries
    )


def copy_key(doc: dict, pages: set[str]) -> tuple[str, int]:
    """Documents published together share a key: the page they hang off, and the version."""
    root = doc["parent_url"] if doc["kind"] == "attachment" and doc["parent_url"] in pages else doc["url"]
    return root, doc["version"] or 1


def best_reading(group: list[dict]) -> dict | None:
    """The most complete reading of a group of documents; ties: the page."""
    read = [doc for doc in group if doc["status"] == "ok"]
    return max(read, key=lambda d: (d["cells"], d["kind"] != "attachment", -d["id"]), default=None)


def _fingerprints(db: sqlite_utils.Database, document_ids: list[int]) -> dict[int, str]:
    """What each document says, as a hash of its read cells: equal numbers, equal hash.

    Only asked for reports found in more than one copy, so the archive's millions of cells are not read.
    """
    out: dict[int, str] = {}
    for start in range(0, len(document_ids), 500):
        chunk = document_ids[start : start + 500]
        rows = db.execute(
            f"""SELECT document_id, group_concat(item_id || '=' || value, ';') FROM
                (SELECT document_id, item_id, value FROM cells
                 WHERE document_id IN ({', '.join('?' for _ in chunk)}) AND value IS NOT NULL
                 ORDER BY document_id, item_id)
                GROUP BY document_id""",
            chunk,
        )
        out.update((row[0], hashlib.sha256((row[1] or "").encode()).hexdigest()) for row in rows)
    return out


def _report_fields(db: sqlite_utils.Database, scope: Scope) -> None:
    db.execute(
        f"""UPDATE reports SET
               organ = o.name, region = o.region, level = o.level, region_code = o.region_code, kind = o.kind,
               template = e.template, published_on = e.published_on, active_total = e.active_total,
               title = coalesce(d.title, o.name || ' ' || reports.year || '年政府信息公开工作年度报告'),
               source_url = d.url,
               first_seen = (SELECT min(first_seen) FROM documents WHERE report_id = reports.id)
           FROM organs o, documents d LEFT JOIN extractions e ON e.document_id = d.id
           WHERE o.id = reports.organ_id AND d.id = reports.primary_document_id AND {scope.where('reports.id')}"""
    )


def _check_status(db: sqlite_utils.Database, scope: Scope) -> None:
    """A report fails if any check on its primary document, or across years, fails.

    One grouped pass over ``checks`` (in report order, by its index): a correlated subquery per report
    lets SQLite pick another index and rescan every failing check for each report.
    """
    db.execute(f"UPDATE reports SET failed_checks = 0, check_status = 'unchecked' WHERE {scope.where('id')}")
    db.execute(
        f"""WITH counted AS (
               SELECT c.report_id, sum(c.status = 'fail') AS failed, sum(c.status = 'pass') AS passed
               FROM checks c INDEXED BY idx_checks_report JOIN reports r ON r.id = c.report_id
               WHERE (c.cross_year = 1 OR c.document_id = r.primary_document_id) AND {scope.where('c.report_id')}
               GROUP BY c.report_id)
           UPDATE reports SET
               failed_checks = counted.failed,
               check_status = CASE WHEN counted.failed > 0 THEN 'fail'
                                   WHEN counted.passed > 0 THEN 'pass' ELSE 'unchecked' END
           FROM counted WHERE counted.report_id = reports.id"""
    )
