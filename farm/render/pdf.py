"""PDF fixtures as Word and WPS users produce them: the DOCX rendering exported by LibreOffice.

LibreOffice's PDF export gives what portals publish: a text layer with CJK glyphs, table borders as
stroked lines, rows of a long table continued on the next page (with the header repeated when the
DOCX asks for it). Outputs are cached by the DOCX's content hash (``farm.render.cache``).
"""

from __future__ import annotations

from farm.records import ReportSpec
from farm.render.cache import libreoffice_many
from farm.render.docx import render_docx


def render_pdf(spec: ReportSpec) -> bytes:
    """The report as a text-layer PDF."""
    return render_pdfs([spec])[0]


def render_pdfs(specs: list[ReportSpec]) -> list[bytes]:
    """Many reports at once: one LibreOffice run for all that are not cached yet."""
    return libreoffice_many([render_docx(spec) for spec in specs], "pdf")
