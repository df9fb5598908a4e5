"""The one deadline rule (regulation art. 50), on the calendar's edge dates, as coverage and the scheduler apply it."""

from __future__ import annotations

from datetime import date

import pytest

from archive.deadlines import deadline, rule
from nianbao.pipeline.calendar import PortalInfo, due_date


@pytest.mark.parametrize(
    ("kind", "level", "due"),
    [
        ("government", "provincial", date(2025, 3, 31)),
        ("government", "prefecture", date(2025, 3, 31)),
        ("government", "county", date(2025, 3, 31)),
        ("government", None, date(2025, 3, 31)),  # a zone's 管委会 of unknown level acts as a county government
        ("department", "central", date(2025, 1, 31)),
        ("department", "provincial", date(2025, 1, 31)),
        ("department", "county", date(2025, 1, 31)),
        ("township", "township", date(2025, 1, 31)),
        ("street office", "township", date(2025, 1, 31)),
        ("community", "community", date(2025, 1, 31)),
        ("other", None, date(2025, 1, 31)),
    ],
)
def test_deadline_of_the_report_on_2024(kind: str, level: str | None, due: date) -> None:
    assert deadline(kind, level, 2024) == due
    assert rule(kind, level).startswith("次年3月31日" if due.month == 3 else "次年1月31日")


def test_leap_years_and_year_ends() -> None:
    assert deadline("department", "county", 2023) == date(2024, 1, 31)  # 2024 is a leap year: still 31 January
    assert deadline("government", "county", 2023) == date(2024, 3, 31)
    assert deadline("government", "county", 2019) == date(2020, 3, 31)


@pytest.mark.parametrize(
    ("organ", "level"),
    [
        ("某市人民政府", "prefecture"), ("某县人民政府", "county"), ("某市人民政府", "municipal"),  # an older registry word
        ("某县财政局", "county"), ("某镇人民政府", "township"), ("某某街道办事处", None), ("某社区居民委员会", "community"),
    ],
)
def test_the_calendar_uses_the_same_rule(organ: str, level: str | None) -> None:
    """The scheduler's due date in 2025 is the deadline of the 2024 report, for every kind of organ."""
    from archive.regions import kind_from_name, level_from_registry

    expected = deadline(kind_from_name(organ), level_from_registry(level), 2024)
    assert due_date(PortalInfo("p", level=level, organ=organ), 2025) == expected


def test_a_municipal_government_is_due_in_march_in_both() -> None:
    """Issue 11: a 市人民政府 at level ``municipal`` was due on 31 January in one module and 31 March in the other."""
    assert due_date(PortalInfo("p", level="municipal", organ="某市人民政府"), 2025) == date(2025, 3, 31)


@pytest.mark.parametrize(
    ("kind", "published_on", "status"),
    [
        ("department", "2025-01-31", "found"), ("department", "2025-02-01", "late"),
        ("government", "2025-03-31", "found"), ("government", "2025-04-01", "late"),
        ("township", "2025-01-31", "found"), ("township", "2025-02-01", "late"),
    ],
)
def test_coverage_calls_late_what_the_rule_says(kind: str, published_on: str, status: str) -> None:
    from archive.coverage import _status

    report = {"id": 1, "source_url": "http://x/", "published_on": published_on, "listed_date": None, "title": "t"}
    due = deadline(kind, "county" if kind != "township" else "township", 2024)
    assert _status(report, None, 2024, due, date(2025, 6, 1))["status"] == status


def test_not_due_until_the_day_after_the_deadline() -> None:
    from archive.coverage import _status

    due = deadline("department", "county", 2024)
    seen = {"seen": 1, "failed": 0, "last_seen_at": "2025-01-31", "last_seen_url": "http://x/"}
    assert _status(None, seen, 2024, due, date(2025, 1, 31))["status"] == "not_due"
    assert _status(None, seen, 2024, due, date(2025, 2, 1))["status"] == "missing"
