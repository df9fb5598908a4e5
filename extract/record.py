"""The canonical record of one annual report, as ``nianbao parse`` prints it and the archive stores it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

Number = int | float


@dataclass
class ActiveItem:
    """One category of actively disclosed information listed in section 一 (``政策文件公开13条``)."""

    category: str
    count: int


@dataclass
class CheckResult:
    """One 勾稽 rule applied to one record. ``ok`` is None when a cell it needs is null."""

    rule: str
    cells: list[str]
    expected: Number | None
    actual: Number | None
    ok: bool | None


@dataclass
class CellSource:
    """Where a cell's number was read: the position in the source document, and whether by OCR."""

    page: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    line: int | None = None  # text files: the 1-based line
    ocr: bool = False
    ocr_confidence: float | None = None


@dataclass
class Record:
    organ: str | None
    year: int | None
    template: str | None
    published_on: str | None
    active_total: int | None
    active_items: list[ActiveItem]
    urls: list[str]
    cells: dict[str, Number | None]
    raw: dict[str, str]
    checks: list[CheckResult]
    warnings: list[str]
    texts: dict[str, str] = field(default_factory=dict)  # sec1, sec5, sec6: the free-text sections
    sources: dict[str, CellSource] = field(default_factory=dict)
    source_format: str | None = None
    text: str = ""  # the whole report as plain text, for full-text search; not printed by ``parse``

    def to_json(self, *, with_sources: bool = False) -> dict[str, Any]:
        """The JSON object of ``nianbao parse``: the documented keys, in the documented order."""
        out: dict[str, Any] = {
            "organ": self.organ,
            "year": self.year,
            "template": self.template,
            "published_on": self.published_on,
            "active_total": self.active_total,
            "active_items": [asdict(item) for item in self.active_items],
            "urls": list(self.urls),
            "cells": dict(self.cells),
            "raw": dict(self.raw),
            "checks": [asdict(check) for check in self.checks],
            "warnings": list(self.warnings),
            "texts": dict(self.texts),
        }
        if with_sources:
            out["sources"] = {key: asdict(src) for key, src in self.sources.items()}
        return out

    @property
    def failed_checks(self) -> list[CheckResult]:
        return [check for check in self.checks if check.ok is False]
