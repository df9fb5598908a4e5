"""What OCR may pass on as a number: never a reading the glyphs do not support, never a marginal one no
sum confirms, never a value whose column is in doubt (``extract.convert.ocr_cells``, ``extract.crosscheck``).

The cases are stated directly (line images of a given size, cells with given sources), so each one says
exactly which reading or which record is at stake; the seed scans of ``test_convert_formats`` run the
same code end to end.
"""

from __future__ import annotations

from PIL import Image

from extract.convert.geometry import Glyph
from extract.convert.limits import DEFAULT_LIMITS
from extract.convert.ocr_cells import _PAD, _doubtful
from extract.crosscheck import distrust_inferred_columns
from extract.document import Document, Table
from extract.record import CellSource
from extract.templates import SEC3_COLUMNS, cell_ids


def _line(width: int, height: int) -> Image.Image:
    """A padded line image as ``read_cells`` hands it to tesseract: ``width`` × ``height`` of ink."""
    return Image.new("L", (width + 2 * _PAD, height + 2 * _PAD), 255)


def _word(text: str, conf: float) -> list[Glyph]:
    return [Glyph(text, 0, 0, 10, 10, conf)]


def test_an_ideograph_narrower_than_its_line_is_high_is_not_believed():
    """``1`` read as 工 at 95: one ideograph needs about as much width as the line's height."""
    assert _doubtful(_word("工", 95.0), _line(17, 27), DEFAULT_LIMITS)
    assert _doubtful(_word("了", 90.0), _line(22, 40), DEFAULT_LIMITS)


def test_digits_run_together_with_a_latin_letter_are_not_believed():
    """Case 01's 对外公开总数量 524 read as ``D24`` at 86: in a column of numbers, put to the vote."""
    assert _doubtful(_word("D24", 86.0), _line(60, 27), DEFAULT_LIMITS)
    assert not _doubtful(_word("自然人", 92.0), _line(130, 40), DEFAULT_LIMITS)


def test_a_heading_as_wide_as_its_words_is_kept():
    assert not _doubtful(_word("自然人", 92.0), _line(130, 40), DEFAULT_LIMITS)
    assert not _doubtful(_word("无", 95.0), _line(38, 40), DEFAULT_LIMITS)


def test_a_marginal_or_empty_reading_is_not_believed():
    assert _doubtful(_word("自然人", 60.0), _line(130, 40), DEFAULT_LIMITS)
    assert _doubtful([], _line(130, 40), DEFAULT_LIMITS)


def _ocr_doc() -> Document:
    return Document(blocks=[Table(rows=[], page=1, index=0)], source_format="ocr-pdf", ocr=True)


def _record(values: dict[str, int | None], confidence: dict[str, float]) -> tuple[dict, dict]:
    """Every template cell of the 2021 template read by OCR at 95, except those given."""
    cells = {key: 0 for key in cell_ids("2021")} | values
    sources = {key: CellSource(page=1, table=0, row=1, col=1, ocr=True, ocr_confidence=confidence.get(key, 95.0))
               for key in cells}
    return cells, sources


def test_a_marginal_value_no_sum_confirms_is_null_and_named():
    """Section 二 has no sum in one report: a value read at 67 cannot stand."""
    cells, sources = _record({"sec2.normative_documents.issued": 1}, {"sec2.normative_documents.issued": 67.0})
    warnings = distrust_inferred_columns(cells, sources, _ocr_doc(), "2021")
    assert cells["sec2.normative_documents.issued"] is None
    assert any("sec2.normative_documents.issued" in w for w in warnings)
    assert cells["sec2.normative_documents.in_force"] == 0  # read at 95: kept


def test_a_marginal_value_a_sum_confirms_is_kept():
    """A row total that holds confirms each of its cells, whatever their confidence."""
    row = dict(zip(SEC3_COLUMNS, (5, 1, 0, 0, 0, 2, 8)))
    values = {f"sec3.new_received.{k}": v for k, v in row.items()}
    values |= {"sec3.total_processed.natural_person": 5, "sec3.total_processed.commercial": 1,
               "sec3.total_processed.other": 2, "sec3.total_processed.total": 8,
               "sec3.granted.natural_person": 5, "sec3.granted.commercial": 1, "sec3.granted.other": 2,
               "sec3.granted.total": 8}
    cells, sources = _record(values, {"sec3.new_received.natural_person": 61.0})
    warnings = distrust_inferred_columns(cells, sources, _ocr_doc(), "2021")
    assert cells["sec3.new_received.natural_person"] == 5, warnings
    assert not warnings


def test_a_row_short_of_values_loses_the_values_it_read():
    """A number read as a word joins the label and moves the row's values one column left: 0 and 1 read
    as issued and repealed, in_force never found. None of them can be trusted."""
    cells, sources = _record({"sec2.normative_documents.issued": 0, "sec2.normative_documents.repealed": 1,
                              "sec2.normative_documents.in_force": None}, {})
    del sources["sec2.normative_documents.in_force"]  # never found: no cell gave it
    warnings = distrust_inferred_columns(cells, sources, _ocr_doc(), "2021")
    assert [cells[f"sec2.normative_documents.{c}"] for c in ("issued", "repealed", "in_force")] == [None] * 3
    assert any("sec2.normative_documents.issued" in w and "repealed" in w for w in warnings)
    assert cells["sec2.regulations.issued"] == 0


def test_a_value_read_from_a_line_of_prose_needs_a_sum_to_stand():
    """An OCR page's text that no table took is read as paragraphs, which keep no word confidences: seed 0
    as a borderless scan gave 不予处理 5's legal_service 9 (printed 0, read at 57) from such a line. A
    value with no confidence in an OCR document stands only where a sum confirms it, like a marginal one."""
    row = dict(zip(SEC3_COLUMNS, (0, 0, 0, 0, 9, None, None)))  # its last two not read: no row total
    values = {f"sec3.not_processed_confirmation.{k}": v for k, v in row.items()}
    cells, sources = _record(values, {})
    for key in values:  # from a paragraph: no table, no confidence
        sources[key] = CellSource(page=4)
    images = Document(blocks=[Table(rows=[], page=1, index=0)], source_format="image", ocr=True)
    warnings = distrust_inferred_columns(cells, sources, images, "2021")
    assert cells["sec3.not_processed_confirmation.legal_service"] is None
    assert any("sec3.not_processed_confirmation.legal_service" in w and "prose" in w for w in warnings)
    assert cells["sec3.not_processed_confirmation.natural_person"] == 0  # the column sums confirm it


def test_text_layer_cells_are_left_as_read():
    """A document that was not OCR'd: confidences are absent and a failing sum is the report's own."""
    cells, sources = _record({"sec2.normative_documents.issued": 1}, {})
    sources = {k: CellSource(page=1, table=0, row=1, col=1) for k in sources}
    del sources["sec2.normative_documents.in_force"]
    doc = Document(blocks=[Table(rows=[], page=1, index=0)], source_format="pdf")
    assert distrust_inferred_columns(cells, sources, doc, "2021") == []
    assert cells["sec2.normative_documents.issued"] == 1


def test_a_number_stands_where_two_readings_give_it_and_none_contradicts():
    from extract.convert.ocr_cells import _vote

    assert _vote([_word("0", 97.0), _word("0", 90.0)])[0].text == "0"
    assert _vote([_word("0", 97.0), _word("0", 90.0)])[0].conf == 90.0
    assert _vote([_word("工", 53.0), [], _word("1", 90.0), _word("1", 67.0)])[0].text == "1"  # words abstain
    assert _vote([_word("2029", 86.0), _word("220", 90.0), _word("2629", 80.0), _word("2029", 88.0)]) is None
    assert _vote([_word("2029", 86.0), []]) is None  # one reading alone is not a vote


def test_dashes_and_specks_are_tidied_and_need_no_vote():
    """A dash printed for a blank is read as a blank whatever the models say: it cannot be a wrong number."""
    from extract.convert.ocr_cells import _tidy, _vote

    assert [g.text for g in _tidy(_word("一", 90.0))] == ["—"]
    assert [g.text for g in _tidy(_word("12.", 90.0))] == ["12"]
    assert _vote([_tidy(_word("一", 90.0)), _tidy(_word("-", 85.0))]) is None
    assert _vote([_tidy(_word("12.", 90.0)), _tidy(_word("12", 85.0))])[0].text == "12"


def test_a_guess_abstains_and_a_confident_contradiction_still_blocks():
    """26029 at 32 is tesseract's guess at 2629, which four other readings give: it does not block them.
    2029 at 86 is a reading: with it, nothing stands."""
    from extract.convert.ocr_cells import _vote

    agreed = _vote([_word("26029", 32.0), _word("2629", 89.0), _word("2629", 97.0), _word("2629", 46.0)])
    assert agreed[0].text == "2629" and agreed[0].conf == 89.0  # the second highest: two readings that sure
    assert _vote([_word("2029", 86.0), _word("2629", 89.0), _word("2629", 97.0)]) is None
    assert _vote([_word("2629", 30.0), _word("2629", 35.0)]) is None  # guesses do not agree into a value


def _page_with_ruling(stroke_x: int) -> Image.Image:
    """A table corner at 300 dpi: a 3 px ruling at x 50–52 and y 10–12, and a digit's 4 px stroke 36 px
    high at ``stroke_x``, as LibreOffice prints a number hard against a ruling."""
    from PIL import ImageDraw

    image = Image.new("L", (200, 160), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle([50, 0, 52, 159], fill=0)
    draw.rectangle([0, 10, 199, 12], fill=0)
    draw.rectangle([stroke_x, 40, stroke_x + 3, 75], fill=0)
    return image


def _ink(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    return image.crop(box).point(lambda v: 255 if v < 150 else 0).histogram()[255]


def test_rulings_are_whitened_without_the_digit_printed_against_them():
    from extract.convert.geometry import Edge
    from extract.convert.ocr import erase_rulings

    image = _page_with_ruling(54)
    clean = erase_rulings(image, [Edge(False, 51.0, 0.0, 160.0), Edge(True, 11.0, 0.0, 200.0)])
    assert _ink(clean, (48, 0, 54, 160)) == 0  # the vertical ruling is gone
    assert _ink(clean, (0, 8, 200, 15)) == 0  # the horizontal one too
    assert _ink(clean, (54, 40, 58, 76)) == 4 * 36  # every pixel of the stroke stays


def test_a_ruling_joined_from_rows_takes_no_stroke_where_it_is_not():
    """A table split into one table per row: the rows' rulings, 3 px apart, are merged into one edge.
    Where a row's ruling is not, a digit's stroke under the merged line stays whole."""
    from PIL import ImageDraw

    from extract.convert.geometry import Edge
    from extract.convert.ocr import erase_rulings

    image = Image.new("L", (200, 300), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle([50, 0, 52, 199], fill=0)  # the first rows' ruling
    draw.rectangle([53, 200, 55, 299], fill=0)  # the last row's, 3 px to the right
    draw.rectangle([50, 230, 52, 265], fill=0)  # a digit's stroke under the first rows' ruling line
    clean = erase_rulings(image, [Edge(False, 52.0, 0.0, 300.0)])
    assert _ink(clean, (40, 0, 60, 200)) == 0 and _ink(clean, (53, 200, 56, 300)) == 0
    assert _ink(clean, (50, 230, 53, 266)) == 3 * 36


def test_a_dash_alone_after_a_labels_words_is_dropped():
    """The closing quote of 危及“三安全一稳定” read as a dash would be a value too many in the row."""
    from extract.convert.ocr_cells import _tidy

    assert [g.text for g in _tidy([_word("3.危及“三安全一稳定", 61.0)[0], _word("-", 40.0)[0]])] == ["3.危及“三安全一稳定"]
    assert [g.text for g in _tidy([_word("合计", 90.0)[0], _word("一", 90.0)[0]])] == ["合计", "一"]  # 一 may be a word
    assert [g.text for g in _tidy([_word("-", 90.0)[0]])] == ["—"]  # a blank's dash alone stays a blank


def test_a_cell_read_as_nothing_joins_a_line_without_breaking_it():
    """An unread OCR cell is an empty glyph of confidence 0; on a line with others (a merged region of a
    table split into one table per row) it used to end the extraction in an IndexError."""
    from extract.convert.geometry import line_text

    line = [Glyph("", 0, 0, 20, 10, 0.0), Glyph("12", 30, 0, 50, 10, 90.0), Glyph("", 60, 0, 80, 10, 0.0),
            Glyph("件", 90, 0, 100, 10, 95.0)]
    assert line_text(line) == "12 件"


def test_a_cell_box_a_ruling_crosses_is_read_on_its_inked_side_only():
    """Rows of a table split one row per table have columns of their own; as one grid, a box may run
    across the ruling between two printed cells. With ink on both sides (the last 2 of 252 and 12, read
    as 212) it is not read; with ink on one side, that side is read."""
    from PIL import ImageDraw

    from extract.convert.ocr_cells import _crossings, _one_side

    page = Image.new("L", (140, 80), 255)
    draw = ImageDraw.Draw(page)
    draw.rectangle([30, 0, 32, 79], fill=0)  # the ruling across the box
    draw.rectangle([3, 0, 5, 79], fill=0)  # the box's own ruling, found a few pixels off its place
    draw.rectangle([60, 20, 63, 56], fill=0)  # a digit's stroke
    crossings = _crossings(page)
    assert crossings == ([30, 31, 32], [])
    ink = Image.new("L", (140, 80), 0)  # the box's ink once its rulings are whitened
    ImageDraw.Draw(ink).rectangle([60, 20, 63, 56], fill=255)
    assert _one_side(ink, crossings) == (33, 0, 140, 80)
    ImageDraw.Draw(ink).rectangle([12, 20, 20, 56], fill=255)  # ink on the other side too
    assert _one_side(ink, crossings) is None


def test_a_reading_that_dropped_a_glyph_abstains():
    """14 read as 4 by one model of five: a line that prints two glyphs is not a one-digit number, so the
    reading neither blocks the four that give 14 nor stands itself. Where a reading gives words (a unit
    after the value), the line's glyphs are not all digits and are not counted."""
    from extract.convert.ocr_cells import _vote

    readings = [_word("14", 65.0), _word("14", 97.0), _word("14", 88.0), _word("14", 74.0), _word("4", 64.0)]
    assert _vote(readings) is None  # counted as a reading, 4 contradicts
    assert _vote(readings, glyphs=2)[0].text == "14"
    assert _vote([_word("4", 90.0), _word("4", 85.0)], glyphs=2) is None
    with_unit = [[Glyph("4", 0, 0, 10, 10, 90.0), Glyph("件", 12, 0, 30, 10, 90.0)], _word("4", 85.0)]
    assert _vote(with_unit, glyphs=3)[0].text == "4"


def test_a_value_printed_with_its_unit_gives_its_number():
    from extract.convert.ocr_cells import _vote

    whole = [Glyph("0", 0, 0, 10, 10, 93.0), Glyph("件", 12, 0, 30, 10, 79.0)]
    agreed = _vote([whole, _word("0", 40.0), [], whole])
    assert agreed[0].text == "0" and agreed[0].conf == 79.0
    assert _vote([[Glyph("0", 0, 0, 10, 10, 93.0), Glyph("件数", 12, 0, 30, 10, 90.0), Glyph("年", 32, 0, 40, 10, 90.0)],
                  _word("0", 90.0)]) is None  # words, not a unit: the digit model alone is no vote


def test_four_readings_outvote_a_weak_dissent_not_a_confident_one():
    """A JPEG's 0 read as 8 at 56 by one model, as 0 by the four other readings: 0, at the second highest
    confidence. A dissent at 86 still blocks any majority."""
    from extract.convert.ocr_cells import _vote

    agreed = _vote([_word("0", 97.0), _word("8", 56.0), _word("0", 87.0), _word("0", 69.0), _word("0", 78.0)])
    assert agreed[0].text == "0" and agreed[0].conf == 87.0
    assert _vote([_word("0", 97.0), _word("8", 86.0), _word("0", 87.0), _word("0", 69.0), _word("0", 78.0)]) is None
    assert _vote([_word("0", 97.0), _word("8", 56.0), _word("0", 87.0)]) is None  # three are no outvoting majority


def test_the_glyphs_a_line_prints_are_counted_from_its_ink():
    """Columns of ink parted by blank columns, as tall as a digit: a point or a speck is no glyph, and
    digits printed touching count as one (a line may print more, never fewer)."""
    from PIL import ImageDraw

    from extract.convert.ocr_cells import _ink_glyphs

    line = _line(120, 44)
    draw = ImageDraw.Draw(line)
    draw.rectangle([_PAD + 10, _PAD, _PAD + 14, _PAD + 43], fill=0)  # a 1
    draw.rectangle([_PAD + 30, _PAD, _PAD + 55, _PAD + 43], fill=0)  # a 4
    draw.rectangle([_PAD + 62, _PAD + 38, _PAD + 67, _PAD + 43], fill=0)  # a point
    assert _ink_glyphs(line) == 2
    draw.rectangle([_PAD + 56, _PAD, _PAD + 80, _PAD + 43], fill=0)  # a digit touching the 4
    assert _ink_glyphs(line) == 2
    assert _ink_glyphs(_line(40, 40)) == 0


def test_a_guessed_word_beside_a_number_read_is_left_out_of_the_reading():
    """了 at 11 before 77 at 77 (the Chinese model as a word): the reading gives 77 with the others; where
    the line prints three glyphs, that 77 dropped one and abstains."""
    from extract.convert.ocr_cells import _vote

    mixed = [Glyph("了", 0, 0, 10, 10, 11.0), Glyph("77", 12, 0, 30, 10, 77.0)]
    readings = [_word("77", 74.0), _word("77", 89.0), _word("77", 67.0), mixed]
    agreed = _vote(readings, glyphs=2)
    assert agreed[0].text == "77" and agreed[0].conf == 89.0
    assert _vote([_word("777", 74.0), _word("777", 89.0), mixed], glyphs=3)[0].conf == 74.0
