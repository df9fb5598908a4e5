"""Format detection looks at bytes and structure only: magic numbers, OLE streams, zip members."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from extract.convert import Limits, sniff
from farm.records import make_record
from farm.render.docx import render_docx


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("L", (8, 8), 255).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"", "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "pdf"),
        (b"\r\n\x00junk before the header\n%PDF-1.4\n", "pdf"),
        (b"{\\rtf1\\ansi\\deff0 report}", "rtf"),
        (b"<!DOCTYPE html><html><body>x</body></html>", "html"),
        ("<html><body>某某镇年度报告</body></html>".encode("gbk"), "html"),
        (b"\xef\xbb\xbf  <table><tr><td>1</td></tr></table>", "html"),
        (b"MIME-Version: 1.0\r\nContent-Type: multipart/related; type=\"text/html\"\r\n", "html"),
        ("一、总体情况\n二、主动公开政府信息情况\n".encode("gb18030"), "text"),
        ("一、总体情况\n".encode("utf-16"), "text"),
        (bytes(range(256)) * 4, "binary"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "ole"),
        (b"PK\x03\x04" + bytes(100), "zip"),
    ],
)
def test_sniff_from_bytes(data, kind):
    assert sniff(data) == kind


def test_zip_structure_decides():
    assert sniff(render_docx(make_record(1001))) == "docx"
    assert sniff(_zip({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<x/>"})) == "ofd"
    assert sniff(_zip({"xl/workbook.xml": b"<x/>"})) == "zip"


def test_images_are_sniffed_for_ocr():
    assert sniff(_png()) == "image"


def test_limits_are_validated():
    with pytest.raises(ValueError, match="max_pages"):
        Limits(max_pages=0)
    with pytest.raises(ValueError, match="unknown Limits"):
        Limits.resolve({"max_page": 3})
    assert Limits.resolve({"max_pages": 5}).max_pages == 5
    assert Limits.resolve(None) == Limits()
