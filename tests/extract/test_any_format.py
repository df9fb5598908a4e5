"""One report, one answer, whatever the format: real pages and seeds as the files users post.

The real report pages of ../shared/corpus (cases 01, 46, 48, 49: whole portal pages, cells read by hand
in ``.expected.json``) and the seed reports (cells from their specs) are made, in the test, into the
files portals carry: LibreOffice's DOC, DOCX, ODT, RTF and PDF of the page, with its tables as one grid
and as one table per row, with and without borders; and that PDF rasterised into an image-only PDF and
into PNG and JPEG page images for OCR (``office.py`` makes and caches them). Expected cells never come
from the parser: a format must give the hand-read (or spec) cells, and the same cells as the HTML.

A text-layer format must give every cell. Case 01's ten-column table is wider than A4 portrait's printable
width: its pages are printed in landscape, as a person who saves such a page as PDF prints it so that it
fits (``office.variant``); the A4 portrait print, which LibreOffice cuts at the page's edge, is kept as
the "cut print" (``cut_pages``), whose cells past the edge must be null and named, never guessed. OCR
must read at least 99.5% of value cells, and every cell it misses must be null and flagged, or carry a
low confidence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from extract.convert import convert
from extract.convert.ocr import convert_images
from extract.parse import parse_document
from extract.record import Record
from farm.records import seed_records
from tests.extract.office import VARIANTS, image_pdf, office, page_images, seed_page, variant

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("libreoffice")]

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
REAL_PAGES = ("01_shanghai_shizhengfu_bgt_2019", "46_pingtan_2021", "48_pingtan_2022", "49_pingtan_2023")
FORMATS = ("doc", "docx", "odt", "rtf", "pdf")
# Where a PDF may miss cells (null and named, never wrong): in case 48 LibreOffice prints the
# one-character-per-line headings of section 四 over the first row of values; and a table without rulings
# (the borderless variants) has inferred columns, whose cells are left null where the template's sums do
# not confirm them (``extract.crosscheck``; case 01 prints row totals blank, so its own sums fail).
MAY_MISS_IN_PDF = {("48", "grid")}
OCR_FLAG = 80.0


@dataclass
class Case:
    name: str
    html: str
    cells: dict  # the cells a careful reader takes from the page (or the seed's spec)


def _cases() -> list[Case]:
    cases = []
    for stem in REAL_PAGES:
        path = CORPUS / f"{stem}.html"
        if path.exists():
            expected = json.loads((CORPUS / f"{stem}.expected.json").read_text(encoding="utf-8"))
            cases.append(Case(stem[:2], path.read_text(encoding="utf-8"), expected["cells"]))
    for i, spec in enumerate(seed_records()):
        cases.append(Case(f"seed{i}", seed_page(spec), dict(spec.cells)))
    return cases


CASES = _cases()


@pytest.fixture(scope="session")
def pages() -> dict[str, list[str]]:
    return {name: [variant(case.html, name) for case in CASES] for name in VARIANTS}


def _record(data: bytes, name: str) -> Record:
    return parse_document(convert(data, name))


def ocr_flagged(record: Record, key: str) -> bool:
    """An OCR miss done right: the cell is null with a warning naming it, or read at a confidence below
    the flag threshold."""
    source = record.sources.get(key)
    low = source is not None and source.ocr_confidence is not None and source.ocr_confidence < OCR_FLAG
    return low or (record.cells.get(key) is None and any(key in warning for warning in record.warnings))


def _diff(record: Record, expected: dict) -> tuple[dict, dict, dict]:
    """(wrong, invented, missed) cells: {cell: (expected, got)}."""
    wrong, invented, missed = {}, {}, {}
    for key, value in expected.items():
        got = record.cells.get(key)
        if value is None and got is not None:
            invented[key] = (value, got)
        elif value is not None and got is None:
            missed[key] = (value, got)
        elif value is not None and abs(got - value) > 1e-9:
            wrong[key] = (value, got)
    return wrong, invented, missed


def test_the_real_pages_are_here():
    if not any(case.name == REAL_PAGES[0][:2] for case in CASES):  # decided once, when the cases were read
        pytest.skip("../shared/corpus is absent")
    assert [c.name for c in CASES[: len(REAL_PAGES)]] == [stem[:2] for stem in REAL_PAGES]


@pytest.mark.parametrize("name", VARIANTS)
def test_every_variant_of_the_page_reads_the_same(pages, name):
    """The HTML variants themselves: the grid, a table per row, without borders, all read right."""
    for case, page in zip(CASES, pages[name]):
        wrong, invented, missed = _diff(_record(page.encode(), f"{case.name}.html"), case.cells)
        assert not (wrong or invented or missed), f"{case.name} {name}: {wrong or invented or missed}"


COMBINATIONS = [(name, fmt) for name in VARIANTS for fmt in FORMATS]


def test_a_row_printed_as_its_own_borderless_table_is_null_and_named_not_shifted(pages):
    """Case 01 as a rows-borderless PDF: every row a table of its own, centred on its own, so no two rows
    share columns. Section 三's 结转 row prints two equal values with blanks between (the row total
    confirms any placement of the first): its applicant cells are read right or null and named, never
    shifted; the expected values are the corpus's hand-read ones."""
    index = next((i for i, case in enumerate(CASES) if case.name == "01"), None)
    if index is None:
        pytest.skip("../shared/corpus is absent")
    (data,) = office([pages["rows-borderless"][index]], "pdf")
    record = _record(data, "01.pdf")
    expected = CASES[index].cells
    row = [key for key in expected if key.startswith("sec3.carried_forward.")]
    assert any(expected[key] is not None for key in row) and any(expected[key] is None for key in row)
    for key in row:
        got = record.cells.get(key)
        if got is None and expected[key] is not None:
            assert any(key in warning for warning in record.warnings), f"{key} left null without a warning"
        elif got is not None:
            assert expected[key] is not None and abs(got - expected[key]) < 1e-9, f"{key}: {got} for {expected[key]}"
    wrong, invented, _ = _diff(record, expected)
    assert not (wrong or invented), f"wrong {wrong} invented {invented}"


@pytest.mark.parametrize("name, fmt", COMBINATIONS)
def test_one_report_one_answer(pages, name, fmt):
    """Each LibreOffice format of each variant gives the expected cells and the HTML's cells."""
    files = office(pages[name], fmt)
    problems = []
    for case, page, data in zip(CASES, pages[name], files):
        record = _record(data, f"{case.name}.{fmt}")
        wrong, invented, missed = _diff(record, case.cells)
        if wrong or invented:
            problems.append(f"{case.name}: wrong {wrong} invented {invented}")
        may_miss = fmt == "pdf" and ((case.name, name) in MAY_MISS_IN_PDF or name.endswith("borderless"))
        if missed and not may_miss:
            problems.append(f"{case.name}: missed {missed}")
        unnamed = [key for key in missed if not any(key in warning for warning in record.warnings)]
        if unnamed and name.endswith("borderless"):  # a cell left null for a doubtful column is named
            problems.append(f"{case.name}: missed without a warning {unnamed}")
        html = _record(page.encode(), f"{case.name}.html")
        named = {k for k, v in record.cells.items() if v is None and any(k in w for w in record.warnings)}
        differ = {k: (v, record.cells.get(k)) for k, v in html.cells.items()
                  if record.cells.get(k) != v and k not in missed and not (may_miss and k in named)}
        if differ:
            problems.append(f"{case.name}: differs from the HTML parse {dict(list(differ.items())[:5])}")
    assert not problems, f"{name} as {fmt}: " + "; ".join(problems)


# Case 01 printed on A4 portrait, which cuts its section 三 at the page's edge: the value cells each variant's
# PDF reads right at least (measured), of 62; the rest are past the edge, or in rows whose own sums fail.
CUT_FLOOR = {"grid": 48, "rows": 62, "grid-borderless": 31, "rows-borderless": 24}  # grid-borderless: 16 before


@pytest.fixture(scope="session")
def cut_pages() -> dict[str, str]:
    """Case 01 as each variant printed on A4 portrait (``variant(..., fit=False)``): the cut print."""
    case = next((case for case in CASES if case.name == "01"), None)
    if case is None:
        pytest.skip("../shared/corpus is absent")
    return {name: variant(case.html, name, fit=False) for name in VARIANTS}


@pytest.mark.parametrize("name", VARIANTS)
def test_the_cut_print_names_what_lies_past_the_edge(cut_pages, name):
    """Case 01's A4 portrait PDF, its table cut at the page's edge: what is on the page is read right, what
    is not is null and named, never a value shifted into a neighbour's column; hand-read expected cells."""
    (data,) = office([cut_pages[name]], "pdf")
    record = _record(data, "01.pdf")
    expected = next(case for case in CASES if case.name == "01").cells
    wrong, invented, missed = _diff(record, expected)
    assert not (wrong or invented), f"wrong {wrong} invented {invented}"
    unnamed = [key for key in missed if not any(key in warning for warning in record.warnings)]
    assert not unnamed, f"left null without a warning: {unnamed}"
    right = sum(1 for key, value in expected.items() if value is not None and key not in missed)
    assert right >= CUT_FLOOR[name], f"{right} value cells right"


CUT_OCR_FLOOR = 48  # of 62 (measured: 48 before and after; the other 14 lie past the edge)


@pytest.mark.timeout(900)
def test_the_cut_print_as_page_images_names_what_lies_past_the_edge(cut_pages):
    """Case 01's A4 portrait grid as 300-dpi PNG pages, its section 三 cut at the right edge of the image:
    what the page shows is read, what lies past the edge is null and named, never a part of a number."""
    (data,) = office([cut_pages["grid"]], "pdf")
    record = parse_document(convert_images(page_images(data, "png")))
    expected = next(case for case in CASES if case.name == "01").cells
    for key, value in expected.items():
        got = record.cells.get(key)
        if got is not None and value is not None and abs(got - value) < 1e-9 or got is None and value is None:
            continue
        assert ocr_flagged(record, key), f"{key} read {got!r} for {value!r} without a flag"
    right = sum(1 for key, value in expected.items() if value is not None and record.cells.get(key) == value)
    assert right >= CUT_OCR_FLOOR, f"{right} value cells right"


def _ocr_cases() -> list[tuple[str, str, str]]:
    """(case, variant, how): real pages as an image-only PDF and as PNG pages, a seed as JPEG pages; case
    01 as PNG pages of its landscape print (the cut print: ``test_the_cut_print_as_page_images_…``). OCR
    costs seconds a page: four reports keep the suite within its budget (``benchmarks/extract_bench.py
    --ocr-pages`` reads every case and layout)."""
    return [("49", "grid", "image-pdf"), ("46", "rows", "png"), ("seed0", "grid", "jpeg"), ("01", "grid", "png")]


@pytest.fixture(scope="session")
def ocr_results(pages) -> list[tuple[str, Record, dict]]:
    by_name = {case.name: (i, case) for i, case in enumerate(CASES)}
    out = []
    for name, layout, how in _ocr_cases():
        if name not in by_name:
            continue
        i, case = by_name[name]
        (pdf,) = office([pages[layout][i]], "pdf")
        if how == "image-pdf":
            document = convert(image_pdf(pdf), f"{name}-scan.pdf")
        else:
            document = convert_images(page_images(pdf, how))
        out.append((f"{name} {layout} {how}", parse_document(document), case.cells))
    return out


# The OCR fixture reads four reports (about 25 pages, a minute of CPU) in the first test that asks for it:
# on a machine other jobs share, more than the suite's default timeout.
OCR_TIMEOUT = pytest.mark.timeout(900)


@OCR_TIMEOUT
def test_ocr_reads_the_value_cells(ocr_results):
    """Issue 10's bar: at least 99.5% of the value cells read right, on pages that print them all (measured:
    612 of 613; case 01, printed in landscape, 61 of 62: before, on A4 portrait, its section 三 ran past
    the page's edge and 48 were read; that print is ``test_the_cut_print_as_page_images_…``'s)."""
    right = total = 0
    for label, record, expected in ocr_results:
        if tuple(label.split()[:2]) in MAY_MISS_IN_PDF:
            continue
        for key, value in expected.items():
            if value is not None:
                total += 1
                got = record.cells.get(key)
                right += got is not None and abs(got - value) < 1e-9
    assert total and right / total >= 0.995, f"OCR read {right} of {total} value cells"


@OCR_TIMEOUT
def test_ocr_misses_are_null_and_flagged(ocr_results):
    """A cell OCR got wrong is null with a warning, or read with a confidence below the threshold."""
    for label, record, expected in ocr_results:
        for key, value in expected.items():
            got = record.cells.get(key)
            if got == value or (got is not None and value is not None and abs(got - value) < 1e-9):
                continue
            assert ocr_flagged(record, key), f"{label}: {key} read {got!r} for {value!r} without a flag"


# Tables without rulings read by OCR (``extract.convert.ocr_lines``): seed 2 printed one table a row, each
# sized to its text (values 21 to 28 pixels apart, a value over its unit), and the real page 49 as one grid
# without borders, and one table a row, as PNG pages. The floor is what was measured (right of the value
# cells): seed 2 200 of 200 (9 before the line's height was measured on words, 193 before a unit cut from
# its number went with it), 49 190 of 200 (168 before), 49 one table a row 198 (183 before wide pieces left
# unread were read again as words, labels were cut from the values glued to them and named by their first
# words).
BORDERLESS_OCR = [("seed2", "rows-borderless", 195), ("49", "grid-borderless", 185), ("49", "rows-borderless", 194)]


@OCR_TIMEOUT
@pytest.mark.parametrize("name, layout, floor", BORDERLESS_OCR)
def test_ocr_of_a_table_without_rulings_gives_no_wrong_number(pages, name, layout, floor):
    """Every value cell right, or null and flagged; none wrong or invented; at least the floor read."""
    index = next((i for i, case in enumerate(CASES) if case.name == name), None)
    if index is None:
        pytest.skip("../shared/corpus is absent")
    (pdf,) = office([pages[layout][index]], "pdf")
    record = parse_document(convert_images(page_images(pdf, "png")))
    expected = CASES[index].cells
    wrong, invented, missed = _diff(record, expected)
    assert not (wrong or invented), f"{name} {layout}: wrong {wrong} invented {invented}"
    unflagged = [key for key in missed if not ocr_flagged(record, key)]
    assert not unflagged, f"{name} {layout}: missed without a flag {unflagged}"
    right = sum(1 for key, value in expected.items() if value is not None and key not in missed)
    assert right >= floor, f"{name} {layout}: read {right} of the value cells"


def _generated(indices: tuple[int, ...], name: str) -> list[tuple[int, bytes, dict]]:
    """Generated corpus specs (``farm.records.corpus_specs``) as the named variant's LibreOffice PDF."""
    from farm.records import corpus_specs

    specs = corpus_specs()
    pages = []
    for i in indices:
        pages.append(variant(seed_page(specs[i]), name))
    return [(i, data, dict(specs[i].cells)) for i, data in zip(indices, office(pages, "pdf"))]


def test_a_row_that_lost_a_value_does_not_slide_into_its_hole():
    """Generated report 12 (2019 template) as a grid-borderless PDF: 行政许可's 1556 stands over two columns
    and is left out; the row reader took the hole it left for padding and moved 3 and 0 one column right
    (change 3, decisions 0). Now the row is null and named, or right; expected cells from the spec."""
    ((_, data, expected),) = _generated((12,), "grid-borderless")
    record = _record(data, "g12.pdf")
    wrong, invented, missed = _diff(record, expected)
    assert not (wrong or invented), f"wrong {wrong} invented {invented}"
    assert all(any(key in w for w in record.warnings) for key in missed)


@pytest.mark.parametrize("name", ("grid-borderless", "rows-borderless"))
def test_generated_reports_as_borderless_pdfs_give_no_wrong_number(name):
    """All 52 generated specs as borderless PDFs: every cell right, or null and named; never wrong or invented.

    Before issue 10's pdfwrong work: grid-borderless 30 wrong and 1 invented, rows-borderless 35 wrong and
    3 invented. The causes (each now a row null and named, or read right): a decimal's parts read apart
    (５３．７６ as 76), a row's values given to the label of the row above (values printed apart from their
    label or split over lines with their units; two rows' labels met over one row of values), digits of
    neighbouring cells run together (1100222), a row with more values than the template's columns."""
    from farm.records import corpus_specs

    problems = []
    for i, data, expected in _generated(tuple(range(len(corpus_specs()))), name):
        record = _record(data, f"g{i}.pdf")
        wrong, invented, missed = _diff(record, expected)
        unnamed = [key for key in missed if not any(key in w for w in record.warnings)]
        if wrong or invented or unnamed:
            problems.append(f"g{i}: wrong {wrong} invented {invented} missed without a warning {unnamed}")
    assert not problems, f"{name}: " + "; ".join(problems)
