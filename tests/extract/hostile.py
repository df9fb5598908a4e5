"""Hostile files of the shapes issue 10 names, made on the spot: each small to make and costly to read naively.

Shared by ``test_bounded.py`` (each is refused, or read, with a one-line reason and no traceback) and
``benchmarks/extract_bench.py`` (which prints the seconds and peak memory each costs).
"""

from __future__ import annotations

import io
import random
import zipfile
import zlib


def huge_page_pdf() -> bytes:
    """A PDF of about 1 KB: one page of 14,400 × 14,400 points (5 × 5 m) holding a 1-pixel image, so it
    has no text layer and goes to OCR, where 300 dpi would mean 3.6 billion pixels."""
    pixel = zlib.compress(b"\x80")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 14400 14400] /Resources << /XObject << /Im0 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 "
        b"/Filter /FlateDecode /Length %d >>\nstream\n" % len(pixel) + pixel + b"\nendstream",
    ]
    content = b"q 14400 0 0 14400 0 0 cm /Im0 Do Q"
    objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def one_dpi_png() -> bytes:
    """A PNG of a few hundred bytes that says it was scanned at 1 dpi: taken at its word, a page 2.5 m
    wide, 750,000 pixels across at 300 dpi."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (100, 140), 255)
    ImageDraw.Draw(image).rectangle([10, 10, 90, 40], outline=0)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(1, 1), optimize=True)
    return buffer.getvalue()


def giant_png() -> bytes:
    """A white PNG of 12,000 × 12,000 pixels (144 megapixels), compressed to about 60 KB."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (12_000, 12_000), 1).save(buffer, "PNG", dpi=(300, 300))
    return buffer.getvalue()


def big_docx(megabytes: int = 16) -> bytes:
    """A DOCX of about ``megabytes`` MB within every zip limit (compression about 9:1, under the 200 MB
    total): its body is a table of ~140 MB of XML, which a DOM reader would hold as gigabytes."""
    rng = random.Random(10)
    row = "<w:tr>" + "<w:tc><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc>" * 8 + "</w:tr>"
    target = megabytes * 1024 * 1024
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                    'officedocument.wordprocessingml.document.main+xml"/></Types>')
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                     b'wordprocessingml/2006/main"><w:body><w:tbl>')
            while out.tell() < target:
                rows = "".join(row.format(*(rng.randint(0, 10**9) for _ in range(8))) for _ in range(2000))
                fh.write(rows.encode())
            fh.write(b"</w:tbl></w:body></w:document>")
    return out.getvalue()


def big_html(megabytes: int = 52) -> bytes:
    """An HTML page of ``megabytes`` MB (under the 50 MiB file limit): a report table of a million rows."""
    rng = random.Random(52)
    head = b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>2023\xe5\xb9\xb4</title></head><body><table>'
    parts = [head]
    size = len(head)
    while size < megabytes * 1_000_000:
        chunk = "".join(f"<tr><td>行{rng.randint(0, 99999)}</td><td>{rng.randint(0, 999)}</td></tr>" for _ in range(5000))
        data = chunk.encode()
        parts.append(data)
        size += len(data)
    parts.append(b"</table></body></html>")
    return b"".join(parts)


HOSTILE = {
    "huge-page.pdf": huge_page_pdf,
    "one-dpi.png": one_dpi_png,
    "giant.png": giant_png,
    "big.docx": big_docx,
    "big.html": big_html,
}
