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
from extract.record import Record
from extract.sections import heading_section
from extract.tables import TableInterpreter
from extract.template import cell_ids
from extract.values import normalize

PARSER_VERSION = "1"

_MARKERS_2019 = ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "其他对外管理服务事项", "政府集中采购", "采购总金额")
_MARKERS_2021 = ("本年制发件数", "本年废止件数", "本年度止件数", "现行有效件数", "本年处理决定数量", "本年收费金额", "逾期不补正", "收费通知")
_TABLE_SECTIONS = frozenset({"sec2", "sec3", "sec4"})


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
    rows = list(_rows_with_sections(doc))
    text = doc.text
    compact = normalize(text)
    template = detect_template(compact)
    interpreter = TableInterpreter(template)
    headed = any(section in _TABLE_SECTIONS for _, section in rows)
    for cells, section in rows:
        if section in _TABLE_SECTIONS:
            interpreter.feed(cells, section)
        elif not headed and section != "heading":
            interpreter.feed(cells, None)  # no table section heading survived: read every row
    reading = interpreter.finish()

    texts = _section_texts(rows)
    preamble = texts.pop("preamble", "")
    title_lines = [line for line in preamble.splitlines() if len(line.strip()) <= 60 and ("报告" in line or "年报" in line)]
    closing = _closing_lines(rows)
    published_on = find_published_on(closing)
    prose = "\n".join(filter(None, [preamble, texts.get("sec1", "")]))
    organ = find_organ(title_lines, prose, closing)
    year = find_year(title_lines, prose, published_on)
    if template is None and year is not None and any(k.startswith("sec") for k in reading.raw):
        template = "2021" if year >= 2021 else "2019"
    active_total, active_items = find_active(texts.get("sec1", "") or prose)

    warnings = list(doc.warnings) + reading.warnings
    cells: dict[str, int | float | None] = {}
    if template is None:
        warnings.append("no template table found: not an annual report, or its tables are lost")
    else:
        for cell_id in cell_ids(template):
            cells[cell_id] = reading.cells.get(cell_id)
            if cell_id not in reading.raw:
                warnings.append(f"not found: {cell_id}")
    warnings += distrust_inferred_columns(cells, reading.sources, doc, template)
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
        checks=checks.record_checks(cells, template, active_total, active_items),
        warnings=warnings,
        texts=texts,
        sources={k: v for k, v in reading.sources.items() if k in cells},
        source_format=doc.source_format,
        text=text,
    )


def detect_template(compact_text: str) -> str | None:
    """2021 or 2019, from the tables' own column labels; the cited 〔year〕 circular only breaks ties."""
    score_2019 = sum(marker in compact_text for marker in _MARKERS_2019)
    score_2021 = sum(marker in compact_text for marker in _MARKERS_2021)
    if score_2019 != score_2021:
        return "2019" if score_2019 > score_2021 else "2021"
    if "〔2021〕30号" in compact_text or "[2021]30号" in compact_text:
        return "2021"
    if "〔2019〕60号" in compact_text or "[2019]60号" in compact_text:
        return "2019"
    return None


def _rows_with_sections(doc: Document):
    """Every paragraph and table row as a row of cells, with the section it falls in."""
    section: str | None = "preamble"
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            opened = heading_section(block.text)
            if opened:
                section = opened
                yield [Cell(block.text, page=block.page)], "heading"
                continue
            yield [Cell(block.text, page=block.page)], section
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


def _closing_lines(rows) -> list[str]:
    lines = ["\t".join(c.text for c in cells if c.text.strip()) for cells, _ in rows[-6:]]
    return [line for line in lines if line.strip()]


__all__ = ["PARSER_VERSION", "ConversionError", "detect_template", "parse_bytes", "parse_document", "parse_file"]
