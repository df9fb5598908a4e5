"""The stages the pipeline runs, each one small function with one calling shape.

Each calls the public Python API of the package that owns the stage: the crawler's own
``crawl_command`` (Scrapy in a child process, as ``nianbao crawl`` does), the archive's extraction,
snapshot and registry copy, the parser's ``find_urls``. What a stage reports back is a ``StageOutcome``
of named counts for the run report. Everything read from the store goes through its reader.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from archive.db import open_archive
from archive.extract_stage import run_extract
from archive.faults import BROKEN
from archive.fts import SCHEMA as TEXTS_SCHEMA
from archive.paths import DataDir
from archive.snapshot import SnapshotExists, current_commit, write_snapshot
from archive.sources import sync_registry as sync_registry_into
from archive.store import StoreError, StoreWriter
from archive.store_reader import StoreReader
from crawler.cli import crawl_command
from extract.fields import find_urls
from extract.parse import parse_bytes
from nianbao.pipeline.discovery import Mention
from nianbao.pipeline.registry_file import read_rows, write_rows

SAMPLES_PORTAL = "samples"
SAMPLES_DIR = Path(__file__).resolve().parents[1] / "samples"

Progress = Callable[[int, int | None, str], None]  # (done, total or None, what) -> None


def no_progress(done: int, total: int | None, what: str) -> None:
    """The progress callback of a quiet run."""


@dataclass
class StageOutcome:
    """What a stage reports back: its counts (named for the run report) and anything worth saying."""

    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


# -- crawl ------------------------------------------------------------------------------------------------

def crawl(
    data: DataDir,
    rows: list[dict[str, str]],
    progress: Progress = no_progress,
    *,
    browser: bool = True,
    full: bool = False,
    settings: tuple[str, ...] = (),
) -> StageOutcome:
    """Crawl the given registry rows into the store, with the crawler's own command in a child process.

    Incremental by the store's schedule unless ``full`` (see ``crawler.incremental``).

    The crawler runs Scrapy in a child (a fresh reactor per crawl, Scrapy's own signal handling); it
    is handed a registry of exactly the rows to visit, all marked active so candidates are walked too,
    at a fixed path so that an interrupted crawl resumes as the same job. Progress is read from the
    store's fetch log while the child works. Ctrl-C or SIGTERM (from the scheduler, systemd or kill)
    is passed on to the child as SIGTERM, which Scrapy handles as Ctrl-C and which no shell can have
    set to be ignored; it stops gracefully and then ends the run: the next run finishes what was left.
    A child that died without closing its run (killed, or a crash) leaves it ``running`` in the store;
    the store marks it ``interrupted`` here (its lock died with the child), as the next crawl would.
    """
    if not rows:
        return StageOutcome(counts={"portals": 0})
    registry = data.root / ".pipeline" / "crawl-portals.csv"
    write_rows(registry, [{**row, "status": "active", "family": row.get("family") or "auto"} for row in rows])
    command, job = crawl_command(data, registry=registry, browser=browser, full=full, settings=settings)
    log_path = data.root / ".pipeline" / "crawl.log"
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    with StoreReader(data) as store:
        start = store.mark()
        with log_path.open("wb") as log:
            child = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                while child.poll() is None:
                    _report_fetches(store, start.fetch_id, progress)
                    time.sleep(0.5)
            except KeyboardInterrupt:
                child.send_signal(signal.SIGTERM)
                child.wait()
                raise
            finally:
                _close_runs_left_open(data)
        requests = _report_fetches(store, start.fetch_id, progress)
    if child.returncode == BROKEN:
        # The crawler stops with BROKEN only when its store refused a write, and says so on its last
        # "Error:" line: the run ends on it as on any other storage fault.
        said = [line for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines()
                if line.startswith("Error: ")]
        raise StoreError(said[-1].removeprefix("Error: ") if said  # else the full disk took its log too
                         else f"cannot write the store at {data.store}: the crawler stopped on a refused write")
    if child.returncode:
        tail = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
        raise RuntimeError(f"crawler exited with status {child.returncode}: {' | '.join(tail)} (log: {log_path})")
    return StageOutcome(counts={"portals": len(rows), "requests": requests})


def full_walk_due(data: DataDir) -> bool:
    """Whether this run's crawl should be a full walk: the last one is a month old (or there was none)."""
    with StoreReader(data) as store:
        return store.full_walk_due()


def crawl_skips(data: DataDir, run_id: int) -> dict[str, dict[str, int]]:
    """Per portal, what the crawls after store run ``run_id`` left out (``archive.schedule.SKIP_REASONS``)."""
    with StoreReader(data) as store:
        return store.skipped_since(run_id)


def _close_runs_left_open(data: DataDir) -> None:
    """The child has exited: a run of its own still ``running`` was cut short (the next crawl resumes it).
    Its lock is free now, which is how the store tells it from another crawl's live run."""
    store = StoreWriter(data)
    try:
        store.reap_dead_runs()
    finally:
        store.close()


def _report_fetches(store: StoreReader, start: int, progress: Progress) -> int:
    count, last_url = store.fetch_progress(start)
    progress(count, None, last_url or "")
    return count


# -- samples ----------------------------------------------------------------------------------------------


def ingest_samples(data: DataDir, directory: Path = SAMPLES_DIR) -> StageOutcome:
    """Put the bundled sample reports into the store as documents of a ``samples`` portal.

    This is what the archive has to show before any crawl has run (or where no portal is reachable):
    the store is the one door into extraction, so the samples go through it like crawled documents.
    Adding them again changes nothing: a URL whose body is unchanged is not a new version.
    """
    store = StoreWriter(data)
    files = sorted(directory.glob("*.txt"))
    added = 0
    try:
        for path in files:
            added += store.add_document(
                f"nianbao:samples/{path.name}",
                path.read_bytes(),
                portal_id=SAMPLES_PORTAL,
                title=path.stem,
                filename=path.name,
                content_type="text/plain; charset=utf-8",
            )
    finally:
        store.close()
    return StageOutcome(counts={"samples": len(files), "added": added})


# -- extract and archive ----------------------------------------------------------------------------------


def extract(data: DataDir, progress: Progress = no_progress) -> StageOutcome:
    """Extract every stored document the current parser has not seen, then rebuild reports, checks, coverage.

    The archive's extraction also copies the registry into its portals table, so the candidates that
    discovery just added are in the archive (and on the site) after this stage.
    """
    result = run_extract(data)
    outcome = StageOutcome(
        counts={
            "documents": result.documents,
            "extracted": result.extracted,
            "failed": result.failed,
            "reports": result.reports,
        }
    )
    for doc_id, reason in result.failures[:5]:
        outcome.notes.append(f"document {doc_id} could not be extracted: {reason}")
    return outcome


class SnapshotDeferred(RuntimeError):
    """Today's snapshot exists already (one per date, never overwritten); the next day's run writes one."""


def snapshot(data: DataDir) -> str:
    """Write today's snapshot of the archive; return its name (its date)."""
    try:
        return write_snapshot(data, git_commit=current_commit()).name
    except SnapshotExists as exc:
        raise SnapshotDeferred(str(exc)) from exc


# -- reading reports for the URLs they mention ---------------------------------------------------------


def mentions(data: DataDir, document_ids: list[int]) -> Iterator[Mention]:
    """The portal URLs that the given stored documents mention.

    Read from the text the archive already extracted (cheap: one regex pass, the parser's own
    ``find_urls``); a document the archive holds no text for is parsed here instead.
    """
    if not document_ids:
        return
    regions = _portal_regions(data)
    texts: dict[int, tuple[str | None, int | None, str]] = {}
    archive = open_archive(data.archive_db)
    for start in range(0, len(document_ids), 500):
        chunk = document_ids[start : start + 500]
        for doc_id, organ, year, text in archive.execute(
            f"select id, organ, year, text from {TEXTS_SCHEMA}.full_texts where id in ({','.join('?' * len(chunk))})", chunk
        ).fetchall():
            texts[doc_id] = (organ, year, text or "")
    with StoreReader(data) as store:
        for doc in store.documents(ids=document_ids):
            if doc.id in texts:
                organ, year, text = texts[doc.id]
                urls = find_urls(text)
            else:
                try:
                    record = parse_bytes(doc.body(), filename=doc.filename)
                except Exception:  # noqa: BLE001 - a report nobody can read mentions nothing; extraction says why
                    continue
                organ, year, urls = record.organ, record.year, record.urls
            for mentioned in urls:
                yield Mention(url=mentioned, source=doc.url, organ=organ, region=regions.get(doc.portal_id or ""), year=year)


def _portal_regions(data: DataDir) -> dict[str, str]:
    if not data.registry.exists():
        return {}
    return {row.get("site_id", ""): row.get("region", "") for row in read_rows(data.registry)}


def sync_registry(data: DataDir) -> StageOutcome:
    """Copy the registry (with the candidates discovery just added) into the archive's portals table."""
    return StageOutcome(counts={"portals": sync_registry_into(open_archive(data.archive_db), data.registry)})


# -- family detection -------------------------------------------------------------------------------------


def detected_families(data: DataDir, site_ids: list[str]) -> dict[str, str]:
    """The CMS family the crawler recognised on each portal: the one its fetches name most often.

    The crawler records, with every fetch, the family whose adapter read it (detected from the page
    when the registry said ``auto``); ``generic`` is the fallback for sites of no known family.
    """
    with StoreReader(data) as store:
        return store.families(site_ids)
