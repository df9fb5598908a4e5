"""A report page made into the files users post: HTML variants, LibreOffice conversions, rasterised pages.

The fixtures are made by the real tools, called here directly (``soffice --convert-to``, ``pdftoppm``,
Pillow), not through the converters under test, and cached on disk by content hash (``cache_dir``), so
a second session reuses them. The HTML variants are made with lxml from the page itself:

- ``grid``: the tables as the page has them, with borders;
- ``rows``: every table row its own table, as editors make a table by pasting rows; a cell merged over
  rows stays in its first row and leaves blank cells under it, as splitting a table in Word does;
- ``grid-borderless`` and ``rows-borderless``: the same without any ruling.

Each variant is printed as a person who saves the page as PDF prints it: so that it fits. A page whose
widest table is wider than A4 portrait's printable width (``table_width``, from the page's own declared
widths) is given ``@page { size: A4 landscape }``, which LibreOffice's HTML import honours as a browser's
print dialog does; ``variant(..., fit=False)`` keeps the A4 portrait print, which cuts such a table at
the page's edge (the "cut print": what lies past the edge is not in the file). The estimate is a
floor (each row's cells summed; LibreOffice sets columns by all rows at once): case 01's section 三,
estimated 903 px, prints in landscape as wide as the page, its outer rulings at the page's edges and
all its text on it.

And tables drawn as boxes (``BOXED``), every cell its own frame with two parallel lines between cells:

- ``grid-spaced``: ``border="1" cellspacing="2"``, as older CMS templates draw them. LibreOffice's
  Writer has no cell spacing (its files of the page draw one line between cells), so the PDF and page
  images of a boxed page are also made by printing the page in Chromium (``printed``), as a browser's
  "save as PDF" does;
- ``grid-double``: CSS double borders, 3 px around cells and 6 px around the table (Word's
  ``w:val="double"`` with a thick outer frame, as Word exports it to HTML);
- ``grid-double-wide``: the same at 9 px and 12 px, where the two lines of each border stand 4.5 and
  6 points apart and a word processor draws each cell's inner frame as a box of its own.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import os
import re
import shutil
import signal
import subprocess
import tempfile
import unicodedata
from pathlib import Path

import lxml.html

VARIANTS = ("grid", "rows", "grid-borderless", "rows-borderless")
BOXED = ("grid-spaced", "grid-double", "grid-double-wide")
_DOUBLE = {"grid-double": (3, 6), "grid-double-wide": (9, 12)}  # px: (cells, table frame)
FILTERS = {  # LibreOffice export filters for a document opened from HTML (Writer/Web)
    "doc": "doc:MS Word 97",
    "docx": "docx:MS Word 2007 XML",
    "odt": "odt:writer8",
    "rtf": "rtf:Rich Text Format",
    "pdf": "pdf:writer_web_pdf_Export",
}
_BORDER_CSS = re.compile(r"(?:^|;)\s*(?:mso-)?border[\w-]*\s*:[^;]*", re.IGNORECASE)
# LibreOffice's Writer/Web page: A4 (210 mm) less its 2 cm left and 1 cm right margins, in CSS px (96/in);
# measured on its PDFs: body text starts at 56.8 pt, justified lines end near 561 pt of the 595.3 pt page.
A4_PRINTABLE_PX = 180 / 25.4 * 96
_PX = {"px": 1.0, "pt": 96 / 72, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4}
_WIDTH_CSS = re.compile(r"(?:^|;)\s*width\s*:\s*([^;]+)", re.IGNORECASE)
_NOWRAP_CSS = re.compile(r"white-space\s*:\s*nowrap", re.IGNORECASE)
_EM_PX = 16.0  # LibreOffice's default text size for HTML, 12 pt
_CELL_PADDING_PX = 4.0


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    path = Path(base) / "nianbao" / "office-fixtures"
    path.mkdir(parents=True, exist_ok=True)
    return path


def seed_page(spec) -> str:
    """A report spec (a seed's, a generated one's) as a whole HTML page, as a portal would publish it."""
    from farm.render.html import render_body_html

    body = render_body_html(spec, "table")
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{spec.organ}</title></head><body>{body}</body></html>'


def _leaf_tables(root) -> list:
    return [t for t in root.iter("table") if not any(True for _ in t.iterdescendants("table"))]


def _own_rows(table) -> list:
    return [tr for tr in table.iter("tr") if next(tr.iterancestors("table")) is table]


def _length_px(text: str | None) -> float:
    """A CSS or HTML length in px; 0 for a percentage, ``auto`` or nothing (no width of its own)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(px|pt|pc|in|cm|mm)?\s*", text or "", re.IGNORECASE)
    return float(match[1]) * _PX[(match[2] or "px").lower()] if match else 0.0


def _declared_px(element) -> float:
    style = _WIDTH_CSS.search(element.get("style") or "")
    return max(_length_px(style[1]) if style else 0.0, _length_px(element.get("width")))


def _text_px(text: str) -> float:
    """How wide a line of text prints: a full-width (CJK) character one em, any other half an em."""
    return sum(_EM_PX if unicodedata.east_asian_width(ch) in "WF" else _EM_PX / 2 for ch in text)


def _cell_px(cell) -> float:
    """The least width a cell prints at: its declared width, or, when it may not wrap (``nowrap``), its
    longest line (lines broken only by ``<br>``) if wider. A wrapping cell's text folds to fit."""
    width = _declared_px(cell)
    if cell.get("nowrap") is not None or _NOWRAP_CSS.search(cell.get("style") or ""):
        copied = copy.deepcopy(cell)
        for br in copied.iter("br"):
            br.tail = "\n" + (br.tail or "")
        lines = copied.text_content().split("\n")
        width = max(width, max(_text_px(line.strip()) for line in lines) + _CELL_PADDING_PX)
    return width


def table_width(table) -> float:
    """A table's width in px as the page declares it: its own width, or its widest row's cells summed."""
    rows = [sum(_cell_px(c) for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")) for tr in _own_rows(table)]
    return max([_declared_px(table), *rows])


def _print_landscape(root) -> None:
    head = root.find("head")
    if head is None:
        head = lxml.html.Element("head")
        head.append(lxml.html.Element("meta", charset="utf-8"))
        root.insert(0, head)
    style = lxml.html.Element("style")
    style.text = "@page { size: A4 landscape }"
    head.append(style)


def variant(html: str, name: str, *, fit: bool = True) -> str:
    """The page as the named variant (see the module docstring), printed in landscape when ``fit`` and its
    widest table is wider than A4 portrait's printable width."""
    root = lxml.html.document_fromstring(html)
    wide = max((table_width(t) for t in _leaf_tables(root)), default=0.0) > A4_PRINTABLE_PX
    for table in _leaf_tables(root):
        if name.startswith("rows"):
            _one_table_per_row(table)
    for table in _leaf_tables(root):
        if name.endswith("borderless"):
            table.set("border", "0")
            for attr in ("frame", "rules"):
                table.attrib.pop(attr, None)
            for element in [table, *table.iter("td", "th", "tr")]:
                style = element.get("style")
                if style:
                    element.set("style", _BORDER_CSS.sub("", style).lstrip(";"))
        elif name in _DOUBLE:
            _double_borders(table, *_DOUBLE[name])
        else:
            table.set("border", "1")
            table.set("cellspacing", "2" if name == "grid-spaced" else "0")
    if fit and wide:
        _print_landscape(root)
    head = root.find("head")
    if head is not None and not any(m.get("charset") for m in head.iter("meta")):
        head.insert(0, lxml.html.fromstring('<meta charset="utf-8">'))
    return "<!DOCTYPE html>\n" + lxml.html.tostring(root, encoding="unicode", method="html")


def _double_borders(table, cell_px: int, frame_px: int) -> None:
    """Every border of ``table`` a double line: ``cell_px`` around its cells, ``frame_px`` around it."""
    table.set("border", "0")
    table.set("cellspacing", "0")
    for element in [table, *table.iter("td", "th")]:
        kept = _BORDER_CSS.sub("", element.get("style") or "").strip(";")
        width = frame_px if element is table else cell_px
        rule = f"border: {width}px double black" + ("; border-collapse: collapse" if element is table else "")
        element.set("style", f"{kept}; {rule}" if kept else rule)


def _one_table_per_row(table) -> None:
    """Replace ``table`` by one table per row; a cell merged over rows leaves blank cells below it."""
    carried: dict[int, tuple[int, int]] = {}  # grid column -> (rows still covered, colspan)
    tables = []
    for tr in _own_rows(table):
        cells = [c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]
        out = []
        column = 0

        def blanks_at(col: int) -> int:
            left, span = carried[col]
            blank = lxml.html.fromstring("<td>&nbsp;</td>")
            if span > 1:
                blank.set("colspan", str(span))
            out.append(blank)
            if left > 1:
                carried[col] = (left - 1, span)
            else:
                del carried[col]
            return span

        for cell in cells:
            while column in carried:
                column += blanks_at(column)
            span = int(re.sub(r"\D", "", cell.get("colspan") or "1") or 1)
            rows = int(re.sub(r"\D", "", cell.get("rowspan") or "1") or 1)
            if rows > 1:
                carried[column] = (rows - 1, span)
                del cell.attrib["rowspan"]
            out.append(copy.deepcopy(cell))
            column += span
        while column in carried:
            column += blanks_at(column)
        new = lxml.html.fromstring("<table><tbody><tr></tr></tbody></table>")
        for key, value in table.attrib.items():
            new.set(key, value)
        row = new.find(".//tr")
        for key, value in tr.attrib.items():
            row.set(key, value)
        row.extend(out)
        tables.append(new)
    parent = table.getparent()
    index = parent.index(table)
    tail = table.tail
    parent.remove(table)
    for k, new in enumerate(tables):
        parent.insert(index + k, new)
    if tables:
        tables[-1].tail = tail


def _key(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def office(pages: list[str], target: str) -> list[bytes]:
    """HTML pages converted to ``target`` by LibreOffice, in one soffice run for the ones not cached."""
    keys = [_key("office-v1", target, page) for page in pages]
    paths = [cache_dir() / f"{key}.{target}" for key in keys]
    missing = [i for i, path in enumerate(paths) if not path.exists()]
    if missing:
        with tempfile.TemporaryDirectory(prefix="nianbao-fixtures-") as tmp:
            root = Path(tmp)
            (root / "in").mkdir()
            inputs = []
            for i in missing:
                source = root / "in" / f"{keys[i]}.html"
                source.write_text(pages[i], encoding="utf-8")
                inputs.append(str(source))
            subprocess.run(
                ["soffice", "--headless", "--norestore", "--nolockcheck",
                 f"-env:UserInstallation={(root / 'profile').as_uri()}",
                 "--convert-to", FILTERS[target], "--outdir", str(root / "out"), *inputs],
                cwd=root, env=dict(os.environ, HOME=str(root)), capture_output=True, timeout=60 + 20 * len(inputs),
                check=False,
            )
            for i in missing:
                made = root / "out" / f"{keys[i]}.{target}"
                if not made.exists():
                    raise RuntimeError(f"LibreOffice made no {target} of page {i}")
                _publish(made.read_bytes(), paths[i])
    return [path.read_bytes() for path in paths]


def printed(pages: list[str]) -> list[bytes]:
    """HTML pages printed to PDF by headless Chromium (A4, no header or footer), one run per page not cached.

    A browser keeps what LibreOffice drops: cell spacing, separate borders, each cell its own box."""
    keys = [_key("chromium-v1", page) for page in pages]
    paths = [cache_dir() / f"{key}.pdf" for key in keys]
    for page, path in zip(pages, paths):
        if path.exists():
            continue
        with tempfile.TemporaryDirectory(prefix="nianbao-print-") as tmp:
            root = Path(tmp)
            (root / "in.html").write_text(page.replace("<head>", "<head><style>@page { size: A4 }</style>", 1),
                                          encoding="utf-8")
            with subprocess.Popen(
                [shutil.which("chromium") or "/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
                 "--no-pdf-header-footer", f"--user-data-dir={root / 'profile'}",
                 f"--print-to-pdf={root / 'out.pdf'}", (root / "in.html").as_uri()],
                cwd=root, env=dict(os.environ, HOME=str(root)), stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True,
            ) as browser:
                try:
                    browser.wait(timeout=120)
                finally:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(browser.pid, signal.SIGKILL)  # its helpers too, whatever happened
            if not (root / "out.pdf").exists():
                raise RuntimeError("Chromium printed no PDF of the page")
            _publish((root / "out.pdf").read_bytes(), path)
    return [path.read_bytes() for path in paths]


def page_images(pdf: bytes, kind: str) -> list[bytes]:
    """Each page of a PDF as a 300-dpi grey image (``png`` or ``jpeg``), as a scanner or phone posts it."""
    path = cache_dir() / f"{_key('pages-v1', kind, pdf)}"
    if not path.exists():
        with tempfile.TemporaryDirectory(prefix="nianbao-raster-") as tmp:
            (Path(tmp) / "in.pdf").write_bytes(pdf)
            flag = "-png" if kind == "png" else "-jpeg"
            subprocess.run(["pdftoppm", "-r", "300", "-gray", flag, "in.pdf", "page"], cwd=tmp, check=True,
                           capture_output=True, timeout=300)
            made = sorted(Path(tmp).glob("page-*"))
            staged = Path(tempfile.mkdtemp(dir=cache_dir(), prefix=".tmp-"))
            for k, image in enumerate(made):
                shutil.copyfile(image, staged / f"{k:03d}.{kind}")
            try:
                os.rename(staged, path)  # all pages at once: a concurrent session sees all or none
            except OSError:
                shutil.rmtree(staged, ignore_errors=True)  # another session made them first
    return [image.read_bytes() for image in sorted(path.iterdir())]


def image_pdf(pdf: bytes) -> bytes:
    """The PDF with every page replaced by its 300-dpi picture: an image-only PDF, as a scan is."""
    from PIL import Image

    path = cache_dir() / f"{_key('image-pdf-v1', pdf)}.pdf"
    if not path.exists():
        images = [Image.open(io.BytesIO(data)).convert("L") for data in page_images(pdf, "png")]
        buffer = io.BytesIO()
        images[0].save(buffer, "PDF", save_all=True, append_images=images[1:], resolution=300)
        _publish(buffer.getvalue(), path)
    return path.read_bytes()


def _publish(data: bytes, path: Path) -> None:
    """Write under a temporary name and rename: sessions running at once never read half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
