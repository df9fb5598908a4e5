"""PDF -> Document with pypdfium2: characters and ruling lines from PDFium, grids rebuilt in Python.

Why pypdfium2 and not pdfplumber: PDFium's C parser gives every character box and path of a page in
a few milliseconds, and ``geometry`` rebuilds the grid from the ruling lines (merged cells, tables
continued over page breaks), which is cheap. On the benchmark corpus (29 reports of ~7 pages) this
route reproduces 100% of table cells at ~38 reports/s on one core; pdfplumber's lattice table finder
(pdfminer in pure Python) runs at ~5 reports/s and, with merged cells left as None and tables cut at
page breaks, gives 67% of cells exact. ``benchmarks/extract_bench.py`` measures both. PyMuPDF is
AGPL and not used.

Pages without a text layer (scans) are rasterised by PDFium and read by OCR (``extract.convert.ocr``),
within ``Limits.max_ocr_pages``. An encrypted PDF that needs a password, a truncated file and a PDF
with more than ``Limits.max_pages`` pages are refused with a specific error before any page is read.
"""

from __future__ import annotations

import ctypes

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from extract.convert.geometry import Edge, Glyph, LayoutSettings, PageContent
from extract.convert.layout import assemble
from extract.convert.limits import DEFAULT_LIMITS, Limits
from extract.document import ConversionError, Document

PDF_SETTINGS = LayoutSettings()
_MIN_TEXT_CHARS = 8  # a page with fewer real characters than this has no usable text layer
_THIN = 2.5  # points: a path this thin is a ruling line
# A filled bar up to this thick and four times as long is a thick rule: a browser fills its borders, and
# a double border 9 px wide or a thick frame is lines 2–4 points thick.
_THICK = 6.0
_ERRORS = {
    raw.FPDF_ERR_FILE: "file could not be read",
    raw.FPDF_ERR_FORMAT: "corrupt or not a PDF (damaged structure)",
    raw.FPDF_ERR_PASSWORD: "encrypted PDF: a password is required to open it",
    raw.FPDF_ERR_SECURITY: "PDF uses an unsupported security handler (encrypted)",
    raw.FPDF_ERR_PAGE: "page not found or content error",
}


def open_pdf(data: bytes, limits: Limits) -> pdfium.PdfDocument:
    """Open a PDF after the cheap checks, mapping PDFium's error codes to specific messages."""
    if b"%%EOF" not in data[-2048:]:
        raise ConversionError("truncated PDF: the %%EOF marker is missing from the end of the file")
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = raw.FPDF_GetLastError()
        raise ConversionError(_ERRORS.get(code, f"PDF could not be opened ({exc})")) from exc
    pages = len(pdf)
    if pages == 0:
        pdf.close()
        raise ConversionError("PDF has no pages (truncated or damaged)")
    if pages > limits.max_pages:
        pdf.close()
        raise ConversionError(f"PDF has {pages} pages, more than the limit of {limits.max_pages}")
    return pdf


def convert_pdf(data: bytes, *, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Text-layer pages are read directly; image-only pages go to OCR, at most ``max_ocr_pages`` of them."""
    pdf = open_pdf(data, limits)
    warnings: list[str] = []
    pages: list[PageContent] = []
    scanned: list[int] = []
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                content = read_page(page, index + 1)
                if sum(1 for g in content.glyphs if not g.text.isspace()) < _MIN_TEXT_CHARS and _has_images(page):
                    scanned.append(index)
                    pages.append(content)  # placeholder, replaced by the OCR result below
                else:
                    pages.append(content)
            finally:
                page.close()
        if scanned:
            if len(scanned) > limits.max_ocr_pages:
                raise ConversionError(
                    f"{len(scanned)} pages have no text layer, more than the OCR limit of {limits.max_ocr_pages}"
                )
            from extract.convert.ocr import ocr_pdf_pages

            for index, content in zip(scanned, ocr_pdf_pages(pdf, scanned, limits, warnings)):
                pages[index] = content
    finally:
        pdf.close()
    if scanned and len(scanned) == len(pages):
        from extract.convert.ocr import OCR_SETTINGS, flag_low_confidence

        blocks, more = assemble(pages, OCR_SETTINGS)
        warnings += more + flag_low_confidence(blocks, limits)
        return Document(blocks=blocks, source_format="ocr-pdf", warnings=warnings, ocr=True)
    if scanned:
        from extract.convert.ocr import flag_low_confidence

        warnings.append(f"pages {', '.join(str(i + 1) for i in scanned)} have no text layer and were read by OCR")
        blocks, more = assemble(pages, PDF_SETTINGS)  # OCR pages are mapped to points by ocr_pdf_pages
        warnings += more + flag_low_confidence(blocks, limits)
        return Document(blocks=blocks, source_format="pdf", warnings=warnings, ocr=True)
    blocks, more = assemble(pages, PDF_SETTINGS)
    if not any(True for _ in blocks):
        warnings.append("PDF has a text layer but no text was found")
    return Document(blocks=blocks, source_format="pdf", warnings=warnings + more)


def read_page(page: pdfium.PdfPage, number: int) -> PageContent:
    """Characters (with boxes, top-down) and ruling segments of one page."""
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        glyphs = _glyphs(textpage, height)
    finally:
        textpage.close()
    edges = _edges(page, height)
    return PageContent(number=number, width=width, height=height, glyphs=glyphs, edges=edges)


def _glyphs(textpage: pdfium.PdfTextPage, height: float) -> list[Glyph]:
    tp = textpage.raw
    n = raw.FPDFText_CountChars(tp)
    if n <= 0:
        return []
    text = _all_text(tp, n)
    rect = raw.FS_RECTF()
    out: list[Glyph] = []
    for i in range(n):
        ch = text[i] if i < len(text) else chr(raw.FPDFText_GetUnicode(tp, i))
        if ch.isspace() or ch in "\x00\ufffe\uffff\u00ad":
            continue
        if not raw.FPDFText_GetLooseCharBox(tp, i, rect):
            continue
        out.append(Glyph(ch, rect.left, height - rect.top, rect.right, height - rect.bottom))
    return out


def _all_text(tp, n: int) -> str:
    """All characters at once (one call instead of n); falls back per character if lengths disagree."""
    buffer = ctypes.create_string_buffer((n + 1) * 2)
    written = raw.FPDFText_GetText(tp, 0, n, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
    text = buffer.raw[: max(written - 1, 0) * 2].decode("utf-16-le", errors="replace")
    if len(text) != n:
        return "".join(chr(raw.FPDFText_GetUnicode(tp, i) or 0xFFFD) for i in range(n))
    return text


def _edges(page: pdfium.PdfPage, height: float) -> list[Edge]:
    """Ruling segments: thin paths by their bounds, stroked outlines by their axis-aligned segments."""
    edges: list[Edge] = []
    left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    fillmode, stroke = ctypes.c_int(), ctypes.c_int()
    matrix = raw.FS_MATRIX()
    x, y = ctypes.c_float(), ctypes.c_float()
    stack = [(raw.FPDFPage_CountObjects(page.raw), lambda i: raw.FPDFPage_GetObject(page.raw, i))]
    while stack:
        count, getter = stack.pop()
        for i in range(count):
            obj = getter(i)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_FORM:
                stack.append((raw.FPDFFormObj_CountObjects(obj), lambda k, o=obj: raw.FPDFFormObj_GetObject(o, k)))
                continue
            if kind != raw.FPDF_PAGEOBJ_PATH:
                continue
            if not raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
                continue
            w, h = right.value - left.value, top.value - bottom.value
            if w <= _THIN and h > _THIN:
                edges.append(Edge(False, (left.value + right.value) / 2, height - top.value, height - bottom.value))
                continue
            if h <= _THIN and w > _THIN:
                edges.append(Edge(True, height - (top.value + bottom.value) / 2, left.value, right.value))
                continue
            raw.FPDFPath_GetDrawMode(obj, fillmode, stroke)
            if not stroke.value and fillmode.value and min(w, h) <= _THICK and max(w, h) >= 4 * min(w, h):
                horizontal = h < w
                mid = height - (top.value + bottom.value) / 2 if horizontal else (left.value + right.value) / 2
                edges.append(Edge(horizontal, mid, *((left.value, right.value) if horizontal
                                                      else (height - top.value, height - bottom.value))))
                continue
            if not stroke.value:
                continue  # a filled box (shading) is no ruling
            raw.FPDFPageObj_GetMatrix(obj, matrix)
            points = []
            for s in range(raw.FPDFPath_CountSegments(obj)):
                seg = raw.FPDFPath_GetPathSegment(obj, s)
                raw.FPDFPathSegment_GetPoint(seg, x, y)
                px = matrix.a * x.value + matrix.c * y.value + matrix.e
                py = matrix.b * x.value + matrix.d * y.value + matrix.f
                if raw.FPDFPathSegment_GetType(seg) == raw.FPDF_SEGMENT_MOVETO or not points:
                    points.append([(px, py)])
                else:
                    points[-1].append((px, py))
                if raw.FPDFPathSegment_GetClose(seg) and points[-1]:
                    points[-1].append(points[-1][0])
            for run in points:
                for (x0, y0), (x1, y1) in zip(run, run[1:]):
                    if abs(y0 - y1) <= 0.5 and abs(x1 - x0) > _THIN:
                        edges.append(Edge(True, height - y0, min(x0, x1), max(x0, x1)))
                    elif abs(x0 - x1) <= 0.5 and abs(y1 - y0) > _THIN:
                        edges.append(Edge(False, x0, height - max(y0, y1), height - min(y0, y1)))
    return edges


def _has_images(page: pdfium.PdfPage) -> bool:
    return any(True for _ in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=2))
