"""Template 2021: 国办公开办函〔2021〕30号, for reports on 2021 onwards (TEMPLATE.md)."""

from __future__ import annotations

from extract.templates import common
from extract.templates.base import Row, Template

SEC2: tuple[Row, ...] = (
    Row("regulations", "规章", ("issued", "repealed", "in_force")),
    Row("normative_documents", "行政规范性文件", ("issued", "repealed", "in_force")),
    Row("licensing", "行政许可", ("decisions",)),
    Row("penalty", "行政处罚", ("decisions",)),
    Row("coercion", "行政强制", ("decisions",)),
    Row("fees", "行政事业性收费", ("amount_10k_yuan",)),
)
SEC2_COLUMN_LABELS: dict[str, str] = {
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "decisions": "本年处理决定数量",
    "amount_10k_yuan": "本年收费金额（单位：万元）",
}
# The 第二十条 items section 二 prints, each over the rows it heads.
SEC2_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("第二十条第（一）项", ("regulations", "normative_documents")),
    ("第二十条第（五）项", ("licensing",)),
    ("第二十条第（六）项", ("penalty", "coercion")),
    ("第二十条第（八）项", ("fees",)),
)
SEC3_OTHER: tuple[tuple[str, str], ...] = (
    ("other_overdue_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("other_overdue_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other_misc", "3.其他"),
)
SEC3 = common.sec3_rows(SEC3_OTHER)

TEMPLATE = Template(
    version="2021",
    name="国办公开办函〔2021〕30号",
    first_year=2021,
    last_year=None,
    circulars=("〔2021〕30号", "[2021]30号"),
    markers=("本年制发件数", "本年废止件数", "本年度止件数", "现行有效件数", "本年处理决定数量", "本年收费金额",
             "逾期不补正", "收费通知"),
    sec2=SEC2,
    sec3=SEC3,
    sec2_groups=SEC2_GROUPS,
    sec2_column_labels=SEC2_COLUMN_LABELS,
    sec2_signatures=(
        ("normative_documents", ("规范性文件",), ()),
        ("licensing", ("行政许可",), ()),
        ("penalty", ("行政处罚",), ()),
        ("coercion", ("行政强制",), ()),
        ("fees", ("行政事业性收费",), ()),
    ),
    sec3_signatures=common.SEC3_SIGNATURES,
    exact_labels={**common.EXACT_LABELS, "其他": "other_misc", "其它": "other_misc"},
    short_labels={"规章": "regulations"},
    rules=common.sum_rules(SEC3),
    **common.SHARED,
)
