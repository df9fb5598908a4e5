"""HTML report pages to ``Document``, as disclosure CMSs publish them.

The report body is looked for in the containers the CMS families use (TRS ``div.TRS_Editor``, Hanweb
``#zoom``, gov.cn ``#UCAP-CONTENT``, NFCMS ``div.news_cont_d_wrap``, Shanghai ``#ivs_content`` …),
tables become grids with rowspan/colspan expanded, ``<br>`` and ``<p>`` inside a cell become line
breaks, and Word-exported markup (mso classes, nested spans, ``<o:p>``) is read as plain text.
lxml.html is used directly: it is an order of magnitude faster than BeautifulSoup on these pages.
"""

from __future__ import annotations

import lxml.etree
import lxml.html

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

BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol section article header footer blockquote pre center dd dt dl tr form".split()
)
SKIP_TAGS = frozenset({"script", "style", "noscript", "head", "iframe", "object", "select", "button", "template"})


def convert_html(data: bytes) -> Document:
    text = decode_text(data, declared=html_declared_charset(data))
    return html_to_document(text)


def html_to_document(text: str) -> Document:
    try:
        root = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ConversionError(f"unreadable HTML: {exc}") from exc
    body = _find_body(root)
    builder = _Builder()
    title = _title(root)
    if title and title not in (body.text_content() or "")[:400]:
        builder.blocks.append(Paragraph(title))
    builder.walk(body)
    builder.flush()
    return Document(builder.blocks, source_format="html")


def _find_body(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    for selector in BODY_SELECTORS:
        for element in root.xpath(selector):
            if element.xpath(".//table") or len((element.text_content() or "").strip()) > 200:
                return element
    body = root.find("body")
    return body if body is not None else root


def _title(root: lxml.html.HtmlElement) -> str | None:
    for selector in TITLE_SELECTORS:
        found = root.xpath(selector)
        if found:
            value = found[0] if isinstance(found[0], str) else found[0].text_content()
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

    def walk(self, element: lxml.html.HtmlElement) -> None:
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

    def _table(self, table: lxml.html.HtmlElement) -> Table:
        index = self.tables
        self.tables += 1
        rows = [tr for tr in table.iter("tr") if _owning_table(tr) is table]
        grid: dict[tuple[int, int], Cell] = {}
        width = 0
        for r, tr in enumerate(rows):
            c = 0
            for td in tr:
                if not isinstance(td.tag, str) or td.tag.lower() not in ("td", "th"):
                    continue
                while (r, c) in grid:
                    c += 1
                rowspan = _span(td.get("rowspan"))
                colspan = _span(td.get("colspan"))
                cell = Cell(cell_text(td), table=index, row=r, col=c)
                for dr in range(rowspan):
                    for dc in range(colspan):
                        grid[(r + dr, c + dc)] = cell  # one object: the interpreter counts a merged value once
                c += colspan
                width = max(width, c)
        out: list[list[Cell]] = []
        for r in range(len(rows)):
            row = [grid.get((r, c), Cell("", table=index, row=r, col=c)) for c in range(width)]
            while row and not row[-1].text and (r, len(row) - 1) not in grid:
                row.pop()
            out.append(row)
        return Table(out, index=index)


def _owning_table(tr: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    parent = tr.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(str(value).strip()), 100))
    except (TypeError, ValueError):
        return 1


def cell_text(td: lxml.html.HtmlElement) -> str:
    """A cell's text with ``<br>``, ``<p>`` and ``<div>`` as line breaks and ``&nbsp;`` as space."""
    lines: list[str] = []
    parts: list[str] = []

    def newline() -> None:
        line = " ".join("".join(parts).replace("\u00a0", " ").split())
        if line:
            lines.append(line)
        parts.clear()

    def walk(element: lxml.html.HtmlElement) -> None:
        if element.text:
            parts.append(element.text)
        for child in element:
            tag = child.tag.lower() if isinstance(child.tag, str) else ""
            if tag in SKIP_TAGS or not tag:
                pass
            elif tag == "br":
                newline()
            elif tag in ("p", "div", "li"):
                newline()
                walk(child)
                newline()
            else:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(td)
    newline()
    return "\n".join(lines)
