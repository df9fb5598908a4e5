"""Tables printed one per row, and double borders, in PDF: every row read by its own columns.

Editors make a table by pasting rows, each row a table of its own; LibreOffice sizes each one's columns
by its own text and prints them touching. Read as one grid, the rows' vertical rulings combined: a blank
cell printed 4 points wide collapsed against a ruling of another row, and the row's values moved one
column (generated report 40: 结转下年度继续办理's 13 read as 其他's). A double border is two lines a few
points apart all along the table, frame included, and is one ruling, not an empty column.

The geometry tests build rulings by hand (expected grids from their construction); the PDF tests convert
generated reports and a seed with LibreOffice (``office.py``, cached) and expect the cells of their specs.
"""

from __future__ import annotations

import lxml.html
import pytest

from extract.convert import convert
from extract.convert.geometry import Edge, LayoutSettings
from extract.convert.rulings import find_tables, merge_edges
from extract.parse import parse_document
from farm.records import corpus_specs, seed_records
from tests.extract.office import office, seed_page, variant

SETTINGS = LayoutSettings()


def _box_table(xs: list[float], top: float, bottom: float) -> list[Edge]:
    """One ruled one-row table: its top and bottom rulings and a vertical ruling at each x."""
    return [Edge(True, top, xs[0], xs[-1]), Edge(True, bottom, xs[0], xs[-1])] + [
        Edge(False, x, top, bottom) for x in xs
    ]


def test_tables_printed_one_per_row_keep_their_own_columns():
    """Two one-row tables printed touching: the first has a blank cell 4 points wide (100–104), the second
    its own columns, one ruling 1 point from the first's (101 against 100, drawn as one line with it).
    Each is its own grid with the cells its row drew; read as one grid, 100/101 and 104 collapsed."""
    first = [50.0, 100.0, 104.0, 130.0, 160.0]
    second = [50.0, 101.0, 115.0, 145.0, 160.0]
    edges = merge_edges(_box_table(first, 10.0, 30.0) + _box_table(second, 30.0, 50.0), SETTINGS)
    grids = find_tables(edges, SETTINGS)
    assert [g.ys for g in grids] == [[10.0, 30.0], [30.0, 50.0]]
    for grid, drawn in zip(grids, (first, second)):
        assert len(grid.xs) == len(drawn)
        assert all(abs(x - y) <= SETTINGS.snap for x, y in zip(grid.xs, drawn))
        assert len({rid for row in grid.region for rid in row}) == len(drawn) - 1


def test_a_table_with_a_merged_cell_stays_one_grid():
    """Rows of one table: the header merges the value columns, so its rulings are some of the body's."""
    body = [50.0, 100.0, 130.0, 160.0]
    edges = [Edge(True, y, 50.0, 160.0) for y in (10.0, 30.0, 50.0, 70.0)]
    edges += [Edge(False, x, 10.0, 70.0) for x in (50.0, 100.0, 160.0)] + [Edge(False, 130.0, 30.0, 70.0)]
    (grid,) = find_tables(merge_edges(edges, SETTINGS), SETTINGS)
    assert grid.xs == body and grid.ys == [10.0, 30.0, 50.0, 70.0]
    assert grid.region[0][1] == grid.region[0][2]  # the header's merged cell
    assert grid.region[1][1] != grid.region[1][2]


def test_a_double_border_is_one_ruling_and_a_narrow_end_cell_is_a_cell():
    """Every ruling of a double-bordered table is a pair 3 points apart, its frame's four sides included:
    each pair is one column ruling. A row whose end cells are 3 points wide has single top and bottom
    rulings: no double border, and its narrow cells stay."""
    pairs = [x + d for x in (50.0, 100.0, 130.0, 160.0) for d in (0.0, 3.0)]
    edges = [Edge(True, y + d, 50.0, 163.0) for y in (10.0, 30.0, 50.0) for d in (0.0, 3.0)]
    edges += [Edge(False, x, 10.0, 53.0) for x in pairs]
    (grid,) = find_tables(merge_edges(edges, SETTINGS), SETTINGS)
    assert len(grid.xs) == 4 and len(grid.ys) == 3
    narrow = [50.0, 53.0, 100.0, 130.0, 157.0, 160.0]
    (grid,) = find_tables(merge_edges(_box_table(narrow, 10.0, 30.0), SETTINGS), SETTINGS)
    assert grid.xs == narrow


# PDFs made by LibreOffice ------------------------------------------------------------------------------


def _wrong_or_invented(data: bytes, name: str, expected: dict) -> tuple[dict, dict]:
    record = parse_document(convert(data, name))
    wrong, missed = {}, {}
    for key, value in expected.items():
        got = record.cells.get(key)
        if got is None and value is not None:
            if not any(key in w for w in record.warnings):
                missed[key] = value
        elif got is not None and (value is None or abs(got - value) > 1e-9):
            wrong[key] = (value, got)
    return wrong, record.cells


@pytest.mark.parametrize("index", [7, 8, 40])
@pytest.mark.slow
@pytest.mark.xdist_group("libreoffice")
def test_generated_reports_printed_one_table_per_row_give_no_wrong_number(index):
    """The generated reports that gave wrong or invented numbers as 'rows' PDFs (5 wrong, 5 invented over
    the 52): no cell differs from the spec, and report 40's 结转 row is read whole."""
    spec = corpus_specs()[index]
    (data,) = office([variant(seed_page(spec), "rows")], "pdf")
    wrong, cells = _wrong_or_invented(data, f"g{index}.pdf", dict(spec.cells))
    assert not wrong, f"generated report {index} as rows PDF: {wrong}"
    if index == 40:
        row = {k: v for k, v in spec.cells.items() if k.startswith("sec3.carried_forward.")}
        assert row["sec3.carried_forward.natural_person"] is None  # the 4-point blank cell
        assert {k: cells.get(k) for k in row} == row


def _double_bordered(page: str, width: int) -> str:
    """The page's tables with every border a double line ``width`` pixels wide (CSS ``border-style: double``)."""
    root = lxml.html.document_fromstring(page)
    for element in root.iter("table", "td", "th"):
        element.set("style", f"border: {width}px double black; border-collapse: collapse")
    return "<!DOCTYPE html>\n" + lxml.html.tostring(root, encoding="unicode", method="html")


@pytest.mark.slow
@pytest.mark.xdist_group("libreoffice")
def test_a_double_bordered_report_keeps_its_columns():
    """A seed report with double borders 2.5–4 points apart (5, 6 and 8 px, LibreOffice): every cell of the
    spec, none wrong, none missing; LibreOffice's PDF read as it was (before: an empty column at each line)."""
    spec = seed_records()[0]
    pages = [_double_bordered(variant(seed_page(spec), "grid"), width) for width in (5, 6, 8)]
    for width, data in zip((5, 6, 8), office(pages, "pdf")):
        record = parse_document(convert(data, f"double{width}.pdf"))
        differ = {k: (v, record.cells.get(k)) for k, v in spec.cells.items() if record.cells.get(k) != v}
        assert not differ, f"{width}px double border: {dict(list(differ.items())[:6])}"
