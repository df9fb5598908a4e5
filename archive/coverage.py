"""Coverage: for every organ of the portal registry and every year, was its report found, and on time?

One row per organ × year with a status and the evidence for it, so that "missing" is a finding a
journalist can check and not an absence in a table:

- ``found``: a report is in the archive, published by the deadline (or its date is unknown; the
  evidence says which).
- ``late``: a report is in the archive and its own date (落款日期, else the portal's listing date) is
  after the deadline: 31 January for departments, 31 March for governments at county level and above
  (see ``archive.organs``).
- ``missing``: the organ's portal was reached, and no report for the year was found.
- ``unreachable``: every fetch of the organ's portal failed or was blocked.
- ``not_checked``: the portal has not been fetched at all, so nothing can be said yet.
- ``not_due``: the deadline had not passed when the store was last updated.

"Now" is the time of the newest fetch or document in the store, never the wall clock, so rebuilding
the same data gives the same table.
"""

from __future__ import annotations

import datetime as dt

import sqlite_utils

from archive.organs import deadline
from archive.store import INCOMPLETE_OUTCOMES, SEEN_OUTCOMES, sql_list

FIRST_YEAR = 2019  # the first year of the current templates; earlier reports widen the range

STATUS_LABELS: dict[str, str] = {
    "found": "按时发布 / found, on time",
    "late": "逾期发布 / published late",
    "missing": "未找到 / not found",
    "unreachable": "无法访问 / portal unreachable",
    "not_checked": "尚未抓取 / not crawled yet",
    "not_due": "尚未到期 / not yet due",
}


def rebuild(db: sqlite_utils.Database) -> int:
    """Replace the coverage table; returns its row count."""
    as_of = _as_of(db)
    reports = {
        (row["organ_id"], row["year"]): row
        for row in db.query(
            """SELECT r.id, r.organ_id, r.year, r.title, r.source_url, r.published_on, d.listed_date
               FROM reports r LEFT JOIN documents d ON d.id = r.primary_document_id"""
        )
    }
    first = min([FIRST_YEAR] + [year for _, year in reports])
    years = range(first, as_of.year)
    portals = {row["portal_id"]: row for row in _portal_fetches(db)}
    rows = []
    for organ in db.query("SELECT * FROM organs WHERE source = 'registry' ORDER BY id"):
        fetches = portals.get(organ["portal_id"])
        for year in years:
            due = deadline(organ["name"], organ["level"], year)
            row = {
                "organ_id": organ["id"],
                "year": year,
                "organ": organ["name"],
                "region": organ["region"],
                "level": organ["level"],
                "portal_id": organ["portal_id"],
                "deadline": due.isoformat(),
            }
            row.update(_status(reports.get((organ["id"], year)), fetches, year, due, as_of))
            rows.append(row)
    with db.atomic():
        db.execute("DELETE FROM coverage")
        db["coverage"].insert_all(rows, batch_size=1000)
    return len(rows)


def _status(report: dict | None, fetches: dict | None, year: int, due: dt.date, as_of: dt.date) -> dict:
    if report:
        found = {"report_id": report["id"], "evidence_url": report["source_url"]}
        date, basis = report["published_on"], "落款日期 / dated"
        if not date:
            date, basis = report["listed_date"], "栏目列表日期 / listed on"
        if not date:
            return {**found, "status": "found", "evidence": f"{report['title']}；发布日期不详 / date unknown"}
        status = "late" if date[:10] > due.isoformat() else "found"
        relation = "晚于 / after" if status == "late" else "不晚于 / by"
        return {
            **found,
            "status": status,
            "published_on": date[:10],
            "evidence": f"{basis} {date[:10]}，{relation} {due.isoformat()}：{report['title']}",
        }
    if as_of <= due:
        return {"status": "not_due", "evidence": f"截至 {as_of.isoformat()} 未到期限 / not due as of then"}
    if not fetches or not (fetches["seen"] or fetches["failed"]):
        return {"status": "not_checked", "evidence": "该门户尚无抓取记录 / the portal has not been fetched"}
    if not fetches["seen"]:
        return {
            "status": "unreachable",
            "evidence": (
                f"{fetches['failed']} 次抓取均失败，最近一次 {fetches['last_failed_at']}："
                f"{fetches['last_outcome']} {fetches['last_reason'] or ''}".rstrip()
            ),
            "evidence_url": fetches["last_failed_url"],
        }
    return {
        "status": "missing",
        "evidence": (
            f"门户已成功访问 {fetches['seen']} 次（最近 {fetches['last_seen_at']}），"
            f"未见 {year} 年度报告 / portal reached, no report for {year}"
        ),
        "evidence_url": fetches["last_seen_url"],
    }


def _portal_fetches(db: sqlite_utils.Database):
    seen, failed = sql_list(SEEN_OUTCOMES), sql_list(INCOMPLETE_OUTCOMES)
    return db.query(
        f"""SELECT portal_id,
               sum(outcome IN {seen}) AS seen,
               sum(outcome IN {failed}) AS failed,
               max(CASE WHEN outcome IN {seen} THEN fetched_at END) AS last_seen_at,
               (SELECT url FROM fetches f2 WHERE f2.portal_id = f.portal_id AND f2.outcome IN {seen}
                ORDER BY fetched_at DESC LIMIT 1) AS last_seen_url,
               max(CASE WHEN outcome IN {failed} THEN fetched_at END) AS last_failed_at,
               (SELECT url FROM fetches f2 WHERE f2.portal_id = f.portal_id AND f2.outcome IN {failed}
                ORDER BY fetched_at DESC LIMIT 1) AS last_failed_url,
               (SELECT outcome FROM fetches f2 WHERE f2.portal_id = f.portal_id AND f2.outcome IN {failed}
                ORDER BY fetched_at DESC LIMIT 1) AS last_outcome,
               (SELECT reason FROM fetches f2 WHERE f2.portal_id = f.portal_id AND f2.outcome IN {failed}
                ORDER BY fetched_at DESC LIMIT 1) AS last_reason
           FROM fetches f WHERE portal_id IS NOT NULL GROUP BY portal_id"""
    )


def _as_of(db: sqlite_utils.Database) -> dt.date:
    latest = db.execute(
        "SELECT max(t) FROM (SELECT max(fetched_at) AS t FROM fetches UNION ALL SELECT max(last_seen) FROM documents)"
    ).fetchone()[0]
    if not latest:
        return dt.datetime.now(dt.UTC).date()
    return dt.date.fromisoformat(latest[:10])


def summary(db: sqlite_utils.Database) -> dict[str, int]:
    """Rows per status, for the snapshot manifest."""
    return {row[0]: row[1] for row in db.execute("SELECT status, count(*) FROM coverage GROUP BY status ORDER BY status")}
