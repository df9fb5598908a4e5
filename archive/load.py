"""Writing documents' rows into the archive, a batch of documents at a time.

Each document's rows (its ``extractions`` row, ``cells``, single-report ``checks`` and its text) are
replaced, never added to: a document read again by a newer parser leaves nothing of its old reading.
A batch is written as two transactions: the texts file first, then the archive. A crash between them
leaves the batch's documents unextracted (``extractions`` is in the archive), so the next run reads
them again and replaces the texts it finds; a document is never marked read without its text.

A bulk load (the first build, ``--all``, a parser upgrade) drops the secondary indexes of ``cells`` and
``checks`` first and builds them once at the end (``archive.db.drop_indexes``): building an index over
millions of rows in one sorted pass is several times cheaper than keeping it up to date row by row.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from types import TracebackType

import sqlite_utils

from archive import fts
from archive.checks import check_row, insert_checks
from archive.codes import Codes
from archive.db import drop_indexes, insert_rows, restore_indexes
from archive.organs import organ_for_report
from archive.reports import report_for
from extract.record import Record

BATCH = 500  # documents per transaction: about 100,000 cells, a few MB of memory
BULK_TABLES = ("cells", "checks")
CELL_COLUMNS = ("document_id", "item_id", "report_id", "value", "raw", "page", "table_index", "row_index",
                "col_index", "ocr", "ocr_confidence")

_YEAR_IN_TITLE = re.compile(r"(20\d\d)\s*年")


class Loader:
    """Collects read documents and writes them a batch at a time; use as a context manager.

    ``touched_reports`` gathers every report a written document belonged to before or belongs to now,
    which is what ``reports.rebuild`` must redo.
    """

    def __init__(self, db: sqlite_utils.Database, version: str, portals: dict[str, dict], *,
                 bulk: bool = False, batch: int = BATCH):
        self.db, self.version, self.portals, self.bulk, self.batch = db, version, portals, bulk, batch
        self.codes = Codes(db)
        self.pending: list[tuple[dict, Record | None, str | None]] = []
        self.touched_reports: set[int] = set()
        self.written = 0

    def __enter__(self) -> "Loader":
        if self.bulk:
            drop_indexes(self.db, BULK_TABLES)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        try:
            if kind is None:
                self.flush()
        finally:
            # Stopped (Ctrl-C, SIGTERM): leave at once; the next open_archive builds the indexes again.
            if self.bulk and (kind is None or issubclass(kind, Exception)):
                restore_indexes(self.db)

    def add(self, doc: dict, record: Record | None, error: str | None) -> None:
        """One document read (``record``) or not (``error``, the one-line reason)."""
        self.pending.append((doc, record, error))
        if len(self.pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        batch, self.pending = self.pending, []
        if not batch:
            return
        ids = [doc["id"] for doc, _, _ in batch]
        with self.db.atomic():
            fts.remove_texts(self.db, ids)
            fts.add_texts(self.db, [row for doc, record, _ in batch if (row := _text_row(doc, record))])
        with self.db.atomic():
            self._write(batch, ids)
        self.written += len(batch)

    def _write(self, batch: list[tuple[dict, Record | None, str | None]], ids: list[int]) -> None:
        db = self.db
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            self.touched_reports.update(
                row[0] for row in db.execute(
                    f"SELECT report_id FROM documents WHERE id IN ({marks}) AND report_id IS NOT NULL", chunk
                )
            )
            db.execute(f"DELETE FROM cells WHERE document_id IN ({marks})", chunk)
            db.execute(f"DELETE FROM checks WHERE document_id IN ({marks}) AND cross_year = 0", chunk)
        extracted_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        extractions, documents, cells, checks = [], [], [], []
        for doc, record, error in batch:
            extraction = {
                "document_id": doc["id"], "parser_version": self.version, "extracted_at": extracted_at,
                "status": "failed" if record is None else "ok", "error": error, "organ": None, "year": None,
                "template": None, "published_on": None, "active_total": None, "source_format": None,
                "cells": None, "warnings": None,
            }
            if record is None:
                extractions.append(extraction)
                documents.append((None, doc.get("format"), doc["id"]))
                continue
            year = record.year or year_from_title(doc["title"])
            organ_id = organ_for_report(db, record.organ, self.portals.get(doc["portal_id"] or ""))
            report_id = report_for(db, organ_id, year) if organ_id is not None and year is not None else None
            if report_id is not None:
                self.touched_reports.add(report_id)
            extraction.update(
                organ=record.organ, year=year, template=record.template, published_on=record.published_on,
                active_total=record.active_total, source_format=record.source_format,
                cells=sum(value is not None for value in record.cells.values()),
                warnings=json.dumps(record.warnings, ensure_ascii=False),
            )
            extractions.append(extraction)
            documents.append((report_id, record.source_format, doc["id"]))
            cells += self._cell_rows(doc["id"], report_id, record)
            checks += [check_row(self.codes, check, doc["id"], report_id, cross_year=False) for check in record.checks]
        insert_rows(db, "extractions", extractions, replace=True)
        db.conn.executemany("UPDATE documents SET report_id = ?, format = ? WHERE id = ?", documents)
        marks = ", ".join("?" for _ in CELL_COLUMNS)
        db.conn.executemany(f"INSERT INTO cells ({', '.join(CELL_COLUMNS)}) VALUES ({marks})", cells)
        insert_checks(db, checks)

    def _cell_rows(self, doc_id: int, report_id: int | None, record: Record) -> list[tuple]:
        rows = []
        for cell_id, value in record.cells.items():
            source = record.sources.get(cell_id)
            position = (
                (source.page, source.table, source.row, source.col, int(source.ocr), source.ocr_confidence)
                if source else (None, None, None, None, None, None)
            )
            rows.append((doc_id, self.codes.item(cell_id), report_id, value, record.raw.get(cell_id), *position))
        return rows


def _text_row(doc: dict, record: Record | None) -> tuple | None:
    """A ``texts`` row (``fts.TEXT_COLUMNS``); its report is filled in by ``reports.rebuild``."""
    if record is None:
        return None
    text = record.text or "\n".join(record.texts.values())
    if not text:
        return None
    return (doc["id"], None, record.organ, record.year or year_from_title(doc["title"]), doc["title"], doc["url"], text)


def year_from_title(title: str | None) -> int | None:
    match = _YEAR_IN_TITLE.search(title or "")
    return int(match.group(1)) if match else None
