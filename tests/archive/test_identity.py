"""Organ identity and report identity: names, region codes, levels, the registry's columns, one report per publication.

Expected codes are read by hand from the NBS 2023 division lists (国家统计局 统计用区划代码), not
computed by the code under test.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from archive import reports
from archive.db import open_archive
from archive.load import Loader
from archive.organs import narrowest, registry_identity
from archive.regions import LEVELS, identify, kind_from_name, region_context
from extract.record import Record

REGISTRY = Path(__file__).resolve().parents[2] / "crawler" / "portals.csv"


def ident(name: str, region: str | None = None):
    return identify(name, region_context(region)[0])


@pytest.mark.parametrize(
    ("spellings", "region", "code", "level", "kind"),
    [
        (("三元镇", "三元镇人民政府"), "安徽省铜陵市铜官区", "340705", "township", "township"),  # not in NBS: its county
        (("琴台街道", "琴台街道办事处", "鲁山县琴台街道办事处"), "河南省平顶山市鲁山县", "410423002", "township", "street office"),
        (("人民社区", "铜陵市铜官区人民社区", "人民社区公共服务中心"), "安徽省铜陵市铜官区", "340705405", "township", "community"),
        (("鹤山社区", "鹤山社区服务中心", "鹤山社区居民委员会"), "安徽省铜陵市铜官区", "340705", "community", "community"),
        (("区政府办公室", "汉阳区人民政府办公室"), "湖北省武汉市汉阳区", "420105", "county", "department"),
        (("铜陵市生态环境局",), "安徽省铜陵市铜官区", "340700", "prefecture", "department"),  # the city's, on a county portal
        (("黔南州民政局", "黔南布依族苗族自治州民政局"), "贵州省", "522700", "prefecture", "department"),
        (("上海市人民政府", "上海市"), None, "310000", "provincial", "government"),
        (("太平镇", "太平镇人民政府", "邹城市太平镇人民政府"), "山东省济宁市邹城市", "370883107", "township", "township"),
        (("新乡经济技术开发区管委会", "新乡经济技术开发区管理委员会"), "河南省新乡市", "410772", "county", "government"),
        (("国家新闻出版署",), None, "100000", "central", "department"),
    ],
)
def test_spellings_of_one_organ_share_one_identity(spellings, region, code, level, kind) -> None:
    found = {ident(name, region) for name in spellings}
    assert len({identity.key for identity in found}) == 1, found
    identity = found.pop()
    assert (identity.region_code, identity.level, identity.kind) == (code, level, kind)


def test_names_without_a_place_are_not_guessed() -> None:
    for name in ("区政府办公室", "太平镇人民政府", "沐阳县人民政府", "平潭综合实验区"):
        identity = ident(name)
        assert identity.region_code is None and identity.key is None and identity.warnings, name
    assert ident("两城镇人民政府").region_code == "370826107"  # only one 两城镇 in the country (微山县)
    assert ident("海城市西四镇").region_code == "210381124"


def test_a_unit_read_on_the_city_column_joins_the_one_of_that_name_in_the_city() -> None:
    county = ident("三元镇人民政府", "安徽省铜陵市铜官区")
    city = ident("三元镇", "安徽省铜陵市")
    assert city.region_code == "340700"
    assert narrowest({county.key: county, city.key: city}) == {city.key: county.key}
    other = ident("三元镇", "安徽省铜陵市义安区")  # two candidates: which one is meant cannot be told
    assert narrowest({county.key: county, city.key: city, other.key: other}) == {}


def test_kind_from_the_name_alone() -> None:
    assert [kind_from_name(n) for n in ("某县人民政府", "某镇人民政府", "某某街道办事处", "某市财政局", "某社区居民委员会")] == [
        "government", "township", "street office", "department", "community"]


def test_every_registry_row_has_its_region_code_and_level() -> None:
    with REGISTRY.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        assert row["level"] in LEVELS, row
        assert re.fullmatch(r"\d{6}|\d{9}|\d{12}", row["region_code"]), row
        identity = registry_identity(row)
        assert (identity.region_code, identity.level) == (row["region_code"], row["level"]), row
    by_site = {row["site_id"]: row for row in rows}
    assert by_site["zoucheng_taiping_2024"]["region_code"] == "370883107"
    assert by_site["sh_rsj_xxgknb"]["level"] == "provincial"  # 上海市 is a province-level city
    assert by_site["mohrss_zfxxgknb"]["level"] == "central"


def _record(organ: str | None, year: int, value: int) -> Record:
    cells = {"sec3.new_received.total": value, "sec3.carried_over.total": 2, "sec3.carried_forward.total": 2}
    return Record(organ, year, "2021", None, None, [], [], cells, {}, [], [])


def test_one_report_per_publication_whatever_each_document_says(tmp_path: Path) -> None:
    db = open_archive(tmp_path / "nianbao.db")
    db["portals"].insert_all([
        {"site_id": "county", "organ": "铜官区人民政府", "region": "安徽省铜陵市铜官区", "region_code": "340705"},
        {"site_id": "city", "organ": "铜陵市人民政府", "region": "安徽省铜陵市", "region_code": "340700"},
    ], pk="site_id")
    portals = {row["site_id"]: row for row in db["portals"].rows}
    docs = [  # (id, portal, url, kind, parent, reading)
        (1, "county", "http://c/2024/a.html", "page", None, _record("三元镇", 2024, 5)),
        (2, "county", "http://c/2024/a.pdf", "attachment", "http://c/2024/a.html", _record("三元镇人民政府", 2024, 5)),
        (3, "county", "http://c/2024/a.doc", "attachment", "http://c/2024/a.html", _record(None, 2024, 5)),
        (4, "city", "http://t/x/b.html", "page", None, _record("三元镇", 2024, 5)),  # the city's copy
        (5, "county", "http://c/2024/fix.html", "page", None, _record("三元镇人民政府", 2024, 6)),  # a correction
        (6, "county", "http://c/2023/a.html", "page", None, _record("铜陵市铜官区三元镇", 2023, 1)),
    ]
    with Loader(db, "test", portals) as loader:
        for doc_id, portal, url, kind, parent, record in docs:
            row = {"id": doc_id, "url": url, "version": 1, "kind": kind, "parent_url": parent, "portal_id": portal,
                   "first_seen": f"2025-02-0{doc_id}T00:00:00", "last_seen": "2025-06-01T00:00:00"}
            db["documents"].insert(row)
            loader.add({**row, "title": None}, record, None)
    reports.rebuild(db)
    by_doc = {row["id"]: row["report_id"] for row in db["documents"].rows}
    assert len({by_doc[i] for i in (1, 2, 3, 4, 5)}) == 1
    assert by_doc[6] != by_doc[1]
    assert [(r["organ"], r["year"], r["region_code"]) for r in db["reports"].rows_where(order_by="year")] == [
        ("三元镇人民政府", 2023, "340705"), ("三元镇人民政府", 2024, "340705")]
    report = db["reports"].get(by_doc[1])
    assert (report["editions"], report["documents"], report["primary_document_id"]) == (2, 5, 5)
    assert db.execute("SELECT count(*) FROM organs").fetchone()[0] == 1
    assert db.execute("SELECT count(DISTINCT report_id) FROM cells").fetchone()[0] == 2
    # 2023 was written 铜陵市铜官区三元镇, 2024 三元镇人民政府: one organ, so the years are checked against each other.
    chained = db.execute("SELECT status FROM check_results WHERE cross_year = 1 AND rule LIKE '%carried%total%'").fetchall()
    assert chained == [("pass",)]


def test_fill_registry_writes_only_the_two_columns(tmp_path: Path) -> None:
    from archive.organs import fill_registry

    path = tmp_path / "portals.csv"
    path.write_text(
        "site_id,name,organ,region,level,start_url,family,status,source,notes\n"
        "a,甲,富县人民政府,陕西省延安市富县,district,http://a.gov.cn/,trs,active,hand,\"x, y\"\n"
        "b,乙,西咸新区管委会,陕西省西咸新区,prefecture,http://b.gov.cn/,auto,active,hand,\n",
        encoding="utf-8",
    )
    assert fill_registry(path) == 2
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [(r["level"], r["region_code"]) for r in rows] == [("county", "610628"), ("prefecture", "610000")]
    assert rows[0]["notes"] == "x, y" and rows[1]["family"] == "auto"
