"""Words the pages show for the archive's codes: levels, kinds, templates, check rules, statuses.

Chinese first, English beside it, as everywhere on the site. The rules are explained by their group
(``sec3.balance``, ``cross_year.carried_over`` …), the row or column in the rule's name named from the
cell dictionary, so a new column needs no new sentence.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from archive.fts import SCHEMA as TEXTS_SCHEMA

LEVELS = {
    "central": "中央 / central",
    "provincial": "省级 / provincial",
    "prefecture": "地级 / prefecture",
    "county": "县级 / county",
    "township": "乡级 / township",
    "community": "社区 / community",
}
KINDS = {
    "government": "人民政府 / government",
    "department": "部门 / department",
    "street office": "街道办事处 / street office",
    "township": "乡镇 / township",
    "community": "社区 / community",
    "other": "其他 / other",
}
TEMPLATES = {
    "2021": "2021年版格式（国办公开办函〔2021〕30号），2021年度起 / the 2021 template, reports on 2021 onwards",
    "2019": "2019年版格式（国办公开办函〔2019〕60号），2019、2020年度 / the 2019 template, reports on 2019 and 2020",
    "2008": "2008年版条例下的自由格式报告（2008–2018年度） / a free-form report under the 2008 regulations",
}
# Why a report has no table of numbers, by template (None: the parser found no template table).
NO_TABLE = {
    "2008": "2008–2018年度的报告依据《政府信息公开条例》（国务院令第492号）编写，没有统一的表格格式，"
    "各机关自行叙述，因此本库不从中取数，只保存原文和全文。 Reports on 2008–2018 were written under the 2008 "
    "regulations, which set no tables: each organ wrote its own prose, so the archive keeps their text and "
    "files but reads no numbers from them.",
    None: "解析器未在文件中找到年度报告格式的表格（可能不是年度报告，或表格已丢失），详见解析记录。 The parser found "
    "no table of the annual-report template in this document (it may not be a report, or its tables are lost).",
}
CHECK_STATUS = {
    "pass": "相符 / pass",
    "fail": "不符 / fail",
    "unchecked": "无法检查 / unchecked",
}
COVERAGE_STATUS = {
    "found": "按时发布 / on time",
    "late": "逾期发布 / late",
    "missing": "未找到 / not found",
    "unreachable": "无法访问 / unreachable",
    "not_checked": "尚未抓取 / not crawled yet",
    "not_due": "尚未到期 / not yet due",
}

_RULES = {
    "sec3.balance": ("本年新收 + 上年结转 = 本年度办理结果总计 + 结转下年度继续办理（{col}）",
                     "new + carried over = handled + carried forward ({col})"),
    "sec3.outcomes": ("各项办理结果之和 = 办理结果总计（{col}）", "the outcomes add up to the total handled ({col})"),
    "sec3.row_total": ("「{row}」一行：六类申请人之和 = 总计", "row {row}: the six applicant types add up to its total"),
    "sec4.total": ("{row}：维持 + 纠正 + 其他结果 + 尚未审结 = 总计",
                   "{row}: upheld + corrected + other + pending = total"),
    "sec1.active_items": ("第一部分所列各类主动公开信息条数之和 = 所报总数",
                          "section 一's categories add up to the total it states"),
    "cross_year.carried_over": ("跨年度：本年「上年结转」= 上一年度报告的「结转下年度继续办理」（{col}）",
                                "across years: carried over this year = carried forward in last year's report ({col})"),
    "sec2.in_force": ("跨年度：上年现行有效件数 + 本年制发 − 本年废止 = 本年现行有效件数（{row}）",
                      "across years: in force last year + issued − repealed = in force now ({row})"),
}
_GROUPS_SEC4 = {"review": "行政复议", "litigation_direct": "行政诉讼（未经复议直接起诉）",
                "litigation_after_review": "行政诉讼（复议后起诉）"}
_ROWS_SEC2 = {"regulations": "规章", "normative_documents": "行政规范性文件"}


def explain_rule(rule: str, labels: dict[str, str]) -> tuple[str, str]:
    """The rule in words, Chinese and English: ``sec3.balance.natural_person`` -> ``… （自然人）``.

    ``labels`` maps a cell id to its Chinese label (``items.label_zh``), which names rows and columns.
    """
    group, _, detail = rule.rpartition(".")
    if group not in _RULES:
        group, detail = rule, ""
    zh, en = _RULES.get(group, (rule, rule))
    column = row = detail
    if group in ("sec3.balance", "sec3.outcomes", "cross_year.carried_over"):
        column = _part(labels.get(f"sec3.new_received.{detail}"), -1) or detail
    elif group == "sec3.row_total":
        row = _part(labels.get(f"sec3.{detail}.total"), 0) or detail
    elif group == "sec4.total":
        row = _GROUPS_SEC4.get(detail, detail)
    elif group == "sec2.in_force":
        row = _ROWS_SEC2.get(detail, detail)
    return zh.format(col=column, row=row), en.format(col=detail, row=detail)


def _part(label: str | None, index: int) -> str | None:
    return label.split(" · ")[index] if label else None


def cell_labels(conn: sqlite3.Connection) -> dict[str, str]:
    """Every cell id's Chinese label, from the archive's own dictionary."""
    return dict(conn.execute("SELECT cell_id, label_zh FROM items"))


def document_text(conn: sqlite3.Connection, document_id: int) -> str | None:
    """A document's text from the texts file (``archive.fts``, attached as ``nianbao_texts``); None when
    it has none, or when the site serves no texts file (the pages then show the numbers without prose)."""
    if not any(row[1] == TEXTS_SCHEMA for row in conn.execute("PRAGMA database_list")):
        return None
    found = conn.execute(f"SELECT text FROM {TEXTS_SCHEMA}.text_bodies WHERE id = ?", [document_id]).fetchone()
    return found[0] if found else None


def rows(conn: sqlite3.Connection, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
    """A query's rows as dicts, without touching the connection's ``row_factory`` (Datasette's own)."""
    cursor = conn.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def one(conn: sqlite3.Connection, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> dict[str, Any] | None:
    found = rows(conn, sql, params)
    return found[0] if found else None


def placeholders(values: Iterable[Any]) -> str:
    return ", ".join("?" for _ in values)


def number(value: Any) -> str:
    """A cell value as the page prints it: integers plainly, decimals without trailing zeros, blank as —."""
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)
