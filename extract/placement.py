"""Values whose columns were not seen, placed only where the template's sums leave one placement.

A row of a table without rulings whose values share no place with a column (``extract.convert.alignment``:
a row printed as its own borderless table, centred on its own) gives its values in order, but not which
of the row's cells they fill: a blank prints nothing. Its values are put in every order-keeping way into
the row's cells, those whose column was seen (another row stands with them) staying in it. A row
left one placement by that alone (a value in every cell) has known columns, whatever its sums say: a
sum that fails is then the report's, and ``extract.crosscheck`` checks it as on any table without
rulings. Otherwise a placement stands only where the row's own sums (section 三's 总计, section 四's
group totals; blanks count zero) hold, and, where rows are left with several, only where the sums
across rows (section 三's column balances) hold for the rows tried together. A cell that holds the same
value (or the same blank) in every placement that stands is known; any other cell is not, and is left
null, never filled with the value one placement would give it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from extract.digits import MAX_COMBINATIONS, holds
from extract.record import Number
from extract.templates import SumRule

BLANK = -1  # in a placement: the cell is blank


@dataclass
class LooseRow:
    """A row whose printed values (in order) are known, but not their columns."""

    name: str  # ``sec3.granted``, ``sec4``: how warnings name the row
    cells: tuple[str, ...]
    numbers: tuple[Number | None, ...]  # one per printed value; None for a printed mark (—, /)
    fixed: tuple[int | None, ...]  # per value: the cell its column was seen in (shared with other rows), or None


def placements(row: LooseRow, rules: Sequence[SumRule]) -> list[tuple[int, ...]]:
    """Every order-keeping placement of the row's values into its cells (for each cell, the index of
    its value, or ``BLANK``) under which the row's own rules do not fail, blanks counting zero; the one
    placement there is, when there is one, whatever the rules."""
    local = [rule for rule in rules if set(rule.cells) <= set(row.cells)]
    possible = []
    for chosen in itertools.combinations(range(len(row.cells)), len(row.numbers)):
        if any(at is not None and at != cell for at, cell in zip(row.fixed, chosen)):
            continue
        placement = [BLANK] * len(row.cells)
        for value, cell in enumerate(chosen):
            placement[cell] = value
        possible.append(tuple(placement))
    if len(possible) == 1:
        # One placement whatever the sums (a value in every cell, or every value's column seen): the columns
        # are known, and a sum that fails is the report's, checked afterwards as on any table without rulings.
        return possible
    return [p for p in possible if all(holds(rule, _numbers(row, p)) is not False for rule in local)]


def _numbers(row: LooseRow, placement: Sequence[int]) -> dict[str, Number | None]:
    return {cell: 0 if at == BLANK else row.numbers[at] for cell, at in zip(row.cells, placement)}


def place(rows: Sequence[LooseRow], known: Mapping[str, Number | None], rules: Sequence[SumRule]) -> dict[str, int | None]:
    """For every cell of ``rows``: the index of the value it holds in every placement that stands,
    ``BLANK`` when it is blank in all, None when placements disagree on it (or none stands)."""
    candidates = {row.name: placements(row, rules) for row in rows}
    open_rows = [row for row in rows if len(candidates[row.name]) > 1]
    settled = dict(known)
    for row in rows:
        if len(candidates[row.name]) == 1:
            settled.update(_numbers(row, candidates[row.name][0]))
    size = 1
    for row in open_rows:
        size *= len(candidates[row.name])
    open_cells = {cell for row in open_rows for cell in row.cells}
    spanning = [rule for rule in rules if set(rule.cells) & open_cells
                and len({cell.rsplit(".", 1)[0] for cell in rule.cells}) > 1]
    if open_rows and spanning and size <= MAX_COMBINATIONS:
        surviving = []
        for combo in itertools.product(*(candidates[row.name] for row in open_rows)):
            values = dict(settled)
            for row, placement in zip(open_rows, combo):
                values.update(_numbers(row, placement))
            if all(holds(rule, values) is not False for rule in spanning):
                surviving.append(combo)
        for index, row in enumerate(open_rows):
            candidates[row.name] = sorted({combo[index] for combo in surviving})
    out: dict[str, int | None] = {}
    for row in rows:
        for position, cell in enumerate(row.cells):
            options = {placement[position] for placement in candidates[row.name]}
            out[cell] = options.pop() if len(options) == 1 else None
    return out
