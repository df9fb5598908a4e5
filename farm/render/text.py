"""Plain-text layouts: a report as converters and copy-paste leave it (see ../shared/seeds/).

Each layout prints the same tables (``farm.render.tables``) the way one real source does:

- ``tsv_gaps``: tab-separated rows, rowspan positions left empty, colspans padded (seeds 002, 004);
- ``tsv_markdown``: the same under ``## 二、`` headings, header words broken by spaces (``自然 人``);
- ``tsv_split``: section 三 split by a page break into two tables of different shape (seed 003);
- ``tsv_wrapped``: long row labels wrapped onto the next line, with or without their numbers;
- ``tsv_truncated``: pages lost from inside section 二 to inside section 三 (seed 000);
- ``cell_lines``: one cell per line behind a tab, blank lines between rows, ``商业\\n企业`` (seed 001);
- ``cell_lines_tail_lost``: the same with its last pages lost (late rows of 三, 四, 五, 六, signature);
- ``plain_lines``: one cell per line, nothing else;
- ``pipe`` / ``pipe_sep``: markdown pipe tables without and with ``|---|`` rows;
- ``spaced``: columns separated by runs of spaces as ``pdftotext -layout`` prints them.

Every printed line remembers the cell ids it carries, so a layout that loses lines knows which cells
a faithful parser must then report as null (``lost_cells``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from farm.records import ReportSpec
from farm.render import document as doc
from farm.render.spelling import MISPRINTS, header_spelling, label_spelling
from farm.render.tables import TTable, fill, label_index, row_fields, sec2_table, sec3_table, sec4_table, split_table
from farm.render.values import ValueStyle, format_value, style_for


@dataclass
class Line:
    """One printed line, the cell ids it carries, and the table row it belongs to."""

    text: str
    cells: tuple[str, ...] = ()
    tag: tuple[str, int] | None = None  # (section, row index in its table)


def _tables(
    spec: ReportSpec, rng: random.Random, style: ValueStyle, header: dict[str, str], misprint: bool
) -> tuple[TTable, TTable, TTable]:
    """The three tables of ``spec`` with every value printed in ``style``."""
    texts = {cell: format_value(value, cell, style, rng) for cell, value in spec.cells.items()}
    labels = MISPRINTS if misprint else {}
    return (
        fill(sec2_table(spec.template, labels), texts),
        fill(sec3_table(spec.template, {**label_spelling(rng), **header}), texts),
        fill(sec4_table(header), texts),
    )


def tsv_lines(
    table: TTable,
    *,
    pad_colspan: bool,
    trailing_pad: bool,
    wrap: dict[int, str] | None = None,
    raw_breaks: bool = False,
) -> list[Line]:
    """Tab-separated rows; ``wrap`` maps a row to how its long label wraps ("after" or "inside").

    ``raw_breaks`` prints a line break inside a header cell as it is (``商业\n企业``), as converters that
    copy cell text verbatim do; otherwise it becomes a space.
    """
    wrap = wrap or {}
    indexes = range(len(table.rows))
    all_fields = [row_fields(table, r, pad_colspan=pad_colspan) for r in indexes]
    width = max(len(f) for f in all_fields)
    out: list[Line] = []
    for r, fields in zip(indexes, all_fields):
        if trailing_pad:
            fields = fields + [""] * (width - len(fields))
        if not (raw_breaks and r < table.header_rows):
            fields = [f.replace("\n", " ") for f in fields]
        tag = (table.section, r)
        how = wrap.get(r)
        label_i = label_index(table, r, pad_colspan=pad_colspan)
        if how and label_i is not None and len(fields[label_i]) > 10:
            label = fields[label_i]
            cut = len(label) // 2
            if how == "after":
                first = fields[:label_i] + [label[:cut]] + fields[label_i + 1 :]
                out.append(Line("\t".join(first), table.row_cell_ids[r], tag))
                out.append(Line(label[cut:], (), tag))
            else:
                head = "\t".join(fields[:label_i] + [label[:cut]])
                out.append(Line(head, (), tag))
                out.append(Line("\t".join([label[cut:]] + fields[label_i + 1 :]), table.row_cell_ids[r], tag))
            continue
        out.append(Line("\t".join(fields), table.row_cell_ids[r], tag))
    return out


def cell_lines(table: TTable, *, tab: bool, noise: random.Random | None = None) -> list[Line]:
    """One cell per line (``\\t`` before each), a blank line after each row (seed 001)."""
    out: list[Line] = []
    prefix = "\t" if tab else ""
    for r in range(len(table.rows)):
        tag = (table.section, r)
        for cell, top, left in table.positions[r]:
            if top and left:
                text = cell.text
                if noise and cell.cell and text and noise.random() < 0.3:
                    text = noise.choice((f"{text} ", f" {text}", f" {text} "))
                out.append(Line(prefix + text, (cell.cell,) if cell.cell else (), tag))
            elif left and tab:
                out.append(Line(prefix, (), tag))
        if tab:
            out.append(Line("", (), tag))
    return out


def plain_lines(table: TTable) -> list[Line]:
    """One cell per line and nothing between: merged-over positions leave no trace."""
    return cell_lines(table, tab=False)


def pipe_lines(table: TTable, *, separator: bool) -> list[Line]:
    """Markdown pipe rows, one field per grid column; a ``|---|`` row under the header if asked."""
    out: list[Line] = []
    for r in range(len(table.rows)):
        fields = [f.replace("\n", " ").replace("|", "｜") for f in row_fields(table, r, pad_colspan=True)]
        out.append(Line("| " + " | ".join(fields) + " |", table.row_cell_ids[r], (table.section, r)))
        if separator and r == 0:
            out.append(Line("|" + "---|" * len(fields), (), (table.section, r)))
    return out


def spaced_lines(table: TTable, rng: random.Random, *, wrap_long: bool) -> list[Line]:
    """Columns as runs of spaces, as pdftotext -layout prints them; long labels wrap onto a new line."""
    out: list[Line] = []
    for r in range(len(table.rows)):
        fields = row_fields(table, r, pad_colspan=False)
        tag = (table.section, r)
        label_i = label_index(table, r, pad_colspan=False)
        pieces: list[str] = []
        rest: str | None = None
        for i, field in enumerate(fields):
            text = field.replace("\n", " ")
            if i == label_i and wrap_long and len(text) > 16:
                text, rest = text[:12], text[12:]
            pieces.append(text if text else " " * rng.randint(2, 6))
        sep = lambda: " " * rng.randint(2, 5)  # noqa: E731
        line = ""
        for piece in pieces:
            line = f"{line}{sep() if line else ''}{piece}"
        out.append(Line(line.rstrip(), table.row_cell_ids[r], tag))
        if rest:
            out.append(Line(" " * rng.randint(0, 8) + rest, (), tag))
    return out


# Documents -------------------------------------------------------------------------------------------------

TableLines = Callable[[TTable], list[Line]]


def document_lines(
    spec: ReportSpec,
    rng: random.Random,
    *,
    table_lines: TableLines,
    prose: doc.ProseStyle,
    sec3_lines: Callable[[TTable], list[Line]] | None = None,
    value_style: ValueStyle | None = None,
    header_mode: str = "none",
    misprint: bool = False,
    gap: bool = True,
) -> list[Line]:
    """A whole report as lines: prose around the three tables, in the report's prose style."""
    style = value_style or style_for(rng, empty_ok=False)
    sec2, sec3, sec4 = _tables(spec, rng, style, header_spelling(header_mode, rng), misprint)
    blank = [Line("")] if gap else []
    head = [Line(doc.title(spec, prose)), *blank] if prose.titled else []
    lines: list[Line] = [Line(""), *head, Line(doc.preamble(spec, prose)), *blank]
    lines += [Line(doc.heading(0, prose)), *blank]
    for text in doc.sec1_lines(spec, prose, rng):
        lines += [Line(text), *blank] if text else [Line("")]
    lines += [Line(doc.heading(1, prose)), *blank, *table_lines(sec2), *blank]
    lines += [Line(doc.heading(2, prose)), *blank, *(sec3_lines or table_lines)(sec3), *blank]
    lines += [Line(doc.heading(3, prose)), *blank, *table_lines(sec4), *blank]
    lines += [Line(doc.heading(4, prose)), *blank]
    for text in spec.texts.get("sec5", "").split("\n"):
        lines += [Line(text), *blank]
    lines += [Line(doc.heading(5, prose)), *blank]
    for text in spec.texts.get("sec6", "").split("\n"):
        lines += [Line(text), *blank]
    lines += [Line(text, (), ("signature", 0)) for text in doc.signature(spec, rng)]
    return lines


def join(lines: list[Line]) -> str:
    return "\n".join(line.text for line in lines) + "\n"


# Layouts ----------------------------------------------------------------------------------------------------


def page_break_rows(lines: list[Line], rng: random.Random) -> list[Line]:
    """A page break inside section 三: a blank line, and the next row's leading gaps lost (seeds 002–004)."""
    rows = [i for i, line in enumerate(lines) if line.cells and line.tag and line.tag[1] >= 6 and line.text.startswith("\t")]
    out = list(lines)
    for i in sorted(rng.sample(rows, min(len(rows), rng.randint(0, 2))), reverse=True):
        out[i] = Line(out[i].text.lstrip("\t"), out[i].cells, out[i].tag)
        if rng.random() < 0.5:
            out.insert(i, Line("", (), out[i].tag))
    return out


def _tsv_gaps(spec: ReportSpec, name: str = "tsv_gaps") -> list[Line]:
    rng = doc.rng_for(spec, name)
    prose = doc.prose_style(rng, markdown=False)
    return document_lines(
        spec,
        rng,
        table_lines=lambda t: tsv_lines(t, pad_colspan=True, trailing_pad=True),
        sec3_lines=lambda t: page_break_rows(tsv_lines(t, pad_colspan=True, trailing_pad=True), rng),
        prose=prose,
        header_mode=rng.choice(("none", "spaces")),
        misprint=rng.random() < 0.3,
    )


def _tsv_markdown(spec: ReportSpec) -> list[Line]:
    rng = doc.rng_for(spec, "tsv_markdown")
    prose = doc.prose_style(rng, markdown=True)
    pad = rng.random() < 0.5
    header_mode = rng.choice(("spaces", "chars", "newline"))
    return document_lines(
        spec,
        rng,
        table_lines=lambda t: tsv_lines(t, pad_colspan=pad, trailing_pad=pad, raw_breaks=True),
        prose=prose,
        value_style=style_for(rng, empty_ok=not pad),
        header_mode=header_mode,
        misprint=rng.random() < 0.3,
    )


def _tsv_split(spec: ReportSpec) -> list[Line]:
    rng = doc.rng_for(spec, "tsv_split")
    prose = doc.prose_style(rng)

    def sec3(table: TTable) -> list[Line]:
        at = rng.randint(4, len(table.rows) - 2)
        first, second = split_table(table, at, repeat_labels=rng.random() < 0.5)
        # Word's "repeat header rows" prints the header again on the next page.
        header = tsv_lines(table, pad_colspan=True, trailing_pad=True)[: table.header_rows]
        repeated = [Line(x.text) for x in header] if rng.random() < 0.4 else []
        rest = tsv_lines(second, pad_colspan=True, trailing_pad=True)
        return [
            *tsv_lines(first, pad_colspan=False, trailing_pad=False),
            Line(""),
            *repeated,
            *[Line(x.text, x.cells, (x.tag[0], x.tag[1] + at) if x.tag else None) for x in rest],
        ]

    return document_lines(
        spec,
        rng,
        table_lines=lambda t: tsv_lines(t, pad_colspan=True, trailing_pad=True),
        sec3_lines=sec3,
        prose=prose,
        header_mode="none",
    )


def _tsv_wrapped(spec: ReportSpec) -> list[Line]:
    rng = doc.rng_for(spec, "tsv_wrapped")
    prose = doc.prose_style(rng)

    def sec3(table: TTable) -> list[Line]:
        long_rows = [r for r, row in enumerate(table.rows) if any(len(c.text) > 12 and not c.cell for c in row)]
        chosen = rng.sample(long_rows, min(len(long_rows), rng.randint(2, 5)))
        return tsv_lines(
            table, pad_colspan=False, trailing_pad=False, wrap={r: rng.choice(("after", "inside")) for r in chosen}
        )

    return document_lines(
        spec,
        rng,
        table_lines=lambda t: tsv_lines(t, pad_colspan=False, trailing_pad=False),
        sec3_lines=sec3,
        prose=prose,
        value_style=style_for(rng, empty_ok=False),
    )


def _cell_lines(spec: ReportSpec, name: str = "cell_lines") -> list[Line]:
    rng = doc.rng_for(spec, name)
    prose = doc.prose_style(rng, markdown=False)
    return document_lines(
        spec,
        rng,
        table_lines=lambda t: cell_lines(t, tab=True, noise=rng),
        prose=prose,
        value_style=style_for(rng, empty_ok=True),
        header_mode="newline",
        gap=False,
    )


def _plain_lines(spec: ReportSpec) -> list[Line]:
    rng = doc.rng_for(spec, "plain_lines")
    prose = doc.prose_style(rng, markdown=False)
    return document_lines(
        spec,
        rng,
        table_lines=plain_lines,
        prose=prose,
        value_style=style_for(rng, empty_ok=False),
        header_mode=rng.choice(("none", "newline")),
        gap=False,
    )


def _pipe(spec: ReportSpec, separator: bool) -> list[Line]:
    name = "pipe_sep" if separator else "pipe"
    rng = doc.rng_for(spec, name)
    prose = doc.prose_style(rng, markdown=True)
    return document_lines(
        spec,
        rng,
        table_lines=lambda t: pipe_lines(t, separator=separator),
        prose=prose,
        value_style=style_for(rng, empty_ok=True),
        header_mode=rng.choice(("none", "spaces")),
        misprint=rng.random() < 0.3,
    )


def _spaced(spec: ReportSpec) -> list[Line]:
    rng = doc.rng_for(spec, "spaced")
    prose = doc.prose_style(rng, markdown=False)
    return document_lines(
        spec,
        rng,
        table_lines=lambda t: spaced_lines(t, rng, wrap_long=rng.random() < 0.6),
        prose=prose,
        value_style=style_for(rng, empty_ok=False),
        header_mode=rng.choice(("none", "spaces", "chars")),
    )


def truncation(spec: ReportSpec) -> tuple[int, int]:
    """Where ``tsv_truncated`` loses its pages: after row k of section 二, up to row m of section 三."""
    rng = doc.rng_for(spec, "truncation")
    sec2_rows = len(sec2_table(spec.template).rows)
    sec3 = sec3_table(spec.template)
    first_denied = next(r for r, cells in enumerate(sec3.row_cell_ids) if cells and ".denied_" in cells[0])
    return rng.randint(2, sec2_rows - 2), rng.randint(first_denied, first_denied + 6)


def _truncated_lines(spec: ReportSpec) -> list[Line]:
    lines = _tsv_gaps(spec, "tsv_truncated")
    k, m = truncation(spec)
    start = max(i for i, line in enumerate(lines) if line.tag == ("sec2", k)) + 1
    end = min(i for i, line in enumerate(lines) if line.tag == ("sec3", m))
    return lines[:start] + [Line("")] + lines[end:]


def _tail_lost_lines(spec: ReportSpec) -> list[Line]:
    """One cell per line, the last pages lost: from a late row of section 三 to the signature."""
    lines = _cell_lines(spec, "cell_lines_tail_lost")
    sec3 = sec3_table(spec.template)
    first_unavailable = next(r for r, cells in enumerate(sec3.row_cell_ids) if cells and ".unavailable_" in cells[0])
    m = doc.rng_for(spec, "tail").randint(first_unavailable, len(sec3.rows) - 1)
    return lines[: min(i for i, line in enumerate(lines) if line.tag == ("sec3", m))]


# Layouts that lose pages, as line lists: what they lose is what they do not print.
LOSSY: dict[str, Callable[[ReportSpec], list[Line]]] = {
    "tsv_truncated": _truncated_lines,
    "cell_lines_tail_lost": _tail_lost_lines,
}


def lost_cells(spec: ReportSpec, layout: str) -> set[str]:
    """Cells a layout does not print at all (lost pages): a faithful parser reads them as null."""
    if layout not in LOSSY:
        return set()
    printed = {cell for line in LOSSY[layout](spec) for cell in line.cells}
    return set(spec.cells) - printed


def lost_signature(spec: ReportSpec, layout: str) -> bool:
    """Whether the signature (and so the date under it) is on a lost page."""
    return layout in LOSSY and not any(line.tag == ("signature", 0) for line in LOSSY[layout](spec))


TEXT_LAYOUTS: dict[str, Callable[[ReportSpec], str]] = {
    "tsv_gaps": lambda spec: join(_tsv_gaps(spec)),
    "tsv_markdown": lambda spec: join(_tsv_markdown(spec)),
    "tsv_split": lambda spec: join(_tsv_split(spec)),
    "tsv_wrapped": lambda spec: join(_tsv_wrapped(spec)),
    "tsv_truncated": lambda spec: join(_truncated_lines(spec)),
    "cell_lines_tail_lost": lambda spec: join(_tail_lost_lines(spec)),
    "cell_lines": lambda spec: join(_cell_lines(spec)),
    "plain_lines": lambda spec: join(_plain_lines(spec)),
    "pipe": lambda spec: join(_pipe(spec, separator=False)),
    "pipe_sep": lambda spec: join(_pipe(spec, separator=True)),
    "spaced": lambda spec: join(_spaced(spec)),
}


def render_text(spec: ReportSpec, layout: str = "tsv_gaps") -> str:
    """The report as plain text in one layout (by default tab rows with gaps, the commonest)."""
    return TEXT_LAYOUTS[layout](spec)
