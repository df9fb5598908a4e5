"""The 勾稽 rules of TEMPLATE.md applied to records.

Rules 1–4 (sums within one report) are data of each template (``extract.templates``): this module
applies them, and holds the rules that are not sums of printed cells (section 一, across years).
A failed check is data, not an error: real reports get their sums wrong and researchers look for them.
Where a cell a rule needs is null (blank, ``/`` or lost with a page), the rule is reported with
``ok=None``: it could not be checked, which is not the same as passing.
Rule names are stable strings the archive stores: ``sec3.balance.<column>``, ``sec3.outcomes.<column>``,
``sec3.row_total.<row>``, ``sec4.total.<group>``, ``sec1.active_items``; the cross-year rules
(``cross_year.carried_over.<column>``, ``sec2.in_force.<row>``) are applied by the archive, which
holds the previous year's record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from extract.record import ActiveItem, CheckResult, Number
from extract.templates import SEC3_COLUMNS, SumRule, get

Cells = Mapping[str, Number | None]
TOLERANCE = 1e-6


def sum_rule(rule: str, cells: Cells, parts: Sequence[str], totals: Sequence[str]) -> CheckResult:
    """``sum(parts) == sum(totals)``, with ``ok=None`` when any cell involved is null."""
    involved = list(parts) + list(totals)
    values = [cells.get(cell) for cell in involved]
    if any(value is None for value in values):
        return CheckResult(rule, involved, None, None, None)
    expected = _clean(sum(cells[c] for c in parts))  # type: ignore[misc]
    actual = _clean(sum(cells[c] for c in totals))  # type: ignore[misc]
    return CheckResult(rule, involved, expected, actual, abs(expected - actual) < TOLERANCE)


def template_rules(cells: Cells, template: str, prefix: str = "") -> list[CheckResult]:
    """Every sum rule of the template (``extract.templates``) whose name starts with ``prefix``."""
    return [_apply(rule, cells) for rule in get(template).rules if rule.name.startswith(prefix)]


def _apply(rule: SumRule, cells: Cells) -> CheckResult:
    return sum_rule(rule.name, cells, rule.parts, rule.totals)


def sec1_active_items(active_total: int | None, items: Iterable[ActiveItem]) -> list[CheckResult]:
    """Rule 6: where section 一 lists categories with a grand total, the parts sum to it."""
    items = list(items)
    if active_total is None or not items:
        return []
    parts = _clean(sum(item.count for item in items))
    return [
        CheckResult(
            "sec1.active_items",
            [f"sec1.active_items.{item.category}" for item in items] + ["sec1.active_total"],
            parts,
            active_total,
            parts == active_total,
        )
    ]


def cross_year_carried_over(previous: Cells, current: Cells) -> list[CheckResult]:
    """Rule 5: carried_over of year Y = carried_forward of year Y−1, for one organ, every column."""
    results = []
    for col in SEC3_COLUMNS:
        before, now = previous.get(f"sec3.carried_forward.{col}"), current.get(f"sec3.carried_over.{col}")
        cells = [f"prev:sec3.carried_forward.{col}", f"sec3.carried_over.{col}"]
        if before is None or now is None:
            results.append(CheckResult(f"cross_year.carried_over.{col}", cells, None, None, None))
        else:
            results.append(
                CheckResult(f"cross_year.carried_over.{col}", cells, _clean(before), _clean(now), before == now)
            )
    return results


def sec2_in_force_balance(previous: Cells, current: Cells) -> list[CheckResult]:
    """Section 二 across years (2021 template): in_force(Y−1) + issued(Y) − repealed(Y) = in_force(Y)."""
    results = []
    for row in ("regulations", "normative_documents"):
        cells = [
            f"prev:sec2.{row}.in_force",
            f"sec2.{row}.issued",
            f"sec2.{row}.repealed",
            f"sec2.{row}.in_force",
        ]
        before = previous.get(f"sec2.{row}.in_force")
        issued = current.get(f"sec2.{row}.issued")
        repealed = current.get(f"sec2.{row}.repealed")
        now = current.get(f"sec2.{row}.in_force")
        if None in (before, issued, repealed, now):
            results.append(CheckResult(f"sec2.in_force.{row}", cells, None, None, None))
            continue
        expected = _clean(before + issued - repealed)  # type: ignore[operator]
        results.append(CheckResult(f"sec2.in_force.{row}", cells, expected, _clean(now), expected == now))
    return results


def record_checks(
    cells: Cells, template: str | None, active_total: int | None, active_items: Iterable[ActiveItem]
) -> list[CheckResult]:
    """Every single-report rule, in TEMPLATE.md's order."""
    results: list[CheckResult] = []
    if template is not None:
        results += template_rules(cells, template)
    results += sec1_active_items(active_total, active_items)
    return results


def _clean(value: Number) -> Number:
    """Sums of decimals print as decimals, sums of integers as integers."""
    if isinstance(value, float):
        return round(value, 6)
    return value
