"""The tables built for the site's pages (``editions``, ``rates``, ``rate_rules``, ``warc_records``): their
schema as migration ``m004_site_tables`` creates it, and their descriptions, kept apart so
``archive.migrations`` and ``archive.dictionary`` stay within bounds.

``described`` are the shared column descriptions of ``archive.dictionary`` and ``table`` its table builder.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from archive.coverage import STATUS_LABELS as COVERAGE_STATUS_LABELS

# The schema of these tables as migration m004_site_tables created it: frozen, as a migration is (a
# later change is a new migration in archive/migrations.py).
M004_SITE_TABLES = """
CREATE TABLE editions (
    report_id INTEGER NOT NULL REFERENCES reports(id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    edition INTEGER,
    document_id INTEGER REFERENCES documents(id),
    previous_document_id INTEGER REFERENCES documents(id),
    url TEXT,
    version INTEGER,
    seen TEXT,
    organ_id INTEGER REFERENCES organs(id),
    organ TEXT,
    region TEXT,
    level TEXT,
    year INTEGER,
    cells_changed INTEGER,
    text_changed INTEGER,
    summary TEXT,
    PRIMARY KEY (report_id, seq)
);
CREATE INDEX idx_editions_seen ON editions(seen);
CREATE INDEX idx_editions_region_seen ON editions(region, seen);
CREATE TABLE rate_rules (
    rate TEXT PRIMARY KEY,
    name_zh TEXT,
    name_en TEXT,
    numerator TEXT,
    denominator TEXT,
    min_volume INTEGER,
    rule TEXT,
    sort_order INTEGER
);
CREATE TABLE rates (
    report_id INTEGER NOT NULL REFERENCES reports(id),
    rate TEXT NOT NULL REFERENCES rate_rules(rate),
    organ_id INTEGER REFERENCES organs(id),
    organ TEXT,
    region TEXT,
    level TEXT,
    year INTEGER,
    numerator NUMERIC,
    denominator NUMERIC,
    percent REAL,
    ranked INTEGER NOT NULL DEFAULT 0,
    pct_all REAL,
    pct_level REAL,
    pct_region REAL,
    PRIMARY KEY (report_id, rate)
) WITHOUT ROWID;
CREATE INDEX idx_rates_rank ON rates(rate, year, ranked, percent);
CREATE INDEX idx_rates_region_year ON rates(rate, region, year);
CREATE TABLE warc_records (
    warc_file TEXT NOT NULL,
    offset INTEGER NOT NULL,
    length INTEGER NOT NULL,
    request_length INTEGER,
    record_id TEXT,
    uri TEXT,
    date TEXT,
    http_status INTEGER,
    sha256 TEXT,
    PRIMARY KEY (warc_file, offset)
);
CREATE INDEX idx_warc_records_sha256 ON warc_records(sha256);
"""

# The indexes as migration m009_edition_order created them: frozen, as a migration is. The newest
# editions (``/editions``, the Atom feeds, the home page) are listed by seen, report and sequence; a first
# crawl sees thousands of reports on the same day, and with m004's indexes (seen alone) ordering that
# day's states by report and sequence sorted every one of them (25,000 rows at 100,000 reports) to show 50.
M009_EDITION_ORDER = """
DROP INDEX IF EXISTS idx_editions_seen;
DROP INDEX IF EXISTS idx_editions_region_seen;
CREATE INDEX idx_editions_seen ON editions(seen, report_id, seq);
CREATE INDEX idx_editions_region_seen ON editions(region, seen, report_id, seq);
"""

EDITION_KINDS = {
    "first": "首次发现 / first seen",
    "corrected": "更正（数字有变）/ corrected: the numbers changed",
    "changed": "静默改动（数字未变，文件有变）/ changed silently: same numbers, the file changed",
    "gone": "已撤下 / removed from the portal",
}


def site_tables(described: dict[str, str], table: Callable[..., dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Descriptions of the editions, rates and WARC index tables, Chinese first."""
    facets = {key: described[key] for key in ("report_id", "organ_id", "organ", "region", "level", "year")}
    kinds = "；".join(f"{key} = {label}" for key, label in EDITION_KINDS.items())
    return {
        "editions": table(
            "版本与改动 / Editions and changes",
            "每份报告在门户上的每次发布：首次发现、更正后重新发布、静默改动、撤下，按发现时间排列；"
            "订阅源（/feed.atom）每行一条。 Every published state of every report, in the order seen; the Atom "
            "feed carries one entry per row.",
            {
                "report_id": facets["report_id"],
                "seq": "序号（1 = 首次发现）/ Order within the report (1 = first seen)",
                "kind": "类型 / Kind: " + kinds,
                "edition": "版本（数字相同为同一版本）/ Edition (the same numbers are one edition)",
                "document_id": "该次发布中读出数值最多的文件 / Best-read document of this state (→ documents)",
                "previous_document_id": "上一次发布的文件 / Document of the state before (→ documents)",
                "url": "发布网址 / Address published at",
                "version": "该网址的第几个版本 / Version at that address",
                "seen": "发现（或撤下）时间（UTC）/ First seen, or gone on (UTC)",
                **{key: facets[key] for key in ("organ_id", "organ", "region", "level", "year")},
                "cells_changed": "与上一次相比改动的单元格数 / Cells that differ from the state before (count)",
                "text_changed": "正文是否改动（1 是，0 否，空为无法比较）/ Text changed (1 yes, 0 no, empty: unknown)",
                "summary": "改动摘要 / What changed, in short",
            },
            facets=["kind", "year", "region"],
            sort_desc="seen",
        ),
        "rates": table(
            "派生比率与百分位 / Derived rates and percentiles",
            "每份报告的公开率、不予公开率、复议纠错率、诉讼败诉率等（规则见 rate_rules），以及在同年度全国、同层级、"
            "同省份中的百分位；分母低于最低件数的不参与排名。 Each report's derived rates (rules in rate_rules) and "
            "percentiles among the same year's reports nationally, at its level and in its province.",
            {
                "report_id": facets["report_id"],
                "rate": "比率 / Rate (→ rate_rules)",
                **{key: facets[key] for key in ("organ_id", "organ", "region", "level", "year")},
                "numerator": "分子（件）/ Numerator (count)",
                "denominator": "分母（件）/ Denominator (count)",
                "percent": "比率（%）；分母为0时为空 / Rate (%); empty when the denominator is 0",
                "ranked": "是否参与排名（1 是）：分母达到最低件数且分子不大于分母 / Ranked (1 = yes)",
                "pct_all": "同年度全国百分位（0–100，无同组报告时为空）/ Percentile among the year's ranked reports "
                           "(empty when there is no other)",
                "pct_level": "同年度同层级百分位 / Percentile at the same level",
                "pct_region": "同年度同省份百分位 / Percentile in the same province",
            },
            # Six rows a report: only the rate is read from an index in order over all of them (a rate's page,
            # ?rate=, reads its years from the other two indexes in order too).
            facets=["rate"],
            sort_desc="percent",
        ),
        "rate_rules": table(
            "比率规则 / Rate rules",
            "每个派生比率的计算规则：分子、分母（标准单元格编号）和参与排名的最低件数。 How each rate is computed.",
            {
                "rate": "比率标识 / Rate key",
                "name_zh": "中文名称 / Chinese name",
                "name_en": "英文名称 / English name",
                "numerator": "分子：单元格之和 / Numerator: sum of these cells",
                "denominator": "分母：单元格之和（- 为减去）/ Denominator: sum of these cells (- subtracts)",
                "min_volume": "参与排名的最低分母（件）/ Smallest denominator ranked (count)",
                "rule": "规则说明 / The rule in words",
                "sort_order": "显示顺序 / Order shown",
            },
            label_column="name_zh",
        ),
        "rate_summary": table(
            "比率汇总 / Rates by year, province and level",
            "每个比率按年度、省份、层级汇总：计算了比率的报告数、参与排名的报告数，以及数字自洽的报告的分子、分母之和"
            "（热力表按省份和年度相加）；每次构建时重写。 The rates counted and pooled per rate, year, province and "
            "level, rewritten by every build: the ranking page's counts and the heat table read it.",
            {
                "rate": "比率 / Rate (→ rate_rules)",
                **{key: facets[key] for key in ("year", "region", "level")},
                "reports": "计算了该比率的报告数 / Reports with this rate (count)",
                "ranked": "参与排名的报告数 / Reports ranked (count)",
                "pooled": "数字自洽的报告数（分母大于0，分子在0与分母之间）/ Reports whose numbers are consistent "
                          "(denominator above 0, numerator between 0 and it)",
                "numerator": "数字自洽的报告的分子之和 / Sum of their numerators",
                "denominator": "数字自洽的报告的分母之和 / Sum of their denominators",
            },
        ),
        "region_summary": table(
            "各省概览 / The archive by province",
            "首页的数字：每个省级地区一行（地区为空：无法确定省份的报告），每次构建时重写，首页无需逐行计数。"
            " The home page's figures, one row per province (empty: province unknown), rewritten by every build.",
            {
                "region": facets["region"],
                "reports": "报告数 / Reports (count)",
                "organs": "有报告的机关数 / Organs with a report (count)",
                "first_year": "最早报告年度 / First year reported on",
                "last_year": "最近报告年度 / Last year reported on",
                "failing": "勾稽不符的报告数 / Reports failing a check (count)",
                "changes": "发布记录数（editions 行数）/ Published states (rows of editions)",
                **{status: f"覆盖情况为 {status} 的机关年度数（{label.split(' / ')[0]}）/ Organ-years with coverage "
                           f"status {status} (count)" for status, label in COVERAGE_STATUS_LABELS.items()},
            },
        ),
        "warc_records": table(
            "WARC 记录索引 / WARC record index",
            "抓取时写入的 WARC 文件中每条响应记录的位置，按正文 SHA-256 查找；网站据此提供原始记录下载。"
            " Where each response record is in the crawl's WARC files, by the SHA-256 of its payload.",
            {
                "warc_file": "WARC 文件名（DATA/store/warc/）/ WARC file",
                "offset": "记录起始字节 / Byte offset of the record",
                "length": "响应记录长度（字节，压缩后）/ Length of the response record (bytes, gzipped)",
                "request_length": "紧随其后的请求记录长度 / Length of the request record right after it",
                "record_id": "记录标识（WARC-Record-ID）/ Record id",
                "uri": "抓取网址（WARC-Target-URI）/ URL fetched",
                "date": "WARC-Date（抓取时间，UTC）/ When fetched (UTC)",
                "http_status": "HTTP 状态码 / HTTP status",
                "sha256": "正文 SHA-256（即存储中的文件名）/ SHA-256 of the payload (its name in the store)",
            },
            facets=["warc_file", "http_status"],
        ),
    }
