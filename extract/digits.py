"""Cells run together with no separator (``713000074``): split only where the template's sums admit one split.

A row of n cells printed as fewer digit tokens is cut into n numbers, each token into one or more, no
number with a leading zero (``0`` itself aside). A cut is kept only when it satisfies the row's own sum
rules (section 三's 总计 = the six applicant columns, each section 四 group's 总计 = its four cells);
rows left with several cuts are then tried together against the rules across rows (the column balances
of section 三). A row that still has more than one cut, or none, is not guessed: every cell of it is
null and the record says ``ambiguous digits`` and names the row.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from extract.record import Number
from extract.templates import SumRule

MAX_CUTS = 50_000  # cuts of one row tried before it is called ambiguous
MAX_COMBINATIONS = 200_000  # joint assignments of the undecided rows tried before giving up
TOLERANCE = 1e-6


@dataclass
class GluedRow:
    """A row whose digits ran together: its cell ids (in order) and the printed tokens."""

    name: str  # ``sec3.new_received``, ``sec4``: how warnings name the row
    cells: tuple[str, ...]
    tokens: tuple[str, ...]


@dataclass
class Solution:
    values: dict[str, tuple[Number, str]]  # cell id → (number, the digits it was read from)
    ambiguous: list[str]  # names of rows left null


def _number(text: str) -> Number:
    return float(text) if "." in text else int(text)


def _valid_part(text: str) -> bool:
    whole = text.split(".", 1)[0]
    return bool(whole) and (whole == "0" or whole[0] != "0") and not text.endswith(".")


def _cuts_of(token: str, parts: int) -> Iterator[tuple[str, ...]]:
    """Every way to cut one token into ``parts`` valid numbers."""
    if parts == 1:
        if _valid_part(token):
            yield (token,)
        return
    for i in range(1, len(token) - parts + 2):
        head = token[:i]
        if not _valid_part(head) or token[i] == ".":
            continue
        for rest in _cuts_of(token[i:], parts - 1):
            yield (head, *rest)


def cuts(tokens: Sequence[str], n: int) -> Iterator[tuple[str, ...]]:
    """Every way to cut the tokens, in order, into ``n`` numbers (each token into at least one)."""
    if not tokens:
        if n == 0:
            yield ()
        return
    first, rest = tokens[0], tokens[1:]
    for parts in range(1, n - len(rest) + 1):
        for head in _cuts_of(first, parts):
            for tail in cuts(rest, n - parts):
                yield head + tail


def _holds(rule: SumRule, values: Mapping[str, Number | None]) -> bool | None:
    """Whether a rule holds; None when one of its cells has no value."""
    got = [values.get(cell) for cell in rule.cells]
    if any(v is None for v in got):
        return None
    parts = sum(values[c] for c in rule.parts)  # type: ignore[misc]
    totals = sum(values[c] for c in rule.totals)  # type: ignore[misc]
    return abs(parts - totals) < TOLERANCE


def solve(rows: Sequence[GluedRow], known: Mapping[str, Number | None], rules: Sequence[SumRule]) -> Solution:
    """Cut every glued row; ``known`` holds the cells read normally, ``rules`` the template's sums."""
    candidates: dict[str, list[tuple[str, ...]]] = {}
    ambiguous: list[str] = []
    for row in rows:
        local = [r for r in rules if set(r.cells) <= set(row.cells)]
        found: list[tuple[str, ...]] = []
        for count, cut in enumerate(cuts(row.tokens, len(row.cells))):
            if count >= MAX_CUTS:
                found = []
                break
            values = {cell: _number(text) for cell, text in zip(row.cells, cut)}
            if all(_holds(rule, values) is not False for rule in local):
                found.append(cut)
        if found:
            candidates[row.name] = found
        else:
            ambiguous.append(row.name)
    by_name = {row.name: row for row in rows if row.name in candidates}
    fixed = {name: c[0] for name, c in candidates.items() if len(c) == 1}
    open_rows = [name for name, c in candidates.items() if len(c) > 1]
    settled = dict(known)
    for name, cut in fixed.items():
        settled.update({cell: _number(text) for cell, text in zip(by_name[name].cells, cut)})
    decided = dict(fixed)
    if open_rows:
        decided.update(_joint(open_rows, by_name, candidates, settled, rules, ambiguous))
    values: dict[str, tuple[Number, str]] = {}
    for name, cut in decided.items():
        for cell, text in zip(by_name[name].cells, cut):
            values[cell] = (_number(text), text)
    return Solution(values, ambiguous)


def _joint(
    open_rows: list[str],
    by_name: dict[str, GluedRow],
    candidates: dict[str, list[tuple[str, ...]]],
    settled: dict[str, Number | None],
    rules: Sequence[SumRule],
    ambiguous: list[str],
) -> dict[str, tuple[str, ...]]:
    """Rows with several cuts, tried together against the rules that span rows; the agreed ones are kept.

    A row no rule ties to another (section 二's) has nothing to choose between its cuts: it is ambiguous
    at once and stays out of the product.
    """
    ruled = {cell for rule in rules if len({c.rsplit(".", 1)[0] for c in rule.cells}) > 1 for cell in rule.cells}
    for name in [n for n in open_rows if not set(by_name[n].cells) & ruled]:
        open_rows.remove(name)
        ambiguous.append(name)
    size = 1
    for name in open_rows:
        size *= len(candidates[name])
    open_cells = {cell for name in open_rows for cell in by_name[name].cells}
    spanning = [r for r in rules if set(r.cells) & open_cells]
    surviving: list[tuple[tuple[str, ...], ...]] = []
    if size <= MAX_COMBINATIONS:
        for combo in itertools.product(*(candidates[name] for name in open_rows)):
            values = dict(settled)
            for name, cut in zip(open_rows, combo):
                values.update({cell: _number(text) for cell, text in zip(by_name[name].cells, cut)})
            if all(_holds(rule, values) is not False for rule in spanning):
                surviving.append(combo)
    decided: dict[str, tuple[str, ...]] = {}
    for index, name in enumerate(open_rows):
        options = {combo[index] for combo in surviving}
        if len(options) == 1:
            decided[name] = options.pop()
        else:
            ambiguous.append(name)
    return decided
