"""Printed row labels to canonical row keys, forgiving of how real reports print them.

Labels arrive broken by spaces and line breaks (``自然 人``, ``三、本 年度 办理 结果``), with
numbering in any style (``1.``, ``1、``, ``（一）``, ``(一)``) or none, and with misprints. Each row is
recognised by the words that only it contains, after whitespace and numbering are removed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from extract.values import normalize

_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.,:：]|\(?[一二三四五六七八九十]+\)|\(?\d{1,2}\)|\d{1,2}[.、,:：)]|[①-⑩])+")
_QUOTES = str.maketrans("", "", "“”\"'‘’「」『』")

# (key, words that must all be present, words that must be absent); first match wins.
SEC3_SIGNATURES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = tuple(
    (key, (word,), forbidden)
    for key, words, forbidden in (
        # Two or more independent fragments per row, so that a label broken by a line or misread by OCR
        # in one place is still recognised by another.
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
)

SEC2_SIGNATURES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("normative_documents", ("规范性文件",), ()),
    ("licensing", ("行政许可",), ()),
    ("other_services", ("其他对外管理服务",), ()),
    ("penalty", ("行政处罚",), ()),
    ("coercion", ("行政强制",), ()),
    ("fees", ("行政事业性收费",), ()),
    ("procurement", ("政府集中采购",), ()),
)


def clean_label(text: str) -> str:
    """Whitespace, quotes and leading numbering removed; full-width forms folded."""
    compact = normalize(text).translate(_QUOTES)
    return _NUMBERING.sub("", compact)


@lru_cache(maxsize=4096)
def sec2_key(label: str) -> str | None:
    cleaned = clean_label(label)
    if cleaned in ("规章", "规章(件)") or (cleaned.startswith("规章") and len(cleaned) <= 4):
        return "regulations"
    return _match(cleaned, SEC2_SIGNATURES, max_length=20)


@lru_cache(maxsize=4096)
def sec3_key(label: str, template: str | None) -> str | None:
    cleaned = clean_label(label)
    if not cleaned:
        return None
    key = _match(cleaned, SEC3_SIGNATURES, max_length=60)
    if key:
        return key
    if "确认" in cleaned and "已获取" in cleaned:
        return "not_processed_confirmation"
    if "收费通知" in cleaned:
        return "other_overdue_fee"
    if cleaned in ("其他", "其它"):
        return "other_misc" if template != "2019" else None
    if cleaned.startswith("其他处理") and len(cleaned) <= 6:
        return "other_handling" if template == "2019" else None
    if cleaned in ("总计", "合计", "小计"):
        return "total_processed"
    return None


def _match(cleaned: str, signatures, *, max_length: int) -> str | None:
    if len(cleaned) > max_length:
        return None
    for key, required, forbidden in signatures:
        if all(word in cleaned for word in required) and not any(word in cleaned for word in forbidden):
            return key
    return None
