"""The site's canned queries: what a journalist asks of the archive, fast at 100,000 reports.

Each query reads a table built for it: ``reports`` and the wide tables by their indexes, ``totals``
(sums by region and year, rebuilt with the reports) for the trend charts and refusal reasons, and the
texts file attached as ``nianbao_texts`` for full-text search, ranked within a bounded set of
candidates (``archive.search``). ``archive.metadata`` puts them into ``metadata.yml``; the dashboard's
charts are in ``archive.dashboards``.
"""

from __future__ import annotations

from typing import Any

from archive.paths import ARCHIVE_NAME as DATABASE
from archive.search import CANDIDATES, TITLE_WEIGHT

_REFUSAL_ROWS = {
    "denied_state_secret": "国家秘密",
    "denied_law_prohibited": "法律法规禁止",
    "denied_three_safeties": "三安全一稳定",
    "denied_third_party": "第三方权益",
    "denied_internal_affairs": "内部事务",
    "denied_process_info": "过程性信息",
    "denied_enforcement_file": "执法案卷",
    "denied_query_item": "查询事项",
    "unavailable_not_held": "本机关不掌握",
    "unavailable_needs_creation": "需另行制作",
    "unavailable_still_unclear": "补正后仍不明确",
    "not_processed_petition": "信访举报投诉",
    "not_processed_duplicate": "重复申请",
    "not_processed_publication": "公开出版物",
    "not_processed_excessive": "大量反复申请",
    "not_processed_confirmation": "要求确认或重新出具",
}


def queries() -> dict[str, dict[str, Any]]:
    """Canned queries a journalist would want, each with a Chinese and English title."""
    refusals = ",\n  ".join(f"{row}_total AS {label}" for row, label in _REFUSAL_ROWS.items())
    return {
        "organ_over_time": {
            "title": "单个机关历年数据 / One organ across years",
            "description": "输入机关名称的一部分，如“生态环境局”。 Type part of an organ's name.",
            "sql": """SELECT r.organ AS 机关, r.year AS 年度, r.template AS 模板,
  s3.new_received_total AS 新收申请, s3.carried_over_total AS 上年结转,
  s3.granted_total AS 予以公开, s3.partially_granted_total AS 部分公开,
  s3.total_processed_total AS 办理总计, s3.carried_forward_total AS 结转下年,
  s4.review_total AS 行政复议, s4.litigation_direct_total + s4.litigation_after_review_total AS 行政诉讼,
  r.check_status AS 勾稽, r.id AS report_id, r.source_url AS 原文
FROM reports r
LEFT JOIN sec3 s3 ON s3.report_id = r.id
LEFT JOIN sec4 s4 ON s4.report_id = r.id
WHERE r.organ LIKE '%' || :organ || '%'
ORDER BY r.organ, r.year
LIMIT 500""",
        },
        "sums_do_not_add_up": {
            "title": "数字对不上的报告 / Reports whose sums do not add up",
            "description": "至少一条勾稽规则不相符的报告（含跨年度），不符规则最多的在前。"
            " Reports failing at least one consistency check, cross-year included; most failures first.",
            "sql": """SELECT r.organ AS 机关, r.region AS 地区, r.level AS 层级, r.year AS 年度,
  r.failed_checks AS 不符条数,
  (SELECT group_concat(k.rule, ' ') FROM checks c JOIN rules k ON k.id = c.rule_id
   WHERE c.report_id = r.id AND c.status = 'fail'
     AND (c.cross_year = 1 OR c.document_id = r.primary_document_id)) AS 不符规则,
  r.id AS report_id, r.source_url AS 原文
FROM reports r
WHERE r.check_status = 'fail'
ORDER BY r.failed_checks DESC, r.organ, r.year
LIMIT 1000""",
        },
        "refusal_reasons": {
            "title": "不予公开、无法提供、不予处理的理由（按地区和年度）/ Why requests were refused, by region and year",
            "description": "第三部分各理由的“总计”列之和（件）。 Sums of each reason's total column (count).",
            "sql": f"""SELECT region AS 地区, year AS 年度, reports AS 报告数,
  new_received_total AS 新收申请,
  {refusals}
FROM totals
ORDER BY region, year""",
        },
        "search": {
            "title": "全文检索（按相关度排序）/ Full-text search, ranked by relevance",
            "description": "两个字以上的词均可检索，如“复议”“信息处理费”；多个词用空格分开表示同时包含。"
            f"常见词只在最新的 {CANDIDATES} 份匹配文件中排序；相关度以最相关者为 100。更好用的检索页：/search。"
            " Any word of two or more characters; words separated by spaces must all occur. Common words are"
            f" ranked among the newest {CANDIDATES} matching documents; relevance is 100 for the best. See /search.",
            "sql": f"""WITH candidates AS (
  SELECT rowid AS id, bm25(texts_bigram_fts, {TITLE_WEIGHT}, 1.0) AS score
  FROM nianbao_texts.texts_bigram_fts WHERE texts_bigram_fts MATCH escape_fts(:q)
  ORDER BY rowid DESC LIMIT {CANDIDATES})
SELECT t.report_id, t.organ AS 机关, t.year AS 年度, t.title AS 标题,
  nianbao_snippet(t.text, :q) AS 片段,
  round(100.0 * c.score / (SELECT min(score) FROM candidates), 1) AS 相关度
FROM candidates c JOIN nianbao_texts.full_texts t ON t.id = c.id
ORDER BY c.score, c.id DESC
LIMIT 100""",
        },
    }
