"""Property: any valid record, printed in any layout and encoding, parses back to the same cells.

Records come from ``farm.records.make_record`` (realistic shapes, blanks) with section 二 and 四 widened
by hypothesis to numbers the generator rarely picks (five digits, decimals, negative changes), so the
thousands separators, units and full-width digits of the renderers meet large values too.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from extract.parse import parse_bytes
from extract.templates import SEC4_COLUMNS, SEC4_GROUPS
from farm.records import LEVELS, ReportSpec, make_record
from farm.render import HTML_LAYOUTS, TEXT_LAYOUTS, encode, expected
from farm.render.corpus import HTML_ENCODINGS, TEXT_ENCODINGS, Encoding

MONEY = ("sec2.fees.amount_10k_yuan", "sec2.procurement.amount")


@st.composite
def valid_records(draw: st.DrawFn) -> ReportSpec:
    template = draw(st.sampled_from(("2021", "2019")))
    spec = make_record(
        draw(st.integers(0, 10**6)),
        template=template,
        level=draw(st.sampled_from(LEVELS)),
        blanks=draw(st.sampled_from((0.0, 0.0, 0.05, 0.3))),
    )
    for cell, value in spec.cells.items():
        if not cell.startswith("sec2.") or value is None:
            continue
        if cell in MONEY:
            spec.cells[cell] = draw(st.one_of(st.just(0), st.integers(1, 10**7).map(lambda n: n / 100)))
        elif cell.endswith(".change"):
            spec.cells[cell] = draw(st.integers(-50, 50))
        else:
            spec.cells[cell] = draw(st.integers(0, 99_999))
    for group in SEC4_GROUPS:
        parts = [f"sec4.{group}.{col}" for col in SEC4_COLUMNS[:-1]]
        for cell in parts:
            if spec.cells[cell] is not None:
                spec.cells[cell] = draw(st.integers(0, 60))
        if spec.cells[f"sec4.{group}.total"] is not None and all(spec.cells[c] is not None for c in parts):
            spec.cells[f"sec4.{group}.total"] = sum(spec.cells[c] for c in parts)  # type: ignore[misc]
    spec.errors = spec.expected_failures()
    assert spec.errors == []
    return spec


def _roundtrip(spec: ReportSpec, layout: str, text: str, encoding: str, declared: bool, crlf: bool) -> None:
    want = expected(spec, layout)
    record = parse_bytes(encode(text, encoding, declare=declared, crlf=crlf), None)
    wrong = {
        cell: (value, record.cells.get(cell))
        for cell, value in want.cells.items()
        if record.cells.get(cell) != value or isinstance(record.cells.get(cell), float) != isinstance(value, float)
    }
    assert not wrong, f"{layout} ({encoding}): {len(wrong)} cells wrong (expected, got): {dict(list(wrong.items())[:6])}"
    assert [c.rule for c in record.failed_checks] == want.errors


# No shrinking: a failing record is already small to state (its seed and draws are printed), and
# shrinking a parse through twenty layouts would cost minutes.
SETTINGS = settings(
    max_examples=20,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow],
)


# Layouts and encodings are varied apart, so that one failing encoding does not hide layout failures.
UNICODE_TEXT = [e for e in TEXT_ENCODINGS if e[0] in ("utf-8", "gb18030")]


@pytest.mark.parametrize("layout", sorted(TEXT_LAYOUTS))
@SETTINGS
@given(spec=valid_records(), encoding=st.sampled_from(UNICODE_TEXT))
def test_text_layouts_roundtrip(layout: str, spec: ReportSpec, encoding: Encoding) -> None:
    _roundtrip(spec, layout, TEXT_LAYOUTS[layout](spec), *encoding)


@pytest.mark.parametrize("layout", sorted(HTML_LAYOUTS))
@SETTINGS
@given(spec=valid_records(), encoding=st.sampled_from(HTML_ENCODINGS))
def test_html_layouts_roundtrip(layout: str, spec: ReportSpec, encoding: Encoding) -> None:
    _roundtrip(spec, layout, HTML_LAYOUTS[layout](spec), *encoding)


@pytest.mark.parametrize("encoding", TEXT_ENCODINGS, ids=lambda e: e[0])
@SETTINGS
@given(spec=valid_records(), layout=st.sampled_from(["tsv_gaps", "cell_lines", "pipe_sep"]))
def test_text_encodings_roundtrip(encoding: Encoding, spec: ReportSpec, layout: str) -> None:
    _roundtrip(spec, layout, TEXT_LAYOUTS[layout](spec), *encoding)
