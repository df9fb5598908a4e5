"""The farm's own answer to "which 勾稽 rules does this report break?", kept apart from the checks under test.

Every report the farm prints comes with what a perfect parser must read back, and the rules the report
breaks are part of that answer. They are worked out here, from the six rules of TEMPLATE.md as that
file states them, over the farm's own spec, and never with ``extract.checks``: a bug in the checks
would otherwise be copied into the answers the tests expect, and both would agree on it. Only the
template's data (its rows and columns) is shared.

Each single-report rule says that two sums of cells are equal. A rule whose cells are not all present
(a blank, a lost page) cannot be checked, which is not a failure; a failing rule names every cell it
involves. The names are the stable rule names the archive stores (``sec3.balance.<column>`` …).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from extract.templates import SEC3_APPLICANT_COLUMNS, SEC3_COLUMNS, SEC4_COLUMNS, SEC4_GROUPS, get

Value = int | float | None
ACTIVE_ITEMS = "sec1.active_items"
# Section 三's rows that are not outcomes: the two the year starts from and the two it ends with.
SEC3_FRAME = ("new_received", "carried_over", "total_processed", "carried_forward")
_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Rule:
    """``sum(left) == sum(right)`` over cells of one report."""

    name: str
    left: tuple[str, ...]
    right: tuple[str, ...]

    @property
    def cells(self) -> tuple[str, ...]:
        return self.left + self.right

    def broken(self, cells: Mapping[str, Value]) -> bool | None:
        """True when the sums differ, None when a cell is missing (the rule cannot be checked)."""
        values = [cells.get(cell) for cell in self.cells]
        if any(value is None for value in values):
            return None
        left = sum(values[: len(self.left)])  # type: ignore[arg-type]
        right = sum(values[len(self.left) :])  # type: ignore[arg-type]
        return abs(left - right) > _TOLERANCE


def outcome_rows(template: str) -> list[str]:
    """Section 三's outcome rows (三、本年度办理结果 (一)–(六)): what (七) 总计 adds up."""
    return [row.key for row in get(template).sec3 if row.key not in SEC3_FRAME]


@lru_cache(maxsize=None)
def rules(template: str) -> tuple[Rule, ...]:
    """TEMPLATE.md's rules 1–4 for one template, in its order."""
    every_row = [row.key for row in get(template).sec3]
    found: list[Rule] = []
    for col in SEC3_COLUMNS:  # 1. new + carried over = processed + carried forward, every column
        found.append(Rule(f"sec3.balance.{col}", (f"sec3.new_received.{col}", f"sec3.carried_over.{col}"),
                          (f"sec3.total_processed.{col}", f"sec3.carried_forward.{col}")))
    for col in SEC3_COLUMNS:  # 2. the outcomes add up to the total processed, every column
        found.append(Rule(f"sec3.outcomes.{col}", tuple(f"sec3.{row}.{col}" for row in outcome_rows(template)),
                          (f"sec3.total_processed.{col}",)))
    for row in every_row:  # 3. every row's total is the sum of its six applicant columns
        found.append(Rule(f"sec3.row_total.{row}", tuple(f"sec3.{row}.{col}" for col in SEC3_APPLICANT_COLUMNS),
                          (f"sec3.{row}.total",)))
    for group in SEC4_GROUPS:  # 4. every group's total: upheld + corrected + other + pending
        parts = tuple(f"sec4.{group}.{col}" for col in SEC4_COLUMNS if col != "total")
        found.append(Rule(f"sec4.total.{group}", parts, (f"sec4.{group}.total",)))
    return tuple(found)


def broken_rules(cells: Mapping[str, Value], template: str) -> list[Rule]:
    """The rules of rules 1–4 that ``cells`` break."""
    return [rule for rule in rules(template) if rule.broken(cells)]


def active_items_broken(active_total: int | None, items: Iterable[tuple[str, int]]) -> bool:
    """Rule 6: section 一 lists categories with a grand total, and the parts do not add up to it."""
    counts = [count for _, count in items]
    return active_total is not None and bool(counts) and sum(counts) != active_total


def failed_rules(
    cells: Mapping[str, Value], template: str, active_total: int | None, items: Iterable[tuple[str, int]]
) -> list[str]:
    """Names of the single-report rules a report with these numbers breaks, sorted."""
    names = [rule.name for rule in broken_rules(cells, template)]
    if active_items_broken(active_total, items):
        names.append(ACTIVE_ITEMS)
    return sorted(names)
