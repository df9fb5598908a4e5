"""Per-document limits that keep one hostile or broken file from stalling a whole batch.

Every converter receives a ``Limits`` and checks it before doing expensive work, so that a bad input
ends in a specific ``ConversionError`` within bounded time and memory instead of an out-of-memory kill
or a hung worker. The defaults are sized for annual reports, which are 3–15 pages and well under a
megabyte as PDF or DOCX; they leave an order of magnitude of headroom and no more.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Limits:
    """Bounds on one document's conversion. All values must be positive.

    max_bytes: the file itself (50 MB). A scanned 15-page report at 300 dpi is about 10 MB.
    max_pages: pages of a PDF or OFD (100). A 500-page PDF is refused before any page is read.
    max_zip_members: entries of a DOCX or OFD zip (2,000); a report DOCX has about 20.
    max_zip_uncompressed: total uncompressed size of a zip's members, as declared and as read (200 MB).
    max_zip_ratio: largest compression ratio of one member bigger than 1 MB (200); XML compresses about
        10:1, a zip bomb 1,000:1 or more.
    conversion_timeout: seconds for one external conversion (LibreOffice, 60 s; it takes 1–3 s normally).
    max_ocr_pages: pages without a text layer that OCR will read (30); OCR costs seconds per page.
    ocr_timeout: seconds for OCR of one page (120 s).
    ocr_min_confidence: a cell read by OCR with a lower confidence (0–100) is flagged in warnings (80).
    max_ocr_megapixels: one page as OCR reads it, at 300 dpi (40 MP: A2 is 35 MP); checked from the
        page size before anything is rendered or decoded, so a 1 KB PDF with one huge page or a tiny
        PNG that claims 1 dpi is refused instead of filling memory.
    max_markup_bytes: an HTML or text document, and the body XML of a DOCX, as parsed (8 MB; embedded
        ``data:`` images are not counted). A report page is under 1 MB; 8 MB of markup is parsed in
        about 2 s within a few hundred MB, 50 MB would take gigabytes.
    office_memory: address space of a LibreOffice process (2 GB).
    ocr_memory: address space of a tesseract process (1 GB; it needs about 300 MB for a page).
    extraction_memory: address space of the process that extracts one document (2 GB of address
        space, which keeps its resident memory under 1 GB).
    extraction_timeout: seconds for the whole extraction of one document in its own process (900 s:
        30 OCR pages at their usual 3–20 s each, with room).
    """

    max_bytes: int = 50 * 1024 * 1024
    max_pages: int = 100
    max_zip_members: int = 2000
    max_zip_uncompressed: int = 200 * 1024 * 1024
    max_zip_ratio: float = 200.0
    conversion_timeout: float = 60.0
    max_ocr_pages: int = 30
    ocr_timeout: float = 120.0
    ocr_min_confidence: float = 80.0
    max_ocr_megapixels: float = 40.0
    max_markup_bytes: int = 8 * 1024 * 1024
    office_memory: int = 2 * 1024**3
    ocr_memory: int = 1024**3
    extraction_memory: int = 2 * 1024**3
    extraction_timeout: float = 900.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"Limits.{f.name} must be a positive number, got {value!r}")
        if self.ocr_min_confidence > 100:
            raise ValueError(f"Limits.ocr_min_confidence is a 0–100 score, got {self.ocr_min_confidence!r}")

    @classmethod
    def resolve(cls, limits: Limits | dict | None) -> Limits:
        """Accept None (defaults), a dict of overrides or an instance, as callers find convenient."""
        if limits is None:
            return DEFAULT_LIMITS
        if isinstance(limits, Limits):
            return limits
        if isinstance(limits, dict):
            unknown = set(limits) - {f.name for f in fields(cls)}
            if unknown:
                raise ValueError(f"unknown Limits setting(s): {', '.join(sorted(unknown))}")
            return cls(**limits)
        raise TypeError(f"limits must be None, a dict or Limits, not {type(limits).__name__}")


DEFAULT_LIMITS = Limits()
