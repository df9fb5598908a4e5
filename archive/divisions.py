"""China's administrative divisions (NBS 2023 统计用区划代码) as a tree the organ names are resolved against.

The data is the National Bureau of Statistics' 2023 division codes (as of 30 June 2023) as the npm
package ``china-division`` 2.7.0 ships them (``dist/*.csv``, WTFPL; see ``archive/geodata/README.md``),
cut down to what reports need: every province, prefecture, county and township, and every urban
community (社区, 居委会). Villages (村委会) are left out: they are not administrative organs and do not
publish these reports, and they are four fifths of the file. ``python -m archive.divisions DIST``
regenerates ``archive/geodata/divisions_2023.csv.gz`` from the package's ``dist`` folder.

Codes are the NBS ones: 2 digits for a province, 4 for a prefecture, 6 for a county (the GB/T 2260
code), 9 for a township, 12 for a community. ``Division.region_code`` is what the archive stores: the
6-digit GB/T 2260 form for the top three levels (``34`` -> ``340000``), 9 or 12 digits below.
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

DATA_FILE = "divisions_2023.csv.gz"
SOURCE = "NBS 2023 统计用区划代码 (npm china-division 2.7.0)"
LEVELS_BY_LENGTH = {2: "province", 4: "prefecture", 6: "county", 9: "township", 12: "community"}
# Placeholders NBS puts where a level is skipped (the districts of a municipality, counties governed
# directly by the province): part of the tree, never a name to look for.
PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
NATIONAL_CODE = "100000"  # the whole country, as national map data (DataV, 天地图) codes it; not a GB/T 2260 entry


@dataclass(frozen=True)
class Division:
    """One division of the NBS tree."""

    code: str
    name: str

    @property
    def level(self) -> str:
        """``province``, ``prefecture``, ``county``, ``township`` or ``community``."""
        return LEVELS_BY_LENGTH[len(self.code)]

    @property
    def region_code(self) -> str:
        """The code the archive stores: GB/T 2260's six digits down to counties, NBS's 9 or 12 below."""
        return self.code.ljust(6, "0") if len(self.code) < 6 else self.code

    @property
    def parent_code(self) -> str | None:
        cut = {4: 2, 6: 4, 9: 6, 12: 9}.get(len(self.code))
        return self.code[:cut] if cut else None

    def contains(self, other: "Division") -> bool:
        """Whether ``other`` lies inside this division (or is it)."""
        return other.code.startswith(self.code)

    @property
    def placeholder(self) -> bool:
        return self.name in PLACEHOLDERS


class Divisions:
    """The tree, indexed by code and by every name a report may use for a division."""

    def __init__(self, rows: list[tuple[str, str]]):
        # Plain dicts of codes: 170,000 Division objects would cost more than the whole lookup.
        self.names: dict[str, str] = dict(rows)
        self.by_name: dict[str, list[str]] = defaultdict(list)
        for code, name in rows:
            if name in PLACEHOLDERS:
                continue
            for alias in aliases(code, name):
                self.by_name[alias].append(code)

    def get(self, code: str | None) -> Division | None:
        """The division of an NBS code or of a stored ``region_code`` (``340000`` -> 安徽省)."""
        if not code:
            return None
        if code in self.names:
            return Division(code, self.names[code])
        if len(code) == 6:
            for cut in (4, 2):
                if code[cut:] == "0" * (6 - cut) and code[:cut] in self.names:
                    return Division(code[:cut], self.names[code[:cut]])
        return None

    def named(self, alias: str) -> list[Division]:
        """Every division a name (or a short form of it) may mean."""
        return [Division(code, self.names[code]) for code in self.by_name.get(alias, ())]

    def chain(self, division: Division) -> list[Division]:
        """The division and its ancestors, top first (placeholders left out)."""
        out = []
        code: str | None = division.code
        while code:
            found = self.get(code)
            if found and not found.placeholder:
                out.append(found)
            code = found.parent_code if found else None
        return out[::-1]

    def children(self, division: Division, level: str) -> list[Division]:
        """Every division of ``level`` inside ``division`` (townships of a county, ...)."""
        length = next(n for n, name in LEVELS_BY_LENGTH.items() if name == level)
        return [
            Division(code, name)
            for code, name in self.names.items()
            if len(code) == length and code.startswith(division.code) and name not in PLACEHOLDERS
        ]


# The 55 minority peoples (GB/T 3304), whose names autonomous divisions carry: 黔西南布依族苗族自治州.
PEOPLES = tuple(sorted(
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 "
    "柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 "
    "京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺".split(), key=len, reverse=True))


def aliases(code: str, name: str) -> set[str]:
    """The names reports use for a division: its full name, and short forms people write.

    黔西南布依族苗族自治州 is written 黔西南州; 安徽省 as 安徽; a 街道 is also X街道办事处 and a
    社区居委会 is X社区 or X社区居民委员会. One-character stems (富县 -> 富) are never aliases: they
    would be found inside unrelated words.
    """
    out = {name}
    level = LEVELS_BY_LENGTH[len(code)]
    if level == "community":
        # X社区居委会 is also X社区; a bare stem (人民居委会 -> 人民) would be found inside 人民政府.
        for suffix in ("居民委员会", "居委会"):
            if name.endswith(suffix):
                stem = name.removesuffix(suffix)
                out.update({stem + "居民委员会", stem + "居委会"})
                if stem.endswith("社区"):
                    out.add(stem)
        return out
    short = _without_ethnic(name)
    out.add(short)
    if level == "province":
        for suffix in ("特别行政区", "自治区", "省", "市"):
            if short.endswith(suffix) and len(short) - len(suffix) >= 2:
                out.add(short[: -len(suffix)])
                break
    elif level == "prefecture":
        for suffix in ("地区", "市", "盟", "州"):
            if short.endswith(suffix) and len(short) - len(suffix) >= 2:
                out.add(short[: -len(suffix)])
                break
    elif level == "township":
        if name.endswith("社区街道"):  # 铜陵's township-level 社区 (人民社区街道) are written X社区
            out.update({name.removesuffix("街道"), name + "办事处"})
        elif name.endswith("街道办事处"):
            out.add(name.removesuffix("办事处"))
        elif name.endswith("街道"):
            out.add(name + "办事处")
    return {alias for alias in out if len(alias) >= 2}


def _without_ethnic(name: str) -> str:
    """黔西南布依族苗族自治州 -> 黔西南州, 长阳土家族自治县 -> 长阳县, 广西壮族自治区 -> 广西自治区."""
    for unit in ("自治州", "自治县", "自治旗", "自治区"):
        if not name.endswith(unit):
            continue
        stem = name[: -len(unit)]
        while stem.endswith("族"):
            people = next((p for p in PEOPLES if stem.endswith(p + "族")), None)
            if people is None:
                break
            stem = stem[: -len(people) - 1]
        if stem != name[: -len(unit)] and len(stem) >= 2:
            return stem + (unit if unit == "自治区" else unit[-1])
    return name


@lru_cache(maxsize=1)
def load() -> Divisions:
    """The shipped tree (read once per process, about half a second)."""
    raw = resources.files("archive.geodata").joinpath(DATA_FILE).read_bytes()
    lines = gzip.decompress(raw).decode("utf-8").splitlines()[1:]
    return Divisions([tuple(line.split(",", 1)) for line in lines])  # type: ignore[misc]


def build(dist: Path, out: Path) -> int:
    """Write the shipped file from china-division's ``dist`` folder; returns the number of divisions."""
    rows: list[tuple[str, str]] = []
    for name in ("provinces", "cities", "areas", "streets"):
        with (dist / f"{name}.csv").open(encoding="utf-8") as handle:
            rows += [(row["code"], row["name"]) for row in csv.DictReader(handle)]
    with (dist / "villages.csv").open(encoding="utf-8") as handle:
        rows += [
            (row["code"], row["name"])
            for row in csv.DictReader(handle)
            if "社区" in row["name"] or row["name"].endswith(("居委会", "居民委员会"))
        ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
    writer.writerow(["code", "name"])
    writer.writerows(sorted(rows))
    out.write_bytes(gzip.compress(buffer.getvalue().encode("utf-8"), compresslevel=9, mtime=0))
    return len(rows)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m archive.divisions PATH/TO/china-division/dist")
    target = Path(__file__).with_name("geodata") / DATA_FILE
    print(f"{build(Path(sys.argv[1]), target)} divisions written to {target}")
