"""Coverage: for every organ that must report and every year, was its report found, and on time?

Who must report (``expected_as``):

- ``registry``: every organ the portal registry names;
- ``reported``: every organ that has published a report in any year (a county's townships and
  departments found on its column), so an organ that stops reporting shows up as missing;
- ``division``: every government at township level and above in the registry's regions, from the NBS
  tree: the government of each registry organ's division, and where that division is a county, the
  county's townships and street offices (they report through the county's portal). A province's or a
  city's whole tree is not expected from one department's portal, nor a county's from one township's:
  those portals do not serve them.

One row per expected organ × year, from 2019 (the current templates; earlier years where the organ has a
report) to the last full year, with a status and the evidence for it, so that "missing" is a finding a
journalist can check and not an absence in a table:

- ``found``: a report is in the archive, published by the deadline (or its date is unknown; the
  evidence says which).
- ``late``: its own date (落款日期, else the portal's listing date) is after the legal deadline
  (``archive.deadlines``: 31 January; 31 March for governments at county level and above).
- ``missing``: a portal serving the organ was reached, and no report for the year was found.
- ``unreachable``: every fetch of the portals serving the organ failed or was blocked.
- ``not_checked``: no portal serving the organ has been fetched, so nothing can be said yet.
- ``not_due``: the deadline had not passed when the store was last updated.

The portals serving an organ are its own (registry) portal, the portal its reports were found on, and
every portal of its county. "Now" is the time of the newest fetch or document in the store, never the
wall clock, so rebuilding the same data gives the same table.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import sqlite_utils

from archive import deadlines
from archive.divisions import load
from archive.organs import upsert_organ
from archive.regions import identify
from archive.store import INCOMPLETE_OUTCOMES, SEEN_OUTCOMES, sql_list

FIRST_YEAR = 2019  # the first year of the current templates; earlier reports add their own years

STATUS_LABELS: dict[str, str] = {
    "found": "按时发布 / found, on time",
    "late": "逾期发布 / published late",
    "missing": "未找到 / not found",
    "unreachable": "无法访问 / portal unreachable",
    "not_checked": "尚未抓取 / not crawled yet",
    "not_due": "尚未到期 / not yet due",
}
EXPECTED_AS: dict[str, str] = {
    "registry": "登记表所列 / named by the registry",
    "reported": "曾发布年报 / has published a report",
    "division": "登记地区的乡级以上政府 / a government of a registry region (NBS)",
}


def rebuild(db: sqlite_utils.Database) -> int:
    """Replace the coverage table; returns its row count."""
    as_of = _as_of(db)
    expected_divisions(db)
    reports = {
        (row["organ_id"], row["year"]): row
        for row in db.query(
            """SELECT r.id, r.organ_id, r.year, r.title, r.source_url, r.published_on, d.listed_date, d.portal_id
               FROM reports r LEFT JOIN documents d ON d.id = r.primary_document_id"""
        )
    }
    years_of: dict[int, set[int]] = defaultdict(set)
    found_on: dict[int, set[str]] = defaultdict(set)
    for organ_id, year in reports:
        years_of[organ_id].add(year)
        if reports[organ_id, year]["portal_id"]:
            found_on[organ_id].add(reports[organ_id, year]["portal_id"])
    last = max([as_of.year - 1, *(year for _, year in reports)])
    fetches = {row["portal_id"]: row for row in _portal_fetches(db)}
    by_county: dict[str, list[str]] = defaultdict(list)
    for site_id, code in db.execute("SELECT site_id, region_code FROM portals WHERE region_code IS NOT NULL"):
        by_county[_county(code)].append(site_id)
    rows = []
    for organ in db.query("SELECT * FROM organs ORDER BY id"):
        reported = bool(years_of.get(organ["id"]))
        expected_as = "registry" if organ["source"] == "registry" else "reported" if reported else organ["source"]
        if expected_as not in EXPECTED_AS:
            continue
        serving = {organ["portal_id"], *found_on.get(organ["id"], ()), *by_county.get(_county(organ["region_code"]), ())}
        evidence = _combined([fetches[site] for site in sorted(serving - {None}) if site in fetches])
        for year in sorted(set(range(FIRST_YEAR, last + 1)) | years_of.get(organ["id"], set())):
            due = deadlines.deadline(organ["kind"], organ["level"], year)
            row = {
                "organ_id": organ["id"],
                "year": year,
                "organ": organ["name"],
                "region": organ["region"],
                "level": organ["level"],
                "kind": organ["kind"],
                "region_code": organ["region_code"],
                "portal_id": organ["portal_id"],
                "expected_as": expected_as,
                "deadline": due.isoformat(),
            }
            row.update(_status(reports.get((organ["id"], year)), evidence, year, due, as_of))
            rows.append(row)
    with db.atomic():
        db.execute("DELETE FROM coverage")
        db["coverage"].insert_all(rows, batch_size=1000)
    return len(rows)


def expected_divisions(db: sqlite_utils.Database) -> int:
    """Organ rows (``source = 'division'``) for the governments the registry's regions must have; returns how many."""
    divisions = load()
    wanted = []
    # Only regions the registry names precisely: a township the tree does not know, coded at its
    # province, must not make the province's government expected from the township's portal.
    for (code,) in db.execute(
        """SELECT DISTINCT o.region_code FROM organs o JOIN portals p ON p.site_id = o.portal_id
           WHERE o.source = 'registry' AND o.warnings IS NULL AND o.region_code IS NOT NULL AND p.status = 'active'"""
    ):
        division = divisions.get(code)
        if division is None or division.placeholder:
            continue
        wanted.append(division)
        if division.level == "county":
            wanted += divisions.children(division, "township")
    existing = {row[0] for row in db.execute("SELECT key FROM organs")}
    added = 0
    for division in wanted:
        identity = identify(division.name, divisions.get(division.parent_code))
        if identity.key in existing or identity.key is None or identity.key != f"{division.region_code}|":
            continue
        upsert_organ(db, identity, [division.name], portal_id=None, source="division")
        existing.add(identity.key)
        added += 1
    return added


def _county(code: str | None) -> str:
    """The county (or wider) part of a region code: what portals and organs are matched on."""
    return (code or "")[:6]


def _status(report: dict | None, fetches: dict | None, year: int, due: dt.date, as_of: dt.date) -> dict:
    if report:
        found = {"report_id": report["id"], "evidence_url": report["source_url"]}
        date, basis = report["published_on"], "落款日期 / dated"
        if not date:
            date, basis = report["listed_date"], "栏目列表日期 / listed on"
        if not date:
            return {**found, "status": "found", "evidence": f"{report['title']}；发布日期不详 / date unknown"}
        late = date[:10] > due.isoformat()  # ISO dates order as strings; a partial date compares by its prefix
        status = "late" if late else "found"
        relation = "晚于 / after" if late else "不晚于 / by"
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


def _combined(portals: list[dict]) -> dict | None:
    """The fetch record of several portals serving one organ, as if they were one."""
    if not portals:
        return None
    if len(portals) == 1:
        return portals[0]
    seen = [p for p in portals if p["seen"]]
    failed = [p for p in portals if p["failed"]]
    out = {"seen": sum(p["seen"] or 0 for p in portals), "failed": sum(p["failed"] or 0 for p in portals)}
    latest_seen = max(seen, key=lambda p: p["last_seen_at"] or "", default=None)
    latest_failed = max(failed, key=lambda p: p["last_failed_at"] or "", default=None)
    for key in ("last_seen_at", "last_seen_url"):
        out[key] = latest_seen[key] if latest_seen else None
    for key in ("last_failed_at", "last_failed_url", "last_outcome", "last_reason"):
        out[key] = latest_failed[key] if latest_failed else None
    return out


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
