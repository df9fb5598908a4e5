"""Mistakes planted on purpose, and blanks, each known by construction to break exactly the rules it should.

A spec names the rules it must break (``errors``); the farm finds small additive mistakes whose broken
rules exactly cover that set, and makes them. The rules a mistake breaks are read off the farm's own
rules (``farm.truth``): they are sums, so adding to some cells breaks the same rules whatever the rest
of the record holds, and one look at an all-zero record tells which.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from extract.templates import SEC3_APPLICANT_COLUMNS, SEC4_GROUPS, cell_ids, get
from farm.truth import ACTIVE_ITEMS, broken_rules, failed_rules

if TYPE_CHECKING:
    from farm.records import ReportSpec

Perturbation = tuple[tuple[str, ...], frozenset[str]]  # cells raised by d, rules they break


@lru_cache(maxsize=None)
def _primitives(template: str) -> tuple[Perturbation, ...]:
    """Small additive mistakes and the exact set of rules each breaks.

    Section 三's rules are tied (the total column is the sum of the others), so most mistakes there
    break two rules at once, as real ones do: a wrong row total breaks that row and its column.
    """
    zero = dict.fromkeys(cell_ids(template), 0)
    rows = [row.key for row in get(template).sec3]
    candidates: list[tuple[str, ...]] = []
    for row in rows:
        candidates.append((f"sec3.{row}.total",))
        for col in SEC3_APPLICANT_COLUMNS:
            candidates.append((f"sec3.{row}.{col}",))
            candidates.append((f"sec3.{row}.{col}", f"sec3.{row}.total"))
    for group in SEC4_GROUPS:
        candidates.append((f"sec4.{group}.total",))
        candidates.append((f"sec4.{group}.upheld",))
    out: list[Perturbation] = []
    for cells in candidates:
        trial = {**zero, **dict.fromkeys(cells, 1)}
        out.append((cells, frozenset(failed_rules(trial, template, None, []))))
    return tuple(out)


def achievable_error_sets(template: str = "2021") -> list[frozenset[str]]:
    """Every minimal set of rules one mistake breaks; ``errors`` must be a disjoint union of these."""
    return sorted({rules for _, rules in _primitives(template)} | {frozenset({ACTIVE_ITEMS})}, key=sorted)


def _cover(remaining: frozenset[str], template: str, rng: random.Random) -> list[tuple[str, ...]] | None:
    """Mistakes whose broken rules exactly partition ``remaining`` (a small exact-cover search)."""
    if not remaining:
        return []
    first = min(remaining)
    options = [p for p in _primitives(template) if first in p[1] and p[1] <= remaining]
    rng.shuffle(options)
    for cells, rules in options:
        rest = _cover(remaining - rules, template, rng)
        if rest is not None:
            return [cells, *rest]
    return None


def plant(spec: ReportSpec, errors: Sequence[str], rng: random.Random) -> None:
    """Make the mistakes that break exactly ``errors`` in ``spec`` (a valid one)."""
    wanted = frozenset(errors)
    if ACTIVE_ITEMS in wanted:
        if spec.active_total is None or not spec.active_items:
            raise ValueError("sec1.active_items can only be broken in a record that lists active items")
        spec.active_total += rng.randint(1, 9)
    plan = _cover(wanted - {ACTIVE_ITEMS}, spec.template, rng)
    if plan is None:
        options = [sorted(s) for s in achievable_error_sets(spec.template) if s & wanted]
        raise ValueError(f"no mistake breaks exactly {sorted(wanted)}; sets that can be combined: {options[:8]}")
    for cells in plan:
        d = rng.randint(1, 3)
        for cell in cells:
            spec.cells[cell] = int(spec.cells[cell] or 0) + d


def blank(spec: ReportSpec, fraction: float, rng: random.Random) -> None:
    """Turn ``fraction`` of the cells into blanks (None), sparing every cell a broken rule needs."""
    if fraction <= 0:
        return
    protected = {cell for rule in broken_rules(spec.cells, spec.template) for cell in rule.cells}
    candidates = [cell for cell in spec.cells if cell not in protected]
    for cell in rng.sample(candidates, round(len(candidates) * min(fraction, 1.0))):
        spec.cells[cell] = None
