"""The parser against the generated corpus: every layout × both templates × every encoding.

Each case is a report printed from a known record (``farm.render.corpus``): tab rows with gaps, one
cell per line, pipe tables, pdftotext spacing, wrapped labels, split tables, lost pages, CMS pages with
Word markup, text-only HTML; in UTF-8, GB18030/GBK (with and without a charset declaration) and UTF-16;
with blank, ``/``, ``—`` and ``无`` cells and with sums that are wrong on purpose. Parsing must give
exactly the record's cells, and the failed checks must be exactly the mistakes that were made.
"""

from __future__ import annotations

from collections import Counter

import pytest

from extract.parse import parse_bytes
from extract.record import Record
from extract.templates import cell_ids
from farm.mistakes import achievable_error_sets
from farm.records import make_record
from farm.render import HTML_LAYOUTS, TEXT_LAYOUTS
from farm.render.corpus import Case, corpus_cases

CASES = corpus_cases()


@pytest.fixture(scope="module")
def parsed() -> dict[str, Record]:
    return {}


def _parse(case: Case, cache: dict[str, Record]) -> Record:
    if case.id not in cache:
        cache[case.id] = parse_bytes(case.data, case.filename)
    return cache[case.id]


def _wrong_cells(want: dict, got: dict) -> dict[str, tuple]:
    """Cells whose value, or kind of number (int vs decimal), differs: {cell: (expected, got)}."""
    return {
        cell: (value, got.get(cell))
        for cell, value in want.items()
        if got.get(cell) != value or isinstance(got.get(cell), float) != isinstance(value, float)
    }


def test_corpus_is_large_and_covers_everything() -> None:
    assert len(CASES) >= 40
    combos = Counter((c.layout, c.spec.template) for c in CASES)
    assert {layout for layout, _ in combos} == set(TEXT_LAYOUTS) | set(HTML_LAYOUTS)
    assert all(count >= 3 for count in combos.values())
    assert {c.encoding for c in CASES} >= {"utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"}
    assert any(c.crlf for c in CASES if c.kind == "text") and any(c.crlf for c in CASES if c.kind == "html")
    assert any(c.kind == "html" and not c.declared and c.encoding == "gbk" for c in CASES)
    assert sum(1 for c in CASES if any(v is None for v in c.spec.cells.values())) >= 10
    assert sum(1 for c in CASES if c.spec.errors) >= 10
    assert {c.spec.template for c in CASES if c.spec.errors} == {"2021", "2019"}
    assert any(c.expected.cells != c.spec.cells for c in CASES)  # some lost pages


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_cells(case: Case, parsed: dict[str, Record]) -> None:
    record = _parse(case, parsed)
    assert record.template == case.expected.template
    assert set(record.cells) == set(case.expected.cells)
    wrong = _wrong_cells(case.expected.cells, record.cells)
    assert not wrong, f"{len(wrong)} cells wrong (expected, got): {dict(list(wrong.items())[:8])}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_failed_checks_are_exactly_the_mistakes(case: Case, parsed: dict[str, Record]) -> None:
    record = _parse(case, parsed)
    assert sorted(check.rule for check in record.failed_checks) == case.expected.errors


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_report_fields(case: Case, parsed: dict[str, Record]) -> None:
    record = _parse(case, parsed)
    want = case.expected
    got = {
        "organ": record.organ,
        "year": record.year,
        "published_on": record.published_on,
        "active_total": record.active_total,
        "active_items": [(item.category, item.count) for item in record.active_items],
        "urls": record.urls,
    }
    assert got == {
        "organ": want.organ,
        "year": want.year,
        "published_on": want.published_on,
        "active_total": want.active_total,
        "active_items": list(want.active_items),
        "urls": want.urls,
    }


@pytest.mark.parametrize("case", [c for c in CASES if c.expected.cells != c.spec.cells], ids=lambda c: c.id)
def test_lost_cells_are_null_and_named_in_warnings(case: Case, parsed: dict[str, Record]) -> None:
    record = _parse(case, parsed)
    lost = [cell for cell, value in case.expected.cells.items() if value is None and case.spec.cells[cell] is not None]
    assert lost
    unnamed = [cell for cell in lost if not any(cell in warning for warning in record.warnings)]
    assert not unnamed, f"lost cells not named in warnings: {unnamed}"


# The generator itself: the corpus is only as good as the records behind it ----------------------------


def test_records_are_deterministic() -> None:
    assert make_record(7, level="county_dept") == make_record(7, level="county_dept")
    assert make_record(7).cells != make_record(8, level="city_dept").cells


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_valid_records_pass_every_check(template: str) -> None:
    for seed in range(60):
        spec = make_record(seed, template=template, blanks=0.1 if seed % 3 else 0.0)
        assert spec.errors == [] == spec.expected_failures()
        assert list(spec.cells) == cell_ids(template)


@pytest.mark.parametrize("errors", [tuple(sorted(s)) for s in achievable_error_sets("2021")][::7])
def test_deliberate_mistakes_break_exactly_the_rules_named(errors: tuple[str, ...]) -> None:
    spec = make_record(3, level="city_dept", errors=errors, blanks=0.2)
    assert spec.errors == sorted(errors) == spec.expected_failures()


def test_impossible_mistakes_are_refused() -> None:
    with pytest.raises(ValueError, match="no mistake breaks exactly"):
        make_record(1, errors=("sec3.row_total.granted",))  # a row total alone cannot be wrong
    with pytest.raises(ValueError, match="2019 and 2020"):
        make_record(1, template="2019", year=2023)
