"""Tables printed without rulings, rebuilt from where their words stand (``extract.convert.alignment``).

Pages are made of glyph boxes directly, as a PDF's text layer gives them, so each case states its
layout exactly: a blank cell prints nothing, and its value must stay null, never slide into it.
"""

from __future__ import annotations

from extract.convert.geometry import Glyph, LayoutSettings, PageContent
from extract.convert.layout import assemble
from extract.convert.segment import Segment, glued_value_off_label, segments, split_at_columns
from extract.document import Paragraph, Table

SIZE = 10.0  # glyph height and CJK advance, in points


def _text(text: str, x: float, top: float) -> list[Glyph]:
    """Glyphs of ``text`` from ``x``: CJK one em wide, digits half."""
    out = []
    for ch in text:
        width = SIZE if ord(ch) > 0x2E80 else SIZE / 2
        out.append(Glyph(ch, x, top, x + width, top + SIZE))
        x += width
    return out


def _page(
    rows: list[list[tuple[str, float]]], *, top: float = 100.0, pitch: float = 30.0, number: int = 1,
    tops: list[float] | None = None,
) -> PageContent:
    glyphs = []
    for r, row in enumerate(rows):
        for text, x in row:
            glyphs += _text(text, x, tops[r] if tops else top + r * pitch)
    return PageContent(number=number, width=595, height=842, glyphs=glyphs, edges=[])


COLUMNS = (300.0, 350.0, 400.0, 450.0)  # left edges of four value columns


def _row(label: str, values: list[str | None]) -> list[tuple[str, float]]:
    return [(label, 60.0)] + [(v, x) for v, x in zip(values, COLUMNS) if v is not None]


def _tables(pages: list[PageContent]) -> tuple[list[list[list[str]]], list[str]]:
    blocks, warnings = assemble(pages, LayoutSettings())
    return [[[c.text for c in row] for row in b.rows] for b in blocks if isinstance(b, Table)], warnings


def test_a_blank_cell_stays_blank_and_values_keep_their_columns():
    page = _page([
        [("项目", 60.0), ("甲", 300.0), ("乙", 350.0), ("丙", 400.0), ("合计", 450.0)],
        _row("第一行", ["1", "2", "3", "6"]),
        _row("第二行", ["4", None, "5", "9"]),  # 乙 is blank in this row
        _row("第三行", [None, "7", None, "7"]),
    ])
    (table,), warnings = _tables([page])
    assert [row[-4:] for row in table] == [
        ["甲", "乙", "丙", "合计"], ["1", "2", "3", "6"], ["4", "", "5", "9"], ["", "7", "", "7"],
    ]
    assert [row[0] for row in table[1:]] == ["第一行", "第二行", "第三行"]
    assert warnings == []


def test_a_column_blank_in_every_row_keeps_its_header_band():
    page = _page([
        [("项目", 60.0), ("甲", 300.0), ("乙", 350.0), ("丙", 400.0), ("合计", 450.0)],
        _row("第一行", ["1", None, "3", "4"]),
        _row("第二行", ["5", None, "6", "11"]),
    ])
    (table,), _ = _tables([page])
    assert [row[-4:] for row in table[1:]] == [["1", "", "3", "4"], ["5", "", "6", "11"]]


def test_a_value_over_two_columns_is_loose_never_witnessed():
    """A value run over two columns its row has no other value in keeps its place among the row's values
    (after 8) but not its column: it stands in the first of them, loose (``extract.placement`` keeps it
    only where the template's sums leave one placement), and joins no columns."""
    rows = [
        _row("第一行", ["1", "2", "3", "6"]),
        _row("第二行", ["4", "5", "6", "15"]),
        [("第三行", 60.0), ("8", 300.0), ("777777777777", 352.0)],  # runs over 乙 into 丙
        _row("第四行", ["1", "2", "3", "6"]),
    ]
    blocks, _ = assemble([_page(rows)], LayoutSettings())
    (table,) = [b for b in blocks if isinstance(b, Table)]
    texts = [[c.text for c in row] for row in table.rows]
    assert texts[2][-4:] == ["8", "777777777777", "", ""]
    assert texts[3][-4:] == ["1", "2", "3", "6"]  # the long value joined no columns
    width = len(texts[2])
    assert (2, width - 3) in table.loose_cells and not table.lost_cells


def test_prose_with_numbers_is_not_a_table():
    line = [("全年主动公开政府信息", 60.0), ("34", 172.0), ("条，其中规范性文件", 186.0), ("19", 282.0), ("件。", 295.0)]
    page = _page([line, [("各项工作有序推进，公开内容更加丰富。", 60.0)]])
    blocks, _ = assemble([page], LayoutSettings())
    assert not any(isinstance(b, Table) for b in blocks)
    assert any(isinstance(b, Paragraph) and "34" in b.text for b in blocks)


def test_a_label_wrapped_over_two_lines_joins_its_row():
    page = _page([
        [("项目", 60.0), ("甲", 300.0), ("乙", 350.0), ("丙", 400.0), ("合计", 450.0)],
        [("一、本年新收政府信息", 60.0)],
        [("公开申请数量", 60.0), ("1", 300.0), ("2", 350.0), ("3", 400.0), ("6", 450.0)],
        _row("二、上年结转", ["0", "0", "0", "0"]),
    ], tops=[100.0, 124.0, 136.0, 166.0])
    (table,), _ = _tables([page])
    assert ["一、本年新收政府信息公开申请数量", "1", "2", "3", "6"] in [[c for c in row if c] for row in table]


def test_a_table_continued_on_the_next_page_keeps_its_columns():
    first = _page([
        [("项目", 60.0), ("甲", 300.0), ("乙", 350.0), ("丙", 400.0), ("合计", 450.0)],
        _row("第一行", ["1", "2", "3", "6"]),
        _row("第二行", ["1", "1", "1", "3"]),
    ], top=700.0)
    second = _page([_row("第三行", [None, "2", None, "2"]), _row("第四行", ["4", None, None, "4"])], top=60.0, number=2)
    (table,), _ = _tables([first, second])
    assert [row[-4:] for row in table[3:]] == [["", "2", "", "2"], ["4", "", "", "4"]]


def test_rows_set_tight_keep_their_own_labels():
    page = _page([
        [("项目", 60.0), ("甲", 300.0), ("乙", 350.0), ("丙", 400.0), ("合计", 450.0)],
        _row("第一行", ["1", "2", "3", "6"]),
        _row("第二行", ["4", "5", "6", "15"]),
        _row("第三行", ["7", "8", "9", "24"]),
    ], pitch=12.0)
    (table,), _ = _tables([page])
    assert [[c for c in row if c] for row in table[1:]] == [
        ["第一行", "1", "2", "3", "6"], ["第二行", "4", "5", "6", "15"], ["第三行", "7", "8", "9", "24"],
    ]


def test_a_sum_that_fails_on_a_borderless_table_leaves_its_cells_null():
    """The template's row total catches a value moved into the wrong column; ruled tables keep theirs."""
    from extract.crosscheck import distrust_inferred_columns
    from extract.document import Document
    from extract.record import CellSource
    from extract.templates import SEC3_COLUMNS

    row = dict(zip(SEC3_COLUMNS, (5, 1, None, None, None, 2, 8)))  # 5+1+2 = 8: holds, blanks as zero
    wrong = dict(zip(SEC3_COLUMNS, (5, 2, None, None, None, None, 1)))  # a value slid: 5+2 != 1
    cells = {f"sec3.new_received.{k}": v for k, v in row.items()}
    cells |= {f"sec3.granted.{k}": v for k, v in wrong.items()}
    sources = {key: CellSource(page=1, table=0, row=1, col=1) for key in cells}
    for ruled, expected_null in ((True, 0), (False, 3)):
        doc = Document(blocks=[Table(rows=[], page=1, index=0, ruled=ruled)], source_format="pdf")
        copy = dict(cells)
        warnings = distrust_inferred_columns(copy, sources, doc, "2021")
        nulled = [k for k in cells if cells[k] is not None and copy[k] is None]
        assert len(nulled) == expected_null and all(k.startswith("sec3.granted.") for k in nulled)
        assert bool(warnings) == (not ruled)


def test_a_blank_read_from_a_borderless_table_is_named():
    """A blank prints nothing: in a table without rulings it cannot be told from a value not placed."""
    from extract.crosscheck import distrust_inferred_columns
    from extract.document import Document
    from extract.record import CellSource

    cells = {"sec4.review.upheld": None, "sec4.review.total": 0, "sec2.fees.amount_10k_yuan": None}
    sources = {key: CellSource(page=1, table=0, row=1, col=1) for key in cells}
    sources["sec2.fees.amount_10k_yuan"] = CellSource(page=1, table=1, row=1, col=1)
    doc = Document(blocks=[Table(rows=[], page=1, index=0, ruled=False), Table(rows=[], page=1, index=1)],
                   source_format="pdf")
    warnings = distrust_inferred_columns(cells, sources, doc, "2021")
    assert any("sec4.review.upheld" in w for w in warnings)
    assert not any("sec2.fees" in w or "sec4.review.total" in w for w in warnings)  # ruled, or read


def test_a_table_cut_by_a_page_break_gets_its_missing_ruling_back():
    """LibreOffice draws no ruling where a page break cuts a table: the row at the top of the next page
    has its bottom ruling and its vertical rulings only, which end level at the cut."""
    from extract.convert.geometry import Edge
    from extract.convert.rulings import find_tables

    edges = [Edge(True, 60.0, 100.0, 300.0)]  # the row's bottom ruling
    edges += [Edge(False, x, 20.0, 60.0) for x in (100.0, 200.0, 300.0)]  # verticals from the cut at 20
    (grid,) = find_tables(edges, LayoutSettings())
    assert grid.ys == [20.0, 60.0] and grid.xs == [100.0, 200.0, 300.0]
    ragged = [Edge(True, 60.0, 100.0, 300.0), Edge(False, 100.0, 20.0, 60.0), Edge(False, 300.0, 35.0, 60.0)]
    assert find_tables(ragged, LayoutSettings()) == []  # ends not level: no ruling is made up


def test_a_table_with_other_columns_after_headings_is_a_table_of_its_own():
    """Section 四's row of values under its headings, straight after section 三's rows: its values stand
    in the gaps of the table above (one a glyph left of a column), and must not make columns there."""
    lower = [("1", 280.0), ("2", 325.0), ("3", 340.0), ("4", 388.0), ("5", 410.0), ("15", 470.0)]
    page = _page([
        [("项目", 60.0), ("甲", 300.0), ("乙", 350.0), ("丙", 400.0), ("合计", 450.0)],
        _row("第一行", ["1", "2", "3", "6"]),
        _row("第二行", ["12", "5", "30", "47"]),
        _row("第三行", ["4", None, "5", "9"]),
        [("四、其他情况", 60.0)],
        [("甲乙", 280.0), ("丙", 410.0)],
        lower,
    ])
    (upper, below), _ = _tables([page])
    assert [row[-4:] for row in upper] == [
        ["甲", "乙", "丙", "合计"], ["1", "2", "3", "6"], ["12", "5", "30", "47"], ["4", "", "5", "9"],
    ]
    assert len(upper[0]) == 5  # one label column and four value columns, none made by the table below
    assert [text for text, _ in lower] == [c for c in below[-1] if c][-6:]


def test_a_narrower_table_above_a_wider_one_under_its_headings_is_cut_from_it():
    """Section 二's rows of three values, then section 三's headings and rows of more values than that:
    its columns stand in the gaps of the table above and must not mix with them."""
    wide = (250.0, 290.0, 330.0, 370.0, 410.0)
    page = _page([
        [("项目", 60.0), ("甲", 200.0), ("乙", 300.0), ("丙", 400.0)],
        [("第一项", 60.0), ("1", 200.0), ("0", 300.0), ("32", 400.0)],
        [("第二项", 60.0), ("2", 200.0), ("-3", 300.0), ("463", 400.0)],
        [("三、情况", 60.0), ("申请人", 250.0), ("总计", 410.0)],
        [("第三项", 60.0)] + [(v, x) for v, x in zip(["6", "0", "1", "10", "17"], wide)],
        [("第四项", 60.0)] + [(v, x) for v, x in zip(["0", "12", "0", "1", "13"], wide)],
    ])
    (upper, lower), _ = _tables([page])
    assert [row[-3:] for row in upper] == [["甲", "乙", "丙"], ["1", "0", "32"], ["2", "-3", "463"]]
    assert [row[-5:] for row in lower[-2:]] == [["6", "0", "1", "10", "17"], ["0", "12", "0", "1", "13"]]


def test_rows_of_one_table_blank_in_other_columns_above_and_below_stay_one_table():
    """Upper rows leave 乙 blank, lower rows 丙, with only a wrapped label between: one table, each
    value in its own column (cut apart, the lower rows would lose 丙's column and their values slide)."""
    page = _page([
        [("项目", 60.0), ("甲", 300.0), ("乙", 350.0), ("丙", 400.0), ("合计", 450.0)],
        _row("第一行", ["1", None, "3", "4"]),
        _row("第二行", ["12", None, "30", "42"]),
        [("第三行很长的", 60.0)],
        _row("标签", ["4", "5", None, "9"]),
        _row("第四行", ["7", "17", None, "24"]),
    ])
    (table,), _ = _tables([page])
    assert [row[-4:] for row in table if any(row[-4:])][-4:] == [
        ["1", "", "3", "4"], ["12", "", "30", "42"], ["4", "5", "", "9"], ["7", "17", "", "24"],
    ]


def test_a_narrow_label_column_touching_the_next_keeps_each_label_in_its_column():
    # A narrow column's ``（五）不`` ends exactly where the next column's wrapped ``版物`` begins (glyph
    # boxes are advance boxes): the next column's edge, where three other labels start, cuts them apart.
    page = _page([
        [("项目", 60.0), ("甲", 300.0), ("乙", 350.0), ("丙", 400.0), ("合计", 450.0)],
        [("1.甲类申请", 100.0), ("1", 300.0), ("0", 350.0), ("0", 400.0), ("1", 450.0)],
        [("2.乙类申请", 100.0), ("0", 300.0), ("2", 350.0), ("0", 400.0), ("2", 450.0)],
        [("3.要求提供公开出", 100.0), ("0", 300.0), ("0", 350.0), ("3", 400.0), ("3", 450.0)],
        [("（五）不", 60.0), ("版物", 100.0)],
        [("4.其他申请", 100.0), ("4", 300.0), ("0", 350.0), ("0", 400.0), ("4", 450.0)],
        [("予处理", 60.0)],
    ], tops=[70.0, 100.0, 130.0, 160.0, 172.0, 190.0, 196.0])
    (table,), _ = _tables([page])
    rows = [[c for c in row if c] for row in table]
    assert ["3.要求提供公开出版物", "0", "0", "3", "3"] in rows
    assert not any("不版" in c for row in rows for c in row)


def test_a_label_running_into_its_first_value_is_cut_before_the_value():
    # ``…情形) 0``: a word gap (wider than a space, narrower than a cell gap) before a number that ends a
    # label. A label that counts on with its number (``第 3``) keeps it.
    def line(label: str, value: str) -> list[Glyph]:
        head = _text(label, 60.0, 100.0)
        return head + _text(value, head[-1].x1 + 0.35 * SIZE, 100.0)

    assert [s.text for s in segments(line("不计其他情形)", "0"))] == ["不计其他情形)", "0"]
    assert [s.text for s in segments(line("（二）部分公开", "12"))] == ["（二）部分公开", "12"]
    assert [s.text for s in segments(line("第", "3"))] == ["第 3"]
    assert [s.text for s in segments(_text("一、本年新收政府信息公开申请数量", 60.0, 100.0))] == ["一、本年新收政府信息公开申请数量"]


def test_a_value_touching_a_line_of_its_wrapped_label_is_cut_off():
    # ``…不计其`` + ``5`` with no gap (the label goes on with ``他情形）`` below): the digits after the
    # label's last Chinese character are a value. ``第3`` counts on with its number; a number alone stays one.
    def texts(glyphs: list[Glyph]) -> list[str]:
        return [s.text for s in glued_value_off_label(Segment(glyphs))]

    assert texts(_text("只计这一情形，不计其5", 60.0, 100.0)) == ["只计这一情形，不计其", "5"]
    assert texts(_text("行政机关不12", 60.0, 100.0)) == ["行政机关不", "12"]
    assert texts(_text("第3", 60.0, 100.0)) == ["第3"]
    assert texts(_text("2024", 60.0, 100.0)) == ["2024"]
    assert texts(_text("1.属于国家秘密", 60.0, 100.0)) == ["1.属于国家秘密"]


def test_a_row_whose_long_label_fills_the_line_like_prose_stays_in_its_table():
    # Words over 70% of the text's width make a line prose, unless it ends in three values or more apart.
    long_label = "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请的情形"
    xs = (440.0, 480.0, 520.0, 560.0)

    def row(label: str, values: list[str]) -> list[tuple[str, float]]:
        return [(label, 60.0)] + list(zip(values, xs))

    page = _page([
        row("项目", ["甲", "乙", "丙", "合计"]),
        row("1.第一行", ["1", "2", "3", "6"]),
        row(long_label, ["0", "1", "0", "1"]),
        row("3.第三行", ["4", "0", "0", "4"]),
    ])
    (table,), _ = _tables([page])
    assert [[c for c in r if c] for r in table] == [
        ["项目", "甲", "乙", "丙", "合计"], ["1.第一行", "1", "2", "3", "6"], [long_label, "0", "1", "0", "1"],
        ["3.第三行", "4", "0", "0", "4"],
    ]


def test_condensed_labels_of_two_columns_are_cut_at_a_witnessed_edge():
    # Text condensed into a narrow column sets its glyphs a tenth of a point over each other: ``（五）`` and
    # the next column's ``开出版物`` still meet at that column's edge, where three other labels start.
    def condensed(text: str, x: float, overlap: float) -> list[Glyph]:
        out = []
        for ch in text:
            out.append(Glyph(ch, x, 100.0, x + SIZE, 100.0 + SIZE))
            x += SIZE - overlap
        return out

    edge = 60.0 + 3 * (SIZE - 0.1)
    seg = Segment(condensed("（五）开出版物", 60.0, 0.1))
    assert [s.text for s in split_at_columns(seg, [60.0, edge], [edge] * 3)] == ["（五）", "开出版物"]
    assert [s.text for s in split_at_columns(seg, [60.0, edge], [edge])] == ["（五）开出版物"]  # one witness
    far = Segment(condensed("（五）开出版物", 60.0, 1.0))  # glyphs a point over each other: one label
    assert [s.text for s in split_at_columns(far, [60.0, 60.0 + 3 * (SIZE - 1.0)], [60.0 + 3 * (SIZE - 1.0)] * 3)] == [
        "（五）开出版物"]
