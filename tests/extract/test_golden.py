"""The parser against the five real seeds: every field of the hand-written golden files, exactly.

The golden files (nianbao/samples/seed_00N.json, beside the seed texts) were written by reading each report by hand, never by
running the parser, so they are the specification. Seed 000 lost pages: its missing cells must be
null, never a guessed 0, and each must be named in the record's warnings.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.parse import parse_file
from extract.templates import cell_ids

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "nianbao" / "samples"
GOLDEN = ROOT / "nianbao" / "samples"
SEEDS = sorted(path.stem.split("_")[1] for path in GOLDEN.glob("seed_*.json"))
FIELDS = ("organ", "year", "template", "published_on", "active_total", "urls")


def _sample(number: str) -> Path:
    return next(SAMPLES.glob(f"{number}_*.txt"))


def _golden(number: str) -> dict:
    return json.loads((GOLDEN / f"seed_{number}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=SEEDS)
def case(request: pytest.FixtureRequest):
    number = request.param
    return number, _golden(number), parse_file(_sample(number))


def test_all_five_seeds_have_golden_files() -> None:
    assert SEEDS == ["000", "001", "002", "003", "004"]


def test_golden_files_name_every_cell_of_their_template() -> None:
    for number in SEEDS:
        golden = _golden(number)
        assert list(golden["cells"]) == cell_ids(golden["template"]), number


@pytest.mark.parametrize("field", FIELDS)
def test_report_fields(case, field: str) -> None:
    number, golden, record = case
    assert getattr(record, field) == golden[field], f"seed {number}: {field}"


def test_active_items(case) -> None:
    number, golden, record = case
    got = [{"category": item.category, "count": item.count} for item in record.active_items]
    assert got == golden["active_items"], f"seed {number}"


def test_cells_exactly(case) -> None:
    number, golden, record = case
    assert set(record.cells) == set(golden["cells"]), f"seed {number}: cell ids"
    wrong = {
        cell: (want, record.cells[cell])
        for cell, want in golden["cells"].items()
        if record.cells[cell] != want or type(record.cells[cell]) is not type(want)
    }
    assert not wrong, f"seed {number}: cell: (expected, got): {wrong}"


def test_null_cells_are_named_in_warnings(case) -> None:
    number, golden, record = case
    nulls = [cell for cell, value in golden["cells"].items() if value is None]
    unnamed = [cell for cell in nulls if not any(cell in warning for warning in record.warnings)]
    assert not unnamed, f"seed {number}: null cells not named in warnings: {unnamed}"


def test_seed_000_lost_exactly_the_pages_it_lost() -> None:
    golden = _golden("000")
    nulls = {cell for cell, value in golden["cells"].items() if value is None}
    assert {cell.split(".")[1] for cell in nulls if cell.startswith("sec3.")} == {
        "new_received",
        "carried_over",
        "granted",
        "partially_granted",
        "denied_state_secret",
        "denied_law_prohibited",
    }
    assert {cell for cell in nulls if cell.startswith("sec2.")} == {
        cell for cell in cell_ids("2021") if cell.startswith("sec2.") and ".regulations." not in cell
    }


def test_checks_on_seeds_pass_or_cannot_be_checked(case) -> None:
    number, _golden_record, record = case
    assert record.failed_checks == [], f"seed {number}: {record.failed_checks}"


def test_the_farm_serves_the_seeds_as_their_golden_records() -> None:
    from farm.records import seed_records

    specs = seed_records()
    assert [spec.organ for spec in specs] == [_golden(n)["organ"] for n in ("000", "001", "002", "003", "004")]
