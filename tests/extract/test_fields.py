"""Report-level fields from the prose: the organ as the report names itself, the year, active_total.

Each case is a short text written for the rule it tests; the expected value is what a reader takes from it.
"""

from __future__ import annotations

import pytest

from extract.parse import parse_bytes

PREAMBLE = "根据《中华人民共和国政府信息公开条例》规定，编制本报告。"


def _parse(text: str):
    return parse_bytes(text.encode("utf-8"), "r.txt")


@pytest.mark.parametrize(
    ("text", "organ"),
    [
        # a title broken over two lines: the organ alone above the year
        ("三河市某某区人民政府\n2015年政府信息公开工作年度报告\n" + PREAMBLE, "三河市某某区人民政府"),
        # 我办 resolved from the subject of section 一's first sentence
        ("根据有关要求，现将我办2022年度政府信息公开情况报告如下：\n一、总体情况\n2022年，区政府办公室认真贯彻条例。", "区政府办公室"),
        # 我单位 resolved from the contact sentence
        ("编制我单位2021年政府信息公开工作年度报告。如有疑问请与某县数据管理局（地址：某路1号）联系。", "某县数据管理局"),
        # the fuller name the report gives itself in its preamble
        ("新兴街道办事处2019年政府信息公开工作年度报告\n现公布某市某区新兴街道办事处2019年政府信息公开工作年度报告。",
         "某市某区新兴街道办事处"),
        # a bare township's government, where the text names it on its own
        ("某某乡\n2021年政府信息公开工作年度报告\n地址：某某乡人民政府，邮编：150207。", "某某乡人民政府"),
        # … but not inside a longer name (a website)
        ("某某镇2024年政府信息公开工作年度报告\n我镇通过某某镇人民政府信息公开网站公开信息。", "某某镇"),
    ],
)
def test_organ(text: str, organ: str) -> None:
    assert _parse(text).organ == organ


def test_year_is_not_a_cited_reports_year() -> None:
    text = "一、总体情况\n公开发布《某署2021年政府信息公开工作年度报告》。\n本报告所列数据统计期限自2022年1月1日起至2022年12月31日止。"
    assert _parse(text).year == 2022


@pytest.mark.parametrize(
    ("sentence", "total"),
    [
        ("全年通过公告栏等渠道主动发布政府信息共计49条。", 49),
        ("全年主动公开政府信息5500余条。", None),  # an approximate count is not a stated total
        ("其中门户网站公开125条，微信公众号公开92条。", None),  # per-channel counts only
    ],
)
def test_active_total(sentence: str, total: int | None) -> None:
    assert _parse(f"某镇2023年政府信息公开工作年度报告\n一、总体情况\n{sentence}").active_total == total


def test_a_report_before_2019_has_no_cells() -> None:
    record = _parse("某县卫生局2011年政府信息公开工作年度报告\n一、概述\n全年主动公开信息30条。\n"
                    "四、政府信息公开收费及减免情况\n年内未收取任何费用。\n某县卫生局\n2012年1月6日")
    assert (record.organ, record.year, record.template, record.published_on) == ("某县卫生局", 2011, "2008", "2012-01-06")
    assert record.cells == {} and any("template 2008" in w for w in record.warnings)
