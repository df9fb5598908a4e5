"""The site's ``metadata.yml``, generated from code so it cannot drift from the schema.

``build_metadata()`` is the one emitter: titles and descriptions (Chinese, then English, with units)
for every table and column, facets, sortable columns, label columns, canned queries and plugin
configuration. ``nianbao site-metadata`` writes it to ``metadata.yml`` at the repository root, which is
committed; a test fails if the committed file and this code disagree. Keeping it to Datasette 0.65's
single file means the move to Datasette 1.0 is a matter of writing the same dict as two files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from archive.coverage import EXPECTED_AS, STATUS_LABELS
from archive.guard.config import GuardConfig
from archive.items import describe
from archive.views import identity_views
from archive.wide import FACET_COLUMNS, WIDE_TABLES

DATABASE = "nianbao"  # the route the site serves the archive under (the stable file name's stem)
METADATA_PATH = Path(__file__).resolve().parents[1] / "metadata.yml"

FACETS = ["year", "region", "level", "template", "check_status"]

_FACET_DESCRIPTIONS: dict[str, str] = {
    "report_id": "年度报告编号 / Report id (→ reports)",
    "organ_id": "机关编号 / Organ id (→ organs)",
    "organ": "报告机关名称 / Reporting organ",
    "region": "地区（省级） / Region (province)",
    "level": "行政层级：central 中央，provincial 省级，prefecture 地级，county 县级，township 乡级，community 社区"
    " / Administrative level",
    "kind": "机关类别：government 人民政府，department 部门，street office 街道办事处，township 乡镇，community 社区，"
    "other 其他 / Kind of organ",
    "region_code": "行政区划代码：县级及以上为GB/T 2260六位码，乡级九位、社区十二位为国家统计局2023年统计用区划代码；"
    "无法确定时为空 / Region code: GB/T 2260 (6 digits) down to counties, NBS 2023 below (9, 12); empty when unresolved",
    "year": "报告年度（所报告的年份，不是发布年份）/ Year reported on (not the year published)",
    "template": "报告模板：2021 = 国办公开办函〔2021〕30号，2019 = 〔2019〕60号 / Report template",
    "check_status": "勾稽检查结果：pass 全部相符，fail 有不符，unchecked 无法检查 / Consistency checks: pass, fail, unchecked",
    "document_id": "取数所依据的文件 / Document the numbers were read from (→ documents)",
}

def _wide_columns(table: str) -> dict[str, str]:
    facets = {column: text for column, text in _FACET_DESCRIPTIONS.items() if column in FACET_COLUMNS}
    return {**facets, **{column: describe(cell) for column, cell in WIDE_TABLES[table].items()}}


def _table(title: str, description: str, columns: dict[str, str], **options: Any) -> dict[str, Any]:
    return {"title": title, "description": description, **options, "columns": columns}


def tables() -> dict[str, dict[str, Any]]:
    """Every table of the archive with its bilingual title, description, columns and browsing options."""
    wide_options = {
        "facets": FACETS,
        "sort_desc": "year",
        "facet_size": 20,
    }
    coverage_statuses = "；".join(f"{key} = {label}" for key, label in STATUS_LABELS.items())
    return {
        "reports": _table(
            "年度报告 / Annual reports",
            "每个机关每个年度一行；同一报告的网页和附件（PDF等）、更正后重新发布的版本都归入这一行。"
            " One row per organ and year; the HTML page, its attachments and corrected re-issues all belong to it.",
            {
                "id": "报告编号 / Report id",
                "organ_id": "报告机关 / Reporting organ (→ organs)",
                "year": _FACET_DESCRIPTIONS["year"],
                "organ": _FACET_DESCRIPTIONS["organ"],
                "region": _FACET_DESCRIPTIONS["region"],
                "level": _FACET_DESCRIPTIONS["level"],
                "kind": _FACET_DESCRIPTIONS["kind"],
                "region_code": _FACET_DESCRIPTIONS["region_code"],
                "template": _FACET_DESCRIPTIONS["template"],
                "title": "报告标题 / Title",
                "published_on": "落款日期（报告正文所署日期）/ Date under the signature",
                "source_url": "原文链接（主文件）/ URL of the primary document",
                "primary_document_id": "数值所依据的文件：最新版本中读出数值最多的文件 / Primary document (→ documents)",
                "editions": "版本数：更正后重新发布算一个新版本 / Number of editions (a corrected re-issue is one)",
                "documents": "关联文件数（网页、附件、各版本）/ Number of documents (pages, attachments, versions)",
                "first_seen": "首次抓取时间（UTC）/ First fetched (UTC)",
                "check_status": _FACET_DESCRIPTIONS["check_status"],
                "failed_checks": "不相符的勾稽检查数（含跨年度）/ Failed checks, cross-year included (count)",
                "active_total": "第一部分所述本年主动公开信息总数（条）/ Items actively disclosed, per section 一 (count)",
            },
            label_column="title",
            facets=FACETS,
            sort_desc="year",
            sortable_columns=["year", "organ", "region", "published_on", "failed_checks", "active_total", "first_seen"],
        ),
        "organs": _table(
            "报告机关 / Reporting organs",
            "应发布年度报告的行政机关，每个机关一行，无论其名称如何书写（三元镇 = 三元镇人民政府）。来自门户登记表、"
            "报告，或登记地区的乡级以上政府（国家统计局区划）。 One row per organ however its name is written, from the "
            "registry, from reports, or a government of a registry region (NBS divisions).",
            {
                "id": "机关编号（不变）/ Organ id (stable)",
                "name": "机关规范名称 / Canonical name",
                "region": _FACET_DESCRIPTIONS["region"],
                "level": _FACET_DESCRIPTIONS["level"],
                "kind": _FACET_DESCRIPTIONS["kind"],
                "region_code": _FACET_DESCRIPTIONS["region_code"],
                "key": "机关标识：区划代码|机关自身名称 / Identity key: region code|the organ's own words",
                "division": "所在区划（国家统计局名称）/ The NBS division the organ is or lies in",
                "names": "出现过的名称写法（JSON）/ Every spelling met (JSON)",
                "warnings": "无法确定的部分（JSON）/ What could not be resolved (JSON)",
                "deadline": "发布期限 / Publication deadline",
                "portal_id": "所在门户 / Portal (→ portals)",
                "source": "来源：registry 登记表，report 报告，division 登记地区的政府 / Where the organ came from",
            },
            label_column="name",
            facets=["region", "level", "kind", "source"],
        ),
        "portals": _table(
            "门户登记表 / Portal registry",
            "抓取的政府信息公开年报栏目，每行一个。 One row per disclosure column crawled.",
            {
                "site_id": "门户标识 / Portal id (stable slug)",
                "name": "栏目名称 / Column name",
                "organ": "所属机关 / Organ",
                "region": "登记表所填地区 / Region as the registry writes it",
                "level": _FACET_DESCRIPTIONS["level"],
                "region_code": _FACET_DESCRIPTIONS["region_code"],
                "start_url": "栏目网址 / Start URL",
                "family": "网站系统类型 / CMS family",
                "status": "状态：active 抓取，disabled 停用 / Status",
                "source": "登记来源 / Where the row came from",
                "notes": "备注 / Notes",
            },
            label_column="name",
            facets=["region", "level", "family", "status"],
        ),
        "documents": _table(
            "文件 / Documents",
            "每次抓取到的每个文件版本（网页或附件）：网址、时间、哈希、格式。文件本身保存在内容寻址的存储中，不在本库。"
            " Every fetched version of every page or attachment; bodies stay in the content-addressed store.",
            {
                "id": "文件编号 / Document id",
                "report_id": "所属年度报告 / Report (→ reports)",
                "edition": "版本序号（1 = 最早发布）/ Edition within the report (1 = first published)",
                "url": "网址 / URL",
                "version": "同一网址的第几个版本（内容变化即新版本）/ Version at this URL (a changed body is a new one)",
                "kind": "page 网页，attachment 附件 / Page or attachment",
                "format": "解析时识别的格式 / Format as read by the parser",
                "content_type": "服务器声明的类型 / Content-Type sent by the server",
                "filename": "文件名 / File name",
                "title": "栏目列表中的标题 / Title as listed",
                "listed_date": "栏目列表日期 / Date shown in the listing",
                "first_seen": "首次抓取（UTC）/ First fetched (UTC)",
                "last_seen": "最近一次抓取（UTC）/ Last fetched (UTC)",
                "gone_on": "从门户消失的日期 / Date it disappeared from the portal",
                "size": "大小（字节）/ Size (bytes)",
                "portal_id": "门户 / Portal (→ portals)",
                "parent_url": "附件所在网页 / Page the attachment is linked from",
                "listing_url": "列表页 / Listing page it was found on",
                "sha256": "SHA-256 哈希 / SHA-256 of the body",
                "blob": "在存储目录 DATA/store/ 中的位置 / Path of the body under DATA/store/",
            },
            label_column="title",
            facets=["kind", "format", "portal_id"],
            sort_desc="first_seen",
        ),
        "cells": _table(
            "全部数值（长表）/ All values, long format",
            "每个文件每个单元格一行。cell_id 是 TEMPLATE.md 规定的标准编号；value 为空表示报告留空或无法读取，从不臆测为0。"
            " One row per document and cell; an empty value means blank or unreadable, never a guessed 0.",
            {
                "document_id": "来源文件 / Source document (→ documents)",
                "cell_id": "标准单元格编号（节.行.列）/ Canonical cell id (section.row.column) (→ items)",
                "report_id": "所属年度报告 / Report (→ reports)",
                "value": "数值（单位见 items.unit）/ Value (unit in items.unit)",
                "raw": "原文中的写法 / Text as printed",
                "page": "页码 / Page",
                "table_index": "文件中第几个表格 / Table number in the document",
                "row_index": "表格行号 / Row in the table",
                "col_index": "表格列号 / Column in the table",
                "ocr": "是否经OCR识别（1 是）/ Read by OCR (1 = yes)",
                "ocr_confidence": "OCR 置信度（0–100）/ OCR confidence (0–100)",
            },
        ),
        "items": _table(
            "指标字典 / Cell dictionary",
            "每个标准单元格编号的中文名称、单位和适用模板。 What every canonical cell id means, its unit and templates.",
            {
                "cell_id": "标准单元格编号 / Canonical cell id",
                "section": "所在部分（二、三、四）/ Section",
                "row_key": "行 / Row key",
                "column_key": "列 / Column key",
                "label_zh": "中文名称 / Chinese label",
                "label_en": "英文名称 / English label",
                "unit": "单位 / Unit",
                "templates": "适用模板 / Templates that have it",
                "sort_order": "在报告中的顺序 / Order in the report",
            },
            label_column="label_zh",
            facets=["section", "unit", "templates"],
        ),
        "checks": _table(
            "勾稽检查 / Consistency checks",
            "每份报告每条勾稽规则的结果，包括跨年度规则（本年上年结转 = 上年结转下年；现行有效件数平衡）。"
            " Every check result, cross-year rules included. A failed check is a finding, not an error.",
            {
                "document_id": "所核对的文件（跨年度规则为本年度的取数文件）/ Document checked (→ documents)",
                "rule": "规则名称 / Rule",
                "report_id": "年度报告 / Report (→ reports)",
                "organ_id": "机关 / Organ (→ organs)",
                "region": _FACET_DESCRIPTIONS["region"],
                "level": _FACET_DESCRIPTIONS["level"],
                "year": _FACET_DESCRIPTIONS["year"],
                "rule_group": "规则类别 / Rule group",
                "cross_year": "是否跨年度规则（1 是）/ Cross-year rule (1 = yes)",
                "status": "结果：pass 相符，fail 不符，unchecked 有空格无法检查 / Result",
                "expected": "应为（各分项之和）/ Expected (sum of the parts)",
                "actual": "报告所填 / As reported",
                "cells": "未通过时涉及的单元格（prev: 表示上一年度）/ Cells involved when not passed (prev: = the year before)",
            },
            # Millions of rows: facet on what is indexed; by region or year, use reports or the canned query.
            facets=["status", "rule_group"],
        ),
        "sec2": _table(
            "二、主动公开政府信息情况 / Section 二: proactive disclosure",
            "每份报告一行（取主文件）。2021模板与2019模板的栏目不同，不适用的列为空。"
            " One row per report; columns of the other template are empty.",
            _wide_columns("sec2"),
            **wide_options,
        ),
        "sec3": _table(
            "三、收到和处理政府信息公开申请情况 / Section 三: requests received and handled",
            "每份报告一行：各行的“总计”列，以及本年新收申请按申请人类型（自然人、法人或其他组织六类）。分列详数见 cells。"
            " One row per report: every row's total, and new requests by applicant type. All columns are in cells.",
            _wide_columns("sec3"),
            **wide_options,
            sortable_columns=["year", "organ", "new_received_total", "total_processed_total", "granted_total"],
        ),
        "sec4": _table(
            "四、政府信息公开行政复议、行政诉讼情况 / Section 四: administrative reviews and lawsuits",
            "每份报告一行，15个数。 One row per report: the section's fifteen numbers.",
            _wide_columns("sec4"),
            **wide_options,
        ),
        "coverage": _table(
            "覆盖情况 / Coverage",
            "应报告的每个机关每个年度（登记表所列、曾发布年报、登记地区的乡级以上政府）：是否找到报告、是否逾期"
            "（条例第五十条：县级以上人民政府为次年3月31日，其他为次年1月31日）、门户能否访问，附证据。" + coverage_statuses,
            {
                "organ_id": "机关 / Organ (→ organs)",
                "year": _FACET_DESCRIPTIONS["year"],
                "organ": _FACET_DESCRIPTIONS["organ"],
                "region": _FACET_DESCRIPTIONS["region"],
                "level": _FACET_DESCRIPTIONS["level"],
                "kind": _FACET_DESCRIPTIONS["kind"],
                "region_code": _FACET_DESCRIPTIONS["region_code"],
                "expected_as": "为何应报告 / Why expected: " + "；".join(f"{k} = {v}" for k, v in EXPECTED_AS.items()),
                "portal_id": "门户 / Portal (→ portals)",
                "status": "状态 / Status: " + coverage_statuses,
                "report_id": "找到的报告 / Report found (→ reports)",
                "published_on": "发布日期（落款日期或列表日期）/ Date published (signature or listing)",
                "deadline": "发布期限 / Deadline",
                "evidence": "证据 / Evidence",
                "evidence_url": "证据网址 / Evidence URL",
            },
            facets=["status", "year", "region", "level", "expected_as"],
            sort_desc="year",
        ),
        **identity_views(_FACET_DESCRIPTIONS, _table),
        "texts": _table(
            "报告全文 / Report texts",
            "每个已解析文件的全文，可全文检索（两字词亦可，如“公开”“复议”）。"
            " Full text of every parsed document, searchable (two-character words too).",
            {
                "id": "文件编号 / Document id (→ documents)",
                "report_id": "年度报告 / Report (→ reports)",
                "organ": _FACET_DESCRIPTIONS["organ"],
                "year": _FACET_DESCRIPTIONS["year"],
                "title": "标题 / Title",
                "url": "网址 / URL",
                "text": "全文 / Full text",
            },
            fts_table="texts_bigram_fts",
            fts_pk="id",
            facets=["year"],
        ),
        "extractions": _table(
            "解析记录 / Extractions",
            "每个文件最近一次解析：解析器版本、结果、失败原因。 The last extraction of every document.",
            {
                "document_id": "文件 / Document (→ documents)",
                "parser_version": "解析器版本 / Parser version",
                "extracted_at": "解析时间（UTC）/ Extracted at (UTC)",
                "status": "ok 成功，failed 失败 / Outcome",
                "error": "失败原因 / Why it failed",
                "organ": "报告中的机关名称 / Organ as read",
                "year": "报告年度 / Year as read",
                "template": "模板 / Template",
                "published_on": "落款日期 / Date under the signature",
                "active_total": "主动公开总数（条）/ Items actively disclosed (count)",
                "source_format": "格式 / Format",
                "cells": "读出的非空单元格数 / Non-empty cells read (count)",
                "warnings": "解析警告（JSON）/ Parser warnings (JSON)",
            },
            facets=["status", "parser_version", "source_format"],
        ),
        "fetches": _table(
            "抓取记录 / Fetches",
            "每一次请求及其结果（含失败、被拦截），是覆盖情况的证据。 Every request made and its outcome.",
            {
                "id": "编号 / Id",
                "run_id": "抓取批次 / Crawl run",
                "portal_id": "门户 / Portal (→ portals)",
                "kind": "类型 / Kind (robots, listing, page, attachment, api)",
                "url": "网址 / URL",
                "final_url": "重定向后的网址 / URL after redirects",
                "status": "HTTP 状态码 / HTTP status",
                "outcome": "结果 / Outcome (downloaded, unchanged, not_modified, failed, blocked, robots_denied, too_large)",
                "reason": "原因 / Reason",
                "fetched_at": "时间（UTC）/ Time (UTC)",
                "size": "大小（字节）/ Size (bytes)",
                "content_type": "类型 / Content-Type",
                "sha256": "SHA-256 哈希 / SHA-256 hash",
            },
            facets=["outcome", "kind", "portal_id"],
            sort_desc="fetched_at",
        ),
        "runs": _table(
            "运行记录 / Pipeline runs",
            "每次运行（抓取、解析、快照）一行。 One row per pipeline run.",
            {
                "id": "编号 / Id",
                "command": "命令 / Command",
                "args": "参数（JSON）/ Arguments (JSON)",
                "started_at": "开始（UTC）/ Started (UTC)",
                "finished_at": "结束（UTC）/ Finished (UTC)",
                "status": "状态 / Status",
                "parser_version": "解析器版本 / Parser version",
                "git_commit": "代码版本 / Git commit",
                "stats": "统计（JSON）/ Figures (JSON)",
            },
            sort_desc="id",
        ),
        "run_portals": _table(
            "各门户运行结果 / Runs by portal",
            "每次运行中每个门户的结果。 What each run found on each portal.",
            {
                "run_id": "运行 / Run (→ runs)",
                "site_id": "门户 / Portal",
                "status": "状态 / Status",
                "found": "在线报告数 / Reports online (count)",
                "new": "新文件数 / New documents (count)",
                "changed": "变化文件数 / Changed documents (count)",
                "gone": "消失文件数 / Documents gone (count)",
                "failed": "失败请求数 / Failed requests (count)",
                "blocked": "被拦截请求数 / Blocked requests (count)",
                "fetched": "请求数 / Requests (count)",
                "reasons": "原因 / Reasons",
                "visited_at": "访问时间（UTC）/ Visited at (UTC)",
            },
        ),
        "snapshots": _table(
            "快照 / Snapshots",
            "每个发布的快照：日期、文件、SHA-256、版本、行数、覆盖情况、与上一快照相比的变化。"
            " Every published snapshot. The current file's own hash is in its SHA256SUMS, not in itself.",
            {
                "id": "编号 / Id",
                "date": "快照日期 / Snapshot date",
                "file": "文件名 / File name",
                "created_at": "生成时间（UTC）/ Built at (UTC)",
                "schema_version": "数据库结构版本（PRAGMA user_version）/ Schema version",
                "parser_version": "解析器版本 / Parser version",
                "git_commit": "代码版本 / Git commit",
                "bytes": "大小（字节）/ Size (bytes)",
                "sha256": "SHA-256 哈希 / SHA-256 hash",
                "row_counts": "各表行数（JSON）/ Rows per table (JSON)",
                "coverage": "覆盖情况汇总（JSON）/ Coverage summary (JSON)",
                "changes": "与上一快照相比的变化（JSON）/ Changes since the previous snapshot (JSON)",
            },
            sort_desc="date",
        ),
    }


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
    refusals = ",\n  ".join(f"sum({row}_total) AS {label}" for row, label in _REFUSAL_ROWS.items())
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
  (SELECT group_concat(c.rule, ' ') FROM checks c
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
            "sql": f"""SELECT region AS 地区, year AS 年度, count(*) AS 报告数,
  sum(new_received_total) AS 新收申请,
  {refusals}
FROM sec3
GROUP BY region, year
ORDER BY region, year""",
        },
        "search": {
            "title": "全文检索（按相关度排序）/ Full-text search, ranked by relevance",
            "description": "两个字以上的词均可检索，如“复议”“信息处理费”；多个词用空格分开表示同时包含。"
            " Any word of two or more characters; words separated by spaces must all occur.",
            "sql": """SELECT t.report_id, t.organ AS 机关, t.year AS 年度, t.title AS 标题,
  '…' || substr(t.text, max(1, instr(t.text, :q) - 30), 100) || '…' AS 片段,
  round(bm25(texts_bigram_fts), 2) AS 相关度
FROM texts_bigram_fts
JOIN texts t ON t.id = texts_bigram_fts.rowid
WHERE :q != '' AND texts_bigram_fts MATCH escape_fts(:q)
ORDER BY bm25(texts_bigram_fts)
LIMIT 100""",
        },
    }


def _chart(title: str, query: str, mark: Any, x: dict, y: dict, color: dict | None = None) -> dict[str, Any]:
    encoding = {"x": x, "y": y}
    if color:
        encoding["color"] = color
    return {
        "title": title,
        "db": DATABASE,
        "query": query,
        "library": "vega-lite",
        "display": {"mark": mark, "encoding": encoding},
    }


def dashboards() -> dict[str, Any]:
    """One dashboard of national and per-region trends (datasette-dashboards, Vega-Lite bundled)."""
    region = "[[ AND region = :region ]]"
    year_x = {"field": "year", "type": "ordinal", "title": "年度 / Year", "axis": {"labelAngle": 0}}
    count_y = {"field": "n", "type": "quantitative", "title": "件 / count"}
    kind = {"field": "kind", "type": "nominal", "title": "类别 / Kind"}
    outcomes = " UNION ALL ".join(
        f"SELECT year, '{label}' AS kind, sum({column}) AS n FROM sec3 WHERE 1 = 1 {region} GROUP BY year"
        for column, label in (
            ("granted_total", "予以公开"),
            ("partially_granted_total", "部分公开"),
            ("total_processed_total - coalesce(granted_total, 0) - coalesce(partially_granted_total, 0)", "其他处理"),
        )
    )
    reviews = " UNION ALL ".join(
        f"SELECT year, '{label}' AS kind, sum({column}) AS n FROM sec4 WHERE 1 = 1 {region} GROUP BY year"
        for column, label in (
            ("review_total", "行政复议"),
            ("litigation_direct_total", "直接起诉"),
            ("litigation_after_review_total", "复议后起诉"),
        )
    )
    return {
        "trends": {
            "title": "全国及各地趋势 / National and regional trends",
            "description": "按年度汇总各报告的数字；可按地区筛选。 Sums over reports by year; filter by region.",
            "layout": [["reports", "applications"], ["outcomes", "reviews"], ["by_region", "by_region"]],
            "filters": {
                "region": {
                    "name": "地区 / Region",
                    "type": "select",
                    "db": DATABASE,
                    "query": "SELECT DISTINCT region FROM reports WHERE region IS NOT NULL ORDER BY region",
                }
            },
            "charts": {
                "reports": _chart(
                    "收录报告数 / Reports in the archive",
                    f"SELECT year, count(*) AS n FROM reports WHERE 1 = 1 {region} GROUP BY year ORDER BY year",
                    {"type": "bar", "tooltip": True},
                    year_x,
                    {"field": "n", "type": "quantitative", "title": "份 / reports"},
                ),
                "applications": _chart(
                    "本年新收申请 / Requests received",
                    f"SELECT year, sum(new_received_total) AS n FROM sec3 WHERE 1 = 1 {region} GROUP BY year ORDER BY year",
                    {"type": "line", "point": True, "tooltip": True},
                    year_x,
                    count_y,
                ),
                "outcomes": _chart(
                    "办理结果 / Outcomes",
                    outcomes,
                    {"type": "bar", "tooltip": True},
                    year_x,
                    count_y,
                    kind,
                ),
                "reviews": _chart(
                    "行政复议与行政诉讼 / Reviews and lawsuits",
                    reviews,
                    {"type": "line", "point": True, "tooltip": True},
                    year_x,
                    count_y,
                    kind,
                ),
                "by_region": _chart(
                    "各地区新收申请（最近年度）/ Requests received by region, latest year",
                    "SELECT region, sum(new_received_total) AS n FROM sec3 WHERE year = (SELECT max(year) FROM sec3) "
                    f"{region} GROUP BY region ORDER BY n DESC",
                    {"type": "bar", "tooltip": True},
                    {"field": "region", "type": "nominal", "sort": "-y", "title": "地区 / Region", "axis": {"labelAngle": 0}},
                    count_y,
                ),
            },
        }
    }


def plugins() -> dict[str, Any]:
    return {
        # Crawlers may read the home page only; every table and query page is disallowed.
        "datasette-block-robots": {"allow_only_index": True},
        # archive/guard: rate limits per client on every request and on any query string, query work and
        # concurrency per client, query slots, request deadline, response and SQLite size limits.
        "nianbao-guard": GuardConfig(uncapped_paths=(f"/{DATABASE}.db",)).to_plugin_config(),
        "datasette-dashboards": dashboards(),
        # archive/site/plugins/nianbao_site.py: where /downloads finds the snapshots (set by `nianbao serve`).
        "nianbao-site": {"data_dir": {"$env": "NIANBAO_DATA"}},
    }


def build_metadata() -> dict[str, Any]:
    """The whole ``metadata.yml`` as a dict."""
    return {
        "title": "政府信息公开工作年度报告数据库 / Government Information Disclosure Annual Reports (China)",
        "description_html": (
            "<p>各级行政机关《政府信息公开工作年度报告》的结构化数据与原文出处。"
            "Structured tables of China's government information-disclosure annual reports, each number "
            "traceable to its source document.</p>"
            '<p><a href="/-/dashboards/trends">趋势图 Trends</a> · '
            '<a href="/downloads">下载与引用 Downloads &amp; citation</a> · '
            '<a href="/about">说明 About</a></p>'
            f'<p>从这里开始 Start here: <a href="/{DATABASE}/reports">年度报告 reports</a> · '
            f'<a href="/{DATABASE}/sec3">申请办理 sec3</a> · <a href="/{DATABASE}/sec4">复议诉讼 sec4</a> · '
            f'<a href="/{DATABASE}/coverage">覆盖情况 coverage</a> · '
            f'<a href="/{DATABASE}/sums_do_not_add_up">数字对不上的报告 sums that do not add up</a> · '
            f'<a href="/{DATABASE}/search">全文检索 search</a></p>'
        ),
        "license": "CC BY 4.0（数据整理）/ CC BY 4.0 (the compilation)",
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "source": "各机关政府信息公开专栏 / The organs' own disclosure portals",
        "source_url": "/about",
        "about": "说明、方法与局限 / About, method and limits",
        "about_url": "/about",
        "databases": {
            DATABASE: {
                "title": "年报数据库 / Annual-report archive",
                "description": "见 /about。每个数字都可追溯到原文件的页、表、行、列。 See /about.",
                "tables": tables(),
                "queries": queries(),
            }
        },
        "plugins": plugins(),
    }


class _PlainDumper(yaml.SafeDumper):
    """Writes shared lists out in full: ``&id001`` anchors would puzzle whoever reads the file."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def render_metadata() -> str:
    """The YAML text committed as ``metadata.yml``."""
    header = "# Generated by `nianbao site-metadata` from archive/metadata.py: edit that, not this file.\n"
    body = yaml.dump(build_metadata(), Dumper=_PlainDumper, allow_unicode=True, sort_keys=False, width=120)
    return header + body


def write_metadata(path: Path = METADATA_PATH) -> Path:
    path.write_text(render_metadata(), encoding="utf-8")
    return path
