"""``nianbao extract``: turn every stored document into archive rows, then rebuild what depends on them.

A document is (re)extracted when the current parser version has not yet seen it (``extractions``
holds, per document, the parser version that last read it), or always with ``--all``. Documents are
written a batch at a time (``archive.load``): each document's rows are replaced, and a batch is either
written whole or not at all, so an interrupted run leaves every document either as it was or fully
re-read. A document the parser cannot read is recorded in ``extractions`` with the one-line reason and
the run goes on. Many documents at once (the first build, ``--all``) are loaded with the indexes of
``cells`` and ``checks`` built once at the end.

After the documents, the tables derived from them (reports and editions, cross-year checks, wide
tables, totals) are rebuilt for the reports whose documents changed, and coverage, the site's editions
feed and derived rates are rebuilt whole (each a few seconds for 100,000 reports; a rate's percentiles
depend on every report of its year): they are pure functions of the rows above, so a second run writes
the same rows again and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import sqlite_utils

from archive import coverage, editions, rates, reports, summary, warcs
from archive.db import open_archive
from archive.items import rebuild_items
from archive.load import Loader
from archive.paths import DataDir
from archive.sources import portal_by_id, sync_registry, sync_store
from extract.document import ConversionError
from extract.record import Record

# A load this large (documents, and a quarter of the archive or more) builds the indexes afterwards.
BULK_DOCUMENTS = 1000


@dataclass(frozen=True)
class Parser:
    """What extraction needs from the parser: its version and ``parse_bytes``. Tests may pass their own."""

    version: str
    parse: Callable[..., Record]
    # Given the bodies of the next documents, prepares what they need (LibreOffice, in one run).
    prefetch: Callable[[Iterable[bytes]], object] | None = None

    @classmethod
    def current(cls) -> "Parser":
        """The parser of this version, each document read in a killable child (``extract.isolate``)."""
        from extract.isolate import parse_isolated, prefetch_office
        from extract.parse import PARSER_VERSION

        return cls(PARSER_VERSION, parse_isolated, prefetch_office)


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


# Reads pending documents somewhere else (``archive.fanout``: workers through a task queue) and yields each
# one's outcome as ``read_document`` gives it, in the order given: (document row, record, error).
Fanout = Callable[[list[dict]], Iterable[tuple[dict, Record | None, str | None]]]


def run_extract(data: DataDir, *, everything: bool = False, parser: Parser | None = None,
                fanout: Fanout | None = None) -> ExtractResult:
    """Sync the registry and store, extract pending documents, rebuild what depends on them.

    With ``fanout`` the documents are read by others and only written here: the archive has one writer."""
    parser = parser or Parser.current()
    db = open_archive(data.archive_db)
    rebuild_items(db)
    organs_before = _organ_rows(db)
    sync_registry(db, data.registry)
    changed_documents = sync_store(db, data)
    warcs.index_warcs(db, data)
    portals = portal_by_id(db)
    result = ExtractResult(documents=db["documents"].count)
    pending = pending_documents(db, parser.version, everything=everything)
    bulk = len(pending) >= BULK_DOCUMENTS and len(pending) * 4 >= result.documents
    with Loader(db, parser.version, portals, bulk=bulk) as loader:
        outcomes = fanout(pending) if fanout is not None else _read_here(data, pending, parser)
        for doc, record, error in outcomes:
            loader.add(doc, record, error)
            result.extracted += 1
            if error:
                result.failed += 1
                result.failures.append((doc["id"], error))
    touched = None if bulk else affected_reports(db, loader.touched_reports, changed_documents, organs_before)
    reports.rebuild(db, touched)
    editions.rebuild(db)
    rates.rebuild(db)
    coverage.rebuild(db)
    summary.rebuild(db)
    result.reports = db["reports"].count
    return result


PREFETCH = 20  # documents handed to ``Parser.prefetch`` at a time: one LibreOffice run for their DOC/WPS/RTF


def _read_here(data: DataDir, pending: list[dict], parser: Parser) -> Iterator[tuple[dict, Record | None, str | None]]:
    """The pending documents read in this process, in order, LibreOffice's work prefetched in batches."""
    for n, doc in enumerate(pending):
        if parser.prefetch and n % PREFETCH == 0:
            parser.prefetch(_bodies(data, pending[n : n + PREFETCH]))
        yield (doc, *read_document(data, doc, parser))


def _bodies(data: DataDir, docs: list[dict]) -> Iterator[bytes]:
    for doc in docs:
        try:
            yield (data.store / doc["blob"]).read_bytes()
        except OSError:
            continue  # read_document records it


def affected_reports(
    db: sqlite_utils.Database, touched: set[int], documents: list[int], organs_before: dict[int, tuple]
) -> set[int]:
    """Reports to rebuild: those the loader touched, those of documents the store changed, those of
    organs the registry re-described."""
    found = set(touched)
    for start in range(0, len(documents), 500):
        chunk = documents[start : start + 500]
        found.update(row[0] for row in db.execute(
            f"SELECT report_id FROM documents WHERE id IN ({', '.join('?' for _ in chunk)}) AND report_id IS NOT NULL",
            chunk,
        ))
    organs = [organ_id for organ_id, row in _organ_rows(db).items() if organs_before.get(organ_id) != row]
    for start in range(0, len(organs), 500):
        chunk = organs[start : start + 500]
        found.update(row[0] for row in db.execute(
            f"SELECT id FROM reports WHERE organ_id IN ({', '.join('?' for _ in chunk)})", chunk
        ))
    return found


def _organ_rows(db: sqlite_utils.Database) -> dict[int, tuple]:
    return {row[0]: tuple(row[1:]) for row in db.execute("SELECT id, name, region, level FROM organs")}


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
    """Parse one stored document: its record, or the one-line reason it could not be read. Needs only the
    row's ``blob``, ``filename`` and ``url`` and the blob store, so a worker on another machine can run it."""
    try:
        body = (data.store / doc["blob"]).read_bytes()
        return parser.parse(body, doc["filename"] or _url_filename(doc["url"])), None
    except ConversionError as exc:
        return None, str(exc)
    except OSError as exc:
        return None, f"stored body unreadable: {exc}"
    except Exception as exc:  # a parser bug on one document must not stop the others; it is recorded
        return None, f"{type(exc).__name__}: {exc}"


def _url_filename(url: str) -> str | None:
    name = PurePosixPath(urlsplit(url).path).name
    return name or None
