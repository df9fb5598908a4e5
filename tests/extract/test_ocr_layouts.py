"""OCR of the layouts the real pages and seeds take as page images (issue 10): what is on the image is read,
what is not is null and named, never guessed.

Each case is stated directly: a ``Document`` as the OCR converter hands it over (cells with confidences),
or a page image drawn here with known rulings and no text, so the expected values come from the case's
own construction, never from the parser under test. The whole pages run in ``test_any_format.py`` and
``benchmarks/extract_bench.py``.
"""

from __future__ import annotations

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
