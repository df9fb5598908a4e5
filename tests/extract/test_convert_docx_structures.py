"""DOCX structures a report's author produces beyond the template: nested tables, text boxes,
merged cells started mid-row, content controls. Built with python-docx (plus raw WordprocessingML
where python-docx has no API), read back by the DOCX converter."""

from __future__ import annotations

import io

import docx
from docx.oxml import parse_xml

from extract.convert import convert
from extract.document import Paragraph, Table

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
V = "urn:schemas-microsoft-com:vml"


def _save(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_nested_table_follows_its_outer_table():
    document = docx.Document()
    outer = document.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "三、收到和处理政府信息公开申请情况"
    inner = outer.cell(0, 1).add_table(rows=2, cols=2)
    inner.cell(0, 0).text, inner.cell(0, 1).text = "自然人", "总计"
    inner.cell(1, 0).text, inner.cell(1, 1).text = "3", "3"
    doc = convert(_save(document))
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert [[c.text for c in row] for row in tables[1].rows] == [["自然人", "总计"], ["3", "3"]]
    assert tables[0].rows[0][0].text == "三、收到和处理政府信息公开申请情况"
    assert (tables[1].index, tables[1].rows[1][1].row, tables[1].rows[1][1].col) == (1, 1, 1)


def test_text_box_is_read_once_after_its_anchor():
    document = docx.Document()
    anchor = document.add_paragraph("一、总体情况")
    box = (
        f'<w:r xmlns:w="{W}" xmlns:mc="{MC}" xmlns:wps="{WPS}" xmlns:v="{V}"><mc:AlternateContent>'
        '<mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx><w:txbxContent><w:p><w:r>'
        "<w:t>本年度主动公开信息126条</w:t></w:r></w:p></w:txbxContent></wps:txbx></wps:wsp></w:drawing>"
        "</mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r>"
        "<w:t>本年度主动公开信息126条</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict>"
        "</mc:Fallback></mc:AlternateContent></w:r>"
    )
    anchor._p.append(parse_xml(box))
    document.add_paragraph("二、主动公开政府信息情况")
    texts = [b.text for b in convert(_save(document)).blocks if isinstance(b, Paragraph)]
    assert texts == ["一、总体情况", "本年度主动公开信息126条", "二、主动公开政府信息情况"]


def test_merged_cells_expand_to_the_grid():
    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "行政复议"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "结果"
    table.cell(1, 1).text, table.cell(1, 2).text = "维持", "纠正"
    table.cell(2, 0).text, table.cell(2, 1).text, table.cell(2, 2).text = "件数", "1", "2"
    doc = convert(_save(document))
    (t,) = [b for b in doc.blocks if isinstance(b, Table)]
    assert [[c.text for c in row] for row in t.rows] == [
        ["行政复议", "结果", "结果"],
        ["行政复议", "维持", "纠正"],
        ["件数", "1", "2"],
    ]
