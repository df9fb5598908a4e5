"""HTML layouts: a report body as CMSs publish it, and whole detail pages around it.

Body styles (``render_body_html(spec, style=...)``):

- ``table``: ``<table border="1">`` with rowspan/colspan as the template prints them, ``<br>`` in cells;
- ``cellp``: every cell's text inside ``<p>`` (and ``<span>``), ``&nbsp;`` in empty cells;
- ``word``: Word's "save as HTML": ``MsoNormalTable``, mso styles, nested ``<span>``, ``<o:p>``;
- ``split``: section 二 as one table per 第二十条 item and section 三 cut in two by a page break;
- ``lines``: no tables at all: each table row arrived as a ``<p>`` line of cells (text-only HTML);
- ``cell_paragraphs``: no tables: one ``<p>`` per cell, as some editors paste a table.

Full pages (``HTML_LAYOUTS``) put a body inside the containers of ../shared/PORTALS.md
(``div.TRS_Editor``, ``#zoom``, ``#UCAP-CONTENT``, ``div.news_cont_d_wrap``, ``#ivs_content``,
``div.content``) with the page chrome around it: meta tags, navigation, the 索引号 table, a footer, and on
older sites a layout table around the article.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from html import escape

from farm.records import ReportSpec
from farm.render import document as doc
from farm.render.spelling import MISPRINTS, header_spelling, label_spelling
from farm.render.tables import TCell, TTable, fill, row_fields, sec2_table, sec3_table, sec4_table, split_table
from farm.render.values import ValueStyle, format_value, style_for

BODY_STYLES = ("table", "cellp", "word", "split", "lines", "cell_paragraphs")


def _cell_html(text: str, style: str, rng: random.Random, *, value: bool) -> str:
    """The inside of one ``<td>``."""
    if style == "word":
        if not text:
            return '<p class="MsoNormal" align="center" style="text-align:center"><span lang="EN-US"><o:p>&nbsp;</o:p></span></p>'
        parts = "<br>".join(
            f'<span style="font-size:10.5pt;font-family:仿宋_GB2312;mso-hansi-font-family:宋体">{escape(t)}</span>'
            for t in text.split("\n")
        )
        lang = ' lang="EN-US"' if value else ""
        return (
            f'<p class="MsoNormal" align="center" style="text-align:center;line-height:15.0pt">'
            f"<span{lang} style=\"font-size:10.5pt;mso-bidi-font-size:11.0pt\">{parts}<o:p></o:p></span></p>"
        )
    if not text:
        return rng.choice(("", "&nbsp;", " "))
    inner = "<br/>".join(escape(t) for t in text.split("\n"))
    if value and rng.random() < 0.15:
        inner = f"&nbsp;{inner}&nbsp;"
    if style == "cellp":
        return f'<p style="text-align:center;"><span style="font-family:宋体;">{inner}</span></p>'
    if rng.random() < 0.2:
        return f'<font face="宋体" size="2">{inner}</font>'  # old editors' markup
    return inner


def _span_attrs(cell: TCell, *, word: bool) -> str:
    """rowspan/colspan as editors write them; Word leaves numbers unquoted and single-quotes styles."""
    if word:
        attrs = f" width={56 * cell.colspan}"
        attrs += f" rowspan={cell.rowspan}" if cell.rowspan > 1 else ""
        attrs += f" colspan={cell.colspan}" if cell.colspan > 1 else ""
        return attrs + " valign=center style='border:solid windowtext 1.0pt;mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt'"
    attrs = f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else ""
    return attrs + (f' colspan="{cell.colspan}"' if cell.colspan > 1 else "")


def table_html(table: TTable, style: str, rng: random.Random) -> str:
    """One ``<table>`` with every merge as the template prints it."""
    if style == "word":
        open_tag = (
            '<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" '
            'style="border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;'
            'mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt">'
        )
    else:
        open_tag = rng.choice(
            (
                '<table border="1" cellspacing="0" cellpadding="0" width="100%">',
                '<table style="border-collapse:collapse;width:100%;" border="1">',
                "<table>",
            )
        )
    th = style == "table" and rng.random() < 0.3  # some editors mark header cells as <th>
    out = [open_tag, "<tbody>"]
    for r, row in enumerate(table.rows):
        tr = f'<tr style="mso-yfti-irow:{r};height:20.0pt">' if style == "word" else "<tr>"
        cells = []
        for cell in row:
            attrs = _span_attrs(cell, word=style == "word")
            tag = "th" if cell.header and th else "td"
            cells.append(f"<{tag}{attrs}>{_cell_html(cell.text, style, rng, value=bool(cell.cell))}</{tag}>")
        out.append(tr + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _p(text: str, style: str, *, indent: bool = True, align: str | None = None) -> str:
    if style == "word":
        return (
            f'<p class="MsoNormal" style="text-indent:32.0pt;mso-char-indent-count:2.0;line-height:28.0pt">'
            f'<span style="font-size:16.0pt;font-family:仿宋_GB2312">{escape(text)}</span></p>'
        )
    css = "text-indent:2em;" if indent else ""
    if align:
        css += f"text-align:{align};"
    return f'<p style="{css}">{escape(text)}</p>' if css else f"<p>{escape(text)}</p>"


def _heading(text: str, style: str, rng: random.Random) -> str:
    if style == "word":
        return (
            f'<p class="MsoNormal" style="text-indent:32.0pt"><b><span style="font-size:16.0pt;'
            f'font-family:黑体">{escape(text)}</span></b></p>'
        )
    return rng.choice((f"<p><strong>{escape(text)}</strong></p>", f"<h3>{escape(text)}</h3>", _p(text, style)))


def _lines_as_paragraphs(table: TTable, rng: random.Random) -> list[str]:
    """A table that arrived as text: each row one ``<p>``, its cells separated by spaces."""
    out = []
    sep = rng.choice(("&nbsp;&nbsp;", " ", "&nbsp; &nbsp;", "\u3000"))
    for r in range(len(table.rows)):
        fields = [escape(f.replace("\n", "")) for f in row_fields(table, r, pad_colspan=False) if f]
        if fields:
            out.append(f"<p>{sep.join(fields)}</p>")
    return out


def _cells_as_paragraphs(table: TTable) -> list[str]:
    out = []
    for r in range(len(table.rows)):
        for cell, top, left in table.positions[r]:
            if top and left:
                out.append(f"<p>{escape(cell.text.replace(chr(10), ''))}</p>")
    return out


def _sec2_split(table: TTable) -> list[TTable]:
    """Section 二 as one small table per 第二十条 item, as many CMS editors lay it out."""
    parts: list[TTable] = []
    current: list[list[TCell]] = []
    for row in table.rows:
        if row and row[0].text.startswith("第二十条") and current:
            parts.append(TTable("sec2", current, table.width))
            current = []
        current.append(row)
    parts.append(TTable("sec2", current, table.width))
    return parts


def _line_breaks(labels: dict[str, str], rng: random.Random) -> dict[str, str]:
    """Long row labels broken by ``<br>`` where the editor pressed Enter inside the cell."""
    out = dict(labels)
    for label, spelled in labels.items():
        if "\n" in spelled or len(spelled) < 12 or rng.random() > 0.3:
            continue
        at = spelled.find("（", 3) if "（" in spelled[3:] else len(spelled) // 2
        out[label] = f"{spelled[:at]}\n{spelled[at:]}"
    return out


def _value_style(style: str, rng: random.Random) -> ValueStyle:
    if style in ("lines", "cell_paragraphs"):
        return style_for(rng, empty_ok=False)
    return style_for(rng, empty_ok=True)


def render_body_html(spec: ReportSpec, style: str = "table", *, seed_key: str | None = None) -> str:
    """The report body (title to signature) as the fragment a CMS stores, in one of ``BODY_STYLES``."""
    if style not in BODY_STYLES:
        raise ValueError(f"unknown body style {style!r}: expected one of {', '.join(BODY_STYLES)}")
    rng = doc.rng_for(spec, seed_key or f"html-body:{style}")
    prose = doc.prose_style(rng, markdown=False)
    values = _value_style(style, rng)
    texts = {cell: format_value(value, cell, values, rng) for cell, value in spec.cells.items()}
    header = header_spelling(rng.choice(("none", "none", "newline", "spaces")), rng)
    misprint = MISPRINTS if rng.random() < 0.2 else {}
    sec2 = fill(sec2_table(spec.template, misprint), texts)
    labels = {**label_spelling(rng), **header}
    if style not in ("lines", "cell_paragraphs"):
        labels = _line_breaks(labels, rng)
    sec3 = fill(sec3_table(spec.template, labels), texts)
    sec4 = fill(sec4_table(header), texts)
    cell_style = "word" if style == "word" else ("cellp" if style == "cellp" else "table")

    def tables(table: TTable) -> list[str]:
        if style == "lines":
            return _lines_as_paragraphs(table, rng)
        if style == "cell_paragraphs":
            return _cells_as_paragraphs(table)
        if style == "split" and table.section == "sec2":
            return [table_html(t, cell_style, rng) for t in _sec2_split(table)]
        if style == "split" and table.section == "sec3":
            first, second = split_table(table, rng.randint(4, len(table.rows) - 2), repeat_labels=rng.random() < 0.5)
            return [table_html(first, cell_style, rng), _p("", cell_style, indent=False), table_html(second, cell_style, rng)]
        return [table_html(table, cell_style, rng)]

    p = lambda text: _p(text, cell_style)  # noqa: E731
    out: list[str] = []
    if prose.titled and rng.random() < 0.6:
        out.append(_p(doc.title(spec, prose), cell_style, indent=False, align="center"))
    out.append(p(doc.preamble(spec, prose)))
    out.append(_heading(doc.heading(0, prose), cell_style, rng))
    out += [p(line) for line in doc.sec1_lines(spec, prose, rng) if line]
    for index, table in ((1, sec2), (2, sec3), (3, sec4)):
        out.append(_heading(doc.heading(index, prose), cell_style, rng))
        out += tables(table)
    out.append(_heading(doc.heading(4, prose), cell_style, rng))
    out += [p(line) for line in spec.texts.get("sec5", "").split("\n") if line]
    out.append(_heading(doc.heading(5, prose), cell_style, rng))
    out += [p(line) for line in spec.texts.get("sec6", "").split("\n") if line]
    out += [_p(line, cell_style, indent=False, align="right") for line in doc.signature(spec, rng)]
    return "\n".join(out)


# Whole pages ------------------------------------------------------------------------------------------------

CONTAINERS: dict[str, tuple[str, str]] = {
    "trs": ('<div class="TRS_Editor">', "</div>"),
    "zoom": ('<div id="zoom" class="zoom">', "</div>"),
    "ucap": ('<div id="UCAP-CONTENT"><div class="trs_editor_view TRS_UEDITOR trs_paper_default trs_web">', "</div></div>"),
    "nfcms": ('<div class="news_cont_d_wrap">', "</div>"),
    "ivs": ('<div id="ivs_content" class="Article_content">', "</div>"),
    "content": ('<div class="content">', "</div>"),
}


def page(spec: ReportSpec, body: str, container: str, rng: random.Random) -> str:
    """A detail page: meta tags, navigation, 索引号 table, the body in its container (sometimes inside a
    layout table), footer. The chrome repeats the organ and a date on purpose: real pages do."""
    start, end = CONTAINERS[container]
    title = f"{spec.organ}{spec.year}年政府信息公开工作年度报告"
    pub = spec.published_on or f"{spec.year + 1}-01-20"
    county = "枞阳县人民政府" if rng.random() < 0.5 else "鲁山县人民政府"
    layout_start, layout_end = "", ""
    if rng.random() < 0.35:  # older sites lay the page out with a table around the article
        layout_start = '<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td class="bt_content" valign="top">\n'
        layout_end = '\n</td><td width="240" valign="top"><div class="xggj">相关链接</div></td></tr></table>'
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="SiteName" content="{county}">
<meta name="ColumnName" content="政府信息公开年报">
<meta name="ArticleTitle" content="{escape(title)}">
<meta name="PubDate" content="{pub} 09:30">
<meta name="ContentSource" content="{escape(spec.organ)}">
<title>{escape(title)}_政府信息公开年报_{county}</title>
<link rel="stylesheet" href="/images/style.css">
<script src="/js/jquery.min.js"></script>
</head>
<body>
<div class="header"><div class="logo"><a href="/">{county}</a></div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/zwgk/zfxxgknb/">政府信息公开年报</a></li></ul></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 政府信息公开年报</div>
<table class="xxgk_table"><tbody>
<tr><td><b>索引号：</b></td><td>{rng.randint(10**8, 10**9)}/{spec.year + 1}-{rng.randint(10000, 99999)}</td><td><b>发布机构：</b></td><td>{escape(spec.organ)}</td></tr>
<tr><td><b>发布日期：</b></td><td>{pub}</td><td><b>主题分类：</b></td><td>政府信息公开年报</td></tr>
</tbody></table>
<div class="article">
<h1 class="title">{escape(title)}</h1>
<div class="time">发布时间：{pub} 来源：{escape(spec.organ)} 浏览次数：<span id="hits">{rng.randint(10, 999)}</span></div>
{layout_start}{start}
{body}
{end}{layout_end}
<div class="fx">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>
</div>
<div class="footer"><p>主办单位：{county}办公室 备案号：皖ICP备{rng.randint(10**7, 10**8)}号</p>
<p>网站标识码：{rng.randint(10**9, 10**10)} 联系电话：0556-{rng.randint(1000000, 9999999)}</p></div>
<script>var countPage = 1;</script>
</body>
</html>
"""


def _layout(container: str, style: str) -> Callable[[ReportSpec], str]:
    def render(spec: ReportSpec) -> str:
        key = f"html:{container}:{style}"
        return page(spec, render_body_html(spec, style, seed_key=key), container, doc.rng_for(spec, key + ":page"))

    return render


HTML_LAYOUTS: dict[str, Callable[[ReportSpec], str]] = {
    "trs_table": _layout("trs", "table"),
    "zoom_cellp": _layout("zoom", "cellp"),
    "ucap_word": _layout("ucap", "word"),
    "nfcms_split": _layout("nfcms", "split"),
    "ivs_table": _layout("ivs", "table"),
    "content_cellp": _layout("content", "cellp"),
    "trs_word": _layout("trs", "word"),
    "zoom_lines": _layout("zoom", "lines"),
    "content_cell_paragraphs": _layout("content", "cell_paragraphs"),
    "ivs_split": _layout("ivs", "split"),
}
