"""The data dictionary: every table, view and column of both files, in Chinese and English.

One source for everything that describes the data: ``archive.metadata`` puts it into ``metadata.yml``
for the site (titles, descriptions, facets, sort orders), and ``archive.publication`` writes it into
each snapshot's README, so what a researcher reads in the download and on the site cannot differ.
"""

from __future__ import annotations

from typing import Any

from archive.coverage import EXPECTED_AS, STATUS_LABELS
from archive.items import describe
from archive.paths import ARCHIVE_NAME, TEXTS_NAME
from archive.site_tables import site_tables
from archive.views import identity_views
from archive.wide import FACET_COLUMNS, WIDE_TABLES

DATABASE = ARCHIVE_NAME  # the route the site serves the archive under (the stable file name's stem)
TEXTS_DATABASE = TEXTS_NAME  # and the texts file
TITLE = "政府信息公开工作年度报告数据库 / Government Information Disclosure Annual Reports (China)"

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


# Where a number was read, in ``cells`` and in its readable view ``cell_values``.
_CELL_SOURCE: dict[str, str] = {
    "raw": "原文中的写法 / Text as printed",
    "page": "页码 / Page",
    "table_index": "文件中第几个表格 / Table number in the document",
    "row_index": "表格行号 / Row in the table",
    "col_index": "表格列号 / Column in the table",
    "ocr": "是否经OCR识别（1 是）/ Read by OCR (1 = yes)",
    "ocr_confidence": "OCR 置信度（0–100）/ OCR confidence (0–100)",
}
# A check's result, in ``checks`` and in its readable view ``check_results``.
_CHECK_RESULT: dict[str, str] = {
    "cross_year": "是否跨年度规则（1 是）/ Cross-year rule (1 = yes)",
    "status": "结果：pass 相符，fail 不符，unchecked 有空格无法检查 / Result",
    "expected": "应为（各分项之和）/ Expected (sum of the parts)",
    "actual": "报告所填 / As reported",
    "cells": "未通过时涉及的单元格（prev: 表示上一年度）/ Cells involved when not passed (prev: = the year before)",
}


def _table(title: str, description: str, columns: dict[str, str], **options: Any) -> dict[str, Any]:
    return {"title": title, "description": description, **options, "columns": columns}


def tables() -> dict[str, dict[str, Any]]:
    """Every table of the archive with its bilingual title, description, columns and browsing options."""
    wide_options = {
        "facets": FACETS,
        "sort_desc": "year",
        "facet_size": 20,
        # Datasette renders a page cell by cell (plugins, then the template): 25 rows of up to 41 columns cost
        # what 50 rows of the reports table do. ?_size= asks for more.
        "size": 25,
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
            facets=["kind", "format"],  # not portal_id: thousands of values, each a label to look up
            sort_desc="first_seen",
        ),
        "cells": _table(
            "全部数值（长表，紧凑）/ All values, long format (compact)",
            "每个文件每个单元格一行，以编号代替文字：item_id 见 items，可读形式见视图 cell_values。"
            "value 为空表示报告留空或无法读取，从不臆测为0。"
            " One row per document and cell, ids instead of text (item_id -> items; the view cell_values reads"
            " them out). An empty value means blank or unreadable, never a guessed 0.",
            {
                "document_id": "来源文件 / Source document (→ documents)",
                "item_id": "单元格（编号）/ Cell (→ items: cell_id, label, unit)",
                "report_id": "所属年度报告 / Report (→ reports)",
                "value": "数值（单位见 items.unit）/ Value (unit in items.unit)",
                **_CELL_SOURCE,
            },
        ),
        "cell_values": _table(
            "全部数值（可读）/ All values, readable",
            "cells 的可读形式：单元格编号和名称代替 item_id。快照中的 cell_values.csv 即此视图。"
            " The cells with their cell ids and labels; exported as cell_values.csv.",
            {
                "report_id": "所属年度报告 / Report (→ reports)",
                "document_id": "来源文件 / Source document (→ documents)",
                "cell_id": "标准单元格编号（节.行.列）/ Canonical cell id (section.row.column)",
                "label_zh": "中文名称 / Chinese label",
                "value": "数值 / Value",
                "unit": "单位 / Unit",
                **_CELL_SOURCE,
            },
        ),
        "items": _table(
            "指标字典 / Cell dictionary",
            "每个标准单元格编号的中文名称、单位和适用模板。 What every canonical cell id means, its unit and templates.",
            {
                "id": "编号（cells.item_id）/ Id (cells.item_id)",
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
            "规则以编号记录（rule_id 见 rules），可读形式见视图 check_results。"
            "按规则统计不符的检查：?status=fail&_facet=rule_id。"
            " Every check result, cross-year rules included; rules by id (-> rules, readable in check_results)."
            " A failed check is a finding, not an error. Failures by rule: ?status=fail&_facet=rule_id.",
            {
                "document_id": "所核对的文件（跨年度规则为本年度的取数文件）/ Document checked (→ documents)",
                "rule_id": "规则 / Rule (→ rules)",
                "report_id": "年度报告 / Report (→ reports)",
                **_CHECK_RESULT,
            },
            # Fifty rows a report, a million at 20,000 reports: no facet is cheap over all of them, so none is
            # shown by default; ?status=fail&_facet=rule_id reads the (status, rule_id) index in order.
        ),
        "rules": _table(
            "勾稽规则 / Check rules",
            "每条勾稽规则一行：名称、类别、是否跨年度。 One row per check rule.",
            {
                "id": "编号（checks.rule_id）/ Id (checks.rule_id)",
                "rule": "规则名称 / Rule",
                "rule_group": "规则类别（去掉列或行）/ Rule group (the rule without its column or row)",
                "cross_year": "是否跨年度规则（1 是）/ Cross-year rule (1 = yes)",
            },
            label_column="rule",
            facets=["rule_group", "cross_year"],
        ),
        "check_results": _table(
            "勾稽检查（可读）/ Consistency checks, readable",
            "checks 的可读形式：规则名称代替 rule_id。快照中的 check_results.csv 即此视图。"
            " The checks with their rule names; exported as check_results.csv.",
            {
                "report_id": "年度报告 / Report (→ reports)",
                "document_id": "所核对的文件 / Document checked (→ documents)",
                "rule": "规则名称 / Rule",
                "rule_group": "规则类别 / Rule group",
                **_CHECK_RESULT,
            },
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
        "totals": _table(
            "地区年度合计 / Totals by region and year",
            "按地区和年度汇总的报告数及第三、四部分各列之和，随报告一同重建；趋势图和“不予公开理由”查询由此读取。"
            " Reports and the sums of every section 三 and 四 column by region and year, rebuilt with the reports.",
            {
                "region": _FACET_DESCRIPTIONS["region"],
                "year": _FACET_DESCRIPTIONS["year"],
                "reports": "报告数 / Reports (count)",
                **{column: "合计 Sum: " + text for column, text in _wide_columns("sec3").items() if column not in _FACET_DESCRIPTIONS},
                **{column: "合计 Sum: " + text for column, text in _wide_columns("sec4").items() if column not in _FACET_DESCRIPTIONS},
            },
            facets=["year", "region"],
            sort_desc="year",
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
        **site_tables(_FACET_DESCRIPTIONS, _table),
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
                "robots": "其中 robots.txt 不允许抓取的网址数 / Of blocked: URLs robots.txt disallows (count)",
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


def texts_tables() -> dict[str, dict[str, Any]]:
    """The tables of the texts file (``nianbao-texts.db``, ``archive.fts``)."""
    listed = {
        "id": "文件编号 / Document id (→ documents)",
        "report_id": "年度报告 / Report (→ reports)",
        "organ": _FACET_DESCRIPTIONS["organ"],
        "year": _FACET_DESCRIPTIONS["year"],
        "title": "标题 / Title",
        "url": "网址 / URL",
    }
    body = "全文 / Full text"
    return {
        "texts": _table(
            "报告全文 / Report texts",
            "每个已解析文件一行，可全文检索（两字词亦可，如“公开”“复议”）；全文在 text_bodies（或视图 full_texts），"
            "按相关度排序的检索见 /search。 One row per parsed document, searchable (two-character words too); the "
            "text itself is in text_bodies (or the view full_texts); ranked search at /search.",
            listed,
            fts_table="texts_bigram_fts",
            fts_pk="id",
        ),
        "text_bodies": _table(
            "全文正文 / Text bodies",
            "每个文件的全文，与 texts 按 id 对应；分开存放，检索和列表只读短的 texts。"
            " Each document's full text, by the id of its texts row; kept apart so searches and lists read short rows.",
            {"id": "文件编号 / Document id (→ texts, documents)", "text": body},
        ),
        "full_texts": _table(
            "报告全文（含正文）/ Report texts with their bodies",
            "texts 与 text_bodies 合为一表；快照中的 texts.csv 即此视图。"
            " texts and text_bodies as one table; exported as texts.csv.",
            {**listed, "text": body},
        ),
    }


def database_tables(name: str = DATABASE) -> dict[str, dict[str, Any]]:
    """The described tables and views of one of the two files, by the name the site serves it under."""
    return texts_tables() if name == TEXTS_DATABASE else tables()
