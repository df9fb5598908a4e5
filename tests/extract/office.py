"""A report page made into the files users post: HTML variants, LibreOffice conversions, rasterised pages.

The fixtures are made by the real tools, called here directly (``soffice --convert-to``, ``pdftoppm``,
Pillow), not through the converters under test, and cached on disk by content hash (``cache_dir``), so
a second session reuses them. The HTML variants are made with lxml from the page itself:

- ``grid``: the tables as the page has them, with borders;
- ``rows``: every table row its own table, as editors make a table by pasting rows; a cell merged over
  rows stays in its first row and leaves blank cells under it, as splitting a table in Word does;
- ``grid-borderless`` and ``rows-borderless``: the same without any ruling.
"""

from __future__ import annotations

import copy
import hashlib
import io
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import lxml.html

VARIANTS = ("grid", "rows", "grid-borderless", "rows-borderless")
FILTERS = {  # LibreOffice export filters for a document opened from HTML (Writer/Web)
    "doc": "doc:MS Word 97",
    "docx": "docx:MS Word 2007 XML",
    "odt": "odt:writer8",
    "rtf": "rtf:Rich Text Format",
    "pdf": "pdf:writer_web_pdf_Export",
}
_BORDER_CSS = re.compile(r"(?:^|;)\s*(?:mso-)?border[\w-]*\s*:[^;]*", re.IGNORECASE)


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


def variant(html: str, name: str) -> str:
    """The page as the named variant (see the module docstring)."""
    root = lxml.html.document_fromstring(html)
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
        else:
            table.set("border", "1")
            table.set("cellspacing", "0")
    head = root.find("head")
    if head is not None and not any(m.get("charset") for m in head.iter("meta")):
        head.insert(0, lxml.html.fromstring('<meta charset="utf-8">'))
    return "<!DOCTYPE html>\n" + lxml.html.tostring(root, encoding="unicode", method="html")


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
