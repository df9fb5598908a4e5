"""The site's descriptions of the identity views (``coverage_summary``, ``organ_years``; made by migration
``m002_organ_identity``), kept apart so ``archive.dictionary`` stays one table list.

``described`` are the shared column descriptions of ``archive.dictionary`` and ``table`` its table builder.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from archive.items import describe
from archive.wide import WIDE_TABLES


def identity_views(described: dict[str, str], table: Callable[..., dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The coverage summary and an organ's years side by side (views of ``coverage``, ``reports``, ``sec3``)."""
    counts = {
        "expected": "应报告数 / Organ-years expected",
        "published": "已发布 / Published (found + late)",
        "on_time": "按时 / On time",
        "late": "逾期 / Late",
        "missing": "未找到 / Missing",
        "unreachable": "无法访问 / Unreachable",
        "not_judged": "尚未抓取或未到期 / Not crawled yet or not due",
        "share_found": "发布率（%，已判定者中）/ Share published (%, of those judged)",
        "share_on_time": "按时率（%，已发布者中）/ Share on time (%, of those published)",
    }
    years = {
        "status": "状态 / Status", "deadline": "发布期限 / Deadline", "published_on": "发布日期 / Date published",
        "report_id": "报告 / Report (→ reports)", "editions": "版本数 / Editions", "documents": "文件数 / Documents",
        "cross_year_failed": "跨年度勾稽不符数 / Failed cross-year checks",
        "evidence_url": "证据网址 / Evidence URL",
    }
    facet = {key: described[key] for key in ("organ_id", "organ", "region", "level", "kind", "region_code",
                                                      "year", "template", "check_status")}
    sec3 = {column: describe(WIDE_TABLES["sec3"][column])
            for column in ("new_received_total", "carried_over_total", "carried_forward_total")}
    return {
        "coverage_summary": table(
            "覆盖情况汇总 / Coverage by region and level",
            "按地区（省级）、层级和年度：应报告的机关中已发布、按时发布的比例。"
            " Per province, level and year: how many of the organs expected to report did, and on time.",
            {"region": facet["region"], "level": facet["level"], "year": facet["year"], **counts},
            facets=["region", "level", "year"],
        ),
        "organ_years": table(
            "机关历年报告 / An organ's years side by side",
            "每个机关每个年度一行，按年排列：状态、期限、主要数字、跨年度勾稽。可按 organ_id 筛选。"
            " One row per organ and year, in order: status, deadline, key figures, cross-year checks.",
            {**facet, **years, "active_total": "主动公开信息总数（条）/ Items actively disclosed (count)", **sec3},
            facets=["region", "level", "kind", "year"],
        ),
    }
