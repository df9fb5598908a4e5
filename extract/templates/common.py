"""What the 2019 and 2021 templates share (TEMPLATE.md): section 三's rows and columns, section 四, the
section headings, the words of the column headings, and the 勾稽 rules built from the rows.

Labels are recognised by words only that row has, after whitespace, quotes and numbering are removed;
every row has two or more independent fragments, so that a label broken by a line or misread by OCR in
one place is still recognised by another.
"""

from __future__ import annotations

from extract.templates.base import Row, Signature, SumRule

# Section 三 -----------------------------------------------------------------------------------------

SEC3_COLUMNS: tuple[str, ...] = ("natural_person", "commercial", "research", "social_welfare", "legal_service",
                                 "other_org", "total")
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

SEC3_HEAD: tuple[tuple[str, str], ...] = (
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
SEC3_TAIL: tuple[tuple[str, str], ...] = (
    ("total_processed", "（七）总计"),
    ("carried_forward", "四、结转下年度继续办理"),
)

# Group labels of the outcome rows as the template prints them, and the rows each group spans.
SEC3_GROUP_LABELS: dict[str, str] = {
    "denied_": "（三）不予公开",
    "unavailable_": "（四）无法提供",
    "not_processed_": "（五）不予处理",
    "other_": "（六）其他处理",
}
SEC3_RESULTS_LABEL = "三、本年度办理结果"
SEC3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
SEC3_APPLICANTS_LABEL = "申请人情况"
SEC3_LEGAL_PERSONS_LABEL = "法人或其他组织"

OUTCOME_PREFIXES = ("granted", "partially_granted", "denied_", "unavailable_", "not_processed_", "other_")


def sec3_rows(other: tuple[tuple[str, str], ...]) -> tuple[Row, ...]:
    """Section 三's rows with a template's own (六) 其他处理 rows in their place."""
    return tuple(Row(key, label, SEC3_COLUMNS) for key, label in SEC3_HEAD + other + SEC3_TAIL)


SEC3_SIGNATURES: tuple[Signature, ...] = tuple(
    (key, (word,), forbidden)
    for key, words, forbidden in (
        ("new_received", ("新收", "本年新"), ()),
        ("carried_over", ("上年结转", "上年结"), ()),
        ("carried_forward", ("结转下年", "下年度继续", "继续办理"), ()),
        ("partially_granted", ("部分公开", "区分处理"), ()),
        ("denied_state_secret", ("国家秘密", "国家秘"), ()),
        ("denied_law_prohibited", ("禁止公开", "法律行政法规"), ()),
        ("denied_three_safeties", ("三安全", "一稳定"), ()),
        ("denied_third_party", ("第三方", "合法权益"), ()),
        ("denied_internal_affairs", ("内部事务", "三类内部"), ()),
        ("denied_process_info", ("过程性", "四类过程"), ()),
        ("denied_enforcement_file", ("执法案卷", "行政执法"), ()),
        ("denied_query_item", ("查询事项", "行政查询"), ()),
        ("unavailable_not_held", ("不掌握", "本机关不"), ()),
        ("unavailable_needs_creation", ("另行制作", "没有现成", "现成信息"), ()),
        ("unavailable_still_unclear", ("仍不明确", "补正后"), ()),
        ("not_processed_petition", ("信访", "举报投诉"), ()),
        ("not_processed_duplicate", ("重复申请",), ()),
        ("not_processed_publication", ("出版物", "公开出版"), ()),
        ("not_processed_excessive", ("大量反复", "理由大量"), ()),
        ("not_processed_confirmation", ("重新出具", "确认或重", "已获取信息"), ()),
        ("other_overdue_correction", ("逾期不补正", "理由逾期", "不补正"), ()),
        ("other_overdue_fee", ("缴纳费用", "收费通知", "未按收费"), ()),
        ("granted", ("予以公开",), ("不予", "部分")),
    )
    for word in words
) + (("not_processed_confirmation", ("确认", "已获取"), ()),)

# Whole labels (after cleaning) that name a row only when nothing else is on it.
EXACT_LABELS: dict[str, str] = {"总计": "total_processed", "合计": "total_processed", "小计": "total_processed"}

# Section 四 -----------------------------------------------------------------------------------------

SEC4_GROUPS: tuple[str, ...] = ("review", "litigation_direct", "litigation_after_review")
SEC4_COLUMNS: tuple[str, ...] = ("upheld", "corrected", "other", "pending", "total")
SEC4_CELLS: tuple[str, ...] = tuple(f"sec4.{g}.{c}" for g in SEC4_GROUPS for c in SEC4_COLUMNS)
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
SEC4_HEADINGS = ("行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉")

# Headings -------------------------------------------------------------------------------------------

# Column headings: a row made of these is a header row, never a labelled row of values.
HEADER_WORDS = frozenset(
    {"自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "申请人情况", "法人或其他组织", "信息内容",
     "本年制发件数", "本年处理决定数量", "本年新制作数量", "上一年项目数量", "结果维持", "尚未审结"}
)
# Row labels that are also column headings: a blank row under them is taken for the heading.
COLUMN_WORDS = frozenset({"其他", "其它", "总计", "合计"})

# Section headings: (section, alternatives each of which needs all its words, words that rule it out).
# The six sections of the 2019/2021 format; a heading is a short line (see extract.sections).
SECTION_HEADINGS: tuple[tuple[str, tuple[tuple[str, ...], ...], tuple[str, ...]], ...] = (
    ("sec1", (("总体情况",), ("工作基本情况",), ("概述",)), ("主动公开", "依申请", "申请情况")),
    ("sec2", (("主动公开政府信息",),), ("依申请", "申请的")),
    ("sec3", (("收到", "处理", "申请"),), ()),
    ("sec4", (("复议", "诉讼"),), ()),
    ("sec5", (("存在的主要问题",), ("主要问题", "改进"), ("存在的问题", "改进")), ()),
    ("sec6", (("其他需要报告",),), ()),
)


def sum_rules(sec3: tuple[Row, ...]) -> tuple[SumRule, ...]:
    """Rules 1–4 of TEMPLATE.md for one template's rows, named as the archive stores them."""
    outcomes = [row.key for row in sec3 if row.key.startswith(OUTCOME_PREFIXES)]
    rules = [
        SumRule(f"sec3.balance.{col}", (f"sec3.new_received.{col}", f"sec3.carried_over.{col}"),
                (f"sec3.total_processed.{col}", f"sec3.carried_forward.{col}"))
        for col in SEC3_COLUMNS
    ]
    rules += [
        SumRule(f"sec3.outcomes.{col}", tuple(f"sec3.{row}.{col}" for row in outcomes), (f"sec3.total_processed.{col}",))
        for col in SEC3_COLUMNS
    ]
    rules += [
        SumRule(f"sec3.row_total.{row.key}", tuple(f"sec3.{row.key}.{col}" for col in SEC3_APPLICANT_COLUMNS),
                (f"sec3.{row.key}.total",))
        for row in sec3
    ]
    rules += [
        SumRule(f"sec4.total.{group}", tuple(f"sec4.{group}.{col}" for col in SEC4_COLUMNS[:-1]), (f"sec4.{group}.total",))
        for group in SEC4_GROUPS
    ]
    return tuple(rules)


# Everything of a tabled template that does not differ between 2019 and 2021.
SHARED = dict(
    sec4_groups=SEC4_GROUPS,
    sec4_columns=SEC4_COLUMNS,
    sec3_column_labels=SEC3_COLUMN_LABELS,
    sec4_group_labels=SEC4_GROUP_LABELS,
    sec4_column_labels=SEC4_COLUMN_LABELS,
    header_words=HEADER_WORDS,
    column_words=COLUMN_WORDS,
    outcome_prefixes=OUTCOME_PREFIXES,
)
