"""Stages 4 and 6 of the layout engine: one page's glyphs into table cells and lines, then all pages
into paragraphs and tables in reading order.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from extract.convert.aligned import AlignedTable, aligned_to_table, continue_aligned
from extract.convert.alignment import aligned_rows, split_glued, table_blocks, value_bands
from extract.convert.segment import segments
from extract.convert.continuation import PendingTable, continue_table, same_columns
from extract.convert.geometry import Glyph, LayoutSettings, PageContent, TableGrid, group_lines, line_text
from extract.convert.grids import grid_blocks
from extract.convert.rulings import find_tables, grid_to_table, merge_edges
from extract.document import Paragraph, Table


# Page layout -------------------------------------------------------------------------------------------

_PAGE_NUMBER = re.compile(r"^[\s\-—–－~·•第]*([0-9]+|[一二三四五六七八九十]+)[\s\-—–－~·•页/共0-9]*$")


def layout_page(page: PageContent, settings: LayoutSettings) -> list[TableGrid | AlignedTable | _Line]:
    """One page's tables and text lines in reading order (lines become paragraphs in ``assemble``)."""
    edges = merge_edges(page.edges, settings)
    grids = find_tables(edges, settings)
    for t in grids:  # rulings that stop at the page's edge: the table goes on past it
        t.cut_right = t.xs[-1] >= page.width - settings.min_cell
    table_glyphs: dict[int, dict[int, list[Glyph]]] = {id(t): {} for t in grids}
    free: list[Glyph] = []
    for g in page.glyphs:
        for t in grids:
            if t.contains(g.cx, g.cy):
                r = min(max(bisect.bisect_right(t.ys, g.cy) - 1, 0), len(t.ys) - 2)
                c = min(max(bisect.bisect_right(t.xs, g.cx) - 1, 0), len(t.xs) - 2)
                table_glyphs[id(t)].setdefault(t.region[r][c], []).append(g)
                break
        else:
            free.append(g)
    items: list[tuple[float, object]] = []
    for t in grids:
        table_glyphs[id(t)] = split_stacked_values(t, table_glyphs[id(t)])
        for rid, glyphs in table_glyphs[id(t)].items():
            t.texts[rid] = cell_text([line_text(line) for line in group_lines(glyphs)])
            confs = [g.conf for g in glyphs if g.conf is not None]
            t.confs[rid] = min(confs) if confs else None
        items.append((t.ys[0], t))
    glyph_lines = [line for line in group_lines(free) if not _is_page_furniture(_Line.of(line), page)]
    cut = [segments(line) for line in glyph_lines]
    taken: set[int] = set()
    if cut:
        body = (min(line[0].x0 for line in cut), max(line[-1].x1 for line in cut))
        for start, end in grid_blocks(cut, table_blocks(cut, body)):
            bands = value_bands(cut[start:end])
            # A column that runs past the page's right edge (a table wider than its page, cut there) shows
            # part of its heading and none of its values: not on the page, so no column, never blank cells.
            on_page = [band for band in bands if band[1] <= page.width]
            if len(on_page) < 1:
                continue
            block = [split_glued(line, on_page) for line in cut[start:end]]
            table = aligned_rows(block, on_page, page.number)
            table.cut_right = len(on_page) < len(bands)
            items.append((table.top, table))
            taken.update(range(start, end))
    items += [(ln.top, ln) for ln in (_Line.of(line) for i, line in enumerate(glyph_lines) if i not in taken)]
    items.sort(key=lambda item: item[0])
    return [obj for _, obj in items]  # type: ignore[misc]


_NUMBER_PART = re.compile(r"[\d.,，]+")


def cell_text(lines: list[str]) -> str:
    """A cell's lines joined by newlines; a number wrapped in a narrow cell ("13" over "2") is one number."""
    if len(lines) > 1 and all(_NUMBER_PART.fullmatch(line) for line in lines):
        return "".join(lines)
    return "\n".join(lines)


_VALUE_LINE = re.compile(r"[\d.,，\s/—\-件条个项万元]*\d[\d.,，\s/—\-件条个项万元]*")


def split_stacked_values(t: TableGrid, glyphs_of: dict[int, list[Glyph]]) -> dict[int, list[Glyph]]:
    """Split a region that spans rows when it holds values on two rows or more: a horizontal ruling the
    PDF left out (tables pasted one per row, whose borders do not all print), not one merged cell. Each
    row of it becomes a cell of its own, holding the glyphs that stand in that row; a merged label
    (text, not values) stays one cell repeated in every row it covers."""
    out: dict[int, list[Glyph]] = {}
    next_id = max((rid for row in t.region for rid in row), default=-1) + 1
    for rid, glyphs in glyphs_of.items():
        rows = [r for r, region_row in enumerate(t.region) if rid in region_row]
        by_row: dict[int, list[Glyph]] = {}
        for g in glyphs:
            r = min(max(bisect.bisect_right(t.ys, g.cy) - 1, rows[0]), rows[-1])
            by_row.setdefault(r, []).append(g)
        values = [r for r, gs in by_row.items()
                  if all(_VALUE_LINE.fullmatch(line_text(line)) for line in group_lines(gs))]
        if len(rows) < 2 or len(by_row) < 2 or len(values) < 2:
            out[rid] = glyphs
            continue
        for r in rows:
            new = next_id
            next_id += 1
            t.region[r] = [new if x == rid else x for x in t.region[r]]
            if r in by_row:
                out[new] = by_row[r]
    return out


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    conf: float | None

    @classmethod
    def of(cls, glyphs: list[Glyph]) -> _Line:
        confs = [g.conf for g in glyphs if g.conf is not None]
        return cls(
            text=line_text(glyphs),
            x0=min(g.x0 for g in glyphs),
            x1=max(g.x1 for g in glyphs),
            top=min(g.top for g in glyphs),
            bottom=max(g.bottom for g in glyphs),
            conf=min(confs) if confs else None,
        )


def _is_page_furniture(line: _Line, page: PageContent) -> bool:
    """Page numbers in the top or bottom margin band are not part of the report's text. A row of values
    at the top of a page (a table continued there) is not a page number: one number, or "3/10", "第3页 共10页"."""
    in_margin = line.bottom > page.height * 0.9 or line.top < page.height * 0.06
    text = line.text.strip()
    numbers = re.findall(r"[0-9]+", text)
    one_number = len(numbers) <= 1 or (len(numbers) == 2 and ("/" in text or "共" in text))
    return in_margin and one_number and bool(_PAGE_NUMBER.match(text))


def assemble(pages: list[PageContent], settings: LayoutSettings) -> tuple[list[Paragraph | Table], list[str]]:
    """All pages into blocks: paragraphs rebuilt from lines, tables continued across page breaks."""
    blocks: list[Paragraph | Table | AlignedTable] = []
    warnings: list[str] = []
    para_lines: list[_Line] = []
    para_page = 1
    last_table: PendingTable | None = None
    body_left = body_right = None
    table_index = 0
    frames: set[int] = set()

    def flush() -> None:
        nonlocal para_lines
        if para_lines:
            text = para_lines[0].text
            for ln in para_lines[1:]:
                latin_break = text[-1:].isascii() and text[-1:].isalnum() and ln.text[:1].isascii() and ln.text[:1].isalnum()
                text += (" " if latin_break else "") + ln.text
            confs = [ln.conf for ln in para_lines if ln.conf is not None]
            blocks.append(Paragraph(text=text, page=para_page, ocr_confidence=min(confs) if confs else None))
        para_lines = []

    laid_out = [(page, layout_page(page, settings)) for page in pages]
    # The text block's margins, from every page: a page holding only headings would mislead.
    all_lines = [it for _, items in laid_out for it in items if isinstance(it, _Line)]
    if all_lines:
        # The right margin is where most full lines end: the median end of the longest lines, so a
        # URL overflowing the margin does not make every justified line look short.
        body_left = min(ln.x0 for ln in all_lines)
        widest = max(ln.x1 - ln.x0 for ln in all_lines)
        ends = sorted(ln.x1 for ln in all_lines if ln.x1 - ln.x0 >= 0.7 * widest)
        body_right = ends[len(ends) // 2]
    for page, items in laid_out:
        first_on_page = True
        for it in items:
            if isinstance(it, AlignedTable):
                flush()
                previous = blocks[-1] if blocks else None
                if not (first_on_page and isinstance(previous, AlignedTable) and continue_aligned(previous, it)):
                    blocks.append(it)  # made a Table at the end, when no later page continues it
                first_on_page = False
                continue
            if isinstance(it, TableGrid):
                flush()
                if first_on_page and last_table is not None and same_columns(last_table.grid, it, settings):
                    continue_table(last_table, it, page.number, page.ocr, settings)
                else:
                    table = grid_to_table(it, page.number, table_index, page.ocr)
                    table_index += 1
                    if len({rid for row in it.region for rid in row}) == 1:
                        frames.add(id(table))
                    blocks.append(table)
                    last_table = PendingTable(it, table, page.number)
                first_on_page = False
                continue
            line = it
            size = max(line.bottom - line.top, 1e-6)
            if para_lines:
                prev = para_lines[-1]
                ends_short = body_right is not None and prev.x1 < body_right - 1.5 * size
                indented = body_left is not None and line.x0 > body_left + 0.8 * size
                gap = line.top - prev.bottom if not first_on_page else 0.0
                centred = body_left is not None and body_right is not None and all(
                    abs((ln.x0 + ln.x1) / 2 - (body_left + body_right) / 2) < 0.5 * size for ln in (prev, line)
                )
                if centred and gap <= 1.2 * size and prev.x1 - prev.x0 > line.x1 - line.x0:
                    pass  # a centred title wrapped onto a shorter second line
                elif ends_short or indented or gap > 1.2 * size:
                    flush()
            if not para_lines:
                para_page = page.number
            para_lines.append(line)
            if first_on_page:
                last_table = None  # text between: a table on this page is a new one
            first_on_page = False
    flush()
    # A single box around text that no continuation joined is a frame, not a table.
    out: list[Paragraph | Table] = []
    for block in blocks:
        if isinstance(block, AlignedTable):
            out.append(aligned_to_table(block, table_index))
            table_index += 1
            warnings += block.warnings
        elif isinstance(block, Table) and id(block) in frames and len(block.rows) == 1:
            out.append(Paragraph(text=block.rows[0][0].text, page=block.page))
        else:
            out.append(block)
    return out, warnings
