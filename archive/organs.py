"""Reporting organs: who publishes a report, where, at which level, and by when it is due.

An organ is identified by the name it reports under (``organs.name`` is unique and its integer id is
assigned once, so links stay stable across rebuilds). Organs come from the portal registry, or from a
report whose organ the registry does not name (a county portal publishing its departments' reports).

Deadlines (政府信息公开条例 Art. 49 and the State Council office's practice): departments publish the
report on year Y by 31 January of Y+1; people's governments at county level and above by 31 March.
Governments below county level (乡镇, 街道) report through their county and keep the 31 January date.
"""

from __future__ import annotations

import datetime as dt

import sqlite_utils

# Registry levels at or above county: a 人民政府 at one of these levels has until 31 March.
COUNTY_AND_ABOVE = {
    "central",
    "provincial",
    "province",
    "city",
    "prefecture",
    "county",
    "district",
    "new area",
    "development zone",
}
DEADLINE_DEPARTMENT = "次年1月31日 / 31 Jan of the next year"
DEADLINE_GOVERNMENT = "次年3月31日 / 31 Mar of the next year"


def normalise_name(name: str) -> str:
    """Names as printed carry stray spaces and line breaks (``铜陵市 生态环境局``)."""
    return "".join(name.split())


def is_county_level_government(name: str, level: str | None) -> bool:
    """A 人民政府 (not one of its offices) at county level or above."""
    if not name.endswith("人民政府"):
        return False
    if name.endswith(("乡人民政府", "镇人民政府")):
        return False
    return (level or "county") in COUNTY_AND_ABOVE


def deadline_rule(name: str, level: str | None) -> str:
    return DEADLINE_GOVERNMENT if is_county_level_government(name, level) else DEADLINE_DEPARTMENT


def deadline(name: str, level: str | None, year: int) -> dt.date:
    """The last day a report on ``year`` may be published."""
    if is_county_level_government(name, level):
        return dt.date(year + 1, 3, 31)
    return dt.date(year + 1, 1, 31)


def upsert_registry_organ(
    db: sqlite_utils.Database, name: str, region: str | None, level: str | None, portal_id: str
) -> int:
    """The organ a registry row names, created or updated from the registry (which wins over reports)."""
    name = normalise_name(name)
    values = {
        "region": region or None,
        "level": level or None,
        "deadline": deadline_rule(name, level),
        "portal_id": portal_id,
        "source": "registry",
    }
    organ_id = db["organs"].lookup({"name": name}, values)
    db["organs"].update(organ_id, values)  # lookup() leaves an existing row as it was
    return organ_id


def organ_for_report(db: sqlite_utils.Database, name: str | None, portal: dict | None) -> int | None:
    """The organ a report belongs to: the one it names, else its portal's organ.

    A name the registry does not know becomes a new organ in the portal's region; its level is left
    unknown rather than guessed.
    """
    if name:
        name = normalise_name(name)
    elif portal and portal.get("organ"):
        name = normalise_name(portal["organ"])
    else:
        return None
    found = db.execute("SELECT id FROM organs WHERE name = ?", [name]).fetchone()
    if found:
        return found[0]
    return db["organs"].insert(
        {
            "name": name,
            "region": (portal or {}).get("region") or None,
            "level": None,
            "deadline": deadline_rule(name, None),
            "portal_id": (portal or {}).get("site_id"),
            "source": "report",
        }
    ).last_pk
