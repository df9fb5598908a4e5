"""Derived rates of each report (公开率, 复议纠错率 …) and where each stands among its peers.

A rate is a sum of template cells over another sum, computed from the report's primary document
(the wide tables ``sec3`` and ``sec4``). It is only computed when every cell it needs was read (a
blank is unknown, never 0) and its denominator is above zero; it is *ranked* only when the
denominator reaches the rule's minimum volume (a county that handled two requests and granted both
is not the country's most open organ) and the numerator is not larger than the denominator (such a
report's numbers do not add up, and its checks say so). Percentiles (SQL ``percent_rank``, 0–100) are
taken among the ranked reports of the same year: nationally, at the same level and in the same
province (none for a report with no peer there). Everything is rebuilt from the wide tables on each
run; the rules go into ``rate_rules`` so a downloaded snapshot explains its own numbers.

``rate_summary`` holds the rates counted and pooled per rate, year, province and level, written after
them: the ranking page's years, counts and filter choices and the heat table are read from its few
thousand rows instead of a pass over a rate's 100,000 (at 100,000 reports the heat table's pass cost
300 ms of CPU). ``SUMMARY_SQL`` is the one definition: an archive upgraded but not rebuilt yet (an
empty table) is answered by running it directly.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import sqlite_utils

from archive.wide import column_name

_OUTCOME_ROWS_DENIED = (
    "denied_state_secret", "denied_law_prohibited", "denied_three_safeties", "denied_third_party",
    "denied_internal_affairs", "denied_process_info", "denied_enforcement_file", "denied_query_item",
)
_OUTCOME_ROWS_UNAVAILABLE = ("unavailable_not_held", "unavailable_needs_creation", "unavailable_still_unclear")
_LITIGATION = ("litigation_direct", "litigation_after_review")


@dataclass(frozen=True)
class Rate:
    """``100 × sum(numerator) ÷ (sum(denominator) − sum(less))``, ranked from ``min_volume`` up.

    ``rule_zh`` / ``rule_en`` say the same in words, as the site and ``rate_rules`` show it.
    """

    key: str
    name_zh: str
    name_en: str
    numerator: tuple[str, ...]  # canonical cell ids
    denominator: tuple[str, ...]
    min_volume: int
    rule_zh: str
    rule_en: str
    less: tuple[str, ...] = ()
    higher_is_better: bool = True  # for the heat table's colours only

    @property
    def volume_zh(self) -> str:
        return f"分母不少于 {self.min_volume} 件才参与排名"

    @property
    def volume_en(self) -> str:
        return f"ranked only when the denominator is at least {self.min_volume}"


_PROCESSED = ("sec3.total_processed.total",)
RATES: tuple[Rate, ...] = (
    Rate("disclosure", "公开率", "Disclosure rate",
         ("sec3.granted.total", "sec3.partially_granted.total"), _PROCESSED, 10,
         "（予以公开 + 部分公开）÷ 本年度办理结果总计",
         "(granted + partially granted) / requests handled this year"),
    Rate("denial", "不予公开率", "Refusal rate",
         tuple(f"sec3.{row}.total" for row in _OUTCOME_ROWS_DENIED), _PROCESSED, 10,
         "不予公开（八项理由之和）÷ 本年度办理结果总计",
         "refused (the eight reasons together) / requests handled", higher_is_better=False),
    Rate("unavailable", "无法提供率", "Information-not-held rate",
         tuple(f"sec3.{row}.total" for row in _OUTCOME_ROWS_UNAVAILABLE), _PROCESSED, 10,
         "无法提供（本机关不掌握、需另行制作、补正后仍不明确之和）÷ 本年度办理结果总计",
         "cannot provide (not held, needs creating, still unclear) / requests handled", higher_is_better=False),
    Rate("dispute", "复议诉讼发生率", "Reviews and lawsuits per request",
         ("sec4.review.total",) + tuple(f"sec4.{group}.total" for group in _LITIGATION), _PROCESSED, 10,
         "（行政复议总计 + 行政诉讼两类总计）÷ 本年度办理结果总计",
         "(reviews + both kinds of lawsuits) / requests handled", higher_is_better=False),
    Rate("review_correction", "复议纠错率", "Review correction rate",
         ("sec4.review.corrected",), ("sec4.review.total",), 5,
         "行政复议结果纠正 ÷（行政复议总计 − 尚未审结）",
         "reviews decided against the organ / reviews concluded (total minus pending)",
         less=("sec4.review.pending",), higher_is_better=False),
    Rate("litigation_loss", "诉讼败诉率", "Litigation loss rate",
         tuple(f"sec4.{group}.corrected" for group in _LITIGATION),
         tuple(f"sec4.{group}.total" for group in _LITIGATION), 5,
         "行政诉讼结果纠正（两类之和）÷（行政诉讼总计 − 尚未审结，两类之和）",
         "lawsuits lost (both kinds) / lawsuits concluded (total minus pending, both kinds)",
         less=tuple(f"sec4.{group}.pending" for group in _LITIGATION), higher_is_better=False),
)
BY_KEY: dict[str, Rate] = {rate.key: rate for rate in RATES}


# The table and index as migration m008_rate_summary created them: frozen, as a migration is. The
# index replaces m004's (rate, region, year), which only the heat table's pass read: the ranking of one
# year, province and level reads its reports in percent order from it, and counts the better ones in it.
M008_RATE_SUMMARY = """
CREATE TABLE rate_summary (
    rate TEXT NOT NULL,
    year INTEGER,
    region TEXT,
    level TEXT,
    reports INTEGER NOT NULL,
    ranked INTEGER NOT NULL,
    pooled INTEGER NOT NULL,
    numerator NUMERIC,
    denominator NUMERIC
);
CREATE INDEX idx_rate_summary_rate_year ON rate_summary(rate, year);
DROP INDEX IF EXISTS idx_rates_region_year;
CREATE INDEX idx_rates_filters ON rates(rate, year, region, level, ranked, percent);
"""

# ``reports``: rates computed; ``ranked``: of them ranked; ``pooled``: of them consistent (denominator
# above 0, numerator between 0 and it), whose numerators and denominators the heat table adds up.
SUMMARY_SQL = """
SELECT rate, year, region, level, count(*) AS reports, sum(ranked) AS ranked, sum(ok) AS pooled,
       sum(CASE WHEN ok THEN numerator END) AS numerator, sum(CASE WHEN ok THEN denominator END) AS denominator
FROM (SELECT rate, year, region, level, ranked, numerator, denominator,
             coalesce(denominator > 0 AND numerator >= 0 AND numerator <= denominator, 0) AS ok FROM rates)
GROUP BY rate, year, region, level
"""


def summary_source(conn: sqlite3.Connection) -> str:
    """What the site reads the summary from: the table the build wrote, or its query where it has not."""
    written = conn.execute("SELECT 1 FROM rate_summary LIMIT 1").fetchone()
    return "rate_summary" if written else f"({SUMMARY_SQL})"


def _sum(cells: tuple[str, ...]) -> str:
    """SQL for a sum of cells that is NULL when any of them is (an unread cell is unknown, not 0)."""
    return "(" + " + ".join(f"{'s3' if cell.startswith('sec3.') else 's4'}.{column_name(cell)}" for cell in cells) + ")"


def rebuild(db: sqlite_utils.Database) -> int:
    """Replace ``rate_rules``, ``rates`` and ``rate_summary``; returns the number of rates computed."""
    with db.atomic():
        db.execute("DELETE FROM rate_rules")
        db["rate_rules"].insert_all(
            {"rate": rate.key, "name_zh": rate.name_zh, "name_en": rate.name_en,
             "numerator": " + ".join(rate.numerator),
             "denominator": " + ".join(rate.denominator) + "".join(f" - {cell}" for cell in rate.less),
             "min_volume": rate.min_volume,
             "rule": f"{rate.rule_zh}；{rate.volume_zh} / {rate.rule_en}; {rate.volume_en}",
             "sort_order": order}
            for order, rate in enumerate(RATES)
        )
        db.execute("DELETE FROM rates")
        for rate in RATES:
            bottom = _sum(rate.denominator) + (f" - {_sum(rate.less)}" if rate.less else "")
            db.execute(
                f"""INSERT INTO rates (report_id, rate, organ_id, organ, region, level, year,
                                       numerator, denominator, percent, ranked)
                    SELECT id, ?, organ_id, organ, region, level, year, n, d,
                           CASE WHEN d > 0 THEN round(100.0 * n / d, 2) END,
                           coalesce(d >= ? AND n >= 0 AND n <= d, 0)
                    FROM (SELECT r.id, r.organ_id, r.organ, r.region, r.level, r.year,
                                 {_sum(rate.numerator)} AS n, ({bottom}) AS d
                          FROM reports r LEFT JOIN sec3 s3 ON s3.report_id = r.id
                          LEFT JOIN sec4 s4 ON s4.report_id = r.id)
                    WHERE n IS NOT NULL AND d IS NOT NULL""",
                [rate.key, rate.min_volume],
            )
        db.execute(
            f"""UPDATE rates SET pct_all = p.pct_all, pct_level = p.pct_level, pct_region = p.pct_region
                FROM (SELECT report_id, rate, {_percentile("rate, year")} AS pct_all,
                             {_percentile("rate, year, level")} AS pct_level,
                             {_percentile("rate, year, region")} AS pct_region
                      FROM rates WHERE ranked = 1) p
                WHERE rates.report_id = p.report_id AND rates.rate = p.rate"""
        )
        db.execute("DELETE FROM rate_summary")
        db.execute(f"INSERT INTO rate_summary {SUMMARY_SQL}")
    return db.execute("SELECT count(*) FROM rates").fetchone()[0]


def _percentile(peers: str) -> str:
    """SQL for a ranked report's percentile among ``peers``; none when it has no peer (a report alone in
    its province is neither the best nor the worst there, though ``percent_rank`` would say 0)."""
    window = f"OVER (PARTITION BY {peers})"
    return (f"CASE WHEN count(*) {window} > 1 "
            f"THEN round(100 * percent_rank() OVER (PARTITION BY {peers} ORDER BY percent), 1) END")
