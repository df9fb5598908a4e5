"""Borderless tables: text joins a row of values only where the row reaches it (``extract.convert.row_extent``).

Pages are glyph boxes laid out here, as a PDF's text layer gives them: rows a row's padding apart
(``PITCH``), a wrapped label's lines a line's leading apart (``LEAD``). Each case's expected rows and
cells come from the layout as written, read through ``assemble`` and the table interpreter.
"""

from __future__ import annotations

from extract.convert.geometry import LayoutSettings
from extract.convert.layout import assemble
from extract.document import Document, Paragraph, Table
from extract.parse import parse_document
from tests.extract.test_alignment import SIZE, _page, _row

PITCH = 30.0  # rows of a LibreOffice borderless table: a line and its cells' padding
LEAD = 12.0  # lines of one wrapped cell


def _tables(page) -> tuple[list[list[list[str]]], list[str]]:
    blocks, warnings = assemble([page], LayoutSettings())
    return [[[c.text for c in row] for row in b.rows] for b in blocks if isinstance(b, Table)], warnings


def _cells(lines: list[list[tuple[str, float]]], tops: list[float], heading: str) -> dict:
    blocks, warnings = assemble([_page(lines, tops=tops)], LayoutSettings())
    record = parse_document(Document(blocks=[Paragraph(text=heading, page=1), *blocks], source_format="pdf",
                                     warnings=warnings))
    return record.cells


def _label_of(table: list[list[str]], value: str) -> str:
    row = next(row for row in table if value in row)
    return "".join(text for text in row if text and text != value and not text.isdigit())


SEC2 = [
    [("规章", 60.0), ("3", 300.0), ("1", 380.0), ("12", 460.0)],
    [("行政规范性文件", 60.0), ("5", 300.0), ("0", 380.0), ("40", 460.0)],
    [("第二十条第（五）项", 200.0)],
    [("信息内容", 60.0), ("本年处理决定数量", 280.0)],
    [("行政许可", 60.0), ("7", 300.0)],
]
SEC2_TOPS = [100.0, 100.0 + PITCH, 100.0 + 2 * PITCH, 100.0 + 3 * PITCH, 100.0 + 4 * PITCH]


def test_a_heading_line_between_two_rows_of_values_is_no_part_of_either():
    """``信息内容`` heads the label column on the line of ``本年处理决定数量``, a row's padding above
    行政许可's row and nearer it than any other: it is that heading's, so 行政许可 names its row."""
    cells = _cells(SEC2, SEC2_TOPS, "二、主动公开政府信息情况")
    assert cells["sec2.licensing.decisions"] == 7
    assert (cells["sec2.regulations.issued"], cells["sec2.regulations.repealed"], cells["sec2.regulations.in_force"]) == (3, 1, 12)
    assert cells["sec2.normative_documents.in_force"] == 40


def test_a_subtitle_between_two_tables_is_a_row_of_its_own():
    """``第二十条第（五）项`` stands between 行政规范性文件's row and the next heading, nearer the row above
    than any other: a row's padding apart, it is a row of its own, and so is the heading."""
    (table,), _ = _tables(_page(SEC2, tops=SEC2_TOPS))
    assert _label_of(table, "40") == "行政规范性文件" and _label_of(table, "7") == "行政许可"


def test_a_blank_row_printed_apart_is_a_row_of_its_own_and_the_next_keeps_its_values():
    """二、's row is blank, its label alone in its own band between two rows of values: 三、's values
    are on 三、's line, and nothing is lost."""
    lines = [
        [("项目", 60.0), ("甲", 300.0), ("乙", 350.0), ("丙", 400.0), ("合计", 450.0)],
        _row("一、本年新收", ["1", "2", "3", "6"]),
        [("二、上年结转", 60.0)],
        _row("三、本年办理", ["4", "5", "6", "15"]),
    ]
    blocks, warnings = assemble([_page(lines)], LayoutSettings())
    (table,) = [b for b in blocks if isinstance(b, Table)]
    texts = [[c.text for c in row] for row in table.rows]
    assert _label_of(texts, "15") == "三、本年办理" and _label_of(texts, "6") == "一、本年新收"
    assert ["二、上年结转", "", "", "", ""] in texts
    assert not table.lost_cells and not any("between two numbered labels" in w for w in warnings)


def test_a_label_wrapped_around_its_values_joins_them_on_any_line():
    """A label over three lines, its values on the first, the middle or the last: every line is the row's."""
    for at in range(3):
        top = 100.0 + PITCH
        label = ["1.属于三类内", "部事务信息", "（内部）"]
        lines = [[("项目", 60.0), ("甲", 300.0), ("乙", 350.0), ("丙", 400.0), ("合计", 450.0)]]
        tops = [100.0]
        for i, part in enumerate(label):
            lines.append([(part, 60.0)] + ([(v, x) for v, x in zip("1236", (300.0, 350.0, 400.0, 450.0))] if i == at else []))
            tops.append(top + i * LEAD)
        lines.append(_row("2.属于四类过程性信息", ["4", "5", "6", "15"]))
        tops.append(top + 2 * LEAD + PITCH)
        (table,), _ = _tables(_page(lines, tops=tops))
        assert _label_of(table, "6") == "1.属于三类内部事务信息（内部）", at
        assert _label_of(table, "15") == "2.属于四类过程性信息", at


def test_a_heading_a_lines_leading_above_the_first_row_stays_a_heading():
    """Rows printed with no padding: a heading line touching the first row is further above it than a
    row's label reaches, and starts with no number (a row's label does): it stays out of the row."""
    lines = [
        [("项目", 60.0)],
        _row("一、本年新收", ["1", "2", "3", "6"]),
        _row("三、本年办理", ["4", "5", "6", "15"]),
    ]
    (table,), _ = _tables(_page(lines, tops=[100.0, 100.0 + SIZE + 2, 100.0 + 2 * (SIZE + 2) + 6]))
    assert _label_of(table, "6") == "一、本年新收"


def test_a_number_over_its_wrapped_unit_stands_in_the_row_of_the_values_beside_it():
    """In a narrow column ``5`` wraps over its ``件``, centred on the row as the one-line ``6件`` beside it:
    the number's own line is half a line above the row's, and a glyph box a little lower (``7件``) puts
    the row's values more than a row's tolerance apart; the pair's middle is the row's height."""
    header = [("项目", 60.0), ("甲", 300.0), ("乙", 350.0), ("丙", 400.0), ("合计", 450.0)]
    tops = [100.0, 130.0, 166.0, 172.0, 178.0, 175.0, 210.0]
    lines = [
        header,
        _row("一、本年新收", ["1", "2", "3", "6"]),
        [("5", 300.0)],
        [("三、本年办理", 60.0), ("6件", 350.0)],
        [("件", 300.0)],
        [("7件", 400.0), ("18", 450.0)],
        _row("四、结转下年", ["1", "1", "1", "3"]),
    ]
    (table,), warnings = _tables(_page(lines, tops=tops))
    row = next(row for row in table if "18" in row)
    assert row[0] == "三、本年办理" and row[-4:] == ["5件", "6件", "7件", "18"]


WIDE = 15.5  # lines set wide: 5.5 points of leading between a cell's lines, and between rows alike


def test_where_rows_stand_no_further_apart_than_a_cells_lines_the_nearest_row_takes_a_line():
    """A table set with wide leading and no padding: a wrapped label's lines stand as far apart as rows
    do, so the gap tells nothing, and each line joins the row of values nearest it, as it always did."""
    lines = [
        [("项目", 60.0), ("甲", 300.0), ("乙", 350.0), ("丙", 400.0), ("合计", 450.0)],
        [("（二）部分公开（区分", 60.0)],
        _row("处理的，只计这一情", ["8", "1", "0", "9"]),
        [("形，不计其他情形）", 60.0)],
        _row("1.属于国家秘密", ["2", "3", "4", "5"]),
    ]
    tops = [100.0 - WIDE - 10, 100.0, 100.0 + WIDE, 100.0 + 2 * WIDE, 100.0 + 2 * WIDE + 19]
    (table,), _ = _tables(_page(lines, tops=tops))
    assert _label_of(table, "9") == "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    assert _label_of(table, "5") == "1.属于国家秘密"


def test_a_stub_heading_beside_the_column_headings_stays_out_of_the_row_under_it():
    """Set wide, the heading line ``信息内容 本年制发件数 …`` between two tables is as near 规章's row as a
    wrapped line would be, and nearer it than the row above; ``信息内容`` shares its line with the column
    headings, so it is theirs, and 规章 names its row."""
    lines = [
        [("行政规范性文件", 60.0), ("5", 300.0), ("0", 380.0), ("40", 460.0)],
        [("信息内容", 60.0), ("本年制发件数", 300.0), ("本年废止件数", 380.0), ("现行有效件数", 460.0)],
        [("规章", 60.0), ("3", 300.0), ("1", 380.0), ("12", 460.0)],
    ]
    cells = _cells(lines, [100.0, 136.0, 136.0 + WIDE], "二、主动公开政府信息情况")
    assert (cells["sec2.regulations.issued"], cells["sec2.regulations.repealed"], cells["sec2.regulations.in_force"]) == (3, 1, 12)
    assert cells["sec2.normative_documents.in_force"] == 40


def test_a_label_left_of_its_own_rows_values_is_a_label_over_other_rows_columns():
    """Rows printed each as a table of its own, centred alike but with labels of different widths: the
    second row's sub-label ``（一）予以公开`` stands over the first row's value columns, yet left of its
    own row's values on their line, so it is that row's label, never a value cell's text."""
    lines = [
        [("一、本年新收", 60.0), ("1", 140.0), ("2", 160.0), ("3", 180.0), ("6", 200.0)],
        [("三、本年度办理结果", 60.0), ("（一）予以公开", 165.0), ("4", 250.0), ("5", 270.0), ("7", 290.0), ("16", 310.0)],
    ]
    (table,), _ = _tables(_page(lines, tops=[100.0, 100.0 + PITCH]))
    row = next(row for row in table if "16" in row)
    assert row[0] == "三、本年度办理结果（一）予以公开"
    assert all(text == "" or text.isdigit() for text in row[1:])
    assert [text for text in row if text.isdigit()] == ["4", "5", "7", "16"]


def test_units_wrapped_onto_the_labels_line_leave_its_values_values():
    """Narrow columns wrap ``4`` and ``5`` over their ``件``, and the units fall on the label's line between
    the one-line values ``0`` and ``9件``: a unit is no label, so that line's numbers are the row's values,
    placed by their columns like any other, and nothing is lost."""
    lines = [
        [("项目", 60.0), ("甲", 300.0), ("乙", 350.0), ("丙", 400.0), ("合计", 450.0)],
        _row("一、本年新收", ["1", "2", "3", "6"]),
        [("4", 300.0), ("5", 400.0)],
        [("二、上年结转", 60.0), ("0", 350.0), ("9件", 450.0)],
        [("件", 300.0), ("件", 400.0)],
    ]
    blocks, _ = assemble([_page(lines, tops=[100.0, 130.0, 153.0, 162.0, 165.0])], LayoutSettings())
    (table,) = [b for b in blocks if isinstance(b, Table)]
    texts = [[c.text for c in row] for row in table.rows]
    row = next(r for r, cells in enumerate(texts) if "9件" in cells)
    assert texts[row][0] == "二、上年结转" and texts[row][-4:] == ["4件", "0", "5件", "9件"]
    assert not any(r == row for r, _ in table.lost_cells)


def test_the_end_of_a_label_above_the_next_rows_numbered_label_is_not_that_rows():
    """Set wide, the last line of 2.'s label (``公开申请``) stands nearer 3.其他's values than its own; a
    numbered label starts its row's label, so a line above it in its column ends the label above."""
    lines = [
        [("项目", 60.0), ("甲", 300.0), ("乙", 350.0), ("丙", 400.0), ("合计", 450.0)],
        _row("2.申请人逾期", ["1", "2", "3", "6"]),
        [("未按收费通知", 60.0)],
        [("公开申请", 60.0)],
        _row("3.其他", ["4", "5", "6", "15"]),
    ]
    tops = [100.0, 100.0 + 19, 100.0 + 19 + WIDE, 100.0 + 19 + 2 * WIDE, 100.0 + 19 + 3 * WIDE]
    (table,), _ = _tables(_page(lines, tops=tops))
    assert _label_of(table, "15") == "3.其他"


def test_a_numbered_heading_under_the_last_row_is_no_part_of_it():
    """``三、收到和处理…`` (a heading shorter than the page's text lines) starts under the last row's values,
    as near as a wrapped line: a numbered label's values stand on its line or below, and no row is
    below, so it is a row of its own."""
    lines = [
        [("本机关全年主动公开政府信息，依申请公开政府信息，均在法定期限内答复，未发生行政复议和行政诉讼。", 60.0)],
        [("行政强制", 60.0), ("4", 300.0)],
        [("行政事业性收费", 60.0), ("5", 300.0)],
        [("三、收到和处理政府信息公开申请情况", 60.0)],
    ]
    (table,), _ = _tables(_page(lines, tops=[40.0, 100.0, 140.0, 140.0 + WIDE]))
    assert _label_of(table, "5") == "行政事业性收费"


def test_a_numbered_label_above_its_rows_values_over_other_rows_columns_is_that_rows():
    """Rows printed each as a table of its own: ``1.申请人无正当`` wraps above its row's values, right of
    where the row above prints its values; a numbered label left of its own row's values is that row's
    label, not a heading of the columns it happens to stand over."""
    lines = [
        [("2.重复申请", 60.0), ("1", 130.0), ("2", 145.0), ("3", 160.0), ("6", 175.0)],
        [("1.申请人无正当", 150.0)],
        [("(六)其他", 60.0), ("行政机关不再处理", 150.0), ("4", 250.0), ("5", 270.0), ("7", 290.0), ("16", 310.0)],
        [("请", 150.0)],
    ]
    (table,), _ = _tables(_page(lines, tops=[100.0, 130.0, 142.0, 154.0]))
    assert "1.申请人无正当" in _label_of(table, "16") and "行政机关不再处理" in _label_of(table, "16")
    assert not any("1.申请人无正当" in text for row in table if "16" not in row for text in row)
