"""Deterministic generator of annual-report records whose correct reading is known in advance.

Every test report the farm prints starts here, as a ``ReportSpec``: the organ, the year, the template,
every cell of TEMPLATE.md and the prose of sections 一, 五 and 六. A spec is valid (every 勾稽 rule
of TEMPLATE.md holds or cannot be checked) unless ``errors`` names rules that were broken on purpose;
then exactly those fail, so a test can demand that the parser's checks find exactly them. Which rules
a spec breaks is the farm's own reckoning (``farm.truth``), never the checks under test. The same seed
always gives the same spec, so a failing case can be reproduced from its seed alone.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from extract.templates import SEC3_APPLICANT_COLUMNS, SEC4_COLUMNS, SEC4_GROUPS, cell_ids, get
from farm.mistakes import blank, plant
from farm.prose import LEVELS, draw_active_items, organ_name, sec1_text, sec5_text, sec6_text
from farm.truth import SEC3_FRAME, failed_rules

Value = int | float | None

# The hand-read records of the five sample reports, shipped beside their texts (package data).
GOLDEN_DIR = Path(__file__).resolve().parents[1] / "nianbao" / "samples"
_DOMAINS = ("tlsgq", "zongyang", "lushan", "xingren", "fuxian", "huichang", "jiaxiang", "susong", "yexian")


@dataclass
class ReportSpec:
    """One report as the farm means it: what a perfect parser must read back from any rendering."""

    organ: str
    year: int
    template: str  # "2021" or "2019"
    published_on: str | None  # ISO date under the signature
    active_total: int | None
    active_items: list[tuple[str, int]]
    urls: list[str]
    cells: dict[str, int | float | None]  # every cell id of extract.templates.cell_ids(template)
    texts: dict[str, str]  # "sec1" (prose incl. the 主动公开…其中… sentence), "sec5", "sec6"
    errors: list[str] = field(default_factory=list)  # rule names deliberately broken
    level: str = "community"
    seed: int | None = None

    def expected_failures(self) -> list[str]:
        """The rules this spec breaks, by the farm's own reckoning: equal to ``errors`` for farm specs."""
        return failed_rules(self.cells, self.template, self.active_total, self.active_items)


# Numbers ----------------------------------------------------------------------------------------------

_BUSY = {"community": 0.0, "street": 0.3, "township": 0.3, "county": 1.0, "district": 1.0, "county_dept": 0.8, "city_dept": 1.0}


def _small(rng: random.Random, busy: float, high: int) -> int:
    """Mostly zero for quiet organs, up to ``high`` for busy ones."""
    if rng.random() > max(busy, 0.08):
        return 0
    return rng.randint(0, max(1, int(high * max(busy, 0.05))))


def _money(rng: random.Random, busy: float, high: float) -> int | float:
    """Money in 万元: 0 for most small organs, else printed with two decimals (read back as a float)."""
    if rng.random() > busy:
        return 0
    return round(rng.uniform(0.5, high), 2)


def _sec2(rng: random.Random, template: str, busy: float) -> dict[str, Value]:
    cells: dict[str, Value] = {}
    if template == "2021":
        for row, high in (("regulations", 3), ("normative_documents", 12)):
            issued = _small(rng, busy * (0.2 if row == "regulations" else 1), high)
            in_force = issued + _small(rng, busy * (0.2 if row == "regulations" else 1), high * 5)
            cells[f"sec2.{row}.issued"] = issued
            cells[f"sec2.{row}.repealed"] = min(_small(rng, busy, high // 2 + 1), in_force)
            cells[f"sec2.{row}.in_force"] = in_force
        cells["sec2.licensing.decisions"] = _small(rng, busy, 3000)
        cells["sec2.penalty.decisions"] = _small(rng, busy, 400)
        cells["sec2.coercion.decisions"] = _small(rng, busy, 40)
        cells["sec2.fees.amount_10k_yuan"] = _money(rng, busy * 0.5, 900.0)
        return cells
    for row, high in (("regulations", 3), ("normative_documents", 12)):
        made = _small(rng, busy * (0.2 if row == "regulations" else 1), high)
        cells[f"sec2.{row}.made"] = made
        cells[f"sec2.{row}.published"] = made
        cells[f"sec2.{row}.total_public"] = made + _small(rng, busy, high * 5)
    for row, high in (("licensing", 3000), ("other_services", 500), ("penalty", 400), ("coercion", 40)):
        cells[f"sec2.{row}.prev_year_items"] = _small(rng, busy, 80)
        cells[f"sec2.{row}.change"] = rng.choice((0, 0, 0, 1, 2, -1, -3)) if busy else 0
        cells[f"sec2.{row}.decisions"] = _small(rng, busy, high)
    cells["sec2.fees.prev_year_items"] = _small(rng, busy, 20)
    cells["sec2.fees.change"] = rng.choice((0, 0, 1, -1)) if busy else 0
    cells["sec2.procurement.items"] = _small(rng, busy, 30)
    cells["sec2.procurement.amount"] = _money(rng, busy * 0.6, 2500.0) if cells["sec2.procurement.items"] else 0
    return cells


_APPLICANT_SCALE = {
    "natural_person": 300,
    "commercial": 30,
    "research": 3,
    "social_welfare": 3,
    "legal_service": 10,
    "other_org": 5,
}
# Outcome rows that carry most real requests, and how much more often than the others.
_OUTCOME_WEIGHTS = {
    "granted": 12,
    "partially_granted": 3,
    "unavailable_not_held": 5,
    "not_processed_petition": 2,
    "other_misc": 2,
    "other_handling": 3,
    "not_processed_duplicate": 1,
    "unavailable_needs_creation": 1,
    "denied_third_party": 1,
    "denied_process_info": 1,
}


def _sec3(rng: random.Random, template: str, busy: float) -> dict[str, Value]:
    rows = [row.key for row in get(template).sec3]
    outcomes = [r for r in rows if r not in SEC3_FRAME]
    weights = [_OUTCOME_WEIGHTS.get(r, 0.15) for r in outcomes]
    grid: dict[tuple[str, str], int] = {}
    quiet = busy == 0.0
    for col in SEC3_APPLICANT_COLUMNS:
        if quiet:
            new = 1 if (col == "natural_person" and rng.random() < 0.2) else 0
        else:
            new = _small(rng, busy, _APPLICANT_SCALE[col])
        carried_over = rng.randint(0, new // 8) if new else 0
        carried_forward = rng.randint(0, (new + carried_over) // 8)
        processed = new + carried_over - carried_forward
        counts = dict.fromkeys(outcomes, 0)
        for row in rng.choices(outcomes, weights=weights, k=processed):
            counts[row] += 1
        grid.update({(r, col): n for r, n in counts.items()})
        grid[("new_received", col)] = new
        grid[("carried_over", col)] = carried_over
        grid[("total_processed", col)] = processed
        grid[("carried_forward", col)] = carried_forward
    cells: dict[str, Value] = {}
    for row in rows:
        for col in SEC3_APPLICANT_COLUMNS:
            cells[f"sec3.{row}.{col}"] = grid[(row, col)]
        cells[f"sec3.{row}.total"] = sum(grid[(row, col)] for col in SEC3_APPLICANT_COLUMNS)
    return cells


def _sec4(rng: random.Random, busy: float) -> dict[str, Value]:
    cells: dict[str, Value] = {}
    for group in SEC4_GROUPS:
        parts = [_small(rng, busy * 0.5, 6) for _ in SEC4_COLUMNS[:-1]]
        for col, n in zip(SEC4_COLUMNS[:-1], parts):
            cells[f"sec4.{group}.{col}"] = n
        cells[f"sec4.{group}.total"] = sum(parts)
    return cells


# Public API -------------------------------------------------------------------------------------------


def _level_for(rng: random.Random) -> str:
    return rng.choices(LEVELS, weights=(5, 3, 3, 1, 1, 3, 2))[0]


def make_record(
    seed: int,
    *,
    template: str = "2021",
    year: int | None = None,
    organ: str | None = None,
    level: str | None = None,
    errors: Sequence[str] = (),
    blanks: float = 0.0,
) -> ReportSpec:
    """A valid report record, the same for the same arguments.

    ``year`` defaults to 2024 for the 2021 template and to 2019 or 2020 for the 2019 template (the only
    years that template was used for). ``errors`` names rules of TEMPLATE.md to break: exactly
    those fail (see ``achievable_error_sets``). ``blanks`` is the fraction of cells printed blank, ``/``,
    ``—`` or ``无``: their value is None.
    """
    if template not in ("2021", "2019"):
        raise ValueError(f"unknown template {template!r}: expected 2021 or 2019")
    rng = random.Random(f"nianbao-farm:{seed}:{template}:{year}:{organ}:{level}")
    if year is None:
        year = 2024 if template == "2021" else rng.choice((2019, 2020))
    if template == "2019" and year not in (2019, 2020):
        raise ValueError(f"the 2019 template was used for reports on 2019 and 2020 only, not {year}")
    if template == "2021" and year < 2021:
        raise ValueError(f"the 2021 template is used for reports on 2021 onwards, not {year}")
    level = level or _level_for(rng)
    if level not in _BUSY:
        raise ValueError(f"unknown level {level!r}: expected one of {', '.join(LEVELS)}")
    busy = _BUSY[level]
    organ = organ or organ_name(rng, level)
    cells: dict[str, Value] = {**_sec2(rng, template, busy), **_sec3(rng, template, busy), **_sec4(rng, busy)}
    cells = {cell: cells[cell] for cell in cell_ids(template)}
    total, items = draw_active_items(rng, busy)
    if "sec1.active_items" in errors and not items:
        total, items = 30, [("政策文件", 10), ("工作动态", 20)]
    urls = [f"http://www.{rng.choice(_DOMAINS)}.gov.cn/zwgk/zfxxgknb/"] if rng.random() < 0.6 else []
    published = f"{year + 1}-01-{rng.randint(10, 31):02d}" if rng.random() < 0.85 else None
    spec = ReportSpec(
        organ=organ,
        year=year,
        template=template,
        published_on=published,
        active_total=total,
        active_items=items,
        urls=urls,
        cells=cells,
        texts={},
        errors=[],
        level=level,
        seed=seed,
    )
    if errors:
        plant(spec, errors, rng)
    blank(spec, blanks, rng)
    spec.texts = {
        "sec1": sec1_text(organ, year, spec.active_total, spec.active_items, urls, rng.randrange(8), rng),
        "sec5": sec5_text(rng, year),
        "sec6": sec6_text(rng),
    }
    spec.errors = spec.expected_failures()
    if spec.errors != sorted(set(errors)):
        raise AssertionError(f"seed {seed}: meant to break {sorted(set(errors))}, broke {spec.errors}")
    return spec


def seed_from_golden(path: Path) -> ReportSpec:
    """A spec read from a hand-written golden file (nianbao/samples/seed_00N.json)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    items = [(item["category"], item["count"]) for item in data["active_items"]]
    spec = ReportSpec(
        organ=data["organ"],
        year=data["year"],
        template=data["template"],
        published_on=data["published_on"],
        active_total=data["active_total"],
        active_items=items,
        urls=list(data["urls"]),
        cells=dict(data["cells"]),
        texts={},
        level="community",
        seed=None,
    )
    rng = random.Random(path.name)
    spec.texts = {
        "sec1": sec1_text(spec.organ, spec.year, spec.active_total, items, spec.urls, 0),
        "sec5": sec5_text(rng, spec.year),
        "sec6": sec6_text(rng),
    }
    spec.errors = spec.expected_failures()
    return spec


def seed_records() -> list[ReportSpec]:
    """The five seeds of ../shared/seeds/ as specs, from their hand-written golden files."""
    return [seed_from_golden(path) for path in sorted(GOLDEN_DIR.glob("seed_*.json"))]


def corpus_specs() -> list[ReportSpec]:
    """A fixed, varied set of specs: both templates, every level, blanks and deliberate mistakes."""
    specs: list[ReportSpec] = []
    error_sets = [
        ("sec4.total.review",),
        ("sec1.active_items",),
        ("sec3.outcomes.total", "sec3.row_total.granted"),
        ("sec3.balance.natural_person", "sec3.balance.total"),
        ("sec3.balance.total", "sec3.row_total.carried_forward"),
        ("sec4.total.litigation_direct", "sec3.outcomes.commercial", "sec3.outcomes.total"),
    ]
    for i in range(48):
        template = "2019" if i % 4 == 3 else "2021"
        level = LEVELS[i % len(LEVELS)]
        errors = error_sets[(i // 5) % len(error_sets)] if i % 5 == 4 else ()
        blanks = (0.0, 0.0, 0.05, 0.0, 0.15)[i % 5] if not errors else 0.0
        specs.append(make_record(1000 + i, template=template, level=level, errors=errors, blanks=blanks))
    for i, template in enumerate(("2021", "2019", "2021", "2019")):
        specs.insert(7 + 11 * i, blank_first_cells(make_record(2000 + i, template=template, level="city_dept")))
    return specs


def blank_first_cells(spec: ReportSpec) -> ReportSpec:
    """The first value of every table row left blank: where a blank is easiest to lose (row starts)."""
    firsts = {}
    for cell in spec.cells:
        firsts.setdefault(cell.rsplit(".", 1)[0], cell)
    firsts["sec4"] = "sec4.review.upheld"
    for cell in firsts.values():
        spec.cells[cell] = None
    spec.errors = spec.expected_failures()
    return spec


# Years of one organ ----------------------------------------------------------------------------------

FIRST_YEAR = 2019


def chain_years(spec: ReportSpec) -> ReportSpec:
    """The spec with the numbers that tie one organ's consecutive reports together.

    Real reports carry requests over (carried_over of year Y is carried_forward of Y−1) and keep a
    running count of rules and normative documents in force; the cross-year checks test exactly that.
    The carried numbers and the in-force counts come from the organ's name and the year alone, so every
    report of the organ, whichever seed made the rest of it, agrees with its neighbours. New requests
    (and, when that is not enough, granted ones) absorb the difference, so the spec stays valid.
    """
    cells = dict(spec.cells)
    before, after = _carry(spec.organ, spec.year - 1), _carry(spec.organ, spec.year)
    for col in SEC3_APPLICANT_COLUMNS:
        processed = cells[f"sec3.total_processed.{col}"]
        new = processed + after[col] - before[col]
        if new < 0:
            cells[f"sec3.granted.{col}"] += -new
            cells[f"sec3.total_processed.{col}"] = processed - new
            new = 0
        cells[f"sec3.new_received.{col}"] = new
        cells[f"sec3.carried_over.{col}"] = before[col]
        cells[f"sec3.carried_forward.{col}"] = after[col]
    for row in ("new_received", "carried_over", "carried_forward", "granted", "total_processed"):
        cells[f"sec3.{row}.total"] = sum(cells[f"sec3.{row}.{col}"] for col in SEC3_APPLICANT_COLUMNS)
    if spec.template == "2021":
        for row in ("regulations", "normative_documents"):
            issued, repealed, in_force = _in_force(spec.organ, row, spec.year)
            cells[f"sec2.{row}.issued"] = issued
            cells[f"sec2.{row}.repealed"] = repealed
            cells[f"sec2.{row}.in_force"] = in_force
    return ReportSpec(**{**spec.__dict__, "cells": cells})


def _carry(organ: str, year: int) -> dict[str, int]:
    """Requests an organ carried into the next year: mostly none, now and then a few."""
    rng = random.Random(f"carry/{organ}/{year}")
    return {
        col: rng.choice((0, 0, 0, 1, 2, 3)) if col == "natural_person" else int(rng.random() < 0.1)
        for col in SEC3_APPLICANT_COLUMNS
    }


@lru_cache(maxsize=4096)
def _in_force(organ: str, row: str, year: int) -> tuple[int, int, int]:
    """(issued, repealed, in force) of an organ's rules or normative documents, as a running count."""
    rng = random.Random(f"sec2/{organ}/{row}/{year}")
    high = 2 if row == "regulations" else 6
    if year <= FIRST_YEAR:
        return 0, 0, rng.randint(0, high * 4)
    previous = _in_force(organ, row, year - 1)[2]
    issued = rng.randint(0, high)
    repealed = rng.randint(0, min(previous, high // 2 + 1))
    return issued, repealed, previous + issued - repealed
