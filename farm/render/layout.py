"""A report spec laid out as the official template prints it: paragraphs and tables with merged cells.

The DOCX, PDF, DOC and OFD renderers all draw this one layout, so a test can demand that every
converter gives back exactly ``expected_tables(layout)``: the same grid, merged cells repeated into
every position they cover. The table shapes follow 国办公开办函〔2021〕30号 and〔2019〕60号: section 二
as one four-column table with 第二十条 sub-headings, section 三 with three label columns under a
merged 勾稽 note, section 四 with two header rows over fifteen numbers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from extract.templates import SEC3_APPLICANT_COLUMNS, SEC3_COLUMNS, SEC4_COLUMNS, SEC4_GROUPS, get
from farm.records import ReportSpec

BLANK_FORMS = ("", "/", "—", "无")


@dataclass
class Span:
    """One printed cell: its top-left grid position, how many rows and columns it covers, its text."""

    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1


@dataclass
class LayoutTable:
    n_rows: int
    n_cols: int
    spans: list[Span]
    header_rows: int = 0  # rows repeated at the top of each page when ``repeat_header`` is set
    repeat_header: bool = False
    col_weights: list[float] = field(default_factory=list)

    def grid(self) -> list[list[str]]:
        """The table with each merged cell's text in every grid position it covers."""
        out = [[""] * self.n_cols for _ in range(self.n_rows)]
        for s in self.spans:
            for r in range(s.row, s.row + s.rowspan):
                for c in range(s.col, s.col + s.colspan):
                    out[r][c] = s.text
        return out


@dataclass
class LayoutParagraph:
    text: str
    style: str = "body"  # title, heading, body, signature


LayoutBlock = LayoutParagraph | LayoutTable


def value_text(cell_id: str, value: int | float | None) -> str:
    """A value as the farm prints it: integers plain, money with two decimals, blanks in a real form."""
    if value is None:
        digest = hashlib.sha1(cell_id.encode()).digest()[0]
        return BLANK_FORMS[digest % len(BLANK_FORMS)]
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def layout(spec: ReportSpec) -> list[LayoutBlock]:
    """The whole report in reading order."""
    blocks: list[LayoutBlock] = [
        LayoutParagraph(f"{spec.organ}{spec.year}年政府信息公开工作年度报告", "title"),
        LayoutParagraph(
            "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息公开工作年度报告格式》"
            f"要求，编制本报告。本报告所列数据统计期限自{spec.year}年1月1日起至{spec.year}年12月31日止。"
        ),
        LayoutParagraph("一、总体情况", "heading"),
    ]
    blocks += [LayoutParagraph(line) for line in spec.texts.get("sec1", "").split("\n") if line.strip()]
    blocks.append(LayoutParagraph("二、主动公开政府信息情况", "heading"))
    blocks.append(sec2_table(spec))
    blocks.append(LayoutParagraph("三、收到和处理政府信息公开申请情况", "heading"))
    blocks.append(sec3_table(spec))
    blocks.append(LayoutParagraph("四、政府信息公开行政复议、行政诉讼情况", "heading"))
    blocks.append(sec4_table(spec))
    blocks.append(LayoutParagraph("五、存在的主要问题及改进情况", "heading"))
    blocks += [LayoutParagraph(line) for line in spec.texts.get("sec5", "").split("\n") if line.strip()]
    blocks.append(LayoutParagraph("六、其他需要报告的事项", "heading"))
    blocks += [LayoutParagraph(line) for line in spec.texts.get("sec6", "").split("\n") if line.strip()]
    blocks.append(LayoutParagraph(spec.organ, "signature"))
    if spec.published_on:
        y, m, d = (int(part) for part in spec.published_on.split("-"))
        blocks.append(LayoutParagraph(f"{y}年{m}月{d}日", "signature"))
    return blocks


def tables(blocks: list[LayoutBlock]) -> list[LayoutTable]:
    return [b for b in blocks if isinstance(b, LayoutTable)]


def sec2_table(spec: ReportSpec) -> LayoutTable:
    """Section 二: a sub-heading row per 第二十条 item, a column-label row, then its rows; values that
    cover fewer than three columns are merged rightwards as the template prints them."""
    template = get(spec.template)
    rows = {row.key: row for row in template.sec2}
    groups = template.sec2_groups
    spans: list[Span] = []
    r = 0
    for heading, keys in groups:
        spans.append(Span(r, 0, heading, colspan=4))
        r += 1
        columns = rows[keys[0]].columns
        spans.append(Span(r, 0, "信息内容"))
        spans += _spread(r, [template.sec2_column_labels[c] for c in columns])
        r += 1
        for key in keys:
            row = rows[key]
            spans.append(Span(r, 0, row.label))
            spans += _spread(r, [value_text(f"sec2.{key}.{c}", spec.cells.get(f"sec2.{key}.{c}")) for c in row.columns])
            r += 1
    return LayoutTable(n_rows=r, n_cols=4, spans=spans, col_weights=[1.6, 1, 1, 1])


def _spread(row: int, texts: list[str]) -> list[Span]:
    """Put 1–3 texts in columns 1–3, the last one merged over the columns left over."""
    spans = []
    for i, text in enumerate(texts):
        last = i == len(texts) - 1
        spans.append(Span(row, 1 + i, text, colspan=(3 - i) if last else 1))
    return spans


def sec3_table(spec: ReportSpec) -> LayoutTable:
    """Section 三: three label columns and seven value columns, with the template's merged headers."""
    spans = [
        Span(0, 0, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rowspan=3, colspan=3),
        Span(0, 3, "申请人情况", colspan=7),
        Span(1, 3, "自然人", rowspan=2),
        Span(1, 4, "法人或其他组织", colspan=5),
        Span(1, 9, "总计", rowspan=2),
    ]
    spans += [Span(2, 4 + i, label) for i, label in enumerate(("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"))]
    rows = get(spec.template).sec3
    r = 3
    groups = {
        "denied_": "（三）不予公开",
        "unavailable_": "（四）无法提供",
        "not_processed_": "（五）不予处理",
        "other_": "（六）其他处理",
    }
    result_start = None
    i = 0
    while i < len(rows):
        row = rows[i]
        if row.key in ("new_received", "carried_over", "carried_forward"):
            if row.key == "carried_forward" and result_start is not None:
                spans.append(Span(result_start, 0, "三、本年度办理结果", rowspan=r - result_start))
            spans.append(Span(r, 0, row.label, colspan=3))
            spans += _values(spec, r, row.key)
            r += 1
            i += 1
            continue
        if result_start is None:
            result_start = r
        prefix = next((p for p in groups if row.key.startswith(p) and row.key != "other_handling"), None)
        if prefix is None:
            spans.append(Span(r, 1, row.label, colspan=2))
            spans += _values(spec, r, row.key)
            r += 1
            i += 1
            continue
        members = [x for x in rows[i:] if x.key.startswith(prefix)]
        spans.append(Span(r, 1, groups[prefix], rowspan=len(members)))
        for member in members:
            spans.append(Span(r, 2, member.label))
            spans += _values(spec, r, member.key)
            r += 1
        i += len(members)
    assert SEC3_COLUMNS[-1] == "total" and len(SEC3_APPLICANT_COLUMNS) == 6
    weights = [0.55, 0.8, 2.2] + [0.62] * 7
    return LayoutTable(n_rows=r, n_cols=10, spans=spans, header_rows=3, col_weights=weights)


def _values(spec: ReportSpec, r: int, key: str) -> list[Span]:
    return [
        Span(r, 3 + j, value_text(f"sec3.{key}.{c}", spec.cells.get(f"sec3.{key}.{c}"))) for j, c in enumerate(SEC3_COLUMNS)
    ]


def sec4_table(spec: ReportSpec) -> LayoutTable:
    """Section 四: 行政复议 ×5 and 行政诉讼 (直接起诉 ×5, 复议后起诉 ×5) over one row of numbers."""
    spans = [
        Span(0, 0, "行政复议", rowspan=2, colspan=5),
        Span(0, 5, "行政诉讼", colspan=10),
        Span(1, 5, "未经复议直接起诉", colspan=5),
        Span(1, 10, "复议后起诉", colspan=5),
    ]
    labels = [get(spec.template).sec4_column_labels[c] for c in SEC4_COLUMNS]
    for g in range(3):
        spans += [Span(2, g * 5 + j, label) for j, label in enumerate(labels)]
    for g, group in enumerate(SEC4_GROUPS):
        for j, column in enumerate(SEC4_COLUMNS):
            cell = f"sec4.{group}.{column}"
            spans.append(Span(3, g * 5 + j, value_text(cell, spec.cells.get(cell))))
    return LayoutTable(n_rows=4, n_cols=15, spans=spans, col_weights=[1.0] * 15)
