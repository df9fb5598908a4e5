"""DOCX fixtures written with python-docx in the official template's layout, merged cells included.

The document looks like what a county clerk saves from Word: A4, 宋体/仿宋 set as East Asian fonts
(LibreOffice substitutes an installed CJK font), ruled tables with gridSpan/vMerge merges, rows that
do not split across pages, a page-number footer, and for some specs a section 三 header that repeats
on each page, so that the PDF made from it exercises both kinds of page-break continuation.
"""

from __future__ import annotations

import io
import zipfile

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from farm.records import ReportSpec
from farm.render.layout import LayoutParagraph, LayoutTable, layout

_BODY_FONT = "仿宋_GB2312"
_TABLE_FONT = "宋体"


def render_docx(spec: ReportSpec) -> bytes:
    """The report as DOCX bytes; the same spec always gives the same document content."""
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.6)
    section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.5)
    _page_number_footer(section)
    repeat = (spec.seed or 0) % 2 == 0 or spec.seed is None
    for block in layout(spec):
        if isinstance(block, LayoutParagraph):
            _paragraph(document, block)
        else:
            block.repeat_header = repeat and block.header_rows > 0
            _table(document, block, section.page_width - section.left_margin - section.right_margin)
    _core_properties(document, spec)
    out = io.BytesIO()
    document.save(out)
    return _fixed_timestamps(out.getvalue())


def _fixed_timestamps(data: bytes) -> bytes:
    """Rewrite the zip with fixed member dates, so equal content gives equal bytes and cache hits."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2020, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def _set_fonts(run, name: str, size: float, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = name
    rfonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), name)


def _paragraph(document, block: LayoutParagraph) -> None:
    """Official-document style (GB/T 9704): 三号 (16 pt) 仿宋 on a fixed 28 pt line pitch."""
    p = document.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28)
    if block.style == "title":
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.space_after = Pt(12)
        _set_fonts(p.add_run(block.text), "方正小标宋简体", 18, bold=True)
    elif block.style == "heading":
        fmt.first_line_indent = Pt(32)
        _set_fonts(p.add_run(block.text), "黑体", 16)
    elif block.style == "signature":
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _set_fonts(p.add_run(block.text), _BODY_FONT, 16)
    else:
        fmt.first_line_indent = Pt(32)
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        _set_fonts(p.add_run(block.text), _BODY_FONT, 16)


def _table(document, block: LayoutTable, usable_width) -> None:
    table = document.add_table(rows=block.n_rows, cols=block.n_cols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    weights = block.col_weights or [1.0] * block.n_cols
    widths = [int(usable_width * w / sum(weights)) for w in weights]
    for row in table.rows:
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        row.height = Cm(0.75)
        for idx, cell in enumerate(row.cells):
            cell.width = widths[idx]
    for col, width in zip(table.columns, widths):
        col.width = width
    if block.repeat_header:
        for r in range(block.header_rows):
            table.rows[r]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    size = 9 if block.n_cols <= 10 else 7.5
    # Fetched once: table.cell() rescans the whole grid on every call, which is quadratic.
    grid = [list(row.cells) for row in table.rows]
    for span in block.spans:
        cell = grid[span.row][span.col]
        if span.rowspan > 1 or span.colspan > 1:
            cell = cell.merge(grid[span.row + span.rowspan - 1][span.col + span.colspan - 1])
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(0)
        _set_fonts(paragraph.add_run(span.text), _TABLE_FONT, size)


def _page_number_footer(section) -> None:
    """A centred ``- N -`` footer with a PAGE field, as most reports carry."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("- ")
    run = p.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif text == "PAGE":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = " PAGE "
            run._r.append(instr)
        else:
            t = OxmlElement("w:t")
            t.text = text
            run._r.append(t)
    p.add_run(" -")


def _core_properties(document, spec: ReportSpec) -> None:
    """Fixed metadata so the same spec gives the same bytes apart from the zip timestamps."""
    import datetime as _dt

    props = document.core_properties
    props.title = f"{spec.organ}{spec.year}年政府信息公开工作年度报告"
    props.author = spec.organ
    stamp = _dt.datetime(spec.year + 1, 1, 15, 9, 0, 0)
    props.created = props.modified = stamp
    props.last_modified_by = spec.organ
    props.revision = 1
