"""A report, in any format, to its canonical record: the parser's entry points.

``parse_bytes`` converts (``extract.convert``) and then ``parse_document`` reads the Document: it
splits the report into its six sections, tells the template apart from the tables themselves, feeds
every table row to the table interpreter, reads section 一 and the signature from the prose, and
applies the single-report 勾稽 checks. Cells the text does not reach stay null and are named in
``warnings``: nothing is invented.
"""

from __future__ import annotations

from pathlib import Path

from extract import checks
from extract.convert import convert, read_document
from extract.crosscheck import distrust_inferred_columns
from extract.document import Cell, ConversionError, Document, Paragraph, Table
from extract.fields import find_active, find_organ, find_published_on, find_urls, find_year
from extract.ocr_rows import distrust_ocr_blank_rows
from extract.record import Record
from extract.rows import glued_rows, pipe_cells
from extract.sections import heading_section, split_inline_headings
from extract.simplify import simplified
from extract.tables import TableInterpreter, TableReading
from extract.templates import TABLE_TEMPLATES, cell_ids, for_year, get, v2008

PARSER_VERSION = "2"  # 2: real-report layouts, run-together cells, template 2008, organ/year rules

_TABLE_SECTIONS = frozenset({"sec2", "sec3", "sec4"})
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}  # ！…～ to ASCII, as NFKC folds them


def _searchable(text: str) -> str:
    """The whole text without whitespace: where the template markers (Chinese words only, which a PDF
    may break across lines) are looked for. ``str.split`` is several times cheaper than a regex here."""
    return "".join(text.split())


def parse_file(path: str | Path) -> Record:
    """Parse one file from disk; raises ``ConversionError`` (with the file name) when it cannot be read."""
    path = Path(path)
    data = read_document(path)  # its size is checked before it is read
    try:
        return parse_bytes(data, filename=str(path))
    except ConversionError as exc:
        # The converter names the file by its name alone; say it once, as the path given.
        message = str(exc).removeprefix(f"{path.name}: ")
        raise ConversionError(message if message.startswith(str(path)) else f"{path}: {message}") from exc


def parse_bytes(data: bytes, filename: str | None = None) -> Record:
    return parse_document(convert(data, filename=filename))


def parse_document(doc: Document) -> Record:
    text = doc.text
    converted = simplified(doc, text)
    if converted is not doc:
        doc, text = converted, converted.text
    rows = list(_rows_with_sections(doc))
    compact = _searchable(text)
    texts = _section_texts(rows)
    preamble = texts.pop("preamble", "")
    closing = _closing_lines(rows)
    published_on = find_published_on(closing)
    prose = "\n".join(filter(None, [preamble, texts.get("sec1", "")]))
    head = [line for line in (doc.meta.get("ArticleTitle"), doc.meta.get("title")) if line] + preamble.splitlines()
    organ = find_organ(head, prose, closing, doc.meta)
    year = find_year(head, prose, published_on)
    template = detect_template(compact, year)

    warnings = list(doc.warnings)
    cells: dict[str, int | float | None] = {}
    reading = TableReading()
    if template != "2008":
        reading = _read_tables(rows, template, {b.index for b in doc.blocks if isinstance(b, Table) and not b.ruled})
        warnings += reading.warnings
        if template is None and year is not None and any(k.startswith("sec") for k in reading.raw):
            template = for_year(max(year, 2019)).version  # tables read, no marker: the year's template
    if template is None:
        warnings.append("no template table found: not an annual report, or its tables are lost")
    elif template == "2008":
        warnings.append(v2008.NO_TABLES)
    else:
        for cell_id in cell_ids(template):
            cells[cell_id] = reading.cells.get(cell_id)
            if cell_id not in reading.raw:
                warnings.append(f"not found: {cell_id}")
    active_total, active_items = find_active(texts.get("sec1", "") or prose)
    if active_total is None:  # some reports state the total under section 二's heading instead
        active_total, active_items = find_active(_prose_of(rows, "sec2"))
    if template in TABLE_TEMPLATES:
        warnings += distrust_inferred_columns(cells, reading.sources, doc, template, reading.raw, reading.overfull, reading.spread,
                                              reading.off_page)
        warnings += distrust_ocr_blank_rows(cells, reading.raw, reading.sources, doc)
    if organ is None:
        warnings.append("organ not found")
    if year is None:
        warnings.append("year not found")
    return Record(
        organ=organ,
        year=year,
        template=template,
        published_on=published_on,
        active_total=active_total,
        active_items=active_items,
        urls=find_urls(text),
        cells=cells,
        raw={k: v for k, v in reading.raw.items() if k in cells},
        checks=checks.record_checks(cells, template if template != "2008" else None, active_total, active_items),
        warnings=warnings,
        texts=texts,
        sources={k: v for k, v in reading.sources.items() if k in cells},
        source_format=doc.source_format,
        text=text,
    )


def _read_tables(rows: list[tuple[list[Cell], str]], template: str | None, unruled: set[int]) -> TableReading:
    """Every row of sections 二–四 through the table interpreter (every row at all when no heading survived);
    ``unruled``: the tables rebuilt from text positions, whose columns are bands every row shares."""
    interpreter = TableInterpreter(template, unruled)
    headed = any(section in _TABLE_SECTIONS for _, section in rows)
    for cells, section in rows:
        if section in _TABLE_SECTIONS or (not headed and section != "heading"):
            for row in _split_glued(cells):
                interpreter.feed(row, section if headed else None)
    return interpreter.finish()


def _split_glued(cells: list[Cell]) -> list[list[Cell]]:
    """A line whose cells ran together (``规章000``) as its rows; any other row as it is."""
    if len(cells) == 1:
        return glued_rows(cells[0].text, cells[0]) or [cells]
    return [cells]


def detect_template(compact_text: str, year: int | None = None) -> str | None:
    """2021 or 2019 from the tables' own column labels (the cited 〔year〕 circular only breaks ties);
    "2008" for a report on 2008–2018 whose text prints no table of the later templates."""
    scores = {v: sum(marker in compact_text for marker in get(v).markers) for v in TABLE_TEMPLATES}
    best = max(scores.values())
    if year is not None and year <= v2008.TEMPLATE.last_year and best < 2:  # type: ignore[operator]
        return "2008"
    if best and list(scores.values()).count(best) == 1:
        return max(scores, key=scores.__getitem__)
    folded = compact_text.translate(_FULL_WIDTH)  # circulars are cited with full-width digits too
    for version in TABLE_TEMPLATES:
        if any(circular in folded for circular in get(version).circulars):
            return version
    return None


def _rows_with_sections(doc: Document):
    """Every paragraph and table row as a row of cells, with the section it falls in.

    A paragraph that is a pipe row becomes its cells; a long paragraph holding several sections (a
    page body kept as one line) is cut at its section headings first.
    """
    section: str | None = "preamble"
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            where = {"page": block.page, "line": block.line, "ocr_confidence": block.ocr_confidence}
            for text in split_inline_headings(block.text):
                opened = heading_section(text)
                if opened:
                    section = opened
                    yield [Cell(text, **where)], "heading"
                    continue
                fields = pipe_cells(text)
                if fields is not None:
                    yield [Cell(f, **where) for f in fields], section
                else:
                    yield [Cell(text, **where)], section
        elif isinstance(block, Table):
            for row in block.rows:
                texts = [c.text for c in row if c.text.strip()]
                if len(set(texts)) == 1:
                    opened = heading_section(texts[0])
                    if opened:
                        section = opened
                        yield row, "heading"
                        continue
                yield row, section


def _section_texts(rows) -> dict[str, str]:
    """Prose of the preamble and of sections 一, 五 and 六, a paragraph a line."""
    texts: dict[str, list[str]] = {}
    for cells, section in rows:
        if section in ("preamble", "sec1", "sec5", "sec6"):
            line = "\t".join(c.text for c in cells if c.text.strip())
            if line:
                texts.setdefault(section, []).append(line)
    return {key: "\n".join(lines) for key, lines in texts.items()}


def _prose_of(rows, section: str) -> str:
    """The sentences (not table rows) printed in one section."""
    lines = [cells[0].text for cells, sec in rows if sec == section and len(cells) == 1]
    return "\n".join(line for line in lines if len(line) >= 20 and any(p in line for p in "，,。"))


def _closing_lines(rows) -> list[str]:
    lines = ["\t".join(c.text for c in cells if c.text.strip()) for cells, _ in rows[-6:]]
    return [line for line in lines if line.strip()]


__all__ = ["PARSER_VERSION", "ConversionError", "detect_template", "parse_bytes", "parse_document", "parse_file"]
