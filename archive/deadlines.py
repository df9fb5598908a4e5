"""When an annual report is due: the one rule that coverage (``archive.coverage``) and the crawl calendar
(``nianbao.pipeline.calendar``) both apply, so "late" in the archive and "due" in the scheduler agree.

政府信息公开条例 (2019) art. 50: every administrative organ publishes its report on year Y by
31 January of Y+1; the people's governments at county level and above (县级以上地方人民政府), whose
reports also summarise their departments', by 31 March of Y+1. So a 人民政府 of a province, prefecture
or county (or a zone's 管理委员会 acting as one) has until 31 March; departments, townships, street
offices and communities until 31 January.
"""

from __future__ import annotations

import datetime as dt

MARCH = "次年3月31日 / 31 Mar of the next year"
JANUARY = "次年1月31日 / 31 Jan of the next year"
# Governments below county level (乡镇, 街道) are not "县级以上": the January date is theirs.
_BELOW_COUNTY = ("township", "community")


def is_county_level_government(kind: str | None, level: str | None) -> bool:
    """A government (``kind``) at county level or above; an unknown level counts as county level, since
    ``archive.regions`` gives the kind ``government`` only to provinces, prefectures, counties and zones."""
    return kind == "government" and level not in _BELOW_COUNTY


def deadline(kind: str | None, level: str | None, year: int) -> dt.date:
    """The last day on which the report on ``year`` may be published."""
    if is_county_level_government(kind, level):
        return dt.date(year + 1, 3, 31)
    return dt.date(year + 1, 1, 31)


def rule(kind: str | None, level: str | None) -> str:
    """The deadline in words, for the ``organs.deadline`` column."""
    return MARCH if is_county_level_government(kind, level) else JANUARY
