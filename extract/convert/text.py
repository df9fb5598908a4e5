"""Plain-text reports to ``Document``: the layouts converters and editors leave behind.

- tab-separated rows (a table copied out of Word: one line a row, cells split by tabs);
- one cell per line with a leading tab and a blank line between rows (a Word table saved as text);
- pipe tables (``| 0 | 0 |``), with or without ``|---|`` separator rows;
- everything else is a paragraph line; the parser still reads tables that arrived as plain lines.
"""

from __future__ import annotations

import re

from extract.decode import decode_text
from extract.document import Cell, Document, Paragraph, Table

_PIPE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def convert_text(data: bytes) -> Document:
    return text_to_document(decode_text(data))


def text_to_document(text: str) -> Document:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "").split("\n")
    blocks: list[Paragraph | Table] = []
    table_rows: list[list[Cell]] = []
    cell_lines: list[tuple[str, int]] | None = None  # the open row of the one-cell-per-line layout, with line numbers

    def close_row() -> None:
        nonlocal cell_lines
        if cell_lines is not None:
            table_rows.append([Cell(text.strip(), line=at) for text, at in cell_lines])
            cell_lines = None

    def close_table() -> None:
        close_row()
        if table_rows:
            blocks.append(Table([row[:] for row in table_rows], index=len(blocks)))
            table_rows.clear()

    for number, line in enumerate(lines, start=1):
        if not line.strip(" \u3000\u00a0") or (not line.strip() and "\t" not in line):
            close_row()  # a blank line ends a one-cell-per-line row, not a table
            continue
        if line.startswith("\t") and "\t" not in line[1:]:
            if cell_lines is None:
                cell_lines = []
            cell_lines.append((line[1:], number))
            continue
        close_row()
        if "\t" in line.rstrip("\t ") or (line.endswith("\t") and line.strip()):
            cells = line.split("\t")
            if len(cells) > 1 and not cells[-1].strip():
                cells.pop()  # the tab editors leave at the end of a copied table row
            table_rows.append([Cell(cell.strip(), line=number) for cell in cells])
            continue
        stripped = line.strip()
        if stripped.startswith("|") and stripped.count("|") >= 2:
            if _PIPE_SEPARATOR.match(stripped):
                continue
            table_rows.append([Cell(cell.strip(), line=number) for cell in stripped.strip("|").split("|")])
            continue
        close_table()
        blocks.append(Paragraph(stripped, line=number))
    close_table()
    for index, block in enumerate(b for b in blocks if isinstance(b, Table)):
        block.index = index
        for r, row in enumerate(block.rows):
            for c, cell in enumerate(row):
                cell.table, cell.row, cell.col = index, r, c
    return Document(blocks, source_format="text")
