"""Bounded conversion: hostile files are refused (or read) with a one-line reason, tools are capped and
killed, and one document's extraction runs in a child that can die without taking the caller with it.

Seconds and megabytes are the benchmark's business (``benchmarks/extract_bench.py`` prints them for the
full-size hostile files); these tests check the refusals and their reasons, on files made small where
a lowered limit shows the same mechanism.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import zipfile

import pytest

from extract.convert import convert, read_document, sniff
from extract.convert.process import out_of_memory, run_bounded
from extract.document import ConversionError
from extract.isolate import parse_isolated
from tests.extract.hostile import big_docx, big_html, giant_png, huge_page_pdf, one_dpi_png

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _refusal(data: bytes, name: str, **limits) -> str:
    with pytest.raises(ConversionError) as info:
        convert(data, name, limits=limits or None)
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"{name}: ")
    return message


def test_a_huge_pdf_page_is_refused_before_it_is_rendered():
    data = huge_page_pdf()
    assert len(data) < 1024
    message = _refusal(data, "huge.pdf")
    assert "3,600 megapixels" in message and "OCR limit of 40" in message


def test_an_image_over_the_pixel_limit_is_refused_before_it_is_decoded():
    message = _refusal(giant_png(), "giant.png")
    assert "144 megapixels" in message


def test_an_image_that_claims_one_dpi_is_read_at_a_plausible_size():
    document = convert(one_dpi_png(), "tiny.png")  # neither 80 metres of page nor a MemoryError
    assert document.ocr and document.source_format == "image"


def test_markup_over_the_limit_is_refused_before_it_is_parsed():
    data = big_html(megabytes=2)
    assert "exceeds the limit of 1,000,000 bytes" in _refusal(data, "big.html", max_markup_bytes=1_000_000)


def test_embedded_images_do_not_count_against_the_markup_limit():
    image = b"data:image/png;base64," + b"A" * 3_000_000
    page = b'<html><body><p>2023\xe5\xb9\xb4</p><img src="' + image + b'"></body></html>'
    document = convert(page, "page.html", limits={"max_markup_bytes": 1_000_000})
    assert "2023" in document.text


def test_a_docx_whose_body_is_over_the_limit_is_refused_from_its_directory():
    data = big_docx(megabytes=1)
    assert "DOCX body (word/document.xml)" in _refusal(data, "big.docx", max_markup_bytes=1_000_000)


def test_a_file_over_the_size_limit_is_not_read(tmp_path):
    path = tmp_path / "big.pdf"
    with path.open("wb") as fh:
        fh.truncate(60 * 1024 * 1024)  # sparse: 60 MB on paper, nothing on disk
    with pytest.raises(ConversionError, match="exceeds the limit of 52,428,800 bytes"):
        read_document(path)


@pytest.mark.parametrize(
    "data, kind",
    [
        (b"PK\x03\x04" + b"\x00" * 26, None),
        (b"\xffWPC" + bytes(100), "wpd"),
        (b'<?xml version="1.0"?><office:document office:mimetype="application/vnd.oasis.opendocument.text">', "fodt"),
        (b'<?xml version="1.0"?><?mso-application progid="Word.Document"?><w:wordDocument>', "wordml"),
    ],
)
def test_word_processor_formats_are_sniffed(data, kind):
    if kind is None:  # an ODT: a zip whose first member is an uncompressed ``mimetype``
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as zf:
            zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
            zf.writestr("content.xml", "<office:document-content/>")
        data, kind = out.getvalue(), "odt"
    assert sniff(data) == kind


def test_a_tool_past_its_time_is_killed_with_its_children(tmp_path):
    started = time.monotonic()
    pid_file = tmp_path / "child.pid"
    script = (f"import subprocess, time; p = subprocess.Popen(['sleep', '60']); "
              f"open({str(pid_file)!r}, 'w').write(str(p.pid)); time.sleep(60)")
    with pytest.raises(ConversionError, match="sleeper timed out after 2 s"):
        run_bounded([sys.executable, "-c", script], what="sleeper", timeout=2, memory=None)
    assert time.monotonic() - started < 30  # a hang guard: the group was killed, nothing waited a minute
    child = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):  # the tool's own child went with the group
        for _ in range(50):
            os.kill(child, 0)
            time.sleep(0.1)


def test_a_tool_over_its_memory_cap_fails_inside_itself():
    finished = run_bounded([sys.executable, "-c", "b = bytearray(400 * 2**20)"], what="eater", timeout=60,
                           memory=200 * 2**20)
    assert finished.returncode != 0 and out_of_memory(finished)


def test_isolated_extraction_gives_the_same_record(tmp_path):
    page = "<html><body><p>某某县人民政府2023年政府信息公开工作年度报告</p></body></html>".encode()
    record = parse_isolated(page, "page.html")
    assert record.year == 2023


def test_isolated_extraction_past_its_time_is_killed_with_a_one_line_reason():
    with pytest.raises(ConversionError) as info:
        parse_isolated(one_dpi_png(), "slow.png", limits={"extraction_timeout": 0.01})
    assert str(info.value) == "slow.png: extraction timed out after 0.01 s (its process was killed)"


def test_isolated_extraction_over_its_memory_cap_is_a_one_line_reason():
    """The child fails inside its cap (libxml2 reports it as its own error, Python as MemoryError); the
    caller gets one line and goes on to the next document."""
    page = ("<html><body><table>" + "<tr><td>行</td><td>1</td></tr>" * 100_000 + "</table></body></html>").encode()
    with pytest.raises(ConversionError) as info:
        parse_isolated(page, "big.html", limits={"extraction_memory": 64 * 2**20})
    assert "\n" not in str(info.value) and str(info.value).startswith("big.html: ")
    assert parse_isolated(b"<html><body><p>2023\xe5\xb9\xb4</p></body></html>", "next.html").year == 2023


def test_the_cli_refuses_a_hostile_file_in_one_line(tmp_path):
    path = tmp_path / "huge.pdf"
    path.write_bytes(huge_page_pdf())
    proc = subprocess.run([os.path.join(ROOT, ".venv", "bin", "nianbao"), "parse", str(path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "megapixels" in proc.stderr
