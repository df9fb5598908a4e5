"""OFD fixtures (GB/T 33190-2016): the PDF rendering transcoded glyph by glyph into OFD pages.

That is how most OFD reports are made: a layout program prints the document and a converter
re-expresses every positioned glyph and ruling in OFD's XML. Each page becomes a ``Content.xml`` with
one ``TextObject`` per run of glyphs on a line (positions in millimetres, ``TextCode`` with ``DeltaX``
advances) and one ``PathObject`` per table ruling (``AbbreviatedData`` ``M x y L x y``), inside the
package structure the standard prescribes: ``OFD.xml`` -> ``Doc_0/Document.xml`` -> ``Pages/Page_N``,
fonts in ``PublicRes.xml``.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape, quoteattr

from extract.convert.geometry import Glyph, group_lines
from extract.convert.pdf import open_pdf, read_page
from extract.convert.limits import DEFAULT_LIMITS
from farm.records import ReportSpec
from farm.render.pdf import render_pdfs

MM_PER_PT = 25.4 / 72
NS = "http://www.ofdspec.org/2016"


def render_ofd(spec: ReportSpec) -> bytes:
    """The report as an OFD package."""
    return render_ofds([spec])[0]


def render_ofds(specs: list[ReportSpec]) -> list[bytes]:
    return [pdf_to_ofd(pdf, title=f"{s.organ}{s.year}年政府信息公开工作年度报告") for s, pdf in zip(specs, render_pdfs(specs))]


def pdf_to_ofd(pdf_bytes: bytes, *, title: str = "") -> bytes:
    """Transcode a text-layer PDF into OFD: glyphs and rulings keep their positions."""
    pdf = open_pdf(pdf_bytes, DEFAULT_LIMITS)
    pages = []
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                pages.append(read_page(page, index + 1))
            finally:
                page.close()
    finally:
        pdf.close()
    ids = _Ids()
    font_id = ids.next()
    files: dict[str, str] = {}
    page_refs = []
    width_mm = pages[0].width * MM_PER_PT if pages else 210.0
    height_mm = pages[0].height * MM_PER_PT if pages else 297.0
    for n, content in enumerate(pages):
        page_id = ids.next()
        objects = []
        for line in group_lines(content.glyphs):
            for run in _runs(line):
                objects.append(_text_object(run, ids.next(), font_id))
        for edge in content.edges:
            objects.append(_path_object(edge, ids.next()))
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


class _Ids:
    def __init__(self) -> None:
        self.value = 0

    def next(self) -> int:
        self.value += 1
        return self.value


def _runs(line: list[Glyph]) -> list[list[Glyph]]:
    """Split a line where glyphs are far apart (table cells, justified gaps stay within a run)."""
    runs: list[list[Glyph]] = [[line[0]]]
    for g in line[1:]:
        prev = runs[-1][-1]
        if g.x0 - prev.x1 > 2.5 * max(prev.height, 1.0):
            runs.append([g])
        else:
            runs[-1].append(g)
    return runs


def _text_object(run: list[Glyph], object_id: int, font_id: int) -> str:
    """A TextObject whose Boundary starts at the run's top-left; TextCode X/Y are the first glyph's
    origin (baseline) relative to it and DeltaX the advances between glyph origins, all in mm."""
    size = max(g.height for g in run) * MM_PER_PT
    x0 = run[0].x0 * MM_PER_PT
    top = min(g.top for g in run) * MM_PER_PT
    width = (run[-1].x1 - run[0].x0) * MM_PER_PT
    baseline = max(g.bottom for g in run) * MM_PER_PT - 0.15 * size
    deltas = [f"{(b.x0 - a.x0) * MM_PER_PT:.3f}" for a, b in zip(run, run[1:])]
    text = "".join(g.text for g in run)
    delta_attr = f" DeltaX={quoteattr(' '.join(deltas))}" if deltas else ""
    return (
        f'<ofd:TextObject ID="{object_id}" Boundary="{x0:.3f} {top:.3f} {max(width, 0.1):.3f} {size * 1.2:.3f}" '
        f'Font="{font_id}" Size="{size:.3f}"><ofd:TextCode X="0" Y="{baseline - top:.3f}"{delta_attr}>'
        f"{escape(text)}</ofd:TextCode></ofd:TextObject>"
    )


def _path_object(edge, object_id: int) -> str:
    pos, start, end = (v * MM_PER_PT for v in (edge.pos, edge.start, edge.end))
    if edge.horizontal:
        box, data = (start, pos, end - start, 0.2), f"M 0 0 L {end - start:.3f} 0"
    else:
        box, data = (pos, start, 0.2, end - start), f"M 0 0 L 0 {end - start:.3f}"
    return (
        f'<ofd:PathObject ID="{object_id}" Boundary="{box[0]:.3f} {box[1]:.3f} {box[2]:.3f} {box[3]:.3f}" '
        f'LineWidth="0.176" Stroke="true" Fill="false"><ofd:AbbreviatedData>{data}</ofd:AbbreviatedData>'
        "</ofd:PathObject>"
    )


__all__ = ["render_ofd", "render_ofds", "pdf_to_ofd"]
