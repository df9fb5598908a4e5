"""OFD fixtures (GB/T 33190-2016): the PDF rendering transcoded glyph by glyph into OFD pages.

That is how most OFD reports are made: a layout program prints the document and a converter
re-expresses every positioned glyph and ruling in OFD's XML. Each page becomes a ``Content.xml`` with
one ``TextObject`` per run of glyphs on a line (positions in millimetres, ``TextCode`` with ``DeltaX``
advances) and one ``PathObject`` per table ruling (``AbbreviatedData`` ``M x y L x y``), inside the
package structure the standard prescribes: ``OFD.xml`` -> ``Doc_0/Document.xml`` -> ``Pages/Page_N``,
fonts in ``PublicRes.xml``.

The PDF is read with pdfplumber (pdfminer.six), a parser of its own, and never with the PDF reader of
``extract`` (pypdfium2 and ``extract.convert.geometry``), which is code under test: were the fixture
made with it, its mistakes would be built into the OFD files meant to test the OFD reader.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pdfplumber

from farm.records import ReportSpec
from farm.render.cache import cached, store
from farm.render.pdf import render_pdfs

MM_PER_PT = 25.4 / 72
NS = "http://www.ofdspec.org/2016"
_THIN = 2.5  # points: a rectangle this thin is drawn as a ruling line
_SAME_LINE = 0.5  # points between the baselines of glyphs on one line


@dataclass(frozen=True)
class _Glyph:
    """One character as printed: its text, left and right edge, baseline and font size (points, top-down)."""

    text: str
    x0: float
    x1: float
    baseline: float
    size: float


@dataclass(frozen=True)
class _Ruling:
    """A table line: horizontal at ``pos`` from ``start`` to ``end`` (points, top-down), or vertical."""

    horizontal: bool
    pos: float
    start: float
    end: float


def render_ofd(spec: ReportSpec) -> bytes:
    """The report as an OFD package."""
    return render_ofds([spec])[0]


def render_ofds(specs: list[ReportSpec]) -> list[bytes]:
    return [pdf_to_ofd(pdf, title=f"{s.organ}{s.year}年政府信息公开工作年度报告") for s, pdf in zip(specs, render_pdfs(specs))]


def pdf_to_ofd(pdf_bytes: bytes, *, title: str = "") -> bytes:
    """Transcode a text-layer PDF into OFD: glyphs and rulings keep their positions (cached, as pdfminer is slow)."""
    key = pdf_bytes + title.encode("utf-8")
    ofd = cached(key, "ofd")
    if ofd is None:
        ofd = _transcode(pdf_bytes, title)
        store(key, "ofd", ofd)
    return ofd


def _transcode(pdf_bytes: bytes, title: str) -> bytes:
    pages: list[tuple[float, float, list[_Glyph], list[_Ruling]]] = []
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        for page in pdf.pages:
            pages.append((float(page.width), float(page.height), _glyphs(page), _rulings(page)))
    ids = _Ids()
    font_id = ids.next()
    files: dict[str, str] = {}
    page_refs = []
    width_mm = pages[0][0] * MM_PER_PT if pages else 210.0
    height_mm = pages[0][1] * MM_PER_PT if pages else 297.0
    for n, (_, _, glyphs, rulings) in enumerate(pages):
        page_id = ids.next()
        objects = []
        for line in _lines(glyphs):
            for run in _runs(line):
                objects.append(_text_object(run, ids.next(), font_id))
        for ruling in rulings:
            objects.append(_path_object(ruling, ids.next()))
        layer = ids.next()
        files[f"Doc_0/Pages/Page_{n}/Content.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Page xmlns:ofd="{NS}"><ofd:Content>'
            f'<ofd:Layer ID="{layer}">' + "".join(objects) + "</ofd:Layer></ofd:Content></ofd:Page>"
        )
        page_refs.append(f'<ofd:Page ID="{page_id}" BaseLoc="Pages/Page_{n}/Content.xml"/>')
    files["Doc_0/PublicRes.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Res xmlns:ofd="{NS}" BaseLoc="Res"><ofd:Fonts>'
        f'<ofd:Font ID="{font_id}" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>'
    )
    files["Doc_0/Document.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Document xmlns:ofd="{NS}"><ofd:CommonData>'
        f"<ofd:MaxUnitID>{ids.value}</ofd:MaxUnitID>"
        f"<ofd:PageArea><ofd:PhysicalBox>0 0 {width_mm:.3f} {height_mm:.3f}</ofd:PhysicalBox></ofd:PageArea>"
        "<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData>"
        f"<ofd:Pages>{''.join(page_refs)}</ofd:Pages></ofd:Document>"
    )
    ofd_xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:OFD xmlns:ofd="{NS}" Version="1.0" DocType="OFD">'
        "<ofd:DocBody><ofd:DocInfo><ofd:DocID>6c1f0a2b9d3e4f5a8b7c6d5e4f3a2b1c</ofd:DocID>"
        f"<ofd:Title>{escape(title)}</ofd:Title><ofd:Creator>nianbao farm</ofd:Creator>"
        "</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in [("OFD.xml", ofd_xml), *files.items()]:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text.encode("utf-8"))
    return out.getvalue()


def _glyphs(page) -> list[_Glyph]:
    """Every printed character but spaces, at its origin: pdfminer's text matrix gives the baseline."""
    height = float(page.height)
    return [
        _Glyph(char["text"], float(char["x0"]), float(char["x1"]), height - float(char["matrix"][5]), float(char["size"]))
        for char in page.chars
        if char["text"].strip() and char.get("upright", True)
    ]


def _rulings(page) -> list[_Ruling]:
    """Horizontal and vertical strokes: lines, thin rectangles, stroked rectangles' sides, polylines' segments."""
    segments: list[tuple[float, float, float, float]] = []
    for line in page.lines:
        segments.append((line["x0"], line["top"], line["x1"], line["bottom"]))
    for rect in page.rects:
        x0, top, x1, bottom = rect["x0"], rect["top"], rect["x1"], rect["bottom"]
        if x1 - x0 <= _THIN or bottom - top <= _THIN:
            middle_x, middle_y = (x0 + x1) / 2, (top + bottom) / 2
            thin_vertical = x1 - x0 <= _THIN
            segments.append((middle_x, top, middle_x, bottom) if thin_vertical else (x0, middle_y, x1, middle_y))
        elif rect.get("stroke"):
            segments += [(x0, top, x1, top), (x0, bottom, x1, bottom), (x0, top, x0, bottom), (x1, top, x1, bottom)]
    for curve in page.curves:
        points = curve["pts"]
        segments += [(a[0], a[1], b[0], b[1]) for a, b in zip(points, points[1:])]
    rulings = []
    for x0, y0, x1, y1 in segments:
        if abs(y0 - y1) <= 0.5 and abs(x1 - x0) > _THIN:
            rulings.append(_Ruling(True, (y0 + y1) / 2, min(x0, x1), max(x0, x1)))
        elif abs(x0 - x1) <= 0.5 and abs(y1 - y0) > _THIN:
            rulings.append(_Ruling(False, (x0 + x1) / 2, min(y0, y1), max(y0, y1)))
    return rulings


def _lines(glyphs: list[_Glyph]) -> list[list[_Glyph]]:
    """Glyphs sharing a baseline, left to right; lines top to bottom."""
    ordered = sorted(glyphs, key=lambda g: (g.baseline, g.x0))
    lines: list[list[_Glyph]] = []
    for glyph in ordered:
        if lines and glyph.baseline - lines[-1][0].baseline <= _SAME_LINE:
            lines[-1].append(glyph)
        else:
            lines.append([glyph])
    return [sorted(line, key=lambda g: g.x0) for line in lines]


class _Ids:
    def __init__(self) -> None:
        self.value = 0

    def next(self) -> int:
        self.value += 1
        return self.value


def _runs(line: list[_Glyph]) -> list[list[_Glyph]]:
    """Split a line where glyphs are far apart (table cells) and where the font size changes."""
    runs: list[list[_Glyph]] = [[line[0]]]
    for g in line[1:]:
        prev = runs[-1][-1]
        if g.size != prev.size or g.x0 - prev.x1 > 2.5 * max(prev.size, 1.0):
            runs.append([g])
        else:
            runs[-1].append(g)
    return runs


def _text_object(run: list[_Glyph], object_id: int, font_id: int) -> str:
    """A TextObject whose Boundary starts at the run's top-left; TextCode X/Y are the first glyph's
    origin (baseline) relative to it and DeltaX the advances between glyph origins, all in mm."""
    size = run[0].size * MM_PER_PT
    x0 = run[0].x0 * MM_PER_PT
    baseline = run[0].baseline * MM_PER_PT
    top = baseline - 0.85 * size
    width = (run[-1].x1 - run[0].x0) * MM_PER_PT
    deltas = [f"{(b.x0 - a.x0) * MM_PER_PT:.3f}" for a, b in zip(run, run[1:])]
    text = "".join(g.text for g in run)
    delta_attr = f" DeltaX={quoteattr(' '.join(deltas))}" if deltas else ""
    return (
        f'<ofd:TextObject ID="{object_id}" Boundary="{x0:.3f} {top:.3f} {max(width, 0.1):.3f} {size * 1.2:.3f}" '
        f'Font="{font_id}" Size="{size:.3f}"><ofd:TextCode X="0" Y="{baseline - top:.3f}"{delta_attr}>'
        f"{escape(text)}</ofd:TextCode></ofd:TextObject>"
    )


def _path_object(ruling: _Ruling, object_id: int) -> str:
    pos, start, end = (v * MM_PER_PT for v in (ruling.pos, ruling.start, ruling.end))
    if ruling.horizontal:
        box, data = (start, pos, end - start, 0.2), f"M 0 0 L {end - start:.3f} 0"
    else:
        box, data = (pos, start, 0.2, end - start), f"M 0 0 L 0 {end - start:.3f}"
    return (
        f'<ofd:PathObject ID="{object_id}" Boundary="{box[0]:.3f} {box[1]:.3f} {box[2]:.3f} {box[3]:.3f}" '
        f'LineWidth="0.176" Stroke="true" Fill="false"><ofd:AbbreviatedData>{data}</ofd:AbbreviatedData>'
        "</ofd:PathObject>"
    )


__all__ = ["render_ofd", "render_ofds", "pdf_to_ofd"]
