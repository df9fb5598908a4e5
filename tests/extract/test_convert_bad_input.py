"""Bad input ends in a specific ConversionError within bounded time, and the batch goes on.

Every bad file is made here by a real tool or by damaging a real file: an encrypted PDF exported by
LibreOffice with an open password, truncated and corrupted PDF/DOCX/ZIP, a DOCX carrying a zip bomb,
an empty file, a 500-page PDF from PDFium, HTML under a .pdf name, and a LibreOffice that hangs.
"""

from __future__ import annotations

import io
import os
import stat
import time
import zipfile

import pypdfium2 as pdfium
import pytest

from extract.convert import Limits, convert, sniff
from extract.document import ConversionError
from farm.records import make_record
from farm.render.docx import render_docx

pytestmark = pytest.mark.xdist_group("libreoffice")

SPEC = make_record(1001)


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    return render_docx(SPEC)


@pytest.fixture(scope="module")
def pdf_bytes(docx_bytes) -> bytes:
    from extract.convert.libreoffice import convert_many

    (pdf,) = convert_many([("r.docx", docx_bytes)], "pdf")
    assert pdf is not None
    return pdf


def _error(data: bytes, filename: str = "bad", **kwargs) -> str:
    started = time.monotonic()
    with pytest.raises(ConversionError) as info:
        convert(data, filename=filename, **kwargs)
    assert time.monotonic() - started < 10, "a bad file must fail fast"
    message = str(info.value)
    assert message.startswith(f"{filename}: ") and "\n" not in message
    return message


def test_empty_file():
    assert "empty file (0 bytes)" in _error(b"")


def test_file_over_the_size_limit():
    assert "exceeds the limit" in _error(b"%PDF-1.7\n" + b"0" * 2000, limits=Limits(max_bytes=1000))


@pytest.mark.slow
def test_encrypted_pdf(docx_bytes):
    from extract.convert.libreoffice import convert_many

    options = (
        '{"EncryptFile":{"type":"boolean","value":"true"},'
        '"DocumentOpenPassword":{"type":"string","value":"secret"}}'
    )
    (pdf,) = convert_many([("r.docx", docx_bytes)], "pdf", filter_options=options)
    assert pdf is not None and sniff(pdf) == "pdf"
    assert "encrypted PDF: a password is required" in _error(pdf)


@pytest.mark.slow
def test_truncated_pdf(pdf_bytes):
    assert "truncated PDF" in _error(pdf_bytes[: len(pdf_bytes) // 2])


@pytest.mark.slow
def test_corrupt_pdf(pdf_bytes):
    damaged = pdf_bytes[:20] + os.urandom(4000) + b"\n%%EOF\n"
    assert "corrupt or not a PDF" in _error(damaged)


def test_truncated_docx(docx_bytes):
    assert "truncated or corrupt zip container" in _error(docx_bytes[: len(docx_bytes) // 2])


def test_corrupt_docx_member(docx_bytes):
    zf = zipfile.ZipFile(io.BytesIO(docx_bytes))
    info = zf.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    damaged = bytearray(docx_bytes)
    for k in range(start + 50, start + 250):
        damaged[k] ^= 0x5A
    assert "corrupt zip member word/document.xml" in _error(bytes(damaged))


def test_corrupt_zip_that_is_no_docx():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("readme.txt", "hello")
    assert "neither DOCX" in _error(out.getvalue())
    assert "truncated or corrupt zip" in _error(b"PK\x03\x04" + os.urandom(300))


def test_docx_zip_bomb(docx_bytes):
    """A real DOCX with a 300 MB member of zeros added (300 KB compressed): refused from the directory."""
    out = io.BytesIO()
    src = zipfile.ZipFile(io.BytesIO(docx_bytes))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info, src.read(info))
        member = zipfile.ZipInfo("word/media/image1.bin")
        member.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(member, "w", force_zip64=True) as fh:
            block = bytes(1 << 20)
            for _ in range(300):
                fh.write(block)
    bomb = out.getvalue()
    assert sniff(bomb) == "docx" and len(bomb) < 2_000_000
    assert "zip bomb suspected" in _error(bomb)


def test_500_page_pdf_is_refused_before_reading():
    pdf = pdfium.PdfDocument.new()
    for _ in range(500):
        pdf.new_page(595, 842)
    buffer = io.BytesIO()
    pdf.save(buffer)
    started = time.monotonic()
    assert "PDF has 500 pages, more than the limit of 100" in _error(buffer.getvalue())
    assert time.monotonic() - started < 2


def test_html_named_pdf_is_read_as_html():
    html = "<html><head><meta charset='utf-8'></head><body><p>某某镇2024年政府信息公开工作年度报告</p></body></html>"
    document = convert(html.encode("utf-8"), filename="report.pdf")
    assert document.source_format == "html"
    assert "政府信息公开工作年度报告" in document.text


def test_unknown_binary_and_foreign_ole():
    assert "unrecognised binary format" in _error(bytes(range(256)) * 4)
    assert "not a Word or WPS document" in _error(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))


@pytest.mark.slow
def test_hanging_libreoffice_is_killed_with_its_process_group(tmp_path, monkeypatch):
    """A fake soffice that never finishes (and leaves a child behind) ends in a timeout error, and
    the whole process group is gone afterwards."""
    pidfile = tmp_path / "child.pid"
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {pidfile}\nwait\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("NIANBAO_SOFFICE", str(fake))
    monkeypatch.setenv("NIANBAO_OFFICE_LISTENER", "0")  # soffice --convert-to; test_listener.py has the listener's
    doc = _word_ole()
    started = time.monotonic()
    message = _error(doc, limits=Limits(conversion_timeout=2))
    assert "timed out after 2 s" in message
    assert time.monotonic() - started < 8
    child = int(pidfile.read_text())
    time.sleep(0.2)
    status = f"/proc/{child}/status"
    if os.path.exists(status):  # killed but not yet reaped by init: a zombie, no longer running
        with open(status) as fh:
            state = next(line for line in fh if line.startswith("State:"))
        assert "Z" in state or "X" in state


def test_batch_goes_on_after_bad_documents(docx_bytes):
    batch = {"good.docx": docx_bytes, "empty.pdf": b"", "bomb.docx": b"PK\x03\x04broken", "page.pdf": b"<html><body>x</body></html>"}
    results: dict[str, str] = {}
    for name, data in batch.items():
        try:
            results[name] = convert(data, filename=name).source_format
        except ConversionError as exc:
            results[name] = f"error: {exc}"
    assert results["good.docx"] == "docx" and results["page.pdf"] == "html"
    assert results["empty.pdf"].startswith("error: empty.pdf: empty file")
    assert results["bomb.docx"].startswith("error: bomb.docx: truncated or corrupt zip")


def _word_ole() -> bytes:
    """The smallest OLE2 file with a WordDocument stream, written by hand: enough for sniffing."""
    sector = 512
    header = bytearray(sector)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[0x18:0x1A] = (0x3E).to_bytes(2, "little")
    header[0x1A:0x1C] = (3).to_bytes(2, "little")
    header[0x1C:0x1E] = (0xFFFE).to_bytes(2, "little")
    header[0x1E:0x20] = (9).to_bytes(2, "little")
    header[0x20:0x22] = (6).to_bytes(2, "little")
    header[0x2C:0x30] = (1).to_bytes(4, "little")  # one FAT sector
    header[0x30:0x34] = (1).to_bytes(4, "little")  # directory at sector 1
    header[0x38:0x3C] = (4096).to_bytes(4, "little")
    header[0x3C:0x40] = (0xFFFFFFFE).to_bytes(4, "little")
    header[0x44:0x48] = (0xFFFFFFFE).to_bytes(4, "little")
    header[0x4C:0x50] = (0).to_bytes(4, "little")  # FAT at sector 0
    for k in range(1, 109):
        header[0x4C + 4 * k : 0x50 + 4 * k] = (0xFFFFFFFF).to_bytes(4, "little")
    fat = bytearray(b"\xff\xff\xff\xff" * 128)
    fat[0:4] = (0xFFFFFFFD).to_bytes(4, "little")  # sector 0: FAT
    fat[4:8] = (0xFFFFFFFE).to_bytes(4, "little")  # sector 1: directory, end of chain
    fat[8:12] = (0xFFFFFFFE).to_bytes(4, "little")  # sector 2: WordDocument stream data
    directory = bytearray(sector)

    def entry(index: int, name: str, kind: int, child: int, start: int, size: int) -> None:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        base = index * 128
        directory[base : base + len(raw)] = raw
        directory[base + 0x40 : base + 0x42] = len(raw).to_bytes(2, "little")
        directory[base + 0x42] = kind
        directory[base + 0x43] = 1
        for off in (0x44, 0x48):
            directory[base + off : base + off + 4] = (0xFFFFFFFF).to_bytes(4, "little")
        directory[base + 0x4C : base + 0x50] = child.to_bytes(4, "little", signed=False)
        directory[base + 0x74 : base + 0x78] = start.to_bytes(4, "little")
        directory[base + 0x78 : base + 0x7C] = size.to_bytes(4, "little")

    entry(0, "Root Entry", 5, 1, 0xFFFFFFFE, 0)
    entry(1, "WordDocument", 2, 0xFFFFFFFF, 2, 4096)
    for i in (2, 3):
        base = i * 128
        for off in (0x44, 0x48, 0x4C):
            directory[base + off : base + off + 4] = (0xFFFFFFFF).to_bytes(4, "little")
    return bytes(header + fat + directory + bytes(4096))
