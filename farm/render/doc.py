"""DOC and WPS fixtures: the DOCX rendering saved as Word 97–2003 by LibreOffice.

LibreOffice has no export filter for Kingsoft WPS, so a "WPS" fixture is the same OLE Word file under
a ``.wps`` name, which is what most ``.wps`` attachments on portals are (WPS Office writes Word binary
into them). The bytes are identical; only the name the portal gives differs, and the extractor never
trusts the name. Outputs are cached by the DOCX's content hash (``farm.render.cache``).
"""

from __future__ import annotations

from farm.records import ReportSpec
from farm.render.cache import libreoffice_many
from farm.render.docx import render_docx

DOC_FORMATS = ("doc", "wps")


def render_doc(spec: ReportSpec, fmt: str = "doc") -> bytes:
    """The report as an OLE Word 97 file; ``fmt="wps"`` gives the same bytes meant to be served as .wps."""
    return render_docs([spec], fmt)[0]


def render_docs(specs: list[ReportSpec], fmt: str = "doc") -> list[bytes]:
    """Many reports at once: one LibreOffice run for all that are not cached yet."""
    if fmt not in DOC_FORMATS:
        raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(DOC_FORMATS)}")
    return libreoffice_many([render_docx(spec) for spec in specs], "doc")
