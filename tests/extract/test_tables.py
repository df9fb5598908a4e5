"""The table interpreter on rows as PDF converters deliver them (cells made by hand, values from the row)."""

from __future__ import annotations

from extract.document import Cell
from extract.tables import TableInterpreter
from extract.templates import SEC4_CELLS

# Section 四's one row of values, as printed: review 0 1 1 0 2, direct suits 1 0 0 0 1, after review 0 × 5.
SEC4_ROW = (0, 1, 1, 0, 2, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0)


def _row(texts: list[str]) -> list[Cell]:
    return [Cell(text, page=6, table=6, row=4, col=i) for i, text in enumerate(texts)]


def test_section_four_values_under_headings_printed_one_character_a_line() -> None:
    """LibreOffice's PDF prints the last characters of 结果纠正/其他结果/尚未审结 over the first values."""
    texts = [str(v) for v in SEC4_ROW]
    texts[1], texts[2], texts[3] = "正\n1", "果\n1", "结\n0"
    interpreter = TableInterpreter("2021")
    interpreter.feed(_row(["结果\n维", "结\n果", "其\n他", "尚\n未", "总\n计"]), "sec4")
    interpreter.feed(_row(texts), "sec4")
    reading = interpreter.finish()
    assert [reading.cells.get(cell) for cell in SEC4_CELLS] == list(SEC4_ROW)
    assert reading.sources[SEC4_CELLS[1]].col == 1  # the column it stands in, not one to the left


def test_section_four_row_with_a_value_it_cannot_read_is_left_null() -> None:
    """A number mixed into a longer text cannot be told from its heading: nothing is shifted, all null."""
    texts = [str(v) for v in SEC4_ROW]
    texts[2] = "其他结果\n1"
    interpreter = TableInterpreter("2021")
    interpreter.feed(_row(texts), "sec4")
    reading = interpreter.finish()
    assert not any(reading.cells.get(cell) is not None for cell in SEC4_CELLS)
    assert any("section 四" in warning and "left null" in warning for warning in reading.warnings)


def test_a_misread_value_is_null_and_named_not_taken_for_the_label() -> None:
    """OCR read 1 as 工: 行政规范性文件 | 工 | 0 | 1 keeps 0 and 1 in their columns, the first cell null."""
    interpreter = TableInterpreter("2021")
    interpreter.feed(_row(["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]), "sec2")
    interpreter.feed(_row(["行政规范性文件", "工", "0", "1"]), "sec2")
    reading = interpreter.finish()
    key = "sec2.normative_documents"
    assert [reading.cells.get(f"{key}.{c}") for c in ("issued", "repealed", "in_force")] == [None, 0, 1]
    assert any(warning.startswith(f"{key}.issued: '工'") for warning in reading.warnings)


def test_a_label_spread_over_two_cells_is_still_a_label() -> None:
    """规章 | (continued) | 0 | 0 | 0 has one cell more than the row's values: the second cell is label text."""
    interpreter = TableInterpreter("2021")
    interpreter.feed(_row(["规章", "说明", "2", "0", "5"]), "sec2")
    reading = interpreter.finish()
    key = "sec2.regulations"
    assert [reading.cells.get(f"{key}.{c}") for c in ("issued", "repealed", "in_force")] == [2, 0, 5]


def test_template_told_by_its_column_labels_or_by_the_circular_it_cites() -> None:
    """Markers are found with whitespace gone (a PDF breaks 本年制发件数 over lines); a circular cited with
    full-width digits breaks a tie; the markers themselves are Chinese words only, so need no folding."""
    from extract.parse import _searchable, detect_template
    from extract.templates import TABLE_TEMPLATES, get

    assert detect_template(_searchable("信息内容  本年制发\n件数  本年废止件数  现行有效件数")) == "2021"
    assert detect_template(_searchable("本年新制作\r\n数量　本年新公开数量")) == "2019"
    assert detect_template(_searchable("根据国办公开办函〔２０１９〕６０号的要求")) == "2019"
    assert detect_template(_searchable("根据国办公开办函〔2021〕30号的要求")) == "2021"
    for version in TABLE_TEMPLATES:
        assert all("\u4e00" <= ch <= "\u9fff" for marker in get(version).markers for ch in marker)


def test_section_four_row_wider_than_fifteen_cells_starts_where_the_group_totals_hold() -> None:
    """Case 01's row as LibreOffice's PDF of one-row tables gives it: 17 cells, blank at both ends. Hand-read:
    复议 5 · · 2 7, 直接起诉 8 · · 1 9, 复议后起诉 blank. Starting one cell later is the only start where
    each group's total is the sum of its parts."""
    texts = ["", "5", "", "", "2", "7", "8", "", "", "1", "9", "", "", "", "", "", ""]
    interpreter = TableInterpreter("2019")
    interpreter.feed(_row(texts), "sec4")
    reading = interpreter.finish()
    assert [reading.cells.get(cell) for cell in SEC4_CELLS] == [5, None, None, 2, 7, 8, None, None, 1, 9] + [None] * 5
    assert reading.sources[SEC4_CELLS[0]].col == 1


def test_section_four_row_whose_start_the_totals_cannot_pick_is_left_null() -> None:
    """Sixteen cells, blank at both ends, every group 0 = 0: '0' could stand in any of two columns."""
    interpreter = TableInterpreter("2021")
    interpreter.feed(_row([""] + ["0"] * 14 + [""]), "sec4")
    reading = interpreter.finish()
    assert not any(reading.cells.get(cell) is not None for cell in SEC4_CELLS)
    assert any("could start at more than one place" in warning for warning in reading.warnings)


def test_a_row_label_with_one_character_misread_by_ocr_still_names_its_row() -> None:
    """OCR read 属于行政查询事项 as 属于行政得询事项: one character of a four-character signature word."""
    texts = ["8. 属于行政得询\n事项", "1", "0", "0", "0", "0", "0", "1"]
    interpreter = TableInterpreter("2021")
    interpreter.feed([Cell(t, page=5, table=3, row=6, col=i, ocr_confidence=90.0) for i, t in enumerate(texts)], "sec3")
    reading = interpreter.finish()
    assert reading.cells.get("sec3.denied_query_item.natural_person") == 1
    assert reading.cells.get("sec3.denied_query_item.total") == 1
    interpreter = TableInterpreter("2021")  # a text layer prints the words it means: no near match
    interpreter.feed(_row(texts), "sec3")
    assert interpreter.finish().cells.get("sec3.denied_query_item.natural_person") is None


def test_a_label_two_characters_from_every_row_names_none() -> None:
    """不予公开 is two characters from 予以公开 (granted): a heading, never granted's row."""
    from extract.labels import sec3_key, sec3_near_key

    assert sec3_near_key("不予公开", "2021") is None
    assert sec3_near_key("属于行政得询事项", "2021") == "denied_query_item"
    assert sec3_key("属于行政得询事项", "2021") is None
    assert sec3_near_key("属于行政得问事项", "2021") is None  # two characters of each word misread


def test_an_ocr_label_whose_words_were_lost_names_its_row_by_its_first_words_only() -> None:
    """``1.申请人无正当理由逾期不补正…`` wrapped beside ``(六)其他处理`` printed hard against it, read as
    ``…理由斋他处理”再处理…``: its first eight characters begin one row's label only (2021 template). A
    text layer's label, a shorter start, a heading's start, or a label naming a row by its words
    otherwise, is never named so."""
    from extract.labels import sec3_key, sec3_near_key

    misread = "1.申请人无正当理由斋他处理”再处理其政府信息公开"
    assert sec3_near_key(misread, "2021") == "other_overdue_correction"
    assert sec3_key(misread, "2021") is None
    assert sec3_near_key(misread, "2019") is None  # the 2019 template has no such row
    assert sec3_near_key("1.申请人无正当理", "2021") is None
    assert sec3_near_key("申请人情况自然人法人或其他组织", "2021") is None  # 申请人 begins no row's 8
    assert sec3_near_key("2.申请人斋期未按收费通知要求缴纳费用", "2021") == "other_overdue_fee"  # by its words


def test_a_section_two_label_with_one_character_misread_names_its_row_only_when_one_row_is_that_near() -> None:
    """OCR reads 行政处罚 as 行政处避: one character from 行政处罚, two from 行政许可 and 行政强制, so only
    处罚's row is that near; 行政处制 is one character from both 处罚 and 强制 and names neither."""
    from extract.labels import sec2_key, sec2_near_key

    assert sec2_key("行政处\n避", "2021") is None
    assert sec2_near_key("行政处\n避", "2021") == "penalty"
    assert sec2_near_key("行政强刺", "2021") == "coercion"
    assert sec2_near_key("行政处制", "2021") is None
    assert sec2_near_key("规草", "2021") is None  # a two-character name: one misread leaves nothing to tell by


def _band_row(texts: list[str], row: int) -> list[Cell]:
    return [Cell(text, page=5, table=3, row=row, col=i) for i, text in enumerate(texts)]


def test_a_table_cut_at_the_page_edge_places_values_by_their_headings() -> None:
    """A table without rulings that the page's right edge cuts (legal_service … total past it), printed in
    one block with another table's column (col 1) before its own: its rows have as many cells as the
    page shows, and counting them from either end puts 821 under another heading. The headings place
    them; the columns with no heading on the page are null and named, never blank."""
    interpreter = TableInterpreter("2021", unruled={3})
    heads = ["", "", "自然人", "商业企业", "科研机构", "社会公益组织"]
    interpreter.feed(_band_row(heads, 0), "sec3")
    interpreter.feed(_band_row(["一、本年新收政府信息公开申请数量", "", "821", "35", "", ""], 1), "sec3")
    interpreter.feed(_band_row(["二、上年结转政府信息公开申请数量", "", "18", "", "", ""], 2), "sec3")
    reading = interpreter.finish()
    row = {column: reading.cells.get(f"sec3.new_received.{column}") for column in
           ("natural_person", "commercial", "research", "social_welfare")}
    assert row == {"natural_person": 821, "commercial": 35, "research": None, "social_welfare": None}
    assert reading.raw["sec3.new_received.research"] == ""  # printed blank under its heading
    assert reading.cells.get("sec3.carried_over.natural_person") == 18
    off = {f"sec3.{r}.{c}" for r in ("new_received", "carried_over") for c in ("legal_service", "other_org", "total")}
    assert off <= reading.off_page
    assert not any(key in reading.raw for key in off)
    assert all(any(key in w and "not on the page" in w for w in reading.warnings) for key in off)


def test_headings_place_nothing_in_a_grid_read_from_a_word_processor_file() -> None:
    """A ruled grid's rows number their cells apart (a merged label counts once): there the row is read
    as counted, as before."""
    interpreter = TableInterpreter("2021")
    interpreter.feed(_band_row(["", "", "自然人", "商业企业", "科研机构", "社会公益组织"], 0), "sec3")
    interpreter.feed(_band_row(["一、本年新收政府信息公开申请数量", "821", "35", "0", "0", "2", "1", "859"], 1), "sec3")
    reading = interpreter.finish()
    assert reading.cells.get("sec3.new_received.natural_person") == 821
    assert reading.cells.get("sec3.new_received.total") == 859
    assert not reading.off_page
