"""Reporting organs in the archive: one row per organ, whatever name it reports under and wherever it is found.

An organ's identity is its ``key`` (``archive.regions``: the division it is, or lies in, and its own words),
so 三元镇 and 三元镇人民政府 on one county's portal, or 人民社区 and 铜陵市铜官区人民社区, are one row.
The integer id is assigned once per key and never changes, so links stay stable across rebuilds.
Organs come from the portal registry (which wins when it and a report describe an organ differently)
or from reports whose organ the registry does not name (a county portal publishing its townships').
Every spelling met is kept in ``organs.names``; what could not be resolved is in ``organs.warnings``.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import sys
from collections.abc import Iterable
from pathlib import Path

import sqlite_utils

from archive import deadlines
from archive.divisions import Division, load
from archive.registry import FIELDS
from archive.regions import OrganIdentity, identify, level_from_registry, normalise_name, region_context

log = logging.getLogger(__name__)


def portal_context(portal: dict | None) -> tuple[Division | None, bool]:
    """The region a portal serves, from its ``region_code`` (else its ``region`` words), and whether it is national."""
    if not portal:
        return None, False
    division = load().get(portal.get("region_code") or "")
    if division is None:
        division, _left = region_context(portal.get("region"))
    national = (portal.get("region") or "").strip() in ("全国", "中央") or portal.get("region_code") == "100000"
    return division, national


def identify_for_portal(name: str, portal: dict | None) -> OrganIdentity:
    """The identity of an organ named on ``portal`` (a registry row or a ``portals`` row)."""
    context, national = portal_context(portal)
    return identify(name, context, national=national)


def registry_identity(portal: dict) -> OrganIdentity:
    """A registry row's own organ. Where the name leaves the level unknown, the registry's level (hand-kept,
    checked against the portal) fills it."""
    identity = identify_for_portal(portal["organ"], portal)
    if identity.level is None:
        level = level_from_registry(portal.get("level"))
        if level:
            identity = OrganIdentity(identity.key, identity.name, identity.kind, level, identity.region_code,
                                     identity.region, identity.division, identity.warnings)
    return identity


def organ_key(identity: OrganIdentity, spelling: str) -> str:
    """The identity key; a name that tells nothing about its place is keyed by itself (and warned about)."""
    return identity.key or f"?|{normalise_name(spelling)}"


def upsert_organ(
    db: sqlite_utils.Database,
    identity: OrganIdentity,
    spellings: Iterable[str],
    *,
    portal_id: str | None,
    source: str,
) -> int:
    """The organ of ``identity``, created or brought up to date; registry rows win over reports."""
    spellings = [normalise_name(name) for name in spellings if name]
    key = organ_key(identity, spellings[0] if spellings else identity.name)
    found = db.execute("SELECT id, names, source, portal_id FROM organs WHERE key = ?", [key]).fetchone()
    names = sorted(set(json.loads(found[1] or "[]") if found else []) | set(spellings))
    values = {
        "key": key,
        "name": identity.name,
        "kind": identity.kind,
        "level": identity.level,
        "region": identity.region,
        "region_code": identity.region_code,
        "division": identity.division,
        "deadline": deadlines.rule(identity.kind, identity.level),
        "names": json.dumps(names, ensure_ascii=False),
        "warnings": json.dumps(list(identity.warnings), ensure_ascii=False) if identity.warnings else None,
        "portal_id": portal_id,
        "source": source,
    }
    if found:
        if found[2] == "registry" and source != "registry":
            values.update(source="registry", portal_id=found[3])
        db["organs"].update(found[0], values)
        return found[0]
    for warning in identity.warnings:
        log.info("organ %s: %s", identity.name, warning)  # kept in organs.warnings, where the site shows it
    return db["organs"].insert(values).last_pk


def upsert_registry_organ(db: sqlite_utils.Database, portal: dict) -> int:
    """The organ a registry row names, created or updated from the registry."""
    return upsert_organ(db, registry_identity(portal), [portal["organ"]], portal_id=portal["site_id"], source="registry")


def organ_for_report(db: sqlite_utils.Database, name: str | None, portal: dict | None) -> int | None:
    """The organ a document belongs to: the one it names, read in its portal's region, else its portal's organ."""
    if not name and not (portal and portal.get("organ")):
        return None
    spelling = name or portal["organ"]  # type: ignore[index]
    identity = identify_for_portal(spelling, portal)
    found = db.execute("SELECT id FROM organs WHERE key = ?", [organ_key(identity, spelling)]).fetchone()
    if found:
        names = json.loads(db.execute("SELECT names FROM organs WHERE id = ?", [found[0]]).fetchone()[0] or "[]")
        if normalise_name(spelling) not in names:
            db["organs"].update(found[0], {"names": json.dumps(sorted({*names, normalise_name(spelling)}), ensure_ascii=False)})
        return found[0]
    return upsert_organ(db, identity, [spelling], portal_id=(portal or {}).get("site_id"), source="report")


def narrowest(identities: dict[str, OrganIdentity]) -> dict[str, str]:
    """Keys to fold into another: a unit the tree does not name, read on a wider region's portal (三元镇 on
    the city's column, ``340700|三元镇``), is the one organ of that name inside it (``340705|三元镇``)
    when there is exactly one. Two candidates stay apart: which one is meant cannot be told."""
    by_unit: dict[str, list[str]] = {}
    for key in identities:
        code, _, unit = key.partition("|")
        if unit and code and code != "?":
            by_unit.setdefault(unit, []).append(code)
    divisions = load()
    out: dict[str, str] = {}
    for unit, codes in by_unit.items():
        for code in codes:
            wide = divisions.get(code)
            if wide is None:
                continue
            inside = [other for other in codes if other != code and other.startswith(wide.code) and len(other) >= len(code)
                      and (divisions.get(other) or wide).code != wide.code]
            if len(inside) == 1:
                out[f"{code}|{unit}"] = f"{inside[0]}|{unit}"
    return out


def fill_registry(path: Path) -> int:
    """Write each registry row's ``region_code`` and ``level`` as its organ's identity gives them (a level the
    name leaves unknown keeps the row's own); every other column is left exactly as it was. Returns the
    number of rows changed. ``python -m archive.organs crawler/portals.csv`` after editing the registry."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    changed = 0
    for row in rows:
        if not row.get("organ"):
            continue
        identity = registry_identity(row)
        new = {"region_code": identity.region_code or "", "level": identity.level or row.get("level", "")}
        changed += any(row.get(key, "") != value for key, value in new.items())
        row.update(new)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({name: row.get(name, "") for name in FIELDS} for row in rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return changed


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m archive.organs REGISTRY.csv")
    print(f"{fill_registry(Path(sys.argv[1]))} rows given their region_code and level")
