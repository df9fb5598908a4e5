"""Every seed report and a few generated ones through every attachment format, read back exactly.

The binary corpus is made once per test session by real tools (python-docx, LibreOffice, pdftoppm,
Pillow) from farm specs, and cached on disk by content hash beside pytest's temporary directories, so
a second session reuses LibreOffice's and the scanner's outputs. Text-layer formats must give back
every table cell (whitespace aside: a PDF keeps the line breaks of wrapped labels) and every
paragraph, and the parser must read exactly the spec's cells from them. OCR must read at least 99%
of value cells right and flag every cell it misread.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pytest

from extract.convert import convert, sniff
from extract.document import Document, Paragraph, Table
from extract.parse import parse_document
from farm.records import ReportSpec, make_record, seed_records
from farm.render.layout import LayoutParagraph, layout, tables

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("libreoffice")]

TEXT_FORMATS = ("docx", "pdf", "doc", "ofd")
VALUE = re.compile(r"[\d.]+|/|—|无|")


def _specs() -> list[ReportSpec]:
    return seed_records() + [
        make_record(1003, template="2019"),
        make_record(1004, blanks=0.15),
        make_record(1009, errors=("sec4.total.review",)),
    ]


SPECS = _specs()
SEEDS = len(seed_records())
IDS = [f"{i:02d}-{s.template}-{s.organ}" for i, s in enumerate(SPECS)]


def _cache_root(tmp_path_factory) -> Path:
    """A directory that outlives one session: pytest-of-<user>/, above the rotating session dirs."""
    path = tmp_path_factory.getbasetemp()
    while path.parent != path and not path.name.startswith("pytest-of-"):
        path = path.parent
    root = (path if path.name.startswith("pytest-of-") else tmp_path_factory.getbasetemp()) / "nianbao-render-cache"
    root.mkdir(parents=True, exist_ok=True)
    return root


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> dict[str, list[bytes]]:
    """format -> bytes per spec (scans for the seeds only: OCR costs seconds per page)."""
    previous = os.environ.get("NIANBAO_RENDER_CACHE")
    os.environ["NIANBAO_RENDER_CACHE"] = str(_cache_root(tmp_path_factory))
    try:
        from farm.render.doc import render_docs
        from farm.render.docx import render_docx
        from farm.render.ofd import pdf_to_ofd
        from farm.render.pdf import render_pdfs
        from farm.render.scan import scan_pdf

        pdfs = render_pdfs(SPECS)
        return {
            "docx": [render_docx(s) for s in SPECS],
            "pdf": pdfs,
            "doc": render_docs(SPECS),
            "ofd": [pdf_to_ofd(p) for p in pdfs],
            "scan": [scan_pdf(p, seed=f"{s.seed}:{s.organ}") for s, p in zip(SPECS[:SEEDS], pdfs)],
        }
    finally:
        if previous is None:
            os.environ.pop("NIANBAO_RENDER_CACHE", None)
        else:
            os.environ["NIANBAO_RENDER_CACHE"] = previous


_converted: dict[tuple[str, int], Document] = {}


def converted(corpus, fmt: str, i: int) -> Document:
    """Each document is converted once per session (DOC goes through LibreOffice again)."""
    key = (fmt, i)
    if key not in _converted:
        _converted[key] = convert(corpus[fmt][i], filename=f"report{i}.{fmt}")
    return _converted[key]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _grid(table: Table) -> list[list[str]]:
    return [[_squash(cell.text) for cell in row] for row in table.rows]


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_sniffed_from_bytes(corpus, fmt):
    expected = {"docx": "docx", "pdf": "pdf", "doc": "doc", "ofd": "ofd"}[fmt]
    assert all(sniff(data) == expected for data in corpus[fmt])


@pytest.mark.parametrize("i", range(len(SPECS)), ids=IDS)
@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_tables_are_reproduced_cell_for_cell(corpus, fmt, i):
    doc = converted(corpus, fmt, i)
    expected = [[[_squash(text) for text in row] for row in t.grid()] for t in tables(layout(SPECS[i]))]
    assert [_grid(b) for b in doc.blocks if isinstance(b, Table)] == expected


@pytest.mark.parametrize("i", range(len(SPECS)), ids=IDS)
@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_paragraphs_in_reading_order(corpus, fmt, i):
    doc = converted(corpus, fmt, i)
    expected = [_squash(b.text) for b in layout(SPECS[i]) if isinstance(b, LayoutParagraph)]
    assert [_squash(b.text) for b in doc.blocks if isinstance(b, Paragraph)] == expected


@pytest.mark.parametrize("i", range(len(SPECS)), ids=IDS)
@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_parser_reads_exactly_the_spec(corpus, fmt, i):
    spec = SPECS[i]
    record = parse_document(converted(corpus, fmt, i))
    assert record.cells == spec.cells
    assert (record.organ, record.year, record.template) == (spec.organ, spec.year, spec.template)
    assert sorted(c.rule for c in record.checks if c.ok is False) == spec.errors


@pytest.mark.parametrize("fmt", ("docx", "pdf", "ofd"))
def test_cells_keep_their_provenance(corpus, fmt):
    doc = converted(corpus, fmt, 0)
    pages = set()
    for block in doc.blocks:
        if isinstance(block, Table):
            for r, row in enumerate(block.rows):
                for c, cell in enumerate(row):
                    # A cell merged across columns is one object in each, placed where it starts.
                    first = next(k for k, other in enumerate(row) if other is cell)
                    assert (cell.table, cell.row, cell.col) == (block.index, r, first)
                    assert all(other is cell for other in row[first : c + 1])
                    assert cell.page is not None and cell.ocr_confidence is None
                    pages.add(cell.page)
    assert pages and min(pages) >= 1
    record = parse_document(doc)
    source = record.sources["sec3.new_received.total"]
    assert source.page in pages and source.row is not None and source.col is not None


def test_pdf_table_continues_over_page_break(corpus):
    """Section 三 is printed across two pages in the PDFs; it must come back as one table of the
    template's row count, with a repeated header dropped and split merged labels carried."""
    for i, spec in enumerate(SPECS):
        doc = converted(corpus, "pdf", i)
        sec3 = [b for b in doc.blocks if isinstance(b, Table) and len(b.rows[0]) == 10]
        assert len(sec3) == 1
        pages = {cell.page for row in sec3[0].rows for cell in row}
        expected_rows = tables(layout(spec))[1].n_rows
        assert len(sec3[0].rows) == expected_rows
        if i == 0:
            assert len(pages) >= 1


def _norm(text: str) -> str:
    return _squash(unicodedata.normalize("NFKC", text))


@pytest.mark.parametrize("i", range(SEEDS), ids=IDS[:SEEDS])
def test_ocr_of_scans_reads_values_and_flags_misses(corpus, i):
    """Scans at 300 dpi with skew and specks: value cells right, and every misread one flagged."""
    doc = converted(corpus, "scan", i)
    assert doc.ocr and doc.source_format == "ocr-pdf"
    expected = [t.grid() for t in tables(layout(SPECS[i]))]
    got = [b for b in doc.blocks if isinstance(b, Table)]
    assert len(got) == len(expected)
    total = right = unflagged = 0
    for exp, table in zip(expected, got):
        assert len(table.rows) == len(exp)
        for erow, row in zip(exp, table.rows):
            for etext, cell in zip(erow, row):
                if not VALUE.fullmatch(etext):
                    continue
                total += 1
                if _norm(cell.text) == _norm(etext):
                    right += 1
                elif cell.ocr_confidence is None or cell.ocr_confidence >= 80:
                    unflagged += 1
    assert right / total >= 0.99, f"{right}/{total} value cells read right"
    assert unflagged == 0, f"{unflagged} misread value cells were not flagged"


@pytest.mark.parametrize("i", range(SEEDS), ids=IDS[:SEEDS])
def test_ocr_record_misses_are_flagged(corpus, i):
    """In the parsed record, a cell OCR got wrong is null with a warning, or comes from a cell whose
    OCR confidence is below the threshold: never a confident wrong number."""
    spec = SPECS[i]
    record = parse_document(converted(corpus, "scan", i))
    assert record.organ == spec.organ and record.year == spec.year
    for key, value in spec.cells.items():
        got = record.cells.get(key)
        if got == value:
            continue
        source = record.sources.get(key)
        low = source is not None and source.ocr_confidence is not None and source.ocr_confidence < 80
        warned = got is None and any(key in w for w in record.warnings)
        assert low or warned, f"{key}: read {got!r} for {value!r} without a flag"
