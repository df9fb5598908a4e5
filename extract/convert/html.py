"""HTML report pages to ``Document``, as disclosure CMSs publish them.

The report body is looked for in the containers the CMS families use (TRS ``div.TRS_Editor``, Hanweb
``#zoom``, gov.cn ``#UCAP-CONTENT``, NFCMS ``div.news_cont_d_wrap``, Shanghai ``#ivs_content`` …),
tables become grids with rowspan/colspan expanded, ``<br>`` and ``<p>`` inside a cell become line
breaks, and Word-exported markup (mso classes, nested spans, ``<o:p>``) is read as plain text.
lxml's HTML parser is used directly, with plain elements: it is an order of magnitude faster than
BeautifulSoup on these pages, and plain ``etree`` elements avoid lxml.html's per-element class lookup.
"""

from __future__ import annotations

import lxml.etree

from extract.decode import decode_text, html_declared_charset
from extract.document import Cell, ConversionError, Document, Paragraph, Table

# Report-body containers, most specific first (see ../shared/PORTALS.md).
BODY_SELECTORS = (
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]",
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' trs_editor_view ')]",
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' TRS_UEDITOR ')]",
    "//*[@id='UCAP-CONTENT']",
    "//*[@id='zoom']",
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' news_cont_d_wrap ')]",
    "//*[@id='ivs_content']",
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' Article_content ')]",
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' artile_zw ')]",
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' article-content ')]",
    "//div[@id='content' or contains(concat(' ', normalize-space(@class), ' '), ' content ')]",
    "//article",
)
TITLE_SELECTORS = ("//meta[@name='ArticleTitle']/@content", "//h1", "//title")

_PARSER = lxml.etree.HTMLParser(remove_comments=True, remove_pis=True)

BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol section article header footer blockquote pre center dd dt dl tr form".split()
)
SKIP_TAGS = frozenset({"script", "style", "noscript", "head", "iframe", "object", "select", "button", "template"})


def convert_html(data: bytes) -> Document:
    text = decode_text(data, declared=html_declared_charset(data))
    return html_to_document(text)


def html_to_document(text: str) -> Document:
    try:
        root = lxml.etree.fromstring(text, _PARSER)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError) as exc:
        raise ConversionError(f"unreadable HTML: {exc}") from exc
    if root is None:
        raise ConversionError("unreadable HTML: no elements")
    body = _find_body(root)
    builder = _Builder()
    title = _title(root)
    if title and title not in _text_head(body, 400):
        builder.blocks.append(Paragraph(title))
    builder.walk(body)
    builder.flush()
    return Document(builder.blocks, source_format="html", meta=_meta(root))


def _meta(root: lxml.etree._Element) -> dict[str, str]:
    """What the page says of the report around it: its <title> and the CMS's ArticleTitle/SiteName meta."""
    out: dict[str, str] = {}
    head = root.find("head")
    for element in head.iter("title", "meta") if head is not None else ():
        if element.tag == "title":
            out.setdefault("title", " ".join(_text_content(element).split()))
        elif element.get("name") in _META_NAMES and element.get("content"):
            out.setdefault(element.get("name"), " ".join(element.get("content").split()))
    return {key: value for key, value in out.items() if value}


_META_NAMES = frozenset({"ArticleTitle", "SiteName", "ColumnName"})


def _find_body(root: lxml.etree._Element) -> lxml.etree._Element:
    for selector in BODY_SELECTORS:
        for element in root.xpath(selector):
            if element.xpath(".//table") or len(_text_head(element, 400).strip()) > 200:
                return element
    body = root.find("body")
    return body if body is not None else root


def _title(root: lxml.etree._Element) -> str | None:
    for selector in TITLE_SELECTORS:
        found = root.xpath(selector)
        if found:
            value = found[0] if isinstance(found[0], str) else _text_content(found[0])
            value = " ".join(value.split())
            if value:
                return value
    return None


class _Builder:
    """Walks the body in document order, emitting paragraphs at block boundaries and tables whole."""

    def __init__(self) -> None:
        self.blocks: list[Paragraph | Table] = []
        self.parts: list[str] = []
        self.tables = 0

    def flush(self) -> None:
        text = " ".join("".join(self.parts).replace("\u00a0", " ").split())
        if text:
            self.blocks.append(Paragraph(text))
        self.parts = []

    def walk(self, element: lxml.etree._Element) -> None:
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in SKIP_TAGS or not tag:
                if child.tail:
                    self.parts.append(child.tail)
                continue
            local = tag.rsplit("}", 1)[-1].lower()
            if local == "table":
                self.flush()
                self.blocks.append(self._table(child))
            elif local == "br":
                self.flush()
            elif local in BLOCK_TAGS:
                self.flush()
                if child.text:
                    self.parts.append(child.text)
                self.walk(child)
                self.flush()
            else:
                if child.text:
                    self.parts.append(child.text)
                self.walk(child)
            if child.tail:
                self.parts.append(child.tail)

    def _table(self, table: lxml.etree._Element) -> Table:
        """The table as a grid: a cell merged over rows or columns stands in every position it covers."""
        index = self.tables
        self.tables += 1
        out: list[list[Cell]] = []
        carried: dict[int, tuple[Cell, int]] = {}  # column -> (cell from a row above, rows it still covers)
        for r, tr in enumerate(tr for tr in table.iter("tr") if _owning_table(tr) is table):
            row: list[Cell] = []
            for td in tr.iterchildren("td", "th", "TD", "TH"):
                while len(row) in carried:
                    row.append(self._carry(carried, len(row)))
                rowspan = _span(td.get("rowspan"))
                colspan = _span(td.get("colspan"))
                cell = Cell(cell_text(td), table=index, row=r, col=len(row))
                for _ in range(colspan):
                    if rowspan > 1:
                        carried[len(row)] = (cell, rowspan - 1)
                    row.append(cell)  # one object: the interpreter counts a merged value once
            while len(row) in carried:
                row.append(self._carry(carried, len(row)))
            out.append(row)
        return Table(out, index=index)

    @staticmethod
    def _carry(carried: dict[int, tuple[Cell, int]], column: int) -> Cell:
        cell, remaining = carried[column]
        if remaining > 1:
            carried[column] = (cell, remaining - 1)
        else:
            del carried[column]
        return cell


def _owning_table(tr: lxml.etree._Element) -> lxml.etree._Element | None:
    parent = tr.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _span(value: str | None) -> int:
    if value is None:
        return 1
    try:
        return max(1, min(int(str(value).strip()), 100))
    except (TypeError, ValueError):
        return 1


def cell_text(td: lxml.etree._Element) -> str:
    """A cell's text with ``<br>``, ``<p>`` and ``<div>`` as line breaks and ``&nbsp;`` as space."""
    if len(td) == 0:
        return " ".join((td.text or "").split())
    breaks = 0
    for element in td.iter("p", "div", "li", "br"):
        breaks += 2 if element.tag == "br" else 1
        if breaks > 1:
            break
    else:
        return " ".join("".join(td.itertext()).split())  # one line: Word's <p><span>…</span></p>
    lines: list[str] = []
    parts: list[str] = []

    def newline() -> None:
        line = " ".join("".join(parts).split())
        if line:
            lines.append(line)
        parts.clear()

    skipping: lxml.etree._Element | None = None
    for event, element in lxml.etree.iterwalk(td, events=("start", "end")):
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if skipping is not None:
            if event == "end" and element is skipping:
                skipping = None
                if element.tail:
                    parts.append(element.tail)
            continue
        if event == "start":
            if tag in SKIP_TAGS or not tag:
                skipping = element
                continue
            if tag == "br" or tag in _CELL_BREAKS:
                newline()
            if element.text:
                parts.append(element.text)
        else:
            if tag in _CELL_BREAKS:
                newline()
            if element is not td and element.tail:
                parts.append(element.tail)
    newline()
    return "\n".join(lines)


_CELL_BREAKS = frozenset({"p", "div", "li"})



def _text_head(element: lxml.etree._Element, size: int) -> str:
    """The first ``size`` characters of an element's text, without reading the rest."""
    parts: list[str] = []
    total = 0
    for text in element.itertext():
        parts.append(text)
        total += len(text)
        if total >= size:
            break
    return "".join(parts)[:size]


def _text_content(element: lxml.etree._Element) -> str:
    return "".join(element.itertext())
