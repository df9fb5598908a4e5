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
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from extract.record import Number
from extract.templates import SumRule

MAX_CUTS = 64  # cuts of one row that add up, beyond which it is called ambiguous at once
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


_PART = re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?")


def _valid_part(text: str) -> bool:
    """A number as a cell prints it: no leading zero (``0`` itself aside), no dangling point."""
    return _PART.fullmatch(text) is not None


def row_cuts(row: GluedRow, rules: Sequence[SumRule]) -> Iterator[tuple[str, ...]]:
    """The cuts of one row that its own rules allow, found cell by cell: a rule is checked as soon as
    its last cell is cut (section 四's group totals prune after every fifth number)."""
    local = [r for r in rules if set(r.cells) <= set(row.cells)]
    at = {cell: i for i, cell in enumerate(row.cells)}
    closing = {i: [r for r in local if max(at[c] for c in r.cells) == i] for i in range(len(row.cells))}
    # Rules whose one total comes after all its parts: once the parts are cut, the total can be no
    # larger than the digits left in the token, which prunes most cuts of a long row early.
    bounded = {i: [r for r in local if len(r.totals) == 1 and max(at[c] for c in r.parts) == i < at[r.totals[0]]]
               for i in range(len(row.cells))}
    pieces = [(t, k) for k, t in enumerate(row.tokens)]  # the tokens, each to be cut into one or more numbers

    def walk(index: int, token: int, offset: int, values: dict[str, Number], cut: list[str]):
        if index == len(row.cells):
            if token == len(row.tokens):
                yield tuple(cut)
            return
        text = pieces[token][0] if token < len(pieces) else ""
        left_cells, left_tokens = len(row.cells) - index, len(row.tokens) - token
        if not text or left_tokens > left_cells:
            return
        rest_digits = sum(len(t) for t, _ in pieces[token + 1 :])
        for end in range(offset + 1, len(text) + 1):
            part = text[offset:end]
            last_of_token = end == len(text)
            if not _valid_part(part) or (not last_of_token and text[end] == "."):
                continue
            # Every later cell needs at least one digit of what is left.
            if (len(text) - end) + rest_digits < left_cells - 1 or (last_of_token and left_tokens - 1 > left_cells - 1):
                continue
            cell = row.cells[index]
            values[cell] = _number(part)
            left = text[end:].replace(".", "") if token == len(row.tokens) - 1 else ""  # the total is in it
            if left and any(sum(values[c] for c in rule.parts) > int(left) for rule in bounded[index]):
                del values[cell]
                continue
            if all(holds(rule, values) is not False for rule in closing[index]):
                yield from walk(index + 1, token + 1 if last_of_token else token, 0 if last_of_token else end,
                                values, [*cut, part])
            del values[cell]

    yield from walk(0, 0, 0, {}, [])


def holds(rule: SumRule, values: Mapping[str, Number | None]) -> bool | None:
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
    # One row printed twice, as different digits (a table and a sentence both naming it, OCR reading one
    # place two ways): which printing is the row's is a guess, so neither is cut.
    printed: dict[str, set[tuple[str, ...]]] = {}
    for row in rows:
        printed.setdefault(row.name, set()).add(row.tokens)
    twice = {name for name, tokens in printed.items() if len(tokens) > 1}
    ambiguous += sorted(twice)
    for row in rows:
        if row.name in twice:
            continue
        found = list(itertools.islice(row_cuts(row, rules), MAX_CUTS + 1))
        if found and len(found) <= MAX_CUTS:
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
            if all(holds(rule, values) is not False for rule in spanning):
                surviving.append(combo)
    decided: dict[str, tuple[str, ...]] = {}
    for index, name in enumerate(open_rows):
        options = {combo[index] for combo in surviving}
        if len(options) == 1:
            decided[name] = options.pop()
        else:
            ambiguous.append(name)
    return decided
