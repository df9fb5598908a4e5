"""Render a ``ReportSpec`` in the layouts real reports reach us in: plain text and HTML pages.

``TEXT_LAYOUTS`` and ``HTML_LAYOUTS`` map a layout name to a function spec → document text;
``render_body_html`` gives the report body alone, for the portal farm's CMS page templates; ``encode``
turns a rendering into the bytes a portal would serve (UTF-8, GBK/GB18030, UTF-16). A layout that
loses part of the report (lost pages) names the cells it lost through ``expected``.
"""

from __future__ import annotations

import copy
import re

from farm.records import ReportSpec
from farm.render.html import HTML_LAYOUTS, render_body_html
from farm.render import text, text_real

TEXT_LAYOUTS = {**text.TEXT_LAYOUTS, **text_real.TEXT_LAYOUTS}

__all__ = ["TEXT_LAYOUTS", "HTML_LAYOUTS", "render_body_html", "encode", "expected", "lost_cells", "LAYOUTS"]

LAYOUTS = {**{f"text:{k}": v for k, v in TEXT_LAYOUTS.items()}, **{f"html:{k}": v for k, v in HTML_LAYOUTS.items()}}

_META_CHARSET = re.compile(r"""<meta[^>]*charset\\s*=\\s*["']?[\\w-]+["']?[^>]*>\\s*""", re.IGNORECASE)


def encode(text: str, encoding: str, *, declare: bool = True, crlf: bool = False) -> bytes:
    """The bytes of a rendering in ``encoding`` (utf-8, utf-8-sig, gbk, gb18030, utf-16).

    An HTML page's charset declaration is rewritten to match, as a real server's page would have it;
    ``declare=False`` removes it, as old GBK sites do, so the reader has to detect the encoding.
    ``crlf`` ends lines as files saved on Windows do (Notepad's UTF-8 also starts with a BOM:
    ``utf-8-sig``; its "Unicode" is UTF-16 with a BOM).
    """
    if crlf:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    if "<html" in text[:500].lower():
        label = {"gbk": "gbk", "gb18030": "gb18030", "gb2312": "gb2312"}.get(encoding.lower(), encoding)
        replacement = f'<meta http-equiv="Content-Type" content="text/html; charset={label}">\\n' if declare else ""
        text = _META_CHARSET.sub(lambda _m: replacement, text, count=1)
    codec = "gb18030" if encoding.lower() in ("gbk", "gb2312") else encoding
    return text.encode(codec)


def lost_cells(spec: ReportSpec, layout: str) -> set[str]:
    """Cells a layout does not print, or prints past any single reading (see each layout module)."""
    return text.lost_cells(spec, layout) | text_real.lost_cells(spec, layout)


def expected(spec: ReportSpec, layout: str) -> ReportSpec:
    """What a faithful parser must read from ``layout``: the spec, less what its lost pages held.

    Lost cells are null; a lost signature takes the date under it with it.
    """
    name = layout.split(":", 1)[-1]
    lost = lost_cells(spec, name)
    if not lost:
        return spec
    out = copy.deepcopy(spec)
    for cell in lost:
        out.cells[cell] = None
    if text.lost_signature(spec, name) or text_real.lost_signature(spec, name):
        out.published_on = None
    out.errors = out.expected_failures()
    return out
