"""Tesseract as a bounded child process: words with boxes and confidences from its TSV output.

One thread, its own process group, a timeout and an address-space cap (``process.run_bounded``), so
that a page tesseract cannot read costs a ConversionError and never the extraction.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
from pathlib import Path

from PIL import Image

from extract.convert.geometry import Glyph
from extract.convert.limits import Limits
from extract.convert.process import out_of_memory, run_bounded
from extract.document import ConversionError

OCR_DPI = 300
_BARS = str.maketrans("", "", "|[]")  # ruling remnants: never content in a report
_DIGIT_LIKE = re.compile(r"^[0-9OoIl|〇.,]+$")
_DIGIT_FIX = str.maketrans({"O": "0", "o": "0", "〇": "0", "I": "1", "l": "1", "|": "1"})


def tesseract_binary() -> str:
    found = os.environ.get("NIANBAO_TESSERACT") or shutil.which("tesseract")
    if not found:
        raise ConversionError("tesseract is not installed: apt-get install tesseract-ocr tesseract-ocr-chi-sim")
    return found


def run_tesseract_many(
    images: list[Image.Image], limits: Limits, psm: int = 7, lang: str = "chi_sim", extra: tuple[str, ...] = ()
) -> list[list[Glyph]]:
    """OCR many small images in one tesseract process (a list file), so the model is loaded once."""
    if not images:
        return []
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

