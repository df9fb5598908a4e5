"""Rows read from inferred columns are trusted only where their evidence agrees (issue 10: no wrong number).

A table without rulings (or a PDF's rows read as text lines) gives a row's values by where they stand;
where that evidence disagrees (a decimal cut apart, two rows' labels over one row of values, a row's
values taken from two printed rows, more values than the template's columns), the row is null and named,
never read with a neighbour's values. Each case's expected cells come from its layout as written here.
"""

from __future__ import annotations

from extract.convert.geometry import LayoutSettings
from extract.convert.layout import assemble
from extract.crosscheck import distrust_inferred_columns
from extract.document import Cell, Document, Table
from extract.record import CellSource
from extract.tables import TableInterpreter
from extract.templates import SEC3_COLUMNS
from tests.extract.test_alignment import _page, _row

HEADER = [("项目", 60.0), ("甲", 300.0), ("乙", 350.0), ("丙", 400.0), ("合计", 450.0)]


def _blocks(page):
    blocks, warnings = assemble([page], LayoutSettings())
    return [b for b in blocks if isinstance(b, Table)], warnings


def test_a_full_width_decimal_stays_one_value():
    """５３．７６ in full-width forms, its ７６ inside the column another row's １２３４ makes: the full-width
    point is part of the number, not a cell's edge (cut there, 76 was read for 53.76)."""
    page = _page([HEADER, _row("第一行", ["１２３４", "2", "3", "１２３９"]), _row("收费金额", ["５３．７６", None, None, None])])
    (table,), warnings = _blocks(page)
    assert [c.text for c in table.rows[-1]] == ["收费金额", "５３．７６", "", "", ""]
    assert warnings == []


def test_two_numbered_labels_over_one_row_of_values_lose_the_row():
    """二、's row is blank throughout, so it prints its label and nothing else, a line's leading above the
    next row's values (rows printed with no padding between them): it reaches them as a wrapped label
    would, beside 三、's own. Whose values they are is a guess: the row is lost (col -1) and named, and
    the row with a label of its own stands. (Apart by a row's padding, 二、 is a row of its own:
    ``test_row_extent``.)"""
    page = _page([
        HEADER,
        _row("一、本年新收", ["1", "2", "3", "6"]),
        [("二、上年结转", 60.0)],
        _row("三、本年办理", ["4", "5", "6", "15"]),
    ], tops=[100.0, 130.0, 158.0, 170.0])
    (table,), warnings = _blocks(page)
    first, crowded = (next(r for r, cells in enumerate(table.rows) if any(c.text == v for c in cells)) for v in ("1", "15"))
    assert (crowded, -1) in table.lost_cells
    assert not any(r == first for r, _ in table.lost_cells)
    assert any("'4 5 6 15'" in w and "between two numbered labels" in w for w in warnings)


def _cells(texts: list[str], row: int) -> list[Cell]:
    return [Cell(text, page=1, table=0, row=row, col=i) for i, text in enumerate(texts)]


def test_a_label_naming_two_section_two_rows_leaves_its_values_unread():
    interpreter = TableInterpreter("2021")
    interpreter.feed(_cells(["行政处罚行政强制", "1"], 1), "sec2")
    interpreter.feed(_cells(["行政许可", "7"], 2), "sec2")
    reading = interpreter.finish()
    assert "sec2.penalty.decisions" not in reading.cells and "sec2.coercion.decisions" not in reading.cells
    assert reading.cells["sec2.licensing.decisions"] == 7
    assert any("names two rows" in w for w in reading.warnings)


def test_label_cells_naming_two_rows_leave_their_values_unread():
    """``(七)总计 | 3.其他`` over one row of values: 总计's or 其他's, the row cannot tell."""
    interpreter = TableInterpreter("2021")
    interpreter.feed(_cells(["(七)总计", "3.其他", "91", "0", "0", "0", "0", "0", "91"], 1), "sec3")
    reading = interpreter.finish()
    assert not any(key.startswith(("sec3.other_misc.", "sec3.total_processed.")) for key in reading.cells)
    assert any("name 2 rows" in w for w in reading.warnings)


def test_a_numbered_line_is_never_the_end_of_the_label_above():
    """三、本年度办理结果 carried values and named no row; the next line, (二) 部分公开…, starts another row's
    label and must not take them."""
    interpreter = TableInterpreter("2021")
    interpreter.feed(_cells(["三、本年度办理结果", "20", "10", "1", "0", "0", "0", "31"], 1), "sec3")
    interpreter.feed(_cells(["(二) 部分公开(区分处理的, 只计这一情形, 不计其他情"], 2), "sec3")
    reading = interpreter.finish()
    assert not any(key.startswith("sec3.partially_granted.") for key in reading.cells)


def test_a_row_continued_on_the_next_line_is_spread_and_one_with_extra_values_overfull():
    interpreter = TableInterpreter("2021")
    interpreter.feed([Cell("行政规范性文件 1", page=1)], "sec2")
    interpreter.feed([Cell("0 1", page=1)], "sec2")
    interpreter.feed(_cells(["规章", "1", "0", "1", "5"], 3), "sec2")
    reading = interpreter.finish()
    assert reading.spread == {"sec2.normative_documents"}
    assert reading.overfull == {"sec2.regulations"}


ROW = tuple(f"sec3.granted.{c}" for c in SEC3_COLUMNS)


def _row_read(table: int | None) -> tuple[dict, dict]:
    cells = dict(zip(ROW, (5, 1, 0, 0, 0, 0, 6)))  # adds up: the sums cannot catch it
    return cells, {key: CellSource(page=1, table=table, row=None if table is None else 2, col=None) for key in cells}


def test_a_spread_or_overfull_row_of_inferred_columns_is_null_and_named():
    for table, fmt, ruled in ((0, "pdf", False), (None, "pdf", True)):
        for flags in ({"spread": {"sec3.granted"}}, {"overfull": {"sec3.granted"}}):
            cells, sources = _row_read(table)
            doc = Document([Table(rows=[], page=1, index=0, ruled=ruled)], fmt)
            warnings = distrust_inferred_columns(cells, sources, doc, "2021", {}, **flags)
            assert all(cells[key] is None for key in ROW), (table, flags)
            assert all(any(key in w for w in warnings) for key in ROW)


def test_ruled_tables_and_text_files_keep_a_spread_row():
    """A ruled grid's and a text file's row continued on the next line is a layout, not a doubt."""
    for table, fmt in ((0, "pdf"), (None, "text")):
        cells, sources = _row_read(table)
        doc = Document([Table(rows=[], page=1, index=0, ruled=True)], fmt)
        distrust_inferred_columns(cells, sources, doc, "2021", {}, spread={"sec3.granted"}, overfull={"sec3.granted"})
        assert cells == dict(zip(ROW, (5, 1, 0, 0, 0, 0, 6)))


def test_a_failing_row_sum_read_from_pdf_text_lines_is_null_and_named():
    """Section 四 read as lines of a PDF's text (no table found): a group total that fails says the values
    ran together or moved; in a text file the same failure is the report's own, and is kept."""
    group = ("upheld", "corrected", "other", "pending", "total")
    for fmt, kept in (("pdf", False), ("text", True)):
        cells = dict(zip((f"sec4.review.{c}" for c in group), (2, 0, 0, 3, 0)))
        warnings = distrust_inferred_columns(cells, {}, Document([], fmt), "2021", {})
        assert (cells["sec4.review.upheld"] == 2) == kept
        assert kept or any("sec4.review.upheld" in w for w in warnings)
