"""Reports: one per organ × year, linking every document that carries it, and the wide tables built from them.

A report's documents fall into editions. An HTML page and the PDF attached to it are one edition (the
attachment belongs to its parent page's edition); a corrected re-issue (a new body at the same URL, or a
new page for the same organ and year published later) is a later edition. The report's numbers come
from its *primary document*: the document of the latest edition that the parser read the most cells
from. Everything here is rebuilt from ``documents``, ``extractions`` and ``cells`` on every run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import sqlite_utils

from archive import checks, fts, wide
from archive.scope import Scope


def rebuild(db: sqlite_utils.Database, report_ids: Iterable[int] | None = None) -> None:
    """Recompute editions, primary documents, report fields, cross-year checks and the wide tables.

    ``report_ids`` limits the work to reports whose documents changed (``None``: every report). The
    scope grows by what depends on them: reports that lost their last document, attachments joining
    their page's report, and each report's next year, whose cross-year checks read it.
    """
    with db.atomic():
        attached = _attach_unread_attachments(db)
        removed = db.execute(
            """DELETE FROM reports WHERE id NOT IN (SELECT report_id FROM documents WHERE report_id IS NOT NULL)
               RETURNING id, organ_id, year"""
        ).fetchall()
        scope = Scope() if report_ids is None else _scope(db, set(report_ids) | attached, removed)
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


def _attach_unread_attachments(db: sqlite_utils.Database) -> set[int]:
    """An attachment the parser could not read still belongs to the report of the page that links it."""
    rows = db.execute(
        """UPDATE documents SET report_id = (
               SELECT p.report_id FROM documents p
               WHERE p.url = documents.parent_url AND p.report_id IS NOT NULL
               ORDER BY p.version DESC LIMIT 1)
           WHERE report_id IS NULL AND parent_url IS NOT NULL
           RETURNING report_id"""
    ).fetchall()
    return {row[0] for row in rows if row[0] is not None}


def _editions_and_primaries(db: sqlite_utils.Database, scope: Scope) -> None:
    docs = db.query(
        f"""SELECT d.id, d.report_id, d.url, d.version, d.kind, d.parent_url, d.first_seen,
                   e.status, coalesce(e.cells, 0) AS cells
            FROM documents d LEFT JOIN extractions e ON e.document_id = d.id
            WHERE d.report_id IS NOT NULL AND {scope.where('d.report_id')}"""
    )
    by_report: dict[int, list[dict]] = defaultdict(list)
    for doc in docs:
        by_report[doc["report_id"]].append(doc)
    edition_of: list[tuple[int, int]] = []
    primaries: list[tuple[int | None, int, int, int]] = []
    for report_id, members in by_report.items():
        first_seen: dict[tuple[str, int], str] = {}
        for doc in members:
            key = _edition_key(doc)
            first_seen[key] = min(first_seen.get(key, doc["first_seen"] or ""), doc["first_seen"] or "")
        order = sorted(first_seen, key=lambda key: (first_seen[key], key))
        number = {key: index + 1 for index, key in enumerate(order)}
        for doc in members:
            doc["edition"] = number[_edition_key(doc)]
            edition_of.append((doc["edition"], doc["id"]))
        read = [doc for doc in members if doc["status"] == "ok"]
        primary = max(read, key=lambda d: (d["edition"], d["cells"], d["kind"] == "page", -d["id"]), default=None)
        primaries.append((primary["id"] if primary else None, len(order), len(members), report_id))
    db.conn.executemany("UPDATE documents SET edition = ? WHERE id = ?", edition_of)
    db.conn.executemany(
        "UPDATE reports SET primary_document_id = ?, editions = ?, documents = ? WHERE id = ?", primaries
    )


def _edition_key(doc: dict) -> tuple[str, int]:
    """Documents that were published together share a key: the page they hang off, and the version."""
    root = doc["parent_url"] if doc["kind"] == "attachment" and doc["parent_url"] else doc["url"]
    return root, doc["version"] or 1


def _report_fields(db: sqlite_utils.Database, scope: Scope) -> None:
    db.execute(
        f"""UPDATE reports SET
               organ = o.name, region = o.region, level = o.level,
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
