"""The fixture's print of a page (``tests/extract/office.py``): landscape when its widest table is wider
than A4 portrait's printable width, as the page declares its widths; otherwise the page untouched.

Expected widths come from the pages written here: 16 px an em (12 pt), a CJK character one em, a digit
half; LibreOffice's A4 portrait page prints 180 mm (680 px) between its margins."""

from __future__ import annotations

import lxml.html

from tests.extract.office import A4_PRINTABLE_PX, table_width, variant

LANDSCAPE = "@page { size: A4 landscape }"


def _page(table: str) -> str:
    return f"<html><body><p>三、收到和处理政府信息公开申请情况</p>{table}</body></html>"


def _width(table: str) -> float:
    return table_width(lxml.html.fromstring(table))


def test_declared_widths_add_up_across_a_row():
    assert _width('<table><tr><td style="width:300px">a</td><td width="200">1</td></tr></table>') == 500
    assert _width('<table><tr><td style="width:72pt">a</td></tr></table>') == 96
    assert _width('<table style="width:900px"><tr><td>a</td></tr></table>') == 900


def test_a_cell_that_may_not_wrap_is_as_wide_as_its_longest_line():
    # 40 CJK characters at 16 px, plus 4 px of padding; a <br> breaks the line, a wrapping cell folds.
    text = "申" * 40
    assert _width(f'<table><tr><td nowrap style="width:100px">{text}</td></tr></table>') == 644
    assert _width(f'<table><tr><td style="white-space: nowrap">{text[:20]}<br>{text[:10]}</td></tr></table>') == 324
    assert _width(f'<table><tr><td style="width:100px">{text}</td></tr></table>') == 100


def test_a_table_wider_than_a4_portrait_is_printed_in_landscape():
    wide = _page(f'<table><tr><td nowrap>{"申" * 30}</td><td nowrap>{"请" * 20}</td></tr></table>')
    assert 30 * 16 + 20 * 16 > A4_PRINTABLE_PX
    for name in ("grid", "rows", "grid-borderless", "rows-borderless"):
        root = lxml.html.document_fromstring(variant(wide, name))
        assert [child.tag for child in root] == ["head", "body"]  # one page, its body untouched
        assert [style.text for style in root.find("head").iter("style")] == [LANDSCAPE]
        assert LANDSCAPE not in variant(wide, name, fit=False)


def test_a_table_that_fits_leaves_the_page_as_it_is():
    narrow = _page('<table><tr><td style="width:600px">规章</td><td style="width:60px">13</td></tr></table>')
    assert LANDSCAPE not in variant(narrow, "grid")
    assert variant(narrow, "grid") == variant(narrow, "grid", fit=False)
