"""OCR of pages without a text layer: tesseract ``chi_sim`` (Debian's tesseract-ocr-chi-sim), one page at a time.

Used only for pages that have no text layer (scans wrapped in PDF, or image files). A page is
taken from its own scan's pixels where it is one image (else rendered) at 300 dpi, cleaned (specks
whitened), deskewed (the angle whose horizontal projection is sharpest), and its ruling lines are
found from long dark runs. The lines become the table grid through the same ``geometry`` pipeline as
a text-layer PDF, and their own pixels are whitened before tesseract reads the page, so that words
never merge across cell borders. Every cell read by OCR carries the lowest word confidence in it; a
cell below ``Limits.ocr_min_confidence``, or a cell with ink but no recognised text, is listed in the
document's warnings: OCR misses are flagged, never silently wrong.
"""

from __future__ import annotations

import io
import re
import warnings

import pypdfium2 as pdfium
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

from extract.convert.geometry import Edge, Glyph, LayoutSettings, PageContent
from extract.convert.layout import assemble
from extract.convert.rulings import box_sides, find_tables, merge_edges
from extract.convert.limits import DEFAULT_LIMITS, Limits
from extract.convert.ocr_cells import INK, PAGE_EDGE, read_cells
from extract.convert.ocr_lines import prose_lines, read_lines
from extract.convert.tesseract import OCR_DPI, run_tesseract
from extract.document import ConversionError, Document, Table

PT_PER_PX = 72.0 / OCR_DPI
# in points, after scaling; a scan draws a ruling thick and finds it twice, so columns closer than a cell collapse
OCR_SETTINGS = LayoutSettings(snap=3.0, min_cell=6.0, min_edge=20.0, min_col=6.0)
_PX_SETTINGS = OCR_SETTINGS.scaled(1 / PT_PER_PX)

# Grey level below which a pixel can belong to a ruling, per direction (horizontal, vertical). Thin
# vertical rulings come out lighter after deskewing, but a lighter threshold lets text strokes join
# into false rulings, which costs more than it gains (measured on the seed scans).
_RULING_INK = {True: 150, False: 150}
# A ruling is a dark run of at least this many 8-pixel units: 9.5 mm across (longer than any stroke
# or dash in a text line), 5.4 mm down (shorter than one table row, longer than any character).
_LINE_RUN = {True: 14, False: 8}
# A shorter horizontal run (4 mm) is a ruling where it closes a box between two vertical rulings.
_BOX_SIDE_RUN = 6


def check_raster(width_px: float, height_px: float, what: str, limits: Limits) -> None:
    """Refuse a page whose raster at OCR resolution would exceed ``Limits.max_ocr_megapixels``, before
    a single pixel of it is rendered or decoded."""
    megapixels = width_px * height_px / 1e6
    if megapixels > limits.max_ocr_megapixels:
        raise ConversionError(
            f"{what} would be {megapixels:,.0f} megapixels at {OCR_DPI} dpi "
            f"({width_px:,.0f} × {height_px:,.0f} px), more than the OCR limit of {limits.max_ocr_megapixels:g}"
        )


def ocr_pdf_pages(pdf, indices: list[int], limits: Limits, warnings: list[str]) -> list[PageContent]:
    """Rasterise the given pages of an open pypdfium2 document and read them."""
    scale = OCR_DPI / 72.0
    for index in indices:  # every page is checked before the first is rendered
        width, height = pdf.get_page_size(index)
        check_raster(width * scale, height * scale, f"page {index + 1} ({width / 72 * 25.4:,.0f} × "
                     f"{height / 72 * 25.4:,.0f} mm)", limits)
    out = []
    for index in indices:
        page = pdf[index]
        try:
            image = scanned_image(page, limits, index + 1)
            if image is None:
                image = page.render(scale=scale, grayscale=True).to_pil().convert("L")
        finally:
            page.close()
        out.append(ocr_image(image, index + 1, limits))
    return out


_IMAGE_OBJECT = 3  # FPDF_PAGEOBJ_IMAGE
# A scan whose own resolution is this close to OCR_DPI is read pixel for pixel: resampling it by a
# fraction of a pixel turns a 1-pixel grey ruling into two lighter rows that are no longer ink.
_NATIVE_DPI_TOLERANCE = 0.03


def scanned_image(page, limits: Limits, number: int) -> Image.Image | None:
    """The page's own scan, when the page is one upright image covering it, at ``OCR_DPI``; else None
    (the page is rendered instead). The image's pixel size is checked before it is decoded."""
    objects = []
    for obj in page.get_objects(max_depth=1):
        objects.append(obj)
        if len(objects) > 1:
            return None
    if len(objects) != 1 or objects[0].type != _IMAGE_OBJECT:
        return None
    image_object = objects[0]
    width, height = page.get_size()
    left, bottom, right, top = image_object.get_bounds()
    a, b, c, d, _, _ = image_object.get_matrix().get()
    if b or c or a <= 0 or d <= 0 or (right - left) * (top - bottom) < 0.98 * width * height:
        return None
    px_width, px_height = image_object.get_px_size()
    check_raster(px_width, px_height, f"page {number} as scanned", limits)
    dpi = px_width / (width / 72.0)
    try:
        image = image_object.get_bitmap(render=False).to_pil().convert("L")
    except (pdfium.PdfiumError, ValueError, OSError):
        return None  # an image pdfium cannot hand over as it is stored: the page is rendered
    if abs(dpi / OCR_DPI - 1) > _NATIVE_DPI_TOLERANCE:
        scale = OCR_DPI / dpi
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))))
    return image


def convert_image(data: bytes, *, limits: Limits = DEFAULT_LIMITS) -> Document:
    """A scanned page (or multi-page TIFF) as an image file."""
    return convert_images([data], limits=limits, source_format="image")


def convert_images(images: list[bytes], *, limits: Limits = DEFAULT_LIMITS, source_format: str = "image") -> Document:
    """Scanned pages as image files (one page each, or multi-page TIFFs), read as one document in order,
    so that a table continued from one page image to the next is one table."""
    pages: list[PageContent] = []
    for data in images:
        pages += _image_pages(data, len(pages), limits)
    warnings: list[str] = []
    blocks, more = assemble(pages, OCR_SETTINGS)
    warnings += more + flag_low_confidence(blocks, limits)
    return Document(blocks=blocks, source_format=source_format, warnings=warnings, ocr=True)


def _image_pages(data: bytes, before: int, limits: Limits) -> list[PageContent]:
    """Every frame of one image file, checked against the OCR pixel limit before it is decoded."""
    try:
        with warnings.catch_warnings():  # Pillow's own warning above 89 MP: the check below says more
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
        frames = getattr(image, "n_frames", 1)
        if before + frames > limits.max_ocr_pages:
            raise ConversionError(
                f"images have {before + frames} pages, more than the OCR limit of {limits.max_ocr_pages}"
            )
        scales = []
        for i in range(frames):  # header sizes only: nothing is decoded before every frame passed
            image.seek(i)
            scale = ocr_scale(image.size, image.info.get("dpi"))
            check_raster(image.width * scale, image.height * scale, f"image page {before + i + 1}", limits)
            check_raster(image.width, image.height, f"image page {before + i + 1} as stored", limits)
            scales.append(scale)
        pages = []
        for i, scale in enumerate(scales):
            image.seek(i)
            frame = ImageOps.exif_transpose(image.convert("L"))
            if abs(scale - 1) > 0.01:
                frame = frame.resize((round(frame.width * scale), round(frame.height * scale)))
            pages.append(ocr_image(frame, before + i + 1, limits))
        return pages
    except ConversionError:
        raise
    except Image.DecompressionBombError as exc:
        raise ConversionError(f"image refused before decoding: {exc}") from exc
    except (OSError, ValueError) as exc:
        raise ConversionError(f"unreadable image ({type(exc).__name__}: {exc})") from exc


# Resolutions an image file may honestly declare; outside them the declared dpi is ignored.
_PLAUSIBLE_DPI = (70.0, 1200.0)
_A4_LONG_SIDE_INCHES = 11.69


def ocr_scale(size: tuple[int, int], declared) -> float:
    """The factor that brings an image to ``OCR_DPI``: from its declared resolution when that is
    plausible, else from its size taken as an A4 page (a 725-byte PNG that claims 1 dpi is not a
    page 80 metres long)."""
    try:
        dpi = float(declared[0]) if declared else 0.0
    except (TypeError, ValueError, IndexError):
        dpi = 0.0
    if not _PLAUSIBLE_DPI[0] <= dpi <= _PLAUSIBLE_DPI[1]:
        dpi = max(size) / _A4_LONG_SIDE_INCHES if max(size) > 0 else OCR_DPI
        dpi = min(max(dpi, _PLAUSIBLE_DPI[0]), _PLAUSIBLE_DPI[1])
    return OCR_DPI / dpi


def ocr_image(image: Image.Image, number: int, limits: Limits) -> PageContent:
    """One 300-dpi grey page -> glyphs (OCR words) and rulings, in points.

    The prose is read over the page with its tables blanked out; the table cells are read one by
    one (``ocr_cells.read_cells``), so that a cell's text is never mixed with its neighbours'. A page
    with no ruled table but rows of a table without rulings is read piece by piece instead
    (``ocr_lines.read_lines``), for the layout to find its columns from where the words stand.
    """
    image = despeckle(image)
    angle = estimate_skew(image)
    if abs(angle) > 0.02:
        image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    found = find_rulings(image)
    edges = merge_edges(found, _PX_SETTINGS)
    at_edge = page_edge_rulings(edges, image.width)
    if at_edge:  # merged with the rulings as found: merging merged ones again can join two a row keeps apart
        edges = merge_edges(found + at_edge, _PX_SETTINGS)
    clean = erase_rulings(image, edges)
    grids = find_tables(edges, _PX_SETTINGS)
    lines = None if grids else read_lines(clean, limits)  # tables without rulings: words placed by position
    if lines is not None:  # the table's lines; the prose around them is read whole
        prose = clean.copy()
        for top, bottom in lines.bands:
            ImageDraw.Draw(prose).rectangle([0, top - 2, prose.width, bottom + 2], fill=255)
        words = prose_lines(_read_prose(prose, limits), lines.height) if _has_ink(prose) else []
        return _page(image, number, words + lines.glyphs, edges)
    prose = clean.copy()
    prose_draw = ImageDraw.Draw(prose)
    for grid in grids:
        prose_draw.rectangle([grid.xs[0] - 4, grid.ys[0] - 4, grid.xs[-1] + 4, grid.ys[-1] + 4], fill=255)
    words = _read_prose(prose, limits) if _has_ink(prose) else []
    words += read_cells(clean, grids, limits, ruled=image)
    return _page(image, number, words, edges)


def _page(image: Image.Image, number: int, words: list[Glyph], edges: list[Edge]) -> PageContent:
    """A page's OCR words and rulings, from pixels to points."""
    glyphs = [_to_points(g) for g in words]
    points = [Edge(e.horizontal, e.pos * PT_PER_PX, e.start * PT_PER_PX, e.end * PT_PER_PX) for e in edges]
    return PageContent(
        number=number,
        width=image.width * PT_PER_PX,
        height=image.height * PT_PER_PX,
        glyphs=glyphs,
        edges=points,
        ocr=True,
    )


def page_edge_rulings(edges: list[Edge], width: int) -> list[Edge]:
    """The image's right edge as the ruling of a table that runs off it (a table wider than its page,
    which LibreOffice cuts at the page's edge): between two horizontal rulings that reach the edge
    and that a vertical ruling of the table joins. The cells it closes are the ones the edge cuts
    (``ocr_cells.read_cells`` leaves them unread), and the table is known to go on past the page
    (``Table.cut_right``); without it the cut column's ink would be read as prose."""
    reach = sorted({round(e.pos) for e in edges if e.horizontal and e.end >= width - PAGE_EDGE})
    verticals = [e for e in edges if not e.horizontal]
    snap = _PX_SETTINGS.snap
    return [
        Edge(False, float(width - 1), float(top), float(bottom))
        for top, bottom in zip(reach, reach[1:])
        if any(v.start <= top + snap and v.end >= bottom - snap for v in verticals)
    ]


def despeckle(image: Image.Image) -> Image.Image:
    """Whiten isolated dark pixels (scanner specks), which a median filter would remove only by
    eroding thin strokes of small CJK glyphs as well."""
    ink = image.point(lambda v: 255 if v < 170 else 0)
    neighbours = ink.filter(ImageFilter.Kernel((3, 3), [1, 1, 1, 1, 0, 1, 1, 1, 1], scale=1))
    isolated = ImageChops.subtract(ink, neighbours.point(lambda v: 255 if v > 0 else 0))
    return ImageChops.lighter(image, isolated)


def _read_prose(image: Image.Image, limits: Limits) -> list[Glyph]:
    """Text outside tables, read at half resolution: body text of reports is 14–16 pt, which at
    150 dpi is still 30 px high, and tesseract's time grows with the pixel count."""
    half = image.resize((image.width // 2, image.height // 2), Image.Resampling.LANCZOS)
    words = run_tesseract(half, limits, dpi=OCR_DPI // 2)
    return [Glyph(w.text, w.x0 * 2, w.top * 2, w.x1 * 2, w.bottom * 2, w.conf) for w in words]


def _has_ink(image: Image.Image) -> bool:
    return sum(image.resize((image.width // 8, image.height // 8), Image.Resampling.BOX).histogram()[:200]) > 0


def _to_points(g: Glyph) -> Glyph:
    return Glyph(g.text, g.x0 * PT_PER_PX, g.top * PT_PER_PX, g.x1 * PT_PER_PX, g.bottom * PT_PER_PX, g.conf)


def estimate_skew(image: Image.Image, limit: float = 2.0) -> float:
    """The rotation (degrees, Pillow's sense) that makes text rows and rulings horizontal.

    Projection-profile method on a quarter-size ink mask: rotated by the right angle, rows of the page
    are either full of ink or empty, so the sum of squared differences between adjacent row sums peaks.
    """
    small = image.resize((image.width // 4, image.height // 4), Image.Resampling.BOX)
    mask = small.point(lambda v: 255 if v < INK else 0)

    def score(angle: float) -> float:
        rotated = mask.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=0)
        profile = rotated.resize((1, rotated.height), Image.Resampling.BOX).tobytes()
        return sum((a - b) ** 2 for a, b in zip(profile, profile[1:]))

    best = max((k / 10 for k in range(int(-limit * 10), int(limit * 10) + 1)), key=score)
    return max((best + k / 50 for k in range(-5, 6)), key=score)


# How far either side of a ruling's position its pixels may lie (a 2 pt ruling is 8 px at 300 dpi, and
# deskewing leaves a long one drifting a pixel or two).
_RULING_BAND = 7
# A line of pixels along the ruling is part of it where it is ink over this share of the ruling's length
# or holds one run of ink longer than any character's stroke (8 mm: an em of 20 pt is 7 mm); a digit
# printed against the ruling is ink over its own height only.
_RULING_SHARE = 0.45
_RULING_LONG = re.compile(rb"\xff{96,}")
# Along those lines only runs longer than a digit's stroke are whitened: the rulings of a table split
# into one table per row are merged into one edge but need not lie on the same pixels in every row,
# and a digit under another row's ruling keeps its stroke.
_RULING_RUN = re.compile(rb"\xff{48,}")


def erase_rulings(image: Image.Image, edges: list[Edge]) -> Image.Image:
    """The page with its rulings whitened, and only their own pixels.

    Numbers are often printed hard against a ruling (LibreOffice's tables have no cell padding, and
    right-aligned values touch the right one): whitening a fixed band around the ruling's position
    would take a digit's first or last stroke with it, and 0 becomes a bracket, 63 a 3. Within
    ``_RULING_BAND`` of the ruling, only the pixel lines along it that are the ruling's
    (``_RULING_SHARE``, ``_RULING_LONG``) are whitened, and on them only long runs of ink.
    """
    clean = image.copy()
    draw = ImageDraw.Draw(clean)
    band = _RULING_BAND
    for e in edges:
        pos, start, end = round(e.pos), max(0, int(e.start) - 2), int(e.end) + 3
        if e.horizontal:
            box = (start, max(0, pos - band), min(image.width, end), min(image.height, pos + band + 1))
        else:
            box = (max(0, pos - band), start, min(image.width, pos + band + 1), min(image.height, end))
        if box[2] - box[0] < 1 or box[3] - box[1] < 1:
            continue
        strip = image.crop(box).point(lambda v: 255 if v < 200 else 0)
        if not e.horizontal:
            strip = strip.transpose(Image.Transpose.TRANSPOSE)
        shares = strip.resize((1, strip.height), Image.Resampling.BOX).tobytes()
        data = strip.tobytes()
        for offset, share in enumerate(shares):
            line = data[offset * strip.width : (offset + 1) * strip.width]
            if share < _RULING_SHARE * 255 and not _RULING_LONG.search(line):
                continue
            for run in _RULING_RUN.finditer(line):
                a, b = run.start(), run.end() - 1
                if e.horizontal:
                    draw.line([(box[0] + a, box[1] + offset), (box[0] + b, box[1] + offset)], fill=255)
                else:
                    draw.line([(box[0] + offset, box[1] + a), (box[0] + offset, box[1] + b)], fill=255)
    return clean


def find_rulings(image: Image.Image) -> list[Edge]:
    """Horizontal and vertical ruling segments (pixels) from long runs of ink, found with C-speed regexes;
    and shorter horizontal runs that close a box between two vertical rulings (``rulings.box_sides``).
    A box side may end on a pale vertical line (``_PALE_RULING_INK``): a browser's 3-D cell border draws
    two sides of each box pale grey, which as rulings would let text strokes join into false ones, but
    which hold up the dark top or bottom of a narrow cell's box."""
    edges: list[Edge] = []
    short: list[Edge] = []
    for horizontal in (False, True):
        run = _LINE_RUN[horizontal]
        for edge in _dark_runs(image, horizontal, _RULING_INK[horizontal], _BOX_SIDE_RUN if horizontal else run):
            (edges if edge.end - edge.start >= run * _UNIT else short).append(edge)
    verticals = [e for e in edges if not e.horizontal]
    pale = _dark_runs(image, False, _PALE_RULING_INK, _LINE_RUN[False])
    return edges + box_sides(short, verticals + pale, _UNIT)


_UNIT = 8  # pixels along a run that find_rulings takes as one
# Grey level below which a pixel can belong to a pale box side (Chromium prints them at 168).
_PALE_RULING_INK = 200


def _dark_runs(image: Image.Image, horizontal: bool, level: int, least: int) -> list[Edge]:
    """Runs of at least ``least`` units of pixels darker than ``level`` along one direction, as edges."""
    mask = image.point(lambda v: 255 if v < level else 0)
    src = mask if horizontal else mask.transpose(Image.Transpose.TRANSPOSE)
    reduced = src.resize((src.width // _UNIT, src.height), Image.Resampling.BOX)
    flags = reduced.point(lambda v: 1 if v >= 150 else 0).tobytes()
    width = reduced.width
    pattern = re.compile(rb"\x01{%d,}" % least)
    found = []
    for y in range(reduced.height):
        row = flags[y * width : (y + 1) * width]
        if row.count(1) < least:
            continue
        found += [Edge(horizontal, float(y), float(m.start() * _UNIT), float(m.end() * _UNIT))
                  for m in pattern.finditer(row)]
    return found


def flag_low_confidence(blocks, limits: Limits) -> list[str]:
    """Warnings naming every OCR-read table cell below the confidence threshold (or unread)."""
    flagged: list[str] = []
    seen: set[tuple] = set()
    for block in blocks:
        if not isinstance(block, Table):
            continue
        for row in block.rows:
            for cell in row:
                conf = cell.ocr_confidence
                if conf is None or conf >= limits.ocr_min_confidence:
                    continue
                key = (cell.page, cell.table, cell.row, cell.col)
                if key in seen:
                    continue
                seen.add(key)
                flagged.append(
                    f"low OCR confidence {conf:.0f} at page {cell.page} table {cell.table} row {cell.row} "
                    f"col {cell.col}: {cell.text!r}"
                )
    return flagged
