"""Portals from reports: allowed domains only, never our own machine or network outside the demo."""

from __future__ import annotations

import pytest

from nianbao.pipeline.discovery import (
    CANDIDATE,
    DiscoveryPolicy,
    Mention,
    add_candidates,
    judge,
    normalise,
)


@pytest.mark.parametrize(
    "url",
    [
        "http://www.ah.gov.cn/public/column/1681?type=4",
        "https://xxgk.hefei.gov.cn/",
        "http://gov.cn/",
        "https://WWW.BEIJING.GOV.CN/zhengce/zfxxgk/",
    ],
)
def test_gov_cn_addresses_are_allowed(url: str) -> None:
    assert judge(url).ok, judge(url).reason


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://www.example.com/", "allowed domain"),
        ("http://gov.cn.evil.com/", "allowed domain"),
        ("http://evilgov.cn/", "allowed domain"),
        ("ftp://www.ah.gov.cn/", "scheme"),
        ("javascript:alert(1)", "scheme"),
        ("http://user:pw@www.ah.gov.cn/", "credentials"),
        ("http://127.0.0.1:8080/", "allowed domain"),
        ("http://localhost/", "allowed domain"),
        ("http://10.1.2.3/", "allowed domain"),
        ("http://[::1]/", "allowed domain"),
        ("http://2130706433/", "allowed domain"),
    ],
)
def test_other_and_internal_addresses_are_refused(url: str, why: str) -> None:
    verdict = judge(url)
    assert not verdict.ok
    assert why in verdict.reason


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://192.168.1.10/",
        "http://172.16.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://localhost/",
        "http://portal.internal/",
    ],
)
def test_internal_addresses_refused_even_when_a_wildcard_allows_them(url: str) -> None:
    verdict = judge(url, DiscoveryPolicy(allowed=("*",)))
    assert not verdict.ok
    assert "refused outside the demo" in verdict.reason


def test_demo_allows_only_its_own_farm_ports() -> None:
    demo = DiscoveryPolicy(allowed=("127.0.0.1:8765", "*.gov.cn"), allow_private=True)
    assert judge("http://127.0.0.1:8765/trs/index.html", demo).ok
    assert not judge("http://127.0.0.1:22/", demo).ok
    assert not judge("http://10.0.0.1:8765/", demo).ok
    assert judge("http://www.ah.gov.cn/", demo).ok


def test_candidates_are_added_once_and_existing_rows_are_untouched() -> None:
    rows = [
        {"site_id": "ah", "start_url": "http://www.ah.gov.cn/public/", "status": "active", "notes": "edited by hand"},
    ]
    before = dict(rows[0])
    mentions = [
        Mention("http://www.ah.gov.cn/public/index.html", "doc:1", organ="安徽省人民政府"),
        Mention("http://xxgk.hefei.gov.cn/", "doc:2", organ="合肥市人民政府", region="安徽省合肥市", year=2023),
        Mention("http://XXGK.hefei.gov.cn#top", "doc:3"),
        Mention("http://192.168.0.1/", "doc:4"),
        Mention("http://www.example.com/", "doc:5"),
    ]
    result = add_candidates(rows, mentions)
    assert rows[0] == before
    assert result.known == 2
    assert [reason for _, reason in result.refused] == [
        "private address 192.168.0.1 is not on an allowed domain",
        "host www.example.com is not on an allowed domain",
    ]
    [added] = result.added
    assert added["status"] == CANDIDATE and added["family"] == "auto"
    assert added["source"] == "doc:2" and added["organ"] == "合肥市人民政府" and added["region"] == "安徽省合肥市"
    assert added["site_id"].startswith("found_xxgk_hefei_gov_cn_")
    assert set(added) == {"site_id", "name", "organ", "region", "level", "start_url", "family", "status", "source", "notes"}
    assert add_candidates(rows, mentions).added == []


def test_normalise_merges_spellings_of_one_portal() -> None:
    assert normalise("http://www.x.gov.cn/a/index.html") == normalise("https://WWW.x.gov.cn/a/")
    assert normalise("http://www.x.gov.cn:80/a") == normalise("http://www.x.gov.cn/a/#frag")


def test_a_registry_with_candidates_is_readable_by_the_crawler(tmp_path) -> None:
    from archive.registry import load_registry

    from nianbao.pipeline.registry_file import write_rows

    rows = [{"site_id": "a", "start_url": "http://www.a.gov.cn/", "family": "trs", "status": "active"}]
    add_candidates(rows, [Mention("http://www.b.gov.cn/xxgk/", "http://www.a.gov.cn/r.html", organ="乙县人民政府")])
    write_rows(tmp_path / "portals.csv", rows)
    portals = load_registry(tmp_path / "portals.csv")
    assert [portal.status for portal in portals] == ["active", "candidate"]
    assert not portals[1].active, "plain `nianbao crawl` leaves candidates to the pipeline's walk"
