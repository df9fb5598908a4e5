"""Scanned-report fixtures: the PDF rendering rasterised, roughened like a scanner's output, re-wrapped.

``pdftoppm`` rasterises each page at 300 dpi in grey; Pillow then rotates it by a small angle (as a
sheet lies crooked on the glass), adds salt-and-pepper specks and a faint blur, and saves all pages
as one image-only PDF (JPEG inside, as scanners write). The angle and noise are drawn from the
spec's seed, so a scan is reproducible. Results are cached by the PDF's content hash.
"""

from __future__ import annotations

import hashlib
import io
import random
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageFilter

from farm.records import ReportSpec
from farm.render.cache import cached, store
from farm.render.pdf import render_pdfs

SCAN_DPI = 300
MAX_SKEW_DEGREES = 0.8
NOISE_FRACTION = 0.0015  # share of pixels flipped to a speck


def render_scan(spec: ReportSpec, *, dpi: int = SCAN_DPI) -> bytes:
    """The report as an image-only PDF, as a scanner would make it from a printout."""
    return render_scans([spec], dpi=dpi)[0]


def render_scans(specs: list[ReportSpec], *, dpi: int = SCAN_DPI) -> list[bytes]:
    pdfs = render_pdfs(specs)
    return [scan_pdf(pdf, seed=f"{spec.seed}:{spec.organ}", dpi=dpi) for spec, pdf in zip(specs, pdfs)]


def scan_pdf(pdf: bytes, *, seed: str, dpi: int = SCAN_DPI) -> bytes:
    """Rasterise, roughen and re-wrap one PDF (cached by its content, seed and resolution)."""
    key = pdf + f"|scan|{seed}|{dpi}|{MAX_SKEW_DEGREES}|{NOISE_FRACTION}".encode()
    hit = cached(key, "scan.pdf")
    if hit is not None:
        return hit
    rng = random.Random(hashlib.sha256(key).hexdigest())
    pages = [_roughen(page, rng) for page in rasterise(pdf, dpi)]
    out = io.BytesIO()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=float(dpi), quality=85)
    result = out.getvalue()
    store(key, "scan.pdf", result)
    return result


def rasterise(pdf: bytes, dpi: int) -> list[Image.Image]:
    """Grey page images by pdftoppm (poppler), the tool a scan workflow would use."""
    with tempfile.TemporaryDirectory(prefix="nianbao-scan-") as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-gray", "-png", str(src), str(Path(tmp) / "page")],
            check=True,
            timeout=300,
            capture_output=True,
        )
        images = []
        for path in sorted(Path(tmp).glob("page-*.png"), key=lambda p: int(p.stem.split("-")[-1])):
            with Image.open(path) as im:
                images.append(im.convert("L").copy())
        return images


def _roughen(image: Image.Image, rng: random.Random) -> Image.Image:
    angle = rng.uniform(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES)
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    image = image.filter(ImageFilter.GaussianBlur(radius=0.6))
    width, height = image.size
    pixels = image.load()
    for _ in range(int(width * height * NOISE_FRACTION)):
        x, y = rng.randrange(width), rng.randrange(height)
        pixels[x, y] = rng.choice((0, 40, 90, 200, 255))
    return image
