"""How one number, or one blank, is printed in a report cell.

Real reports print the same 0 as ``0``, ``０``, ``0件``; thousands as ``1,234``; money as ``12.50`` or
``12.5万元``; and a blank as nothing, ``/``, ``—``, ``-`` or ``无``. A rendering picks one style per report
(as real authors do) so that a test corpus reaches every spelling.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

FULLWIDTH = str.maketrans("0123456789.-", "０１２３４５６７８９．－")
VISIBLE_BLANKS = ("/", "—", "-", "无", "／")


@dataclass(frozen=True)
class ValueStyle:
    """One report's way of printing numbers and blanks."""

    fullwidth: bool = False
    thousands: bool = False
    units: bool = False
    count_unit: str = "件"  # or 条, as some reports count documents
    blanks: tuple[str, ...] = ("/",)  # markers for None; "" prints an empty cell


def style_for(rng: random.Random, *, empty_ok: bool, plain: bool = False) -> ValueStyle:
    """A random style; ``empty_ok`` where the layout shows where an empty cell is (tables, tab rows)."""
    if plain:
        return ValueStyle(blanks=("",) if empty_ok else ("/",))
    markers = list(VISIBLE_BLANKS) + (["", ""] if empty_ok else [])
    blanks = tuple(rng.sample(markers, rng.choice((1, 1, 2))))
    return ValueStyle(
        fullwidth=rng.random() < 0.2,
        thousands=rng.random() < 0.5,
        units=rng.random() < 0.2,
        count_unit="条" if rng.random() < 0.2 else "件",
        blanks=blanks,
    )


def unit_for(cell_id: str, style: ValueStyle) -> str:
    """The unit printed after a number: 万元 for money, the report's count unit for everything else."""
    if cell_id.endswith(("amount_10k_yuan", "procurement.amount")):
        return "万元"
    return style.count_unit


def format_value(value: int | float | None, cell_id: str, style: ValueStyle, rng: random.Random) -> str:
    """The printed text of one cell."""
    if value is None:
        return rng.choice(style.blanks)
    if isinstance(value, float):
        text = f"{value:,.2f}" if style.thousands else f"{value:.2f}"
    else:
        text = f"{value:,}" if style.thousands else str(value)
    if style.fullwidth:
        text = text.translate(FULLWIDTH)
    if style.units and (value != 0 or rng.random() < 0.5):
        text += unit_for(cell_id, style)
    return text
