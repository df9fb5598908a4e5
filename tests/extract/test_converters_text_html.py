"""The text and HTML converters: encodings detected, layouts turned into rows, grids expanded."""

import codecs
from pathlib import Path

import pytest

from extract.convert import convert
from extract.convert.html import html_to_document
from extract.convert.text import text_to_document
from extract.decode import decode_text
from extract.document import Paragraph, Table
from extract.parse import parse_bytes

SAMPLES = Path(__file__).resolve().parents[2] / "nianbao" / "samples"
REPORT = "金社镇 2024 年政府信息公开工作年度报告\n一、总体情况\n主动公开信息 312 条。\n二、主动公开政府信息情况\n规章\t0\t0\t0\n"


def test_encodings_are_detected_not_assumed():
    for encoding in ("utf-8", "gb18030", "gbk", "utf-16", "utf-16-le", "utf-8-sig"):
        data = REPORT.encode(encoding)
        assert decode_text(data) == REPORT, encoding
    assert decode_text(codecs.BOM_UTF16_BE + REPORT.encode("utf-16-be")) == REPORT


# No ASCII at all: no zero bytes in its UTF-16 to tell it by.
CHINESE_ONLY = "金社镇人民政府关于二〇二四年政府信息公开工作年度报告\n一、总体情况\n本机关主动公开信息三百一十二条，依申请公开办理完毕。\n"


@pytest.mark.parametrize("text", [REPORT, CHINESE_ONLY])
@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_read(text, encoding):
    data = text.encode(encoding)
    assert decode_text(data) == text
    assert convert(data).text.strip().startswith("金社镇")


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_utf8_and_gb18030_are_never_taken_for_utf16(encoding):
    from extract.decode import utf16_without_bom

    for sample in sorted(SAMPLES.glob("*.txt")):
        text = sample.read_text(encoding="utf-8")
        assert utf16_without_bom(text.encode(encoding)) is None, sample.name
        assert decode_text(text.encode(encoding)) == text, sample.name


def test_gbk_html_without_charset_header_or_meta():
    html = "<html><body><div id='zoom'><p>金社镇2024年政府信息公开工作年度报告</p></div></body></html>"
    doc = convert(html.encode("gbk"))
    assert "金社镇" in doc.text


def test_one_cell_per_line_blocks_become_rows():
    doc = text_to_document("\t规章\n\t0\n\t\n\t1\n\n\t行政许可\n\t3\n")
    (table,) = [b for b in doc.blocks if isinstance(b, Table)]
    assert [[c.text for c in row] for row in table.rows] == [["规章", "0", "", "1"], ["行政许可", "3"]]


def test_pipe_tables_with_and_without_separator_rows():
    doc = text_to_document("| 信息内容 | 本年制发件数 |\n|---|---|\n| 规章 | 2 |\n段落")
    table = doc.blocks[0]
    assert [[c.text for c in row] for row in table.rows] == [["信息内容", "本年制发件数"], ["规章", "2"]]
    assert isinstance(doc.blocks[1], Paragraph)


def test_rowspan_and_colspan_are_expanded_into_a_grid():
    doc = html_to_document(
        "<div class='TRS_Editor'><table>"
        "<tr><td rowspan='2'>三、本年度办理结果</td><td colspan='2'>（一）予以公开</td><td>1</td></tr>"
        "<tr><td>（二）部分公开</td><td>&nbsp;</td><td>2<br></td></tr>"
        "</table></div>"
    )
    (table,) = doc.blocks
    assert [[c.text for c in row] for row in table.rows] == [
        ["三、本年度办理结果", "（一）予以公开", "（一）予以公开", "1"],
        ["三、本年度办理结果", "（二）部分公开", "", "2"],
    ]


def test_br_and_p_inside_a_cell_are_line_breaks_and_word_markup_is_text():
    doc = html_to_document(
        "<table><tr><td><p class=MsoNormal><span lang=EN-US>商业<o:p></o:p></span></p>"
        "<p class=MsoNormal><span>企业</span></p></td><td>自然<br>人</td></tr></table>"
    )
    assert [c.text for c in doc.blocks[0].rows[0]] == ["商业\n企业", "自然\n人"]


def test_body_container_is_preferred_over_page_chrome():
    html = (
        "<html><head><meta name='ArticleTitle' content='某某街道办事处2023年政府信息公开工作年度报告'></head><body>"
        "<div class='nav'>首页 政务公开 网站地图</div>"
        "<div id='UCAP-CONTENT'><p>一、总体情况</p><p>" + "本街道认真贯彻条例。" * 30 + "</p></div>"
        "<div class='footer'>主办单位</div></body></html>"
    )
    record = parse_bytes(html.encode())
    assert record.organ == "某某街道办事处"
    assert record.year == 2023
    assert "网站地图" not in record.text and "主办单位" not in record.text


def test_split_tables_are_read_as_one():
    rows = "".join(f"<tr><td>{label}</td>" + "<td>0</td>" * 7 + "</tr>" for label in ("一、本年新收政府信息公开申请数量",))
    rest = "".join(
        f"<tr><td>{label}</td>" + "<td>1</td>" * 6 + "<td>6</td></tr>" for label in ("二、上年结转政府信息公开申请数量",)
    )
    html = (
        "<div id='zoom'><p>某某局2024年政府信息公开工作年度报告</p><p>三、收到和处理政府信息公开申请情况</p>"
        f"<table>{rows}</table><table>{rest}</table></div>"
    )
    record = parse_bytes(html.encode())
    assert record.template == "2021"  # no section 二 markers: the year decides
    assert record.cells["sec3.new_received.total"] == 0
    assert record.cells["sec3.carried_over.natural_person"] == 1
    assert record.cells["sec3.carried_over.total"] == 6


def test_attachment_wrapper_page_names_its_organ_and_year_but_holds_no_tables():
    """A gkmlpt detail page that only links its report: organ and year from the title, no template."""
    html = (
        "<html><body><table class='xxgk_table'><tr><td>发布机构：</td><td>海珠区住房和城乡建设局</td></tr>"
        "<tr><td>名称：</td><td>海珠区住房和城乡建设局政府信息公开工作年度报告（2020年）</td></tr></table>"
        "<div class='content'><p>海珠区住房和城乡建设局政府信息公开工作年度报告（2020年），详见附件。</p>"
        "<a class='nfw-cms-attachment' href='/attachment/2/2476/2476722/4513091.docx'>年度报告.docx</a></div>"
        "</body></html>"
    )
    record = parse_bytes(html.encode())
    assert (record.organ, record.year, record.template) == ("海珠区住房和城乡建设局", 2020, None)
    assert record.cells == {}


@pytest.mark.parametrize(
    ("title", "organ", "year"),
    [
        ("海珠区民政局2023年政务信息公开年报", "海珠区民政局", 2023),
        ("2024年某某县人民政府信息公开工作年度报告", "某某县人民政府", 2024),
        ("# 鲁山县琴台街道办事处 2024 年政府信息公开工作年度报告", "鲁山县琴台街道办事处", 2024),
    ],
)
def test_title_forms(title, organ, year):
    from extract.fields import find_organ, find_year

    assert (find_organ([title], "", []), find_year([title], "", None)) == (organ, year)


def test_tables_are_read_when_no_section_heading_survived():
    text = "某某镇2024年政府信息公开工作年度报告\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t1\t0\t3\n"
    record = parse_bytes(text.encode())
    assert record.template == "2021"
    assert [record.cells[f"sec2.regulations.{c}"] for c in ("issued", "repealed", "in_force")] == [1, 0, 3]
