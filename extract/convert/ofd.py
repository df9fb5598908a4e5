"""OFD (GB/T 33190-2016) -> Document: the package's XML pages read into glyphs and rulings.

An OFD is a zip of XML: ``OFD.xml`` names the document root, ``Document.xml`` lists the pages (and
template pages), and each page's ``Content.xml`` holds layers of ``TextObject`` (a text run placed
by ``Boundary``, ``TextCode`` X/Y and ``DeltaX`` advances, in millimetres) and ``PathObject`` (lines
in ``AbbreviatedData``: ``M``, ``L``, ``C``...). Glyph positions and axis-aligned path segments go
through the same ``geometry`` layout as a PDF, in millimetres, so tables come back as grids with
merged cells expanded. No OFD library of standing exists for Python, so this reads the XML directly
(lxml, with entities and network access off). An OFD whose pages hold only images (a scan) is
refused with that reason: its images are not OCR'd.
"""

from __future__ import annotations

import posixpath
import re

from lxml import etree

from extract.convert.geometry import Edge, Glyph, LayoutSettings, PageContent
from extract.convert.layout import assemble
from extract.convert.limits import DEFAULT_LIMITS, Limits
from extract.convert.ziputil import ZipReader
from extract.document import ConversionError, Document

MM_PER_PT = 25.4 / 72
OFD_SETTINGS = LayoutSettings().scaled(MM_PER_PT)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE]-?\d+)?")


def convert_ofd(data: bytes, *, limits: Limits = DEFAULT_LIMITS) -> Document:
    reader = ZipReader(data, limits)
    root_name = reader.find("OFD.xml")
    if root_name is None:
        raise ConversionError("zip without OFD.xml: not an OFD package")
    root = _xml(reader, root_name)
    doc_root = _first_text(root, "DocRoot")
    if not doc_root:
        raise ConversionError("OFD.xml names no DocRoot")
    doc_name = _resolve(reader, "", doc_root)
    document = _xml(reader, doc_name)
    base = posixpath.dirname(doc_name)
    default_box = _box(_first_text(document, "PhysicalBox")) or (0.0, 0.0, 210.0, 297.0)
    templates = {
        el.get("ID"): _resolve(reader, base, el.get("BaseLoc", ""))
        for el in _all(document, "TemplatePage")
        if el.get("ID") and el.get("BaseLoc")
    }
    page_refs = [el for el in _all(document, "Page") if el.get("BaseLoc")]
    if not page_refs:
        raise ConversionError("OFD document has no pages")
    if len(page_refs) > limits.max_pages:
        raise ConversionError(f"OFD has {len(page_refs)} pages, more than the limit of {limits.max_pages}")
    pages: list[PageContent] = []
    images = 0
    for number, ref in enumerate(page_refs, start=1):
        page_name = _resolve(reader, base, ref.get("BaseLoc", ""))
        page = _xml(reader, page_name)
        box = _box(_first_text(page, "PhysicalBox")) or default_box
        glyphs: list[Glyph] = []
        edges: list[Edge] = []
        sources = [page]
        for template in _all(page, "Template"):
            name = templates.get(template.get("TemplateID"))
            if name:
                sources.append(_xml(reader, name))
        for source in sources:
            for obj in source.iter():
                tag = _local(obj.tag)
                if tag == "TextObject":
                    glyphs += _text_glyphs(obj)
                elif tag == "PathObject":
                    edges += _path_edges(obj)
                elif tag == "ImageObject":
                    images += 1
        pages.append(PageContent(number=number, width=box[2], height=box[3], glyphs=glyphs, edges=edges))
    if not any(p.glyphs for p in pages):
        if images:
            raise ConversionError("OFD pages hold only images (a scan): OCR of OFD images is not supported")
        raise ConversionError("OFD has no text")
    blocks, warnings = assemble(pages, OFD_SETTINGS)
    return Document(blocks=blocks, source_format="ofd", warnings=warnings)


def _xml(reader: ZipReader, name: str):
    try:
        return etree.fromstring(reader.read(name), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ConversionError(f"OFD part {name} is not well-formed XML ({exc})") from exc


def _resolve(reader: ZipReader, base: str, loc: str) -> str:
    """A BaseLoc is relative to its container's directory, or absolute from the package root."""
    path = loc.lstrip("/") if loc.startswith("/") else posixpath.normpath(posixpath.join(base, loc))
    found = reader.find(path)
    if found is None:
        raise ConversionError(f"OFD part {path} is missing from the package")
    return found


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _all(tree, name: str):
    return [el for el in tree.iter() if _local(el.tag) == name]


def _first_text(tree, name: str) -> str | None:
    for el in tree.iter():
        if _local(el.tag) == name:
            return (el.text or "").strip()
    return None


def _box(text: str | None) -> tuple[float, float, float, float] | None:
    if not text:
        return None
    values = [float(v) for v in _NUMBER.findall(text)]
    return tuple(values[:4]) if len(values) >= 4 else None  # type: ignore[return-value]


def _ctm(obj) -> tuple[float, float, float, float, float, float]:
    values = [float(v) for v in _NUMBER.findall(obj.get("CTM", ""))]
    return tuple(values) if len(values) == 6 else (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)  # type: ignore[return-value]


def _deltas(text: str | None) -> list[float]:
    """DeltaX/DeltaY values, with the ``g N v`` shorthand (N times v) expanded."""
    if not text:
        return []
    tokens = text.split()
    out: list[float] = []
    i = 0
    while i < len(tokens):
        if tokens[i] == "g" and i + 2 < len(tokens):
            out += [float(tokens[i + 2])] * int(float(tokens[i + 1]))
            i += 3
        else:
            try:
                out.append(float(tokens[i]))
            except ValueError:
                pass
            i += 1
    return out


def _text_glyphs(obj) -> list[Glyph]:
    box = _box(obj.get("Boundary")) or (0.0, 0.0, 0.0, 0.0)
    a, b, c, d, e, f = _ctm(obj)
    size = float(obj.get("Size", "3.5") or 3.5)
    glyphs: list[Glyph] = []
    x = y = 0.0
    for code in obj:
        if _local(code.tag) != "TextCode":
            continue
        x = float(code.get("X", x))
        y = float(code.get("Y", y))
        dx, dy = _deltas(code.get("DeltaX")), _deltas(code.get("DeltaY"))
        for i, ch in enumerate(code.text or ""):
            px, py = a * x + c * y + e, b * x + d * y + f
            scale = abs(d) or 1.0
            advance = dx[i] if i < len(dx) else size
            if not ch.isspace():
                gx, gy = box[0] + px, box[1] + py
                width = min(advance, size) * (abs(a) or 1.0)
                glyphs.append(Glyph(ch, gx, gy - 0.85 * size * scale, gx + width, gy + 0.15 * size * scale))
            x += advance
            y += dy[i] if i < len(dy) else 0.0
    return glyphs


def _path_edges(obj) -> list[Edge]:
    box = _box(obj.get("Boundary")) or (0.0, 0.0, 0.0, 0.0)
    a, b, c, d, e, f = _ctm(obj)
    data = _first_text(obj, "AbbreviatedData") or ""
    tokens = data.replace(",", " ").split()
    points: list[list[tuple[float, float]]] = []
    i = 0
    arity = {"M": 2, "S": 2, "L": 2, "Q": 4, "B": 6, "A": 7, "C": 0}
    while i < len(tokens):
        op = tokens[i]
        n = arity.get(op)
        if n is None:
            i += 1
            continue
        args = [float(v) for v in tokens[i + 1 : i + 1 + n] if _NUMBER.fullmatch(v)]
        i += 1 + n
        if op == "C":
            if points and points[-1]:
                points[-1].append(points[-1][0])
            continue
        if len(args) < 2:
            continue
        px, py = args[-2], args[-1]
        point = (box[0] + a * px + c * py + e, box[1] + b * px + d * py + f)
        if op in ("M", "S") or not points:
            points.append([point])
        elif op == "L":
            points[-1].append(point)
        else:
            points.append([point])  # curves are not rulings: restart from their end point
    edges: list[Edge] = []
    for run in points:
        for (x0, y0), (x1, y1) in zip(run, run[1:]):
            if abs(y0 - y1) <= 0.2 and abs(x1 - x0) > 0.5:
                edges.append(Edge(True, y0, min(x0, x1), max(x0, x1)))
            elif abs(x0 - x1) <= 0.2 and abs(y1 - y0) > 0.5:
                edges.append(Edge(False, x0, min(y0, y1), max(y0, y1)))
    return edges
