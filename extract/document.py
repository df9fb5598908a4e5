"""The format-neutral shape of a report that every converter produces and the parser reads.

A converter (text, HTML, PDF, DOCX, DOC/WPS, OFD, OCR) turns a file into a ``Document``: a sequence of
paragraphs and tables in reading order. Tables are grids of cells with merged cells already expanded.
Every cell keeps where it came from (page, table, row, column, OCR confidence), so a number in the
archive can always be traced back to its place in the original file.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Cell:
    """One cell of a table, as printed, with its position in the source document."""

    text: str
    page: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    ocr_confidence: float | None = None  # 0–100, set only when the text was read by OCR
    line: int | None = None  # 1-based line of a text file the cell was printed on


@dataclass
class Table:
    """A table as a list of rows; merged cells appear in every grid position they cover."""

    rows: list[list[Cell]]
    page: int | None = None
    index: int | None = None
    ruled: bool = True  # False: rebuilt from text positions, its columns inferred (see ``extract.crosscheck``)
    # Of a table rebuilt from text positions: the (row, col) of values that share no place with another
    # row or a heading (their columns a guess), and of cells left empty where a value stood whose column
    # was uncertain (col -1: it stood over no column).
    loose_cells: frozenset[tuple[int, int]] = frozenset()
    lost_cells: frozenset[tuple[int, int]] = frozenset()


@dataclass
class Paragraph:
    text: str
    page: int | None = None
    line: int | None = None  # 1-based line of a text file
    # Read by OCR: the lowest word confidence of its lines. A table row the layout did not recognise
    # arrives as a paragraph, and its values are as doubtful as the words they were read from.
    ocr_confidence: float | None = None


Block = Paragraph | Table


@dataclass
class Document:
    """A converted report: blocks in reading order, plus what the converter noticed on the way."""

    blocks: list[Block]
    source_format: str  # text, html, pdf, docx, doc, wps, ofd, ocr-pdf, image
    warnings: list[str] = field(default_factory=list)
    ocr: bool = False
    # What the page around the report says of it: ``title`` (<title>), ``ArticleTitle``, ``SiteName`` …
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The whole document as plain text: paragraphs as lines, table rows as tab-separated lines."""
        lines: list[str] = []
        for block in self.blocks:
            if isinstance(block, Paragraph):
                lines.append(block.text)
            else:
                lines.extend("\t".join(cell.text for cell in row) for row in block.rows)
        return "\n".join(lines)


class ConversionError(Exception):
    """A document could not be turned into a ``Document``; the message says why, in one line."""
