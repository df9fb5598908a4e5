"""Which cells of a run-together rendering no reader can fix: the farm's own count of the splits.

A row printed with its cells run together (``规章000``, ``713000074``) can be read back only where the
template's sums (``extract.templates`` rules: section 三's row totals and column balances, section 四's
group totals) leave exactly one way to cut its digits. This module counts those ways from the spec's own
numbers, so the expected reading of a glued layout is known without the parser. It also chooses which
rows a rendering runs together: every row whose cells all hold numbers, except rows with many readings
and all but a few of the rows that only the column sums can settle, so the count stays exact and small.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

from extract.templates import get

MAX_READINGS = 6  # a row with more cuts that add up is printed with its separators
MAX_UNSETTLED = 3  # rows that only the column sums can settle, per rendering


def printed(value: int | float) -> str:
    """A value as the glued layouts print it (plain digits, money with two decimals)."""
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def gluable(values: list[int | float | None]) -> bool:
    """A row can be printed run together only when every cell has a number and none is negative."""
    return all(v is not None and v >= 0 for v in values)


def _number_like(text: str) -> bool:
    whole, dot, fraction = text.partition(".")
    return whole.isdigit() and (whole == "0" or not whole.startswith("0")) and (not dot or fraction.isdigit())


def _value(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def _ok(rule, values: dict) -> bool:
    if any(values.get(c) is None for c in rule.cells):
        return True
    return abs(sum(values[c] for c in rule.parts) - sum(values[c] for c in rule.totals)) < 1e-6


def _readings(text: str, ids: list[str], rules) -> list[tuple[str, ...]]:
    """Every way to cut ``text`` into ``len(ids)`` numbers that the row's own rules allow."""
    local = [r for r in rules if set(r.cells) <= set(ids)]
    closes = {n: [r for r in local if max(ids.index(c) for c in r.cells) == n - 1] for n in range(len(ids) + 1)}
    out: list[tuple[str, ...]] = []

    def cut(rest: str, done: tuple[str, ...]) -> None:
        if closes[len(done)] and not all(_ok(r, dict(zip(ids, map(_value, done)))) for r in closes[len(done)]):
            return
        if len(done) == len(ids):
            if not rest:
                out.append(done)
            return
        for i in range(1, len(rest) - (len(ids) - len(done) - 1) + 1):
            head = rest[:i]
            if _number_like(head) and (i == len(rest) or rest[i] != "."):
                cut(rest[i:], (*done, head))

    cut(text, ())
    return out


def rows_of(template: str) -> list[tuple[str, list[str]]]:
    t = get(template)
    rows = [(f"sec2.{r.key}", [f"sec2.{r.key}.{c}" for c in r.columns]) for r in t.sec2]
    rows += [(f"sec3.{r.key}", [f"sec3.{r.key}.{c}" for c in r.columns]) for r in t.sec3]
    return rows + [("sec4", list(t.sec4_cells))]


def _spanning(rules) -> set[str]:
    """Cells of rules that tie several rows together (section 三's column sums)."""
    return {c for r in rules if len({c.rsplit(".", 1)[0] for c in r.cells}) > 1 for c in r.cells}


def glue_plan(template: str, cells: dict) -> dict[str, list[tuple[str, ...]]]:
    """The rows a rendering runs together, each with its readings (cuts its own rules allow)."""
    return _glue_plan(template, tuple(cells.items()))


@lru_cache(maxsize=256)
def _glue_plan(template: str, items: tuple) -> dict[str, list[tuple[str, ...]]]:
    cells = dict(items)
    rules = get(template).rules
    spanning, plan, unsettled = _spanning(rules), {}, 0
    for name, ids in rows_of(template):
        if not gluable([cells.get(i) for i in ids]):
            continue
        readings = _readings("".join(printed(cells[i]) for i in ids), ids, rules)
        if len(readings) > MAX_READINGS:
            continue
        if len(readings) > 1 and set(ids) & spanning:
            if unsettled == MAX_UNSETTLED:
                continue
            unsettled += 1
        plan[name] = readings
    return plan


def undecidable(template: str, cells: dict) -> set[str]:
    """The cells of glued rows whose digits the template's sums do not fix to one reading."""
    rules = get(template).rules
    plan, rows, spanning = glue_plan(template, cells), dict(rows_of(template)), _spanning(rules)
    glued_ids = {i for name in plan for i in rows[name]}
    settled = {c: v for c, v in cells.items() if c not in glued_ids}
    lost: set[str] = set()
    open_rows = []
    for name, readings in plan.items():
        if len(readings) == 1:
            settled.update(zip(rows[name], map(_value, readings[0])))
        elif readings and set(rows[name]) & spanning:
            open_rows.append(name)
        else:
            lost.update(rows[name])  # no reading adds up, or nothing ties it to another row to choose by
    surviving = []
    for combo in itertools.product(*(plan[name] for name in open_rows)):
        values = dict(settled)
        for name, pick in zip(open_rows, combo):
            values.update(zip(rows[name], map(_value, pick)))
        if all(_ok(rule, values) for rule in rules):
            surviving.append(combo)
    for index, name in enumerate(open_rows):
        if len({combo[index] for combo in surviving}) != 1:
            lost.update(rows[name])
    return lost
