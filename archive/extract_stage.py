"""``nianbao extract``: turn every stored document into archive rows, then rebuild what depends on them.

A document is (re)extracted when the current parser version has not yet seen it (``extractions``
holds, per document, the parser version that last read it), or always with ``--all``. Each document's
rows (its ``extractions`` row, ``cells``, single-report ``checks`` and ``texts``) are replaced in one
transaction, so an interrupted run leaves every document either as it was or fully re-read. A document
the parser cannot read is recorded in ``extractions`` with the one-line reason and the run goes on.

After the documents, the tables derived from all of them (reports and editions, cross-year checks,
wide tables, coverage) are rebuilt from scratch: they are pure functions of the rows above, so a
second run writes the same rows again and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import sqlite_utils

from archive import coverage, fts, reports
from archive.checks import check_row
from archive.db import insert_rows, open_archive
from archive.items import rebuild_items
from archive.organs import organ_for_report
from archive.sources import portal_by_id, sync_registry, sync_store
from extract.document import ConversionError
from extract.record import Record
from archive.paths import DataDir

_YEAR_IN_TITLE = re.compile(r"(20\d\d)\s*年")


@dataclass(frozen=True)
class Parser:
    """What extraction needs from the parser: its version and ``parse_bytes``. Tests may pass their own."""

    version: str
    parse: Callable[..., Record]

    @classmethod
    def current(cls) -> "Parser":
        """The parser of this version, each document read in a killable child (``extract.isolate``)."""
        from extract.isolate import parse_isolated
        from extract.parse import PARSER_VERSION

        return cls(PARSER_VERSION, parse_isolated)


@dataclass
class ExtractResult:
    """What one run did, for the command's summary line and the pipeline's run row."""

    documents: int = 0
    extracted: int = 0
    failed: int = 0
    failures: list[tuple[int, str]] = field(default_factory=list)
    reports: int = 0

    def summary(self) -> str:
        return (
            f"{self.extracted} of {self.documents} documents extracted, {self.failed} failed; "
            f"{self.reports} reports in the archive"
        )


# Reads pending documents somewhere else (``archive.fanout``: workers through a task queue) and yields
# each one's outcome as ``read_document`` gives it, in any order: (document row, record, error).
Fanout = Callable[[list[dict]], Iterable[tuple[dict, Record | None, str | None]]]


def run_extract(data: DataDir, *, everything: bool = False, parser: Parser | None = None,
                fanout: Fanout | None = None) -> ExtractResult:
    """Sync the registry and store, extract pending documents, rebuild the derived tables.

    With ``fanout`` the documents are read by others and only written here: the archive has one writer."""
    parser = parser or Parser.current()
    db = open_archive(data.archive_db)
    rebuild_items(db)
    sync_registry(db, data.registry)
    sync_store(db, data)
    portals = portal_by_id(db)
    result = ExtractResult(documents=db["documents"].count)
    pending = pending_documents(db, parser.version, everything=everything)
    if fanout is None:
        outcomes: Iterable[tuple[dict, Record | None, str | None]] = (
            (doc, *read_document(data, doc, parser)) for doc in pending)
    else:
        outcomes = fanout(pending)
    for doc, record, error in outcomes:
        write_document(db, doc, record, error, parser.version, portals)
        result.extracted += 1
        if error:
            result.failed += 1
            result.failures.append((doc["id"], error))
    reports.rebuild(db)
    coverage.rebuild(db)
    result.reports = db["reports"].count
    return result


def pending_documents(db: sqlite_utils.Database, version: str, *, everything: bool) -> list[dict]:
    if everything:
        return list(db.query("SELECT * FROM documents ORDER BY id"))
    return list(
        db.query(
            """SELECT d.* FROM documents d LEFT JOIN extractions e ON e.document_id = d.id
               WHERE e.parser_version IS NOT ? ORDER BY d.id""",
            [version],
        )
    )


def read_document(data: DataDir, doc: dict, parser: Parser) -> tuple[Record | None, str | None]:
    """Parse one stored document (``blob``, ``filename``, ``url`` of its row): its record, or the reason it
    could not be read. Needs only the blob store, so a worker on another machine can run it."""
    try:
        body = (data.store / doc["blob"]).read_bytes()
        return parser.parse(body, doc["filename"] or _url_filename(doc["url"])), None
    except ConversionError as exc:
        return None, str(exc)
    except OSError as exc:
        return None, f"stored body unreadable: {exc}"
    except Exception as exc:  # a parser bug on one document must not stop the others; it is recorded
        return None, f"{type(exc).__name__}: {exc}"


def write_document(db: sqlite_utils.Database, doc: dict, record: Record | None, error: str | None, version: str,
                   portals: dict[str, dict]) -> None:
    """Replace one document's rows in one transaction."""
    with db.atomic():
        replace_document_rows(db, doc, record, error, version, portals.get(doc["portal_id"] or ""))


def replace_document_rows(
    db: sqlite_utils.Database,
    doc: dict,
    record: Record | None,
    error: str | None,
    version: str,
    portal: dict | None,
) -> None:
    """One document's rows, replaced: the caller holds the transaction (``write_document`` opens one each)."""
    doc_id = doc["id"]
    db.execute("DELETE FROM cells WHERE document_id = ?", [doc_id])
    db.execute("DELETE FROM checks WHERE document_id = ? AND cross_year = 0", [doc_id])
    fts.remove_text(db, doc_id)
    extraction = {
        "document_id": doc_id,
        "parser_version": version,
        "extracted_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "status": "failed" if record is None else "ok",
        "error": error,
    }
    if record is None:
        insert_rows(db, "extractions", [extraction], replace=True)
        db.execute("UPDATE documents SET report_id = NULL WHERE id = ?", [doc_id])
        return
    year = record.year or _year_from_title(doc["title"])
    organ_id = organ_for_report(db, record.organ, portal)
    report_id = None
    if organ_id is not None and year is not None:
        report_id = _report_id(db, organ_id, year)
    extraction.update(
        organ=record.organ,
        year=year,
        template=record.template,
        published_on=record.published_on,
        active_total=record.active_total,
        source_format=record.source_format,
        cells=sum(value is not None for value in record.cells.values()),
        warnings=json.dumps(record.warnings, ensure_ascii=False),
    )
    insert_rows(db, "extractions", [extraction], replace=True)
    db.execute("UPDATE documents SET report_id = ?, format = ? WHERE id = ?", [report_id, record.source_format, doc_id])
    insert_rows(db, "cells", list(_cell_rows(doc_id, report_id, record)))
    dims = {"report_id": report_id, "organ_id": organ_id, "region": None, "level": None, "year": year}
    if organ_id is not None:
        dims["region"], dims["level"] = db.execute("SELECT region, level FROM organs WHERE id = ?", [organ_id]).fetchone()
    insert_rows(db, "checks", [check_row(check, doc_id, dims, cross_year=False) for check in record.checks])
    text = record.text or "\n".join(record.texts.values())
    if text:
        row = {"id": doc_id, "report_id": report_id, "organ": record.organ, "year": year, "title": doc["title"],
               "url": doc["url"], "text": text}
        insert_rows(db, "texts", [row])
        fts.index_text(db, doc_id, text)


def _report_id(db: sqlite_utils.Database, organ_id: int, year: int) -> int:
    """The report of an organ and year, created on first sight; its id never changes afterwards."""
    found = db.execute("SELECT id FROM reports WHERE organ_id = ? AND year = ?", [organ_id, year]).fetchone()
    if found:
        return found[0]
    return db.execute("INSERT INTO reports (organ_id, year) VALUES (?, ?)", [organ_id, year]).lastrowid


def _cell_rows(doc_id: int, report_id: int | None, record: Record):
    for cell_id, value in record.cells.items():
        source = record.sources.get(cell_id)
        yield {
            "document_id": doc_id,
            "cell_id": cell_id,
            "report_id": report_id,
            "value": value,
            "raw": record.raw.get(cell_id),
            "page": source.page if source else None,
            "table_index": source.table if source else None,
            "row_index": source.row if source else None,
            "col_index": source.col if source else None,
            "ocr": int(source.ocr) if source else None,
            "ocr_confidence": source.ocr_confidence if source else None,
        }


def _year_from_title(title: str | None) -> int | None:
    match = _YEAR_IN_TITLE.search(title or "")
    return int(match.group(1)) if match else None


def _url_filename(url: str) -> str | None:
    name = PurePosixPath(urlsplit(url).path).name
    return name or None
