"""When to visit a portal next: pure date arithmetic, no I/O, so every rule can be tested with fixed dates.

The reporting calendar is set by the Regulations on Open Government Information (art. 50): every
organ publishes its annual report by 31 January; people's governments at county level and above,
which also summarise their departments, by 31 March (``archive.deadlines``: the rule coverage uses too).
Reports therefore arrive in January–April, and the rest of the year brings only late reports and
corrections. Visiting every portal daily all year
would be impolite and pointless; visiting monthly would miss the season. So:

- in season (1 January – 30 April) a portal whose report for last year is still missing is visited every
  few days, and daily around the day it usually publishes (learnt from its own history);
- once its report is found, or out of season, visits become weekly, then monthly;
- a failing or blocked portal is backed off exponentially, never beyond a cap, so it is retried later;
- each portal gets a fixed offset of a few hours from its id, so thousands of portals are not all due
  at the same second.
"""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from archive.deadlines import deadline
from archive.regions import kind_from_name, level_from_registry

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

SEASON_END = (4, 30)  # month, day: the last day of the busy season
EVERY_DAY = 1 * DAY  # in season, around the day the portal usually publishes
IN_SEASON = 3 * DAY  # in season, report not yet found
FOUND_IN_SEASON = 7 * DAY  # in season, report already found: only corrections and late siblings
LATE = 14 * DAY  # after the season, report still missing (late publishers), until the end of June
OFF_SEASON = 30 * DAY
PUBLISH_WINDOW_BEFORE = 10 * DAY
PUBLISH_WINDOW_AFTER = 20 * DAY
BACKOFF_CAP = 28 * DAY
SPREAD_HOURS = 6

FAILED_OUTCOMES = {"failed", "blocked", "broken"}


@dataclass(frozen=True)
class PortalInfo:
    """What the calendar needs to know about a portal: who it is and which deadline applies to it."""

    site_id: str
    level: str | None = None
    organ: str | None = None


@dataclass(frozen=True)
class Visit:
    """One past visit to one portal: when, how it ended, and how many new report documents it found."""

    at: datetime
    outcome: str  # ok, failed, blocked
    new_reports: int = 0

    @property
    def failed(self) -> bool:
        return self.outcome in FAILED_OUTCOMES


def due_date(portal: PortalInfo, year: int) -> date:
    """The legal deadline, in ``year``, for the report on ``year - 1``."""
    return deadline(kind_from_name(portal.organ), level_from_registry(portal.level), year - 1)


def in_season(day: date) -> bool:
    return (day.month, day.day) <= SEASON_END


def usual_publication(history: Sequence[Visit], now: datetime) -> tuple[int, int] | None:
    """The (month, day) on which this portal usually publishes, from earlier years' first finds.

    The very first successful visit is left out: it finds every report already online at once, which
    says when we started, not when the portal publishes.
    """
    ordered = sorted(history, key=lambda visit: visit.at)
    successes = [visit for visit in ordered if not visit.failed]
    later = successes[1:]
    firsts: dict[int, datetime] = {}
    for visit in later:
        if visit.new_reports > 0 and visit.at.year < now.year and in_season(visit.at.date()):
            firsts.setdefault(visit.at.year, visit.at)
    if not firsts:
        return None
    day_of_year = statistics.median_low(moment.timetuple().tm_yday for moment in firsts.values())
    usual = date(2001, 1, 1) + timedelta(days=day_of_year - 1)  # a non-leap year
    return usual.month, usual.day


def found_this_season(history: Sequence[Visit], now: datetime) -> bool:
    """Whether a visit since 1 January of this year found something new (this year's report)."""
    start = datetime(now.year, 1, 1, tzinfo=now.tzinfo)
    return any(visit.new_reports > 0 and start <= visit.at <= now for visit in history)


def base_interval(portal: PortalInfo, history: Sequence[Visit], now: datetime) -> timedelta:
    """How long to wait after a successful visit, by the season and what this portal has done."""
    today = now.date()
    found = found_this_season(history, now)
    if in_season(today):
        if found:
            return FOUND_IN_SEASON
        usual = usual_publication(history, now)
        expected = date(today.year, *usual) if usual else due_date(portal, today.year)
        if expected - PUBLISH_WINDOW_BEFORE <= today <= expected + PUBLISH_WINDOW_AFTER:
            return EVERY_DAY
        return IN_SEASON
    if not found and today.month <= 6:
        return LATE
    return OFF_SEASON


def consecutive_failures(history: Sequence[Visit]) -> int:
    count = 0
    for visit in sorted(history, key=lambda item: item.at, reverse=True):
        if not visit.failed:
            break
        count += 1
    return count


def spread(site_id: str) -> timedelta:
    """A fixed offset of up to ``SPREAD_HOURS`` for each portal, from its id, to spread the load."""
    digest = hashlib.sha256(site_id.encode("utf-8")).digest()
    return timedelta(minutes=int.from_bytes(digest[:4], "big") % (SPREAD_HOURS * 60))


def next_visit(portal: PortalInfo, history: Sequence[Visit], now: datetime) -> datetime:
    """When ``portal`` should next be visited, given its past visits; ``now`` if it is already due.

    A portal never visited is due at once. Otherwise the wait after the last visit is the season's
    interval, doubled for each failure in a row (capped), plus the portal's fixed offset.
    """
    if not history:
        return now
    last = max(history, key=lambda visit: visit.at)
    interval = base_interval(portal, history, now)
    failures = consecutive_failures(history)
    if failures:
        interval = min(interval * (2 ** failures), max(interval, BACKOFF_CAP))
    when = last.at + interval + spread(portal.site_id)
    return max(when, now)


def due_portals(
    portals: Iterable[PortalInfo], histories: dict[str, Sequence[Visit]], now: datetime
) -> tuple[list[PortalInfo], datetime | None]:
    """The portals due now, and when the next of the others falls due (None when none are left)."""
    due: list[PortalInfo] = []
    upcoming: datetime | None = None
    for portal in portals:
        when = next_visit(portal, histories.get(portal.site_id, ()), now)
        if when <= now:
            due.append(portal)
        elif upcoming is None or when < upcoming:
            upcoming = when
    return due, upcoming
