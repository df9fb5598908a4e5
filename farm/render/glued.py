"""Which cells of a run-together rendering no reader can fix: the farm's own count of the splits.

A row printed with its cells run together (``规章000``, ``713000074``) can be read back only where the
template's sums (``extract.templates`` rules: section 三's row totals and column balances, section 四's
group totals) leave exactly one way to cut its digits. This module counts those ways by brute force,
from the spec's own numbers, so the expected reading of a glued layout is known without the parser.
"""

from __future__ import annotations

import itertools

from extract.templates import get


def printed(value: int | float) -> str:
    """A value as the glued layouts print it (plain digits, money with two decimals)."""
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def gluable(values: list[int | float | None]) -> bool:
    """A row is printed run together only when every cell has a number and none is negative."""
    return all(v is not None and v >= 0 for v in values)


def _pieces(text: str, n: int) -> list[tuple[str, ...]]:
    if n == 1:
        return [(text,)] if _number_like(text) else []
    out = []
    for i in range(1, len(text)):
        head = text[:i]
        if _number_like(head) and text[i] != ".":
            out += [(head, *rest) for rest in _pieces(text[i:], n - 1)]
    return out


def _number_like(text: str) -> bool:
    whole, _, fraction = text.partition(".")
    return whole.isdigit() and (whole == "0" or not whole.startswith("0")) and (not _ or fraction.isdigit())


def _value(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def _ok(rule, values: dict) -> bool:
    if any(values.get(c) is None for c in rule.cells):
        return True
    return abs(sum(values[c] for c in rule.parts) - sum(values[c] for c in rule.totals)) < 1e-6


def rows_of(template: str) -> list[tuple[str, list[str]]]:
    t = get(template)
    rows = [(f"sec2.{r.key}", [f"sec2.{r.key}.{c}" for c in r.columns]) for r in t.sec2]
    rows += [(f"sec3.{r.key}", [f"sec3.{r.key}.{c}" for c in r.columns]) for r in t.sec3]
    return rows + [("sec4", list(t.sec4_cells))]


def undecidable(template: str, cells: dict) -> set[str]:
    """The cells of glued rows whose digits the template's sums do not fix to one reading."""
    rules = get(template).rules
    glued = [(name, ids) for name, ids in rows_of(template) if gluable([cells.get(i) for i in ids])]
    glued_ids = {i for _, ids in glued for i in ids}
    known = {c: v for c, v in cells.items() if c not in glued_ids}
    options: dict[str, list[tuple[str, ...]]] = {}
    for name, ids in glued:
        text = "".join(printed(cells[i]) for i in ids)
        local = [r for r in rules if set(r.cells) <= set(ids)]
        options[name] = [p for p in _pieces(text, len(ids))
                         if all(_ok(r, dict(zip(ids, map(_value, p)))) for r in local)]
    lost: set[str] = set()
    spanning = {c for r in rules if len({c.rsplit(".", 1)[0] for c in r.cells}) > 1 for c in r.cells}
    open_rows = [(name, ids) for name, ids in glued if len(options[name]) > 1 and set(ids) & spanning]
    for name, ids in glued:
        if len(options[name]) > 1 and not set(ids) & spanning:
            lost.update(ids)  # nothing ties this row to another: its cuts cannot be told apart
    for name, ids in glued:
        if not options[name]:
            lost.update(ids)
    settled = dict(known)
    for name, ids in glued:
        if len(options[name]) == 1:
            settled.update(zip(ids, map(_value, options[name][0])))
    surviving = []
    for combo in itertools.product(*(options[name] for name, _ in open_rows)):
        values = dict(settled)
        for (name, ids), pick in zip(open_rows, combo):
            values.update(zip(ids, map(_value, pick)))
        if all(_ok(rule, values) for rule in rules):
            surviving.append(combo)
    for index, (name, ids) in enumerate(open_rows):
        if len({combo[index] for combo in surviving}) != 1:
            lost.update(ids)
    return lost
