"""OCR of the layouts the real pages and seeds take as page images (issue 10): what is on the image is read,
what is not is null and named, never guessed.

Each case is stated directly: a ``Document`` as the OCR converter hands it over (cells with confidences),
or a page image drawn here with known rulings and no text, so the expected values come from the case's
own construction, never from the parser under test. The whole pages run in ``test_any_format.py`` and
``benchmarks/extract_bench.py``.
"""

from __future__ import annotations

from extract.convert.continuation import _same_row
from extract.document import Cell, Document, Paragraph, Table
from extract.parse import parse_document
from extract.templates import SEC4_CELLS


def _ocr_row(values: list[str], row: int, table: int = 0, page: int = 1) -> list[Cell]:
    """A table row as OCR reads it: a read cell carries its confidence, a blank one none."""
    return [Cell(text, page=page, table=table, row=row, col=c, ocr_confidence=95.0 if text else None)
            for c, text in enumerate(values)]


def test_section_four_ending_in_blank_cells_is_read_to_its_end():
    """Case 01's section 四 prints 5 _ _ 2 7 | 8 _ _ 1 9 | _ _ _ _ _: fifteen cells, the last five blank.
    Its trailing blanks were dropped as padding, so OCR took the row for one that lost values (a number
    read as a word shifts them) and left all fifteen null. Read as a grid of fifteen, it is whole."""
    printed = ["5", "", "", "2", "7", "8", "", "", "1", "9", "", "", "", "", ""]
    heads = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3
    doc = Document(
        blocks=[
            Paragraph("某市人民政府办公厅2023年政府信息公开工作年度报告", page=1),
            Paragraph("四、政府信息公开行政复议、行政诉讼情况", page=1),
            Table(rows=[_ocr_row(heads, 0), _ocr_row(printed, 1)], page=1, index=0),
        ],
        source_format="image",
        ocr=True,
    )
    record = parse_document(doc)
    expected = [int(v) if v else None for v in printed]
    assert [record.cells.get(key) for key in SEC4_CELLS] == expected, record.warnings


def test_a_row_of_values_starting_a_page_is_no_repeated_header():
    """Case 01's section 二 table ends page 4 with 行政处罚 0 0 0 and goes on on page 5 with 行政强制 0 0 0.
    OCR readings of a header repeated on two pages differ a little, so they are compared loosely, and
    these two rows came out alike enough: 行政强制 was dropped as the header repeated. A row holding
    values is data; a header still matches its repeat as read on the next page."""
    ended = [Cell("行政处罚", ocr_confidence=83.0), *(Cell("0", ocr_confidence=96.0) for _ in range(3))]
    starts = [Cell("行政强制", ocr_confidence=96.0), *(Cell("0", ocr_confidence=96.0) for _ in range(3))]
    assert not _same_row(ended, starts, True)
    head = [Cell(t) for t in ("信息内容", "上一年项目数量", "本年增/减", "处理决定数量")]
    again = [Cell(t) for t in ("信息内容", "上一年项目数量", "本年增/碱", "处理决定数量")]
    assert _same_row(head, again, True)
