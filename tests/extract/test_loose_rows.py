"""Rows of a borderless table whose columns no shared grid vouches for (``alignment`` + ``placement``).

A row printed as its own table, centred on its own, gives its values in order but not their columns:
it must give a number only where the template's sums leave one placement, and leave the rest null and
named. Expected cells come from each case's layout as written here, never from the code under test.
"""

from __future__ import annotations

from extract.convert.geometry import Glyph, LayoutSettings, PageContent
from extract.convert.layout import assemble
from extract.crosscheck import distrust_inferred_columns
from extract.document import Document, Table
from extract.placement import BLANK, LooseRow, place, placements
from extract.record import CellSource
from extract.templates import SEC3_COLUMNS, get
from tests.extract.test_alignment import _page, _row

RULES = get("2021").rules
ROW = tuple(f"sec3.carried_forward.{c}" for c in SEC3_COLUMNS)


def test_two_equal_values_with_blanks_between_keep_only_the_total():
    """"72 … 72": the total is the last column in every placement the row total admits; the first 72 could
    be any applicant column, so none is claimed."""
    (only,) = {tuple(p[-1:]) for p in placements(LooseRow("r", ROW, (72, 72), (None, None)), RULES)}
    assert only == (1,)
    assert len(placements(LooseRow("r", ROW, (72, 72), (None, None)), RULES)) == 6
    decided = place([LooseRow("r", ROW, (72, 72), (None, None))], {}, RULES)
    assert decided[ROW[-1]] == 1 and all(decided[cell] is None for cell in ROW[:-1])


def test_a_full_row_and_a_fixed_value_are_placed():
    full = LooseRow("r", ROW, (1, 2, 3, 4, 5, 6, 21), (None,) * 7)
    assert placements(full, RULES) == [tuple(range(7))]
    fixed = LooseRow("r", ROW, (5, 5), (0, None))  # the 5 seen under 自然人: the other is the total
    assert place([fixed], {}, RULES) == {cell: (0 if i == 0 else 1 if i == 6 else BLANK) for i, cell in enumerate(ROW)}


def test_a_row_no_placement_of_which_adds_up_is_null_throughout():
    decided = place([LooseRow("r", ROW, (3, 5), (None, None))], {}, RULES)
    assert all(value is None for value in decided.values())


def test_column_balances_pick_the_placement_of_open_rows():
    """new_received + carried_over = total_processed + carried_forward in every column: with the other
    rows known, the one 72 of carried_forward can stand only under 自然人 (821 + 18 − 767 = 72)."""
    known = {f"sec3.{row}.{c}": 0 for row in ("new_received", "carried_over", "total_processed") for c in SEC3_COLUMNS}
    known |= {"sec3.new_received.natural_person": 821, "sec3.new_received.total": 821,
              "sec3.carried_over.natural_person": 18, "sec3.carried_over.total": 18,
              "sec3.total_processed.natural_person": 767, "sec3.total_processed.total": 767}
    decided = place([LooseRow("sec3.carried_forward", ROW, (72, 72), (None, None))], known, RULES)
    assert decided[ROW[0]] == 0 and decided[ROW[-1]] == 1
    assert all(decided[cell] == BLANK for cell in ROW[1:-1])


def test_crosscheck_nulls_and_names_the_loose_cells_and_keeps_the_total():
    cells = {key: None for key in ROW} | {ROW[5]: 72, ROW[6]: 72}  # read: 72 under 其他 (a guess)
    raw = {key: "" for key in ROW} | {ROW[5]: "72", ROW[6]: "72"}
    sources = {key: CellSource(page=1, table=0, row=3, col=2 + i) for i, key in enumerate(ROW)}
    table = Table(rows=[], page=1, index=0, ruled=False, loose_cells=frozenset({(3, 7), (3, 8)}))
    warnings = distrust_inferred_columns(cells, sources, Document([table], "pdf"), "2021", raw)
    assert cells[ROW[6]] == 72 and all(cells[key] is None for key in ROW[:6])
    assert all(any(key in w and "uncertain column" in w for w in warnings) for key in ROW[:6])


def test_a_short_loose_row_is_null():
    cells = {key: None for key in ROW} | {ROW[0]: 5, ROW[6]: 5}
    sources = {key: CellSource(page=1, table=0, row=3, col=2 + i) for i, key in enumerate(ROW)}
    table = Table(rows=[], page=1, index=0, ruled=False, loose_cells=frozenset({(3, 2), (3, 8)}),
                  lost_cells=frozenset({(3, 4)}))
    warnings = distrust_inferred_columns(cells, sources, Document([table], "pdf"), "2021")
    assert all(cells[key] is None for key in ROW) and any(ROW[6] in w for w in warnings)


def _layout(rows):
    blocks, _ = assemble([_page(rows)], LayoutSettings())
    (table,) = [b for b in blocks if isinstance(b, Table)]
    return table


def test_rows_sharing_a_grid_are_not_loose():
    table = _layout([
        [("项目", 60.0), ("甲", 300.0), ("乙", 350.0), ("丙", 400.0), ("合计", 450.0)],
        _row("第一行", ["1", "2", "3", "6"]),
        _row("第二行", ["4", None, "5", "9"]),
        _row("第三行", [None, "7", None, "7"]),
    ])
    assert not table.loose_cells and not table.lost_cells


def test_rows_each_centred_on_their_own_are_loose():
    """Each row its own table, centred on the page: a blank cell prints nothing and narrows its row, so
    the values of different rows stand at unrelated places."""
    def centred(label: str, values: list[str]) -> list[tuple[str, float]]:
        widths = [len(label) * 10.0] + [len(v) * 5.0 for v in values]
        x = 297.5 - (sum(widths) + 14.0 * len(values)) / 2
        out = []
        for text, width in zip([label, *values], widths):
            out.append((text, x))
            x += width + 14.0
        return out

    table = _layout([centred("第一行", ["12", "3", "15"]), centred("第二行长标签", ["72", "72"]),
                     centred("第三行", ["5", "1", "6"])])
    values = {(r, c) for r, row in enumerate(table.rows) for c, cell in enumerate(row) if cell.text[:1].isdigit()}
    assert values and values <= table.loose_cells


def _centred(label: str, values: list[str], gap: float = 6.0) -> list[tuple[str, float]]:
    """A row printed as its own table, centred on the page, each cell as wide as its text."""
    widths = [len(label) * 10.0] + [len(v) * 5.0 for v in values]
    x = 297.5 - (sum(widths) + gap * len(values)) / 2
    out = []
    for text, width in zip([label, *values], widths):
        out.append((text, x))
        x += width + gap
    return out


def test_rows_of_more_values_than_their_block_has_bands_keep_every_value_in_order():
    """Rows centred each on its own, set tight: their values overlap one another's from row to row, so the
    block's bands merge into one; no value may be lost for it, each row keeps all of its values in order
    (loose, for the template's sums to place). On main before this: every value lost, every row null."""
    rows = {
        "一、本年新收": ["159", "19", "2", "1", "3", "5", "189"],
        "二、上年结转数": ["15", "0", "0", "0", "0", "0", "15"],
        "（一）予以公开": ["64", "8", "2", "1", "2", "2", "79"],
        "（二）部分公开数量": ["24", "4", "0", "0", "0", "1", "29"],
        "（七）总计": ["166", "17", "2", "1", "3", "5", "194"],
        "四、结转下年度继续办理": ["8", "2", "0", "0", "0", "0", "10"],
    }
    table = _layout([_centred(label, values) for label, values in rows.items()])
    assert not table.lost_cells
    got = {"".join(c.text for c in row if not c.text[:1].isdigit()): [c.text for c in row if c.text[:1].isdigit()]
           for row in table.rows}
    assert got == rows
    assert all((r, c) in table.loose_cells for r, row in enumerate(table.rows) for c, cell in enumerate(row)
               if cell.text[:1].isdigit())


def test_rows_meeting_by_chance_are_no_grid_when_the_bands_do_not_place_their_values():
    """Rows printed each as its own table, densely: every value stands where a value of another row (of
    another shape) does, as in a shared grid, but rows shifted by half a column chain their values into
    one band, so most rows have two values in one band: the bands are not columns. Every
    value stays, in order and loose, none lost (on main: the rows of several values lost them)."""
    rows = {
        "第一行": [200.0, 212.0, 224.0],
        "第二行": [206.0, 218.0, 230.0],
        "第三行": [200.0, 212.0, 224.0, 236.0],
        "第四行": [206.0, 218.0, 230.0, 242.0],
        "第五行": [236.0],
        "第六行": [242.0],
    }
    glyphs = []
    for r, (label, starts) in enumerate(rows.items()):
        top = 100.0 + 30.0 * r
        glyphs += [Glyph(ch, 60.0 + 10.0 * i, top, 70.0 + 10.0 * i, top + 10.0) for i, ch in enumerate(label)]
        glyphs += [Glyph(str(k + 1), x, top, x + 7.0, top + 10.0) for k, x in enumerate(starts)]
    blocks, _ = assemble([PageContent(number=1, width=595, height=842, glyphs=glyphs, edges=[])], LayoutSettings())
    (table,) = [b for b in blocks if isinstance(b, Table)]
    assert not table.lost_cells
    got = {row[0].text: [cell.text for cell in row[1:] if cell.text] for row in table.rows}
    assert got == {label: [str(k + 1) for k in range(len(starts))] for label, starts in rows.items()}
    assert all((r, c) in table.loose_cells for r, row in enumerate(table.rows) for c, cell in enumerate(row)
               if cell.text.isdigit())


def test_a_value_over_two_free_bands_is_loose_not_lost():
    """A value printed over two columns no other value of its row stands in (a cell merged over them, a
    long number run over its cell's edge) keeps its place among the row's values, loose, in the first of
    them; the row's witnessed values keep their columns. On main it was left empty, and its row null."""
    table = _layout([
        [("项目", 60.0), ("甲", 300.0), ("乙", 350.0), ("丙", 400.0), ("合计", 450.0)],
        _row("第一行", ["1", "2", "3", "6"]),
        _row("第二行", ["4", None, "6", "10"]),
        [("第三行", 60.0), ("7", 300.0), ("1234567890123", 345.0)],
        _row("第四行", [None, "5", "6", "11"]),
        _row("第五行", ["4", "5", None, "9"]),
        _row("第六行", ["1", "1", "1", "3"]),
    ])
    assert not table.lost_cells
    labels = [row[0].text for row in table.rows]
    third = table.rows[labels.index("第三行")]
    texts = [cell.text for cell in third]
    assert texts[-4:] == ["7", "1234567890123", "", ""]
    r = labels.index("第三行")
    assert (r, len(texts) - 3) in table.loose_cells and (r, len(texts) - 4) not in table.loose_cells


def test_a_full_row_whose_own_total_fails_keeps_its_one_placement_and_the_failing_sum_is_null():
    """Seven values in seven cells: one placement, whatever the sums. A total the parts do not make (the
    report's own mistake, 21 printed as 12) does not hide the columns; the row total then fails on a table
    without rulings, and its cells are null and named, as on any such table."""
    row = LooseRow("r", ROW, (1, 2, 3, 4, 5, 6, 12), (None,) * 7)
    assert placements(row, RULES) == [tuple(range(7))]
    cells = dict(zip(ROW, (1, 2, 3, 4, 5, 6, 12)))
    sources = {key: CellSource(page=1, table=0, row=3, col=2 + i) for i, key in enumerate(ROW)}
    table = Table(rows=[], page=1, index=0, ruled=False, loose_cells=frozenset((3, 2 + i) for i in range(7)))
    warnings = distrust_inferred_columns(cells, sources, Document([table], "pdf"), "2021", {k: str(v) for k, v in cells.items()})
    assert all(cells[key] is None for key in ROW)
    assert any("sec3.row_total.carried_forward fails" in w and ROW[0] in w for w in warnings)
    assert not any("more than one placement" in w for w in warnings)
