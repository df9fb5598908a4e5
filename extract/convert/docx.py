"""DOCX -> Document with python-docx, reading the body XML in order so nothing is skipped.

python-docx opens the package; the body is then walked element by element because its high-level API
drops text boxes and puts nested tables out of order. Merged cells are expanded on the table grid:
``gridSpan`` repeats a cell to the right, ``vMerge`` continuation cells take the text of the cell that
restarts the merge, and ``gridBefore``/``gridAfter`` leave empty grid positions, so every row has one
cell per grid column. Pages are counted from hard page breaks and Word's ``lastRenderedPageBreak``
marks, so a DOCX saved by Word carries the page its table was printed on.
"""

from __future__ import annotations

import io

from extract.convert.limits import DEFAULT_LIMITS, Limits
from extract.convert.ziputil import ZipReader
from extract.document import Cell, ConversionError, Document, Paragraph, Table

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TEXTBOX_TAGS = ("txbxContent",)


def convert_docx(data: bytes, *, limits: Limits = DEFAULT_LIMITS, source_format: str = "docx") -> Document:
    """Convert DOCX bytes; corrupt packages, bombs and non-Word zips raise ConversionError."""
    reader = ZipReader(data, limits)
    main = reader.find("word/document.xml")
    if main is None:
        raise ConversionError("zip without word/document.xml: not a DOCX")
    size = reader.zip.getinfo(main).file_size
    if size > limits.max_markup_bytes:  # python-docx holds the body as an lxml tree many times its size
        raise ConversionError(
            f"DOCX body ({main}) of {size:,} bytes exceeds the limit of {limits.max_markup_bytes:,} bytes"
        )
    for name in reader.names:  # decompress everything once under the budget before python-docx does
        reader.read(name)
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except PackageNotFoundError as exc:
        raise ConversionError(f"not a Word package ({exc})") from exc
    except Exception as exc:  # python-docx raises KeyError/XMLSyntaxError/ValueError on damaged parts
        raise ConversionError(f"corrupt DOCX ({type(exc).__name__}: {exc})") from exc
    walker = _Walker()
    walker.walk(document.element.body)
    return Document(blocks=walker.blocks, source_format=source_format, warnings=walker.warnings)


class _Walker:
    """Walks body XML in document order, emitting paragraphs and expanded tables."""

    def __init__(self) -> None:
        self.blocks: list[Paragraph | Table] = []
        self.warnings: list[str] = []
        self.page = 1
        self.table_count = 0

    def walk(self, parent) -> None:
        for child in parent.iterchildren():
            tag = _local(child.tag)
            if tag == "p":
                self._paragraph(child)
            elif tag == "tbl":
                self._table(child)
            elif tag == "sdt":
                content = child.find(f"{W}sdtContent")
                if content is not None:
                    self.walk(content)
            elif tag in ("customXml", "smartTag", "ins"):
                self.walk(child)

    def _paragraph(self, p) -> None:
        text, boxes = self._paragraph_text(p)
        if text.strip():
            self.blocks.append(Paragraph(text=text, page=self.page))
        for box in boxes:  # text boxes anchored in this paragraph follow it in reading order
            self.walk(box)

    def _paragraph_text(self, p) -> tuple[str, list]:
        """The text of a paragraph outside its text boxes, and the text boxes themselves."""
        parts: list[str] = []
        boxes: list = []
        stack = [p]
        order: list = []
        while stack:  # iterative pre-order walk that does not descend into text boxes
            node = stack.pop()
            order.append(node)
            children = list(node.iterchildren())
            for child in reversed(children):
                if _local(child.tag) in _TEXTBOX_TAGS:
                    boxes.append(child)
                elif _local(child.tag) != "Fallback":  # mc:Fallback repeats the Choice (VML copy of a text box)
                    stack.append(child)
        for node in order:
            tag = _local(node.tag)
            if tag == "t" and node.text:
                parts.append(node.text)
            elif tag == "tab":
                parts.append("\t")
            elif tag in ("br", "cr"):
                if node.get(f"{W}type") == "page":
                    self.page += 1
                else:
                    parts.append("\n")
            elif tag == "lastRenderedPageBreak":
                self.page += 1
            elif tag == "noBreakHyphen":
                parts.append("-")
        boxes.reverse()
        return "".join(parts), _dedupe(boxes)

    def _cell_text(self, tc, nested: list) -> str:
        lines: list[str] = []
        for child in tc.iterchildren():
            tag = _local(child.tag)
            if tag == "p":
                text, boxes = self._paragraph_text(child)
                lines.append(text)
                nested.extend(boxes)
            elif tag == "tbl":
                nested.append(child)
            elif tag == "sdt":
                content = child.find(f"{W}sdtContent")
                if content is not None:
                    lines.append(self._cell_text(content, nested))
        while lines and not lines[-1].strip():
            lines.pop()
        return "\n".join(lines)

    def _table(self, tbl) -> None:
        index = self.table_count
        self.table_count += 1
        page = self.page
        nested: list = []
        grid: list[list[Cell]] = []
        above: dict[int, Cell] = {}  # grid column -> the cell last started there, for vMerge
        padding: set[int] = set()  # cells that fill gridBefore/gridAfter positions: no cell of the table
        rows = [tr for tr in tbl.iterchildren(f"{W}tr")]
        for r, tr in enumerate(rows):
            row: list[Cell] = []
            before = _int_val(tr.find(f"{W}trPr/{W}gridBefore"), 0)
            for _ in range(before):
                row.append(Cell("", page=page, table=index, row=r, col=len(row)))
                padding.add(id(row[-1]))
            for tc in _row_cells(tr):
                pr = tc.find(f"{W}tcPr")
                span = max(1, _int_val(pr.find(f"{W}gridSpan") if pr is not None else None, 1))
                vmerge = pr.find(f"{W}vMerge") if pr is not None else None
                start_col = len(row)
                if vmerge is not None and vmerge.get(f"{W}val") not in ("restart",) and start_col in above:
                    text = above[start_col].text
                else:
                    text = self._cell_text(tc, nested)
                cell = Cell(text, page=page, table=index, row=r, col=start_col)
                for k in range(span):  # one object: the parser counts a value merged across columns once
                    row.append(cell)
                    above[start_col + k] = cell
            grid.append(row)
        width = max((len(row) for row in grid), default=0)
        for r, row in enumerate(grid):
            while len(row) < width:  # gridAfter or short rows: pad so every row has the grid's width
                row.append(Cell("", page=page, table=index, row=r, col=len(row)))
                padding.add(id(row[-1]))
        slivers = _droppable(grid, _sliver_columns(tbl, width), padding)
        if slivers:
            grid = [[cell for c, cell in enumerate(row) if c not in slivers] for row in grid]
            for row in grid:
                for c, cell in reversed(list(enumerate(row))):
                    cell.col = c  # a merged cell ends at the first column it covers
        self.blocks.append(Table(rows=grid, page=page, index=index))
        for element in nested:
            if _local(element.tag) == "tbl":
                self._table(element)
            else:
                self.walk(element)


def _sliver_columns(tbl, width: int) -> set[int]:
    """Grid columns a few twips wide, made when cell edges of different rows almost line up.

    Word and LibreOffice add such a column whenever two rows' borders differ by a hair; printed, it is
    no column at all (the PDF route collapses it the same way), so it is dropped from the grid.
    """
    cols = tbl.findall(f"{W}tblGrid/{W}gridCol")
    if len(cols) != width or width < 2:
        return set()
    widths = [_int_attr(col, "w") for col in cols]
    known = sorted(w for w in widths if w > 0)
    if not known:
        return set()
    median = known[len(known) // 2]
    limit = max(120, 0.15 * median)  # 120 twips = 2 mm
    return {c for c, w in enumerate(widths) if 0 < w < limit}


def _droppable(grid: list[list[Cell]], slivers: set[int], padding: set[int]) -> set[int]:
    """The sliver columns that can go without losing a cell: each row's cell in them (empty or not,
    padding aside) must still stand in a column that stays. Tables pasted row by row (each row its own
    widths, merged into one table by the DOC format) have grids of slivers in which a cell's every
    column may be one; losing an empty one would slide the values after it."""
    drop = set(slivers)
    changed = True
    while changed:
        changed = False
        for row in grid:
            kept = {id(cell) for c, cell in enumerate(row) if c not in drop}
            for c in sorted(drop):
                if c < len(row) and id(row[c]) not in kept and id(row[c]) not in padding:
                    drop.discard(c)  # the cell's only place left: keep the column
                    kept.add(id(row[c]))
                    changed = True
    return drop


def _int_attr(element, name: str) -> int:
    try:
        return int(float(element.get(f"{W}{name}", "0")))
    except ValueError:
        return 0


def _row_cells(tr) -> list:
    """The w:tc of a row, looking through content controls and custom XML that wrap cells."""
    cells = []
    for child in tr.iterchildren():
        tag = _local(child.tag)
        if tag == "tc":
            cells.append(child)
        elif tag in ("sdt", "customXml"):
            content = child.find(f"{W}sdtContent") if tag == "sdt" else child
            if content is not None:
                cells.extend(c for c in content.iterchildren(f"{W}tc"))
    return cells


def _int_val(element, default: int) -> int:
    if element is None:
        return default
    try:
        return int(element.get(f"{W}val", default))
    except (TypeError, ValueError):
        return default


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _dedupe(items: list) -> list:
    seen: set[int] = set()
    out = []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out
