"""Template 2019: 国办公开办函〔2019〕60号, for reports on 2019 and 2020 (TEMPLATE.md)."""

from __future__ import annotations

from extract.templates import common
from extract.templates.base import Row, Template

_THREE = ("prev_year_items", "change", "decisions")
SEC2: tuple[Row, ...] = (
    Row("regulations", "规章", ("made", "published", "total_public")),
    Row("normative_documents", "规范性文件", ("made", "published", "total_public")),
    Row("licensing", "行政许可", _THREE),
    Row("other_services", "其他对外管理服务事项", _THREE),
    Row("penalty", "行政处罚", _THREE),
    Row("coercion", "行政强制", _THREE),
    Row("fees", "行政事业性收费", ("prev_year_items", "change")),
    Row("procurement", "政府集中采购", ("items", "amount")),
)
SEC2_COLUMN_LABELS: dict[str, str] = {
    "made": "本年新制作数量",
    "published": "本年新公开数量",
    "total_public": "对外公开总数量",
    "prev_year_items": "上一年项目数量",
    "change": "本年增/减",
    "decisions": "处理决定数量",
    "items": "采购项目数量",
    "amount": "采购总金额",
}
SEC2_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("第二十条第（一）项", ("regulations", "normative_documents")),
    ("第二十条第（五）项", ("licensing", "other_services")),
    ("第二十条第（六）项", ("penalty", "coercion")),
    ("第二十条第（八）项", ("fees",)),
    ("第二十条第（九）项", ("procurement",)),
)
SEC3_OTHER: tuple[tuple[str, str], ...] = (("other_handling", "（六）其他处理"),)
SEC3 = common.sec3_rows(SEC3_OTHER)

TEMPLATE = Template(
    version="2019",
    name="国办公开办函〔2019〕60号",
    first_year=2019,
    last_year=2020,
    circulars=("〔2019〕60号", "[2019]60号"),
    markers=("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "其他对外管理服务事项",
             "政府集中采购", "采购总金额"),
    sec2=SEC2,
    sec3=SEC3,
    sec2_groups=SEC2_GROUPS,
    sec2_column_labels=SEC2_COLUMN_LABELS,
    sec2_signatures=(
        ("normative_documents", ("规范性文件",), ()),
        ("licensing", ("行政许可",), ()),
        ("other_services", ("其他对外管理服务",), ()),
        ("penalty", ("行政处罚",), ()),
        ("coercion", ("行政强制",), ()),
        ("fees", ("行政事业性收费",), ()),
        ("procurement", ("政府集中采购",), ()),
    ),
    sec3_signatures=common.SEC3_SIGNATURES,
    exact_labels={**common.EXACT_LABELS, "其他处理": "other_handling"},
    short_labels={"规章": "regulations"},
    rules=common.sum_rules(SEC3),
    **common.SHARED,
)
