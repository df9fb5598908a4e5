"""The visiting calendar, on fixed dates: often in January–April, rarely otherwise, backing off on failure."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from nianbao.pipeline.calendar import (
    BACKOFF_CAP,
    EVERY_DAY,
    FOUND_IN_SEASON,
    IN_SEASON,
    LATE,
    OFF_SEASON,
    PortalInfo,
    Visit,
    due_date,
    due_portals,
    next_visit,
    spread,
    usual_publication,
)

UTC = timezone.utc
DEPT = PortalInfo("dept", level="department", organ="某市财政局")
COUNTY = PortalInfo("county", level="county", organ="某县人民政府")


def at(y: int, m: int, d: int, h: int = 3) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


def wait(portal: PortalInfo, history: list[Visit], now: datetime) -> timedelta:
    """The interval chosen after the last visit, without the portal's fixed offset."""
    last = max(visit.at for visit in history)
    return next_visit(portal, history, now) - last - spread(portal.site_id)


@pytest.mark.parametrize(
    ("portal", "expected"),
    [
        (DEPT, date(2025, 1, 31)),
        (COUNTY, date(2025, 3, 31)),
        (PortalInfo("p", level="province", organ="某省人民政府"), date(2025, 3, 31)),
        (PortalInfo("c", level="county", organ="某县财政局"), date(2025, 1, 31)),
        (PortalInfo("t", level="township", organ="某镇人民政府"), date(2025, 1, 31)),
        (PortalInfo("t2", organ="某某镇人民政府"), date(2025, 1, 31)),
        (PortalInfo("s", organ="某某街道办事处"), date(2025, 1, 31)),
        (PortalInfo("g", organ="某市人民政府"), date(2025, 3, 31)),
    ],
)
def test_due_dates_follow_the_regulation(portal: PortalInfo, expected: date) -> None:
    assert due_date(portal, 2025) == expected


def test_never_visited_portal_is_due_now() -> None:
    now = at(2025, 7, 1)
    assert next_visit(DEPT, [], now) == now


def test_daily_around_the_deadline_every_few_days_earlier_in_season() -> None:
    early = [Visit(at(2025, 1, 2), "ok")]
    assert wait(DEPT, early, at(2025, 1, 2)) == IN_SEASON  # 31 Jan − 10 days is 21 Jan
    near = [Visit(at(2025, 1, 25), "ok")]
    assert wait(DEPT, near, at(2025, 1, 25)) == EVERY_DAY
    county = [Visit(at(2025, 1, 25), "ok")]
    assert wait(COUNTY, county, at(2025, 1, 25)) == IN_SEASON  # its deadline is 31 March
    assert wait(COUNTY, [Visit(at(2025, 3, 28), "ok")], at(2025, 3, 28)) == EVERY_DAY


def test_rare_out_of_season_and_weekly_once_found() -> None:
    assert wait(DEPT, [Visit(at(2025, 9, 1), "ok")], at(2025, 9, 1)) == OFF_SEASON
    found = [Visit(at(2025, 1, 20), "ok", new_reports=2), Visit(at(2025, 1, 28), "ok")]
    assert wait(DEPT, found, at(2025, 1, 28)) == FOUND_IN_SEASON
    late = [Visit(at(2025, 5, 10), "ok")]
    assert wait(DEPT, late, at(2025, 5, 10)) == LATE


def test_learns_when_a_portal_usually_publishes() -> None:
    # First visit (backfill) is ignored; in 2023 and 2024 the portal published around 10 March.
    history = [
        Visit(at(2022, 6, 1), "ok", new_reports=40),
        Visit(at(2023, 3, 9), "ok", new_reports=1),
        Visit(at(2024, 3, 11), "ok", new_reports=1),
        Visit(at(2025, 2, 20), "ok"),
    ]
    assert usual_publication(history, at(2025, 2, 20)) in {(3, 9), (3, 10), (3, 11)}
    assert wait(DEPT, history, at(2025, 2, 20)) == IN_SEASON
    history.append(Visit(at(2025, 3, 5), "ok"))
    assert wait(DEPT, history, at(2025, 3, 5)) == EVERY_DAY  # its own habit, past the legal deadline


def test_failing_portals_back_off_exponentially_up_to_a_cap() -> None:
    now = at(2025, 1, 25)
    failures = [Visit(at(2025, 1, 25) - timedelta(days=n), "failed") for n in range(1)]
    assert wait(DEPT, failures, now) == 2 * EVERY_DAY
    failures = [Visit(now - timedelta(hours=n), "blocked") for n in range(3)]
    assert wait(DEPT, failures, now) == 8 * EVERY_DAY
    failures = [Visit(now - timedelta(hours=n), "failed") for n in range(10)]
    assert wait(DEPT, failures, now) == BACKOFF_CAP
    recovered = failures + [Visit(now + timedelta(hours=1), "ok")]
    assert wait(DEPT, recovered, now + timedelta(hours=1)) == EVERY_DAY
    off = [Visit(at(2025, 9, 1) - timedelta(hours=n), "failed") for n in range(5)]
    assert wait(DEPT, off, at(2025, 9, 1)) == OFF_SEASON  # never shorter than the season's interval


def test_due_portals_and_next_wake_up() -> None:
    now = at(2025, 9, 1)
    histories = {"dept": [Visit(now - timedelta(days=40), "ok")], "county": [Visit(now - timedelta(days=1), "ok")]}
    due, upcoming = due_portals([DEPT, COUNTY, PortalInfo("new")], histories, now)
    assert [portal.site_id for portal in due] == ["dept", "new"]
    assert upcoming == now - timedelta(days=1) + OFF_SEASON + spread("county")


def test_offsets_are_fixed_per_portal_and_spread() -> None:
    assert spread("a") == spread("a")
    assert len({spread(f"portal{n}") for n in range(50)}) > 25
    assert all(timedelta(0) <= spread(f"portal{n}") < timedelta(hours=6) for n in range(50))
