"""Where one block of borderless lines holds two tables with different columns, cut it in two.

``extract.convert.alignment`` finds a table without rulings as a run of tabular lines and takes its
columns (bands) from all of its values. Two tables can run on without a line of prose between them:
section 三's table (seven columns) ends, section 四's headings follow, then its one row of fifteen
values. Their values stand at different places, and bands made from both serve neither: a section 四
value beside a section 三 column joins it (``_merge_alternating`` sees no row filling both), and the
section 四 columns between make blank bands in every section 三 row, which then has more cells than
the template has columns and is left null.

Two grids differ where each puts a column in a gap of the other's (a band of one side lies between two
neighbouring bands of the other, overlapping neither), or where one side does so and has a row with more
values than the other has columns while the other has a column it leaves blank (section 二's three
columns above section 三's seven). And a table starts only under its headings: a line between the two
parts must put text over the lower part's columns. Rows of one table that leave other columns blank
above than below have only their labels between them, and are never cut apart.
"""

from __future__ import annotations

from extract.convert.alignment import (
    has_values, line_height, overlaps, unwitnessed_values, value_bands, values_of,
)
from extract.convert.segment import Segment

Band = tuple[float, float]


def grid_blocks(lines: list[list[Segment]], blocks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``blocks`` (index ranges into ``lines``), each cut after the last value line of a table whose
    columns the following value lines do not share; the lines between go with the lower table (its
    headings)."""
    out: list[tuple[int, int]] = []
    for start, end in blocks:
        while True:
            cut = _first_cut(lines, start, end)
            if cut is None:
                out.append((start, end))
                break
            out.append((start, cut))
            start = cut
    return out


def _first_cut(lines: list[list[Segment]], start: int, end: int) -> int | None:
    """The index after the first value line above which and below which the value lines' bands are
    two different grids, with a line without values between and headings over the lower grid's
    columns (a table's headings; rows of one table have only labels between them). The
    lines of one part or the other must share a grid (``unwitnessed_values``): rows printed each as its
    own table have no columns in common, and their bands are no grid to tell another from."""
    valued = [i for i in range(start, end) if has_values(lines[i])]
    size = line_height(lines[start:end])
    for k in range(2, len(valued)):
        above, below = valued[:k], valued[k:]
        if below[0] - above[-1] < 2:
            continue
        upper = value_bands([lines[i] for i in above])
        lower = value_bands([lines[i] for i in below])
        if not (_differ(upper, lower, [lines[i] for i in below]) or _differ(lower, upper, [lines[i] for i in above])):
            continue
        headings = [seg for line in lines[above[-1] + 1 : below[0]] for seg in line]
        if not any(overlaps(seg, band) for seg in headings for band in lower):
            continue  # only labels between (wrapped, or numbered): rows of one table, some columns blank
        if any(unwitnessed_values([values_of(lines[i]) for i in part], [], size)[1] for part in (above, below)):
            return above[-1] + 1
    return None


def _differ(bands: list[Band], others: list[Band], other_lines: list[list[Segment]]) -> bool:
    """Whether ``others`` (with their lines) are another grid than ``bands``: each side has a column in
    a gap of the other's; or the other side puts a column in a gap of this one, has a line with more
    values than this side has columns (no row of this grid), and this side has a column the other
    leaves blank. Rows of one table that leave other columns blank above than below may meet the first
    (each side's blank column lies in a gap of the other's); ``_first_cut`` keeps them whole, as no
    headings stand between them."""
    if not _in_gaps(others, bands):
        return False
    if _in_gaps(bands, others):
        return True
    wider = any(len(values_of(line)) > len(bands) for line in other_lines)
    return wider and any(not any(x0 < b1 and x1 > b0 for b0, b1 in others) for x0, x1 in bands)


def _in_gaps(bands: list[Band], others: list[Band]) -> bool:
    """Whether some band lies between two neighbouring ``others``, overlapping neither."""
    return any(
        left[1] <= x0 and x1 <= right[0]
        for x0, x1 in bands
        for left, right in zip(others, others[1:])
    )
