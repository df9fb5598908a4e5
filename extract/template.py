"""The two annual-report templates as data: every canonical cell id of ../shared/TEMPLATE.md.

Template 2021 is 国办公开办函〔2021〕30号 (reports on 2021 onwards); template 2019 is
国办公开办函〔2019〕60号 (reports on 2019 and 2020). A cell id is ``section.row.column``. Nothing here
knows how a report is laid out; the parser maps printed labels onto these keys.
"""

from __future__ import annotations

from dataclasses import dataclass

TEMPLATES = ("2021", "2019")


@dataclass(frozen=True)
class Row:
    """One printed row of a table: its key, its label in the template and its value columns."""

    key: str
    label: str
    columns: tuple[str, ...]


# Section 二 -----------------------------------------------------------------------------------------

SEC2_2021: tuple[Row, ...] = (
    Row("regulations", "规章", ("issued", "repealed", "in_force")),
    Row("normative_documents", "行政规范性文件", ("issued", "repealed", "in_force")),
    Row("licensing", "行政许可", ("decisions",)),
    Row("penalty", "行政处罚", ("decisions",)),
    Row("coercion", "行政强制", ("decisions",)),
    Row("fees", "行政事业性收费", ("amount_10k_yuan",)),
)

SEC2_2019: tuple[Row, ...] = (
    Row("regulations", "规章", ("made", "published", "total_public")),
    Row("normative_documents", "规范性文件", ("made", "published", "total_public")),
    Row("licensing", "行政许可", ("prev_year_items", "change", "decisions")),
    Row("other_services", "其他对外管理服务事项", ("prev_year_items", "change", "decisions")),
    Row("penalty", "行政处罚", ("prev_year_items", "change", "decisions")),
    Row("coercion", "行政强制", ("prev_year_items", "change", "decisions")),
    Row("fees", "行政事业性收费", ("prev_year_items", "change")),
    Row("procurement", "政府集中采购", ("items", "amount")),
)

SEC2_COLUMN_LABELS: dict[str, str] = {
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "decisions": "本年处理决定数量",
    "amount_10k_yuan": "本年收费金额（单位：万元）",
    "made": "本年新制作数量",
    "published": "本年新公开数量",
    "total_public": "对外公开总数量",
    "prev_year_items": "上一年项目数量",
    "change": "本年增/减",
    "items": "采购项目数量",
    "amount": "采购总金额",
}

# Section 三 -----------------------------------------------------------------------------------------

SEC3_COLUMNS: tuple[str, ...] = (
    "natural_person",
    "commercial",
    "research",
    "social_welfare",
    "legal_service",
    "other_org",
    "total",
)
SEC3_APPLICANT_COLUMNS: tuple[str, ...] = SEC3_COLUMNS[:-1]

SEC3_COLUMN_LABELS: dict[str, str] = {
    "natural_person": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "social_welfare": "社会公益组织",
    "legal_service": "法律服务机构",
    "other_org": "其他",
    "total": "总计",
}

_SEC3_HEAD: tuple[tuple[str, str], ...] = (
    ("new_received", "一、本年新收政府信息公开申请数量"),
    ("carried_over", "二、上年结转政府信息公开申请数量"),
    ("granted", "（一）予以公开"),
    ("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("denied_state_secret", "1.属于国家秘密"),
    ("denied_law_prohibited", "2.其他法律行政法规禁止公开"),
    ("denied_three_safeties", "3.危及“三安全一稳定”"),
    ("denied_third_party", "4.保护第三方合法权益"),
    ("denied_internal_affairs", "5.属于三类内部事务信息"),
    ("denied_process_info", "6.属于四类过程性信息"),
    ("denied_enforcement_file", "7.属于行政执法案卷"),
    ("denied_query_item", "8.属于行政查询事项"),
    ("unavailable_not_held", "1.本机关不掌握相关政府信息"),
    ("unavailable_needs_creation", "2.没有现成信息需要另行制作"),
    ("unavailable_still_unclear", "3.补正后申请内容仍不明确"),
    ("not_processed_petition", "1.信访举报投诉类申请"),
    ("not_processed_duplicate", "2.重复申请"),
    ("not_processed_publication", "3.要求提供公开出版物"),
    ("not_processed_excessive", "4.无正当理由大量反复申请"),
    ("not_processed_confirmation", "5.要求行政机关确认或重新出具已获取信息"),
)
_SEC3_OTHER_2021: tuple[tuple[str, str], ...] = (
    ("other_overdue_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("other_overdue_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other_misc", "3.其他"),
)
_SEC3_OTHER_2019: tuple[tuple[str, str], ...] = (("other_handling", "（六）其他处理"),)
_SEC3_TAIL: tuple[tuple[str, str], ...] = (
    ("total_processed", "（七）总计"),
    ("carried_forward", "四、结转下年度继续办理"),
)

SEC3_2021: tuple[Row, ...] = tuple(
    Row(key, label, SEC3_COLUMNS) for key, label in _SEC3_HEAD + _SEC3_OTHER_2021 + _SEC3_TAIL
)
SEC3_2019: tuple[Row, ...] = tuple(
    Row(key, label, SEC3_COLUMNS) for key, label in _SEC3_HEAD + _SEC3_OTHER_2019 + _SEC3_TAIL
)

# Rows whose sum is (七) 总计 (check 2): everything between the head rows and the total.
SEC3_OUTCOME_PREFIXES = ("granted", "partially_granted", "denied_", "unavailable_", "not_processed_", "other_")

# Section 四 -----------------------------------------------------------------------------------------

SEC4_GROUPS: tuple[str, ...] = ("review", "litigation_direct", "litigation_after_review")
SEC4_COLUMNS: tuple[str, ...] = ("upheld", "corrected", "other", "pending", "total")
SEC4_GROUP_LABELS: dict[str, str] = {
    "review": "行政复议",
    "litigation_direct": "行政诉讼·未经复议直接起诉",
    "litigation_after_review": "行政诉讼·复议后起诉",
}
SEC4_COLUMN_LABELS: dict[str, str] = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}
SEC4_CELLS: tuple[str, ...] = tuple(f"sec4.{g}.{c}" for g in SEC4_GROUPS for c in SEC4_COLUMNS)


def sec2_rows(template: str) -> tuple[Row, ...]:
    return {"2021": SEC2_2021, "2019": SEC2_2019}[_check(template)]


def sec3_rows(template: str) -> tuple[Row, ...]:
    return {"2021": SEC3_2021, "2019": SEC3_2019}[_check(template)]


def cell_ids(template: str) -> list[str]:
    """Every cell id of one template, in the order the report prints them."""
    ids = [f"sec2.{row.key}.{col}" for row in sec2_rows(template) for col in row.columns]
    ids += [f"sec3.{row.key}.{col}" for row in sec3_rows(template) for col in row.columns]
    ids += list(SEC4_CELLS)
    return ids


def cell_label(cell_id: str, template: str) -> str:
    """A Chinese label for a cell id, for people: ``行政许可 · 本年处理决定数量``."""
    section, row_key, column = cell_id.split(".")
    if section == "sec4":
        return f"{SEC4_GROUP_LABELS[row_key]} · {SEC4_COLUMN_LABELS[column]}"
    rows = sec2_rows(template) if section == "sec2" else sec3_rows(template)
    row = next(r for r in rows if r.key == row_key)
    labels = SEC2_COLUMN_LABELS if section == "sec2" else SEC3_COLUMN_LABELS
    return f"{row.label} · {labels[column]}"


def _check(template: str) -> str:
    if template not in TEMPLATES:
        raise ValueError(f"unknown template {template!r}: expected one of {', '.join(TEMPLATES)}")
    return template
