"""OCR of pages without a text layer: tesseract ``chi_sim`` (Debian's tesseract-ocr-chi-sim), one page at a time.

Used only for pages that have no text layer (scans wrapped in PDF, or image files). A page is
rendered at 300 dpi, cleaned (median filter against specks), deskewed (the angle whose horizontal
projection is sharpest), and its ruling lines are found from long dark runs. The lines become the
table grid through the same ``geometry`` pipeline as a text-layer PDF, and are erased before
tesseract reads the page, so that words never merge across cell borders. Every cell read by OCR
carries the lowest word confidence in it; a cell below ``Limits.ocr_min_confidence``, or a cell
with ink but no recognised text, is listed in the document's warnings: OCR misses are flagged,
never silently wrong.
"""

from __future__ import annotations

import io
import os
import re
import warnings

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

from extract.convert.geometry import Edge, Glyph, LayoutSettings, PageContent
from extract.convert.layout import assemble
from extract.convert.rulings import find_tables, merge_edges
from extract.convert.limits import DEFAULT_LIMITS, Limits
from extract.convert.process import out_of_memory, run_bounded
from extract.document import ConversionError, Document, Table

OCR_DPI = 300
PT_PER_PX = 72.0 / OCR_DPI
OCR_SETTINGS = LayoutSettings(snap=3.0, min_cell=6.0, min_edge=20.0)  # in points, after scaling
_PX_SETTINGS = OCR_SETTINGS.scaled(1 / PT_PER_PX)
_INK = 150  # grey level below which a pixel is ink
# Grey level below which a pixel can belong to a ruling, per direction (horizontal, vertical). Thin
# vertical rulings come out lighter after deskewing, but a lighter threshold lets text strokes join
# into false rulings, which costs more than it gains (measured on the seed scans).
_RULING_INK = {True: 150, False: 150}
# A ruling is a dark run of at least this many 8-pixel units: 9.5 mm across (longer than any stroke
# or dash in a text line), 5.4 mm down (shorter than one table row, longer than any character).
_LINE_RUN = {True: 14, False: 8}
_NUMBER = re.compile(r"[0-9][0-9.,]*")
_DASHES = re.compile(r"[一—\-_=~－ー‐–]+")
_BARS = str.maketrans("", "", "|[]")  # ruling remnants: never content in a report
_DIGIT_LIKE = re.compile(r"^[0-9OoIl|〇.,]+$")
_DIGIT_FIX = str.maketrans({"O": "0", "o": "0", "〇": "0", "I": "1", "l": "1", "|": "1"})


def tesseract_binary() -> str:
    import shutil

    found = os.environ.get("NIANBAO_TESSERACT") or shutil.which("tesseract")
    if not found:
        raise ConversionError("tesseract is not installed: apt-get install tesseract-ocr tesseract-ocr-chi-sim")
    return found


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
            image = page.render(scale=scale, grayscale=True).to_pil().convert("L")
        finally:
            page.close()
        out.append(ocr_image(image, index + 1, limits))
    return out


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

    Two tesseract runs per page: one over the page with the tables blanked out (the prose), and one
    over a strip that stacks every table cell's crop one under another. Read alone, a cell's text is
    never mixed with its neighbours' and short numbers are read as lines of their own, which is what
    makes OCR of the template's dense tables dependable.
    """
    image = despeckle(image)
    angle = estimate_skew(image)
    if abs(angle) > 0.02:
        image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    edges = merge_edges(find_rulings(image), _PX_SETTINGS)
    clean = image.copy()
    draw = ImageDraw.Draw(clean)
    for e in edges:
        if e.horizontal:
            draw.rectangle([e.start - 2, e.pos - 5, e.end + 2, e.pos + 5], fill=255)
        else:
            draw.rectangle([e.pos - 5, e.start - 2, e.pos + 5, e.end + 2], fill=255)
    grids = find_tables(edges, _PX_SETTINGS)
    prose = clean.copy()
    prose_draw = ImageDraw.Draw(prose)
    for grid in grids:
        prose_draw.rectangle([grid.xs[0] - 4, grid.ys[0] - 4, grid.xs[-1] + 4, grid.ys[-1] + 4], fill=255)
    words = _read_prose(prose, limits) if _has_ink(prose) else []
    words += _read_cells(clean, grids, limits)
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


def _erase_line_remnants(crop: Image.Image) -> Image.Image:
    """Whiten pixel columns and rows of a cell crop that are mostly ink: pieces of a ruling too faint
    to be found as one, which tesseract would read as 1, | or a CJK stroke."""
    width, height = crop.size
    if width < 3 or height < 3:
        return crop
    dark = crop.point(lambda v: 1 if v < 200 else 0)
    columns = dark.transpose(Image.Transpose.TRANSPOSE).tobytes()
    rows = dark.tobytes()
    bad_cols = [x for x in range(width) if columns[x * height : (x + 1) * height].count(1) > 0.7 * height]
    bad_rows = [y for y in range(height) if rows[y * width : (y + 1) * width].count(1) > 0.7 * width]
    if not bad_cols and not bad_rows:
        return crop
    crop = crop.copy()
    draw = ImageDraw.Draw(crop)
    for x in bad_cols:
        draw.line([(x, 0), (x, height - 1)], fill=255)
    for y in bad_rows:
        draw.line([(0, y), (width - 1, y)], fill=255)
    return crop


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


_INSET = 5


def _read_cells(image: Image.Image, grids, limits: Limits) -> list[Glyph]:
    """OCR every merged cell of every table once, line by line; words in page pixels.

    Each cell's ink is cut into its text lines, and every line is read alone as a single line
    (tesseract ``--psm 7``), all of a page's lines in one tesseract process. A cell with ink that
    yields no word gets an empty glyph of confidence 0, so it is flagged.
    """
    lines: list[tuple[int, tuple[int, int], Image.Image]] = []  # (cell, page origin, padded line image)
    columns: list[tuple[int, int]] = []  # (table, first grid column) of each cell
    boxes: list[tuple[int, int, int, int]] = []
    for g_index, grid in enumerate(grids):
        seen: set[int] = set()
        for r in range(len(grid.ys) - 1):
            for c in range(len(grid.xs) - 1):
                rid = grid.region[r][c]
                if rid in seen:
                    continue
                seen.add(rid)
                rows = [i for i, row in enumerate(grid.region) if rid in row]
                cols = [j for j in range(len(grid.xs) - 1) if any(grid.region[i][j] == rid for i in rows)]
                box = (
                    int(grid.xs[min(cols)]) + _INSET,
                    int(grid.ys[min(rows)]) + _INSET,
                    int(grid.xs[max(cols) + 1]) - _INSET,
                    int(grid.ys[max(rows) + 1]) - _INSET,
                )
                if box[2] - box[0] < 4 or box[3] - box[1] < 4:
                    continue
                crop = _erase_line_remnants(image.crop(box))
                ink = crop.point(lambda v: 255 if v < _INK else 0).filter(ImageFilter.MedianFilter(3))
                bbox = ink.getbbox()
                if bbox is None or ink.histogram()[255] < _MIN_INK:
                    continue  # a blank cell, or a few specks left by the scanner
                cell = len(boxes)
                boxes.append(box)
                columns.append((g_index, min(cols)))
                x0, _, x1, _ = bbox
                for y0, y1 in _text_lines(ink, bbox):
                    tight = crop.crop((x0, y0, x1, y1))
                    # Tesseract reads badly what touches the image border: give each line a margin.
                    padded = Image.new("L", (tight.width + 2 * _PAD, tight.height + 2 * _PAD), 255)
                    padded.paste(tight, (_PAD, _PAD))
                    lines.append((cell, (box[0] + x0 - _PAD, box[1] + y0 - _PAD), padded))
    if not lines:
        return []
    line_readings = run_tesseract_many([im for _, _, im in lines], limits, psm=7)
    lines_of: dict[int, list[int]] = {}
    for n, (cell, _, _) in enumerate(lines):
        lines_of.setdefault(cell, []).append(n)
    short = [n for n, (cell, _, im) in enumerate(lines) if len(lines_of[cell]) == 1 and im.width <= _SHORT_WIDTH]
    digits = run_tesseract_many([lines[n][2] for n in short], limits, psm=7, lang="eng", extra=_DIGIT_WHITELIST)

    def placed(n: int, reading: list[Glyph]) -> list[Glyph]:
        ox, oy = lines[n][1]
        return [Glyph(g.text, g.x0 + ox, g.top + oy, g.x1 + ox, g.bottom + oy, g.conf) for g in reading]

    readings: list[list[Glyph]] = [[] for _ in boxes]
    for n, reading in enumerate(line_readings):
        readings[lines[n][0]] += placed(n, reading)
    digit_of = {lines[n][0]: placed(n, reading) for n, reading in zip(short, digits)}
    for k, reading in digit_of.items():
        readings[k] = _better(readings[k], reading)
    for k, reading in enumerate(readings):
        if reading and all(_DASHES.fullmatch(g.text) for g in reading):
            # A dash printed for a blank (—) is the ideograph 一 to the Chinese model.
            readings[k] = [Glyph("—", reading[0].x0, reading[0].top, reading[-1].x1, reading[-1].bottom,
                                 min(g.conf or 0.0 for g in reading))]
        elif reading and all(_NUMBER.fullmatch(g.text.strip(".,，")) for g in reading):
            for g in reading:
                g.text = g.text.strip(".,，")  # a speck beside a number is read as a point
    # In a column of numbers, a Chinese reading of a lone cell (7 read as 了) is never right: the
    # digit reading wins there whatever the confidences say.
    numeric = {k for k, r in enumerate(readings) if r and all(_NUMBER.fullmatch(g.text) or g.text == "—" for g in r)}
    per_column: dict[tuple[int, int], list[int]] = {}
    for k, key in enumerate(columns):
        per_column.setdefault(key, []).append(k)
    for members in per_column.values():
        if sum(1 for k in members if k in numeric) * 2 < len(members):
            continue
        for k in members:
            if k not in numeric and digit_of.get(k):
                readings[k] = digit_of[k]
    out: list[Glyph] = []
    for box, reading in zip(boxes, readings):
        out += reading or [Glyph("", box[0], box[1], box[2], box[3], 0.0)]
    return out


def _text_lines(ink: Image.Image, bbox: tuple[int, int, int, int]) -> list[tuple[int, int]]:
    """The text lines of a cell: runs of pixel rows with ink, split at blank rows."""
    x0, y0, x1, y1 = bbox
    region = ink.crop(bbox).point(lambda v: 1 if v else 0)
    width = x1 - x0
    data = region.tobytes()
    inked = [data[y * width : (y + 1) * width].count(1) > 0 for y in range(y1 - y0)]
    spans: list[list[int]] = []
    for y, has_ink in enumerate(inked):
        if has_ink:
            if spans and y - spans[-1][1] <= 3:
                spans[-1][1] = y + 1
            else:
                spans.append([y, y + 1])
    spans = [sp for sp in spans if sp[1] - sp[0] >= 6] or spans
    return [(y0 + a, y0 + b) for a, b in spans]


# A crop this small holds one line of a few characters: it may be a number, which the Chinese model
# misreads when alone (``2`` as 沪, ``1`` as 下); it is read again by the English model restricted to
# digits, and the more confident reading is kept.
_PAD = 24
_MIN_INK = 12  # dark pixels: a printed dash has about 60 at 300 dpi
_SHORT_WIDTH = 220 + 2 * _PAD
_DIGIT_WHITELIST = ("-c", "tessedit_char_whitelist=0123456789.,/-")


def _better(chinese: list[Glyph], digits: list[Glyph]) -> list[Glyph]:
    def conf(reading: list[Glyph]) -> float:
        return min((g.conf or 0.0) for g in reading) if reading else -1.0

    if digits and conf(digits) > conf(chinese):
        return digits
    return chinese


def run_tesseract_many(
    images: list[Image.Image], limits: Limits, psm: int = 7, lang: str = "chi_sim", extra: tuple[str, ...] = ()
) -> list[list[Glyph]]:
    """OCR many small images in one tesseract process (a list file), so the model is loaded once."""
    if not images:
        return []
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="nianbao-ocr-") as tmp:
        paths = []
        for i, image in enumerate(images):
            path = Path(tmp) / f"c{i:04d}.png"
            image.save(path)
            paths.append(str(path))
        listing = Path(tmp) / "list.txt"
        listing.write_text("\n".join(paths) + "\n")
        rows = _tesseract_tsv(str(listing), None, limits, psm, lang, extra)
    out: list[list[Glyph]] = [[] for _ in images]
    for page, glyph in rows:
        if 1 <= page <= len(images):
            out[page - 1].append(glyph)
    return out


def _to_points(g: Glyph) -> Glyph:
    return Glyph(g.text, g.x0 * PT_PER_PX, g.top * PT_PER_PX, g.x1 * PT_PER_PX, g.bottom * PT_PER_PX, g.conf)


def estimate_skew(image: Image.Image, limit: float = 2.0) -> float:
    """The rotation (degrees, Pillow's sense) that makes text rows and rulings horizontal.

    Projection-profile method on a quarter-size ink mask: rotated by the right angle, rows of the page
    are either full of ink or empty, so the sum of squared differences between adjacent row sums peaks.
    """
    small = image.resize((image.width // 4, image.height // 4), Image.Resampling.BOX)
    mask = small.point(lambda v: 255 if v < _INK else 0)

    def score(angle: float) -> float:
        rotated = mask.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=0)
        profile = rotated.resize((1, rotated.height), Image.Resampling.BOX).tobytes()
        return sum((a - b) ** 2 for a, b in zip(profile, profile[1:]))

    best = max((k / 10 for k in range(int(-limit * 10), int(limit * 10) + 1)), key=score)
    return max((best + k / 50 for k in range(-5, 6)), key=score)


def find_rulings(image: Image.Image) -> list[Edge]:
    """Horizontal and vertical ruling segments (pixels) from long runs of ink, found with C-speed regexes."""
    # Thin rulings come out of a scanner grey, not black: a lighter threshold than for text.
    edges: list[Edge] = []
    unit = 8
    for horizontal in (True, False):
        level = _RULING_INK[horizontal]
        mask = image.point(lambda v: 255 if v < level else 0)
        src = mask if horizontal else mask.transpose(Image.Transpose.TRANSPOSE)
        reduced = src.resize((src.width // unit, src.height), Image.Resampling.BOX)
        flags = reduced.point(lambda v: 1 if v >= 150 else 0).tobytes()
        width = reduced.width
        run = _LINE_RUN[horizontal]
        pattern = re.compile(rb"\x01{%d,}" % run)
        for y in range(reduced.height):
            row = flags[y * width : (y + 1) * width]
            if row.count(1) < run:
                continue
            for m in pattern.finditer(row):
                edges.append(Edge(horizontal, float(y), float(m.start() * unit), float(m.end() * unit)))
    return edges


def run_tesseract(
    image: Image.Image,
    limits: Limits,
    psm: int = 6,
    lang: str = "chi_sim",
    extra: tuple[str, ...] = (),
    dpi: int = OCR_DPI,
) -> list[Glyph]:
    """Words with boxes (pixels) and confidences from one tesseract run on one image."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return [g for _, g in _tesseract_tsv("stdin", buffer.getvalue(), limits, psm, lang, extra, dpi)]


def _tesseract_tsv(
    source: str,
    stdin: bytes | None,
    limits: Limits,
    psm: int,
    lang: str,
    extra: tuple[str, ...],
    dpi: int = OCR_DPI,
) -> list[tuple[int, Glyph]]:
    """Run tesseract (one thread, own process group, timeout) and parse its TSV words: (page, glyph)."""
    cmd = [tesseract_binary(), source, "stdout", "-l", lang, "--psm", str(psm), "--dpi", str(dpi),
           "-c", "preserve_interword_spaces=1", *extra, "tsv"]
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    finished = run_bounded(cmd, what="OCR of a page", timeout=limits.ocr_timeout, memory=limits.ocr_memory,
                           data=stdin, env=env)
    if finished.returncode != 0:
        if out_of_memory(finished):
            raise ConversionError(f"tesseract ran out of its memory cap of {limits.ocr_memory // 2**20:,} MB")
        raise ConversionError(f"tesseract failed: {finished.stderr.decode('utf-8', 'replace').strip()[-200:]}")
    out = finished.stdout
    words: list[tuple[int, Glyph]] = []
    for line in out.decode("utf-8", "replace").splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) < 12 or parts[0] != "5":
            continue
        text = parts[11].strip().translate(_BARS)
        if not text:
            continue
        left, top, width, height = (int(v) for v in parts[6:10])
        conf = float(parts[10])
        if _DIGIT_LIKE.match(text) and (any(ch.isdigit() for ch in text) or text in ("O", "o", "〇")):
            text = text.translate(_DIGIT_FIX)
        words.append((int(parts[1]), Glyph(text, left, top, left + width, top + height, max(conf, 0.0))))
    return words


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
