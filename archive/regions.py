"""Who an organ is: its region code, level and kind, read from the name it reports under and where it was found.

One organ is written many ways: 三元镇 and 三元镇人民政府, 琴台街道 and 鲁山县琴台街道办事处, 人民社区 and
铜陵市铜官区人民社区, 区政府办公室 on the 汉阳区 portal. ``identify`` reads a name against the NBS 2023
division tree (``archive.divisions``), within the region of the portal it came from, and returns the
organ's identity: a ``key`` that every spelling of one organ shares, a canonical display name, its
``region_code`` (GB/T 2260 six digits for its county or higher division; the NBS nine or twelve digits
when the tree names its township or community), its ``level`` and its ``kind``.

Nothing is guessed. A place the tree does not name stays unresolved: the organ keeps the code of the
deepest division it is known to lie in (the portal's county, say), and a warning says what was not
found. A name with no region at all and no portal region has no code (``None``) and a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from archive.divisions import NATIONAL_CODE, Division, Divisions, load

LEVELS = ("central", "provincial", "prefecture", "county", "township", "community")
KINDS = ("government", "department", "street office", "township", "community", "other")
_LEVEL_OF_DIVISION = {
    "province": "provincial",
    "prefecture": "prefecture",
    "county": "county",
    "township": "township",
    "community": "community",
}
# What follows a division's name when the organ is that division's own government, office or committee.
_GOVERNMENT_SUFFIXES = ("人民政府", "政府", "")
_ZONE_SUFFIXES = ("管理委员会", "管委会")
_STREET_SUFFIXES = ("街道办事处", "办事处", "")
_COMMUNITY_SUFFIXES = ("社区居民委员会", "居民委员会", "社区居委会", "居委会", "公共服务中心", "服务中心", "管理办公室", "")
# Units the tree may not name (new townships, the farm's, misspelt ones): read from the name's form.
_TOWNSHIP = re.compile(r"^(?P<unit>[\u4e00-\u9fff]{1,8}?(?:镇|乡|苏木))(?:人民政府|政府)?$")
_STREET = re.compile(r"^(?P<unit>[\u4e00-\u9fff]{1,8}?街道)(?:办事处)?$")
_COMMUNITY = re.compile(
    r"^(?P<unit>[\u4e00-\u9fff]{1,10}?社区)(?:居民委员会|居委会|公共服务中心|服务中心|管理办公室)?$"
)
_COUNTY_GOVERNMENT = re.compile(r"^(?P<unit>[\u4e00-\u9fff]{1,10}?(?P<suffix>县|区|旗|市))(?:人民政府|政府)$")
_CENTRAL = re.compile(r"^(?:国务院|国家|中华人民共和国|中国|海关总署|全国)")
NATIONAL_NAMES = ("全国", "中央", "国家", "中华人民共和国")


@dataclass(frozen=True)
class OrganIdentity:
    """What ``identify`` learnt about one organ name."""

    key: str | None  # every spelling of one organ shares it; None when the name tells nothing
    name: str  # canonical display name
    kind: str
    level: str | None
    region_code: str | None
    region: str | None  # the province (全国 for central organs), the facet researchers filter on
    division: str | None = None  # the NBS name of the organ's deepest known division
    warnings: tuple[str, ...] = field(default=())


def normalise_name(name: str) -> str:
    """Names as printed carry stray spaces, line breaks and full-width brackets (``铜陵市 生态环境局``)."""
    return "".join(name.split()).replace("（", "(").replace("）", ")")


def region_context(text: str | None, divisions: Divisions | None = None) -> tuple[Division | None, str]:
    """The division a registry ``region`` (``陕西省延安市富县``) or a stored ``region_code`` names.

    Returns the deepest division read and what could not be read ("" when all of it was): a region the
    tree does not know keeps its resolved part (陕西省西咸新区 -> 陕西省, "西咸新区").
    """
    divisions = divisions or load()
    text = normalise_name(text or "")
    if not text or text in NATIONAL_NAMES:
        return None, ""
    if text.isdigit():
        found = divisions.get(text)
        return found, "" if found else text
    named, _current, pos, _ambiguous = _scan(divisions, text, None)
    return named, text[pos:]


def identify(name: str, context: Division | None = None, *, national: bool = False) -> OrganIdentity:
    """The identity of the organ ``name`` names, found on a portal of region ``context``.

    ``national``: the portal is a central organ's (its registry region is 全国).
    """
    divisions = load()
    name = normalise_name(name)
    named, _current, pos, ambiguous = _scan(divisions, name, context)
    rest = name[pos:]
    warnings: list[str] = []
    if ambiguous:
        warnings.append(f"{ambiguous} names several divisions here; not resolved")
    # The organ lies in the deepest division its name gives (a county portal may list its city's
    # bureau: 铜陵市生态环境局 is the city's), else in the portal's.
    division = named or context
    if division is None and (national or _CENTRAL.match(name)):
        return OrganIdentity(f"{NATIONAL_CODE}|{name}", name, "department", "central", NATIONAL_CODE, "全国")
    return _classify(divisions, name, rest, division, warnings)


def _scan(
    divisions: Divisions, text: str, context: Division | None
) -> tuple[Division | None, Division | None, int, str]:
    """Read division names from the start of ``text``: (deepest named, deepest known, end, ambiguous word).

    Within ``context`` a name may be any division inside it or one of its ancestors (a county's portal
    lists 铜陵市铜官区X社区); without one, only a name the whole country uses once is read.
    """
    pos, current, named = 0, context, None
    while pos < len(text):
        found: list[Division] = []
        word = ""
        for length in range(min(20, len(text) - pos), 1, -1):
            word = text[pos : pos + length]
            found = [d for d in divisions.named(word) if _fits(d, current)]
            if found:
                break
        if not found:
            return named, current, pos, ""
        outer = min(found, key=lambda d: len(d.code))
        if not all(outer.contains(d) for d in found):
            return named, current, pos, word
        pos += len(word)
        if current is None or current.contains(outer):
            current = outer
        if named is None or named.contains(outer):
            named = outer
    return named, current, pos, ""


def _fits(division: Division, current: Division | None) -> bool:
    if current is None:
        return True
    return current.contains(division) or division.contains(current)


def _classify(
    divisions: Divisions, name: str, rest: str, division: Division | None, warnings: list[str]
) -> OrganIdentity:
    code = division.region_code if division else None
    province = divisions.chain(division)[0].name if division else None
    if division is not None and _is_own(division, rest):
        kind, display = _own_kind(division, rest)
        return OrganIdentity(f"{code}|", display, kind, _LEVEL_OF_DIVISION[division.level], code, province,
                             division.name, tuple(warnings))
    unit = _unit(rest)
    if unit:
        kind, level, unit_name, display = unit
        where = f"in {division.name} ({code})" if division else "anywhere (no region given)"
        warnings.append(f"{unit_name}: no division of that name {where} in NBS 2023")
        if division is None:
            return OrganIdentity(None, display, kind, level, None, None, None, tuple(warnings))
        return OrganIdentity(f"{code}|{unit_name}", display, kind, level, code, province, division.name,
                             tuple(warnings))
    zone = next((suffix for suffix in _ZONE_SUFFIXES if rest.endswith(suffix) and len(rest) > len(suffix)), None)
    if zone:  # 西咸新区管委会: a zone's government the tree does not name; its level is not known
        unit_name = rest.removesuffix(zone)
        where = f"in {division.name} ({code})" if division else "anywhere (no region given)"
        warnings.append(f"{unit_name}: no division of that name {where} in NBS 2023; level unknown")
        key = f"{code}|{unit_name}" if division else None
        return OrganIdentity(key, name if division is None else unit_name + "管理委员会", "government", None, code,
                             province, division.name if division else None, tuple(warnings))
    if division is None:
        warnings.append(f"{name}: no region in the name and none given; region_code left empty")
        kind = "government" if name.endswith("人民政府") else "other"
        return OrganIdentity(None, name, kind, None, None, None, None, tuple(warnings))
    department = _department(rest)
    display = division.name + ("人民" + department if department.startswith("政府") else department)
    return OrganIdentity(f"{code}|{department}", display, "department", _LEVEL_OF_DIVISION[division.level], code,
                         province, division.name, tuple(warnings))


def _is_own(division: Division, rest: str) -> bool:
    """Whether what follows the division's name makes the organ the division's own government or committee."""
    if division.level == "community":
        return rest in _COMMUNITY_SUFFIXES
    if division.level == "township":
        community = division.name.endswith("社区街道") and rest in _COMMUNITY_SUFFIXES
        return rest in _GOVERNMENT_SUFFIXES + _STREET_SUFFIXES or community
    return rest in _GOVERNMENT_SUFFIXES + _ZONE_SUFFIXES


def _own_kind(division: Division, rest: str) -> tuple[str, str]:
    """An organ that is the division itself: its government, street office or community committee."""
    if division.level == "community":
        return "community", _community_name(division.name)
    if division.level == "township":
        if division.name.endswith("社区街道"):
            return "community", division.name.removesuffix("街道")
        if division.name.endswith(("街道", "街道办事处")):
            return "street office", division.name.removesuffix("办事处") + "办事处"
        return "township", division.name + "人民政府"
    if rest in _ZONE_SUFFIXES:
        return "government", division.name + "管理委员会"
    return "government", division.name + "人民政府"


def _community_name(name: str) -> str:
    for suffix in ("居民委员会", "居委会"):
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


def _unit(rest: str) -> tuple[str, str, str, str] | None:
    """A township, street or community the tree does not name: (kind, level, unit, display name)."""
    if match := _STREET.match(rest):
        return "street office", "township", match["unit"], match["unit"] + "办事处"
    if match := _TOWNSHIP.match(rest):
        return "township", "township", match["unit"], match["unit"] + "人民政府"
    if match := _COMMUNITY.match(rest):
        return "community", "community", match["unit"], match["unit"]
    if match := _COUNTY_GOVERNMENT.match(rest):  # 南山县人民政府 where the tree has no 南山县; a 市 may be either level
        return "government", "county" if match["suffix"] != "市" else None, match["unit"], match["unit"] + "人民政府"
    return None


def _department(rest: str) -> str:
    """A department's own words, the same however its government is written (区人民政府办公室 = 政府办公室)."""
    rest = rest.replace("人民政府", "政府")
    if len(rest) > 2 and rest[0] in "省市州县区旗" and rest[1:].startswith("政府"):
        rest = rest[1:]
    return rest


def level_from_registry(value: str | None) -> str | None:
    """An older registry's level words (``city``, ``district``, ``street`` …) in the six levels, else None."""
    value = (value or "").strip().lower()
    if value in LEVELS:
        return value
    return {
        "national": "central", "province": "provincial", "city": "prefecture", "municipal": "prefecture",
        "district": "county", "new area": "county", "development zone": "county", "street": "township",
        "town": "township", "village": "community",
    }.get(value)


def kind_from_name(name: str | None) -> str:
    """The kind an organ's name shows by its form alone, without the division tree (``某县人民政府``).

    The same forms ``identify`` reads; for callers that hold only a name and must not load the tree.
    """
    name = normalise_name(name or "")
    if not name:
        return "other"
    if _STREET.match(name):
        return "street office"
    if _TOWNSHIP.match(name):
        return "township"
    if _COMMUNITY.match(name):
        return "community"
    if name.endswith(("人民政府", *_ZONE_SUFFIXES)):
        return "government"
    return "department"
