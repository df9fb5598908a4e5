"""One organ's reports agree across years, as real ones do, so cross-year checks fail only where planted."""

from collections import defaultdict

import pytest

from extract.checks import cross_year_carried_over, sec2_in_force_balance
from farm.records import chain_years, make_record
from farm.world import World


@pytest.mark.parametrize("size", ["small", "full"])
def test_consecutive_years_of_an_organ_pass_the_cross_year_checks(size: str) -> None:
    by_organ: dict[str, dict[int, dict]] = defaultdict(dict)
    for truth in World(0, size).reports():
        if truth.spec is not None and not truth.seed_file:
            by_organ[truth.organ][truth.year] = truth.spec.cells
    pairs = 0
    for years in by_organ.values():
        for year, cells in years.items():
            if year - 1 in years:
                pairs += 1
                results = cross_year_carried_over(years[year - 1], cells) + sec2_in_force_balance(years[year - 1], cells)
                assert all(result.ok is not False for result in results), results
    assert pairs > 10


def test_chained_specs_stay_valid() -> None:
    for seed in range(200):
        for template, year in (("2021", 2023), ("2019", 2020)):
            spec = chain_years(make_record(seed, template=template, year=year, organ=f"测试{seed}局"))
            assert spec.expected_failures() == []
            assert all(value >= 0 for cell, value in spec.cells.items() if cell.startswith("sec3."))
