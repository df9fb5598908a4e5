"""``region_summary``: the home page's figures per province, written by the build instead of counted per visit.

The home page states how many reports, organs, provinces and years the archive holds, how many reports
fail a check, how complete coverage is and which provinces have changes to subscribe to. Counted from
``reports``, ``editions`` and ``coverage`` these are a pass over each table (13 ms at 20,000 reports,
five times that at 100,000) on every start of every server process; the build writes them once, one
row per province (``region`` NULL for reports whose province is unknown), and the page adds the rows up.

``SUMMARY_SQL`` is the one definition: the build inserts its rows, and an archive upgraded but not
rebuilt yet (an empty table) is answered by running it directly.
"""

from __future__ import annotations

import sqlite3

import sqlite_utils

from archive.coverage import STATUS_LABELS

COVERAGE_STATUSES = tuple(STATUS_LABELS)  # found, late, missing, unreachable, not_checked, not_due

# The table as migration m007_region_summary created it: frozen, as a migration is.
M007_REGION_SUMMARY = """
CREATE TABLE region_summary (
    region TEXT,
    reports INTEGER NOT NULL,
    organs INTEGER NOT NULL,
    first_year INTEGER,
    last_year INTEGER,
    failing INTEGER NOT NULL,
    changes INTEGER NOT NULL,
    found INTEGER NOT NULL,
    late INTEGER NOT NULL,
    missing INTEGER NOT NULL,
    unreachable INTEGER NOT NULL,
    not_checked INTEGER NOT NULL,
    not_due INTEGER NOT NULL
);
CREATE UNIQUE INDEX idx_region_summary_region ON region_summary(region);
"""

_STATUS_SUMS = ", ".join(f"sum(status = '{status}') AS {status}" for status in COVERAGE_STATUSES)
SUMMARY_SQL = f"""
WITH r AS (SELECT region, count(*) AS reports, count(DISTINCT organ_id) AS organs, min(year) AS first_year,
                  max(year) AS last_year, sum(check_status = 'fail') AS failing
           FROM reports GROUP BY region),
     e AS (SELECT region, count(*) AS changes FROM editions GROUP BY region),
     c AS (SELECT region, {_STATUS_SUMS} FROM coverage GROUP BY region),
     k AS (SELECT region FROM r UNION SELECT region FROM e UNION SELECT region FROM c)
SELECT k.region, coalesce(r.reports, 0) AS reports, coalesce(r.organs, 0) AS organs, r.first_year, r.last_year,
       coalesce(r.failing, 0) AS failing, coalesce(e.changes, 0) AS changes,
       {', '.join(f'coalesce(c.{status}, 0) AS {status}' for status in COVERAGE_STATUSES)}
FROM k LEFT JOIN r ON r.region IS k.region LEFT JOIN e ON e.region IS k.region LEFT JOIN c ON c.region IS k.region
"""


def rebuild(db: sqlite_utils.Database) -> int:
    """Write the summary from the tables the build has just rebuilt; returns its rows."""
    with db.atomic():
        db.execute("DELETE FROM region_summary")
        db.execute(f"INSERT INTO region_summary {SUMMARY_SQL}")
    return db.execute("SELECT count(*) FROM region_summary").fetchone()[0]


def region_rows(conn: sqlite3.Connection) -> list[dict]:
    """The summary's rows as dicts: the stored ones, or counted now where the build has not written them."""
    cursor = conn.execute("SELECT * FROM region_summary")
    found = cursor.fetchall()
    if not found:
        cursor = conn.execute(SUMMARY_SQL)
        found = cursor.fetchall()
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in found]
