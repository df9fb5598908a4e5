"""The other stages, each behind one small function with one calling shape.

The crawler, the archive and the parser are built by other people in other packages; the pipeline
calls their public Python functions, never their internals (the crawler's own ``crawl_command`` is
what starts Scrapy in a child process, as ``nianbao crawl`` does). Each adapter here raises
``StageMissing`` when the stage it needs is not installed, so a run does as much as exists and its
report says exactly what was missing.
"""

from __future__ import annotations

import importlib
import inspect
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlite_utils

from archive.paths import DataDir
from nianbao.pipeline.discovery import Mention
from archive.faults import BROKEN
from archive.store import BlobStore, StoreError, StoreWriter, open_store_db

SAMPLES_PORTAL = "samples"
SAMPLES_DIR = Path(__file__).resolve().parents[1] / "samples"

Progress = Callable[[int, int | None, str], None]  # (done, total or None, what) -> None


def no_progress(done: int, total: int | None, what: str) -> None:
    """The progress callback of a quiet run."""


class StageMissing(RuntimeError):
    """A stage the pipeline needs is not installed; the message names the function it looked for."""


def _function(candidates: Iterable[str]) -> Callable[..., Any]:
    """The first ``module:function`` of ``candidates`` that exists, else ``StageMissing`` naming them all."""
    tried = []
    for spec in candidates:
        module_name, _, name = spec.partition(":")
        tried.append(spec)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
                continue
            raise
        found = getattr(module, name, None)
        if callable(found):
            return found
    raise StageMissing("not installed: " + " or ".join(tried))


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
    settings: tuple[str, ...] = (),
) -> StageOutcome:
    """Crawl the given registry rows into the store, with the crawler's own command in a child process.

    The crawler runs Scrapy in a child (a fresh reactor per crawl, Scrapy's own signal handling); it
    is handed a registry of exactly the rows to visit, all marked active so candidates are walked too,
    at a fixed path so that an interrupted crawl resumes as the same job. Progress is read from the
    store's fetch log while the child works. Ctrl-C or SIGTERM (from the scheduler, systemd or kill)
    is passed on to the child as SIGTERM, which Scrapy handles as Ctrl-C and which no shell can have
    set to be ignored; it stops gracefully and then ends the run: the next run finishes what was left.
    A child that died without closing its run (killed, or a crash) leaves it ``running`` in the store;
    the store marks it ``interrupted`` here (its lock died with the child), as the next crawl would.
    """
    try:
        from crawler.cli import crawl_command
    except ImportError as exc:
        raise StageMissing(f"not installed: crawler.cli:crawl_command ({exc})") from exc
    if not rows:
        return StageOutcome(counts={"portals": 0})
    from nianbao.pipeline.registry_file import write_rows

    registry = data.root / ".pipeline" / "crawl-portals.csv"
    write_rows(registry, [{**row, "status": "active", "family": row.get("family") or "auto"} for row in rows])
    command, job = crawl_command(data, registry=registry, browser=browser, settings=settings)
    log_path = data.root / ".pipeline" / "crawl.log"
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    db = open_store_db(data)
    start = int(db.execute("select coalesce(max(id), 0) from fetches").fetchone()[0])
    with log_path.open("wb") as log:
        child = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            while child.poll() is None:
                _report_fetches(db, start, progress)
                time.sleep(0.5)
        except KeyboardInterrupt:
            child.send_signal(signal.SIGTERM)
            child.wait()
            raise
        finally:
            _close_runs_left_open(data)
    _report_fetches(db, start, progress)
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
    return StageOutcome(counts={"portals": len(rows), "requests": _fetches_since(db, start)})


def _close_runs_left_open(data: DataDir) -> None:
    """The child has exited: a run of its own still ``running`` was cut short (the next crawl resumes it).
    Its lock is free now, which is how the store tells it from another crawl's live run."""
    store = StoreWriter(data)
    try:
        store.reap_dead_runs()
    finally:
        store.close()


def _fetches_since(db: Any, start: int) -> int:
    return int(db.execute("select count(*) from fetches where id > ?", [start]).fetchone()[0])


def _report_fetches(db: Any, start: int, progress: Progress) -> None:
    last = db.execute("select url from fetches where id > ? order by id desc limit 1", [start]).fetchone()
    progress(_fetches_since(db, start), None, last[0] if last else "")


def _counts(result: Any) -> dict[str, int]:
    """Integer figures from whatever summary a stage returned (a dict or a dataclass)."""
    if result is None:
        return {}
    items = result.items() if isinstance(result, dict) else vars(result).items() if hasattr(result, "__dict__") else ()
    return {key: value for key, value in items if isinstance(value, int) and not isinstance(value, bool)}


# -- samples ----------------------------------------------------------------------------------------------


def ingest_samples(data: DataDir, directory: Path = SAMPLES_DIR) -> StageOutcome:
    """Put the bundled sample reports into the store as documents of a ``samples`` portal.

    This is what the archive has to show before any crawl has run (or where no portal is reachable):
    the store is the one door into extraction, so the samples go through it like crawled documents.
    Adding them again changes nothing: a URL whose body is unchanged is not a new version.
    """
    db = open_store_db(data)
    blobs = BlobStore(data.blobs)
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    added = 0
    files = sorted(directory.glob("*.txt"))
    for path in files:
        body = path.read_bytes()
        digest = blobs.put(body)
        url = f"nianbao:samples/{path.name}"
        latest = db.execute(
            "select version, sha256 from documents where url = ? order by version desc limit 1", [url]
        ).fetchone()
        if latest and latest[1] == digest:
            db.execute("update documents set last_seen = ? where url = ? and version = ?", [now, url, latest[0]])
            continue
        db["documents"].insert(
            {
                "url": url,
                "version": (latest[0] + 1) if latest else 1,
                "sha256": digest,
                "portal_id": SAMPLES_PORTAL,
                "kind": "page",
                "title": path.stem,
                "filename": path.name,
                "content_type": "text/plain; charset=utf-8",
                "size": len(body),
                "first_seen": now,
                "last_seen": now,
            }
        )
        added += 1
    db.conn.commit()
    return StageOutcome(counts={"samples": len(files), "added": added})


# -- extract and archive ----------------------------------------------------------------------------------

EXTRACT_FUNCTIONS = ("archive.extract_stage:run_extract",)


def extract(data: DataDir, progress: Progress = no_progress) -> StageOutcome:
    """Extract every stored document the current parser has not seen, then rebuild reports, checks, coverage.

    The archive's extraction also copies the registry into its portals table, so the candidates that
    discovery just added are in the archive (and on the site) after this stage.
    """
    function = _function(EXTRACT_FUNCTIONS)
    kwargs = {"progress": progress} if "progress" in inspect.signature(function).parameters else {}
    result = function(data, **kwargs)
    outcome = StageOutcome(counts=_counts(result))
    for doc_id, reason in list(getattr(result, "failures", []))[:5]:
        outcome.notes.append(f"document {doc_id} could not be extracted: {reason}")
    return outcome


class SnapshotDeferred(RuntimeError):
    """Today's snapshot exists already (one per date, never overwritten); the next day's run writes one."""


def snapshot(data: DataDir) -> str:
    """Write today's snapshot of the archive; return its name (its date)."""
    function = _function(("archive.snapshot:write_snapshot",))
    from archive.snapshot import SnapshotExists

    from archive.snapshot import current_commit as git_commit

    try:
        result = function(data, git_commit=git_commit())
    except SnapshotExists as exc:
        raise SnapshotDeferred(str(exc)) from exc
    return str(getattr(result, "name", result))


# -- reading reports for the URLs they mention ---------------------------------------------------------


def mentions(data: DataDir, document_ids: list[int]) -> Iterator[Mention]:
    """The portal URLs that the given stored documents mention.

    Read from the text the archive already extracted (cheap: one regex pass, the parser's own
    ``find_urls``); a document the archive holds no text for is parsed here instead.
    """
    if not document_ids:
        return
    find_urls = _function(("extract.fields:find_urls",))
    regions = _portal_regions(data)
    texts: dict[int, tuple[str | None, int | None, str]] = {}
    if data.texts_db.exists():
        archive = sqlite_utils.Database(data.texts_db)
        if "texts" in archive.table_names():
            for chunk in _chunks(document_ids, 500):
                marks = ",".join("?" * len(chunk))
                for doc_id, organ, year, text in archive.execute(
                    f"select id, organ, year, text from texts where id in ({marks})", chunk
                ).fetchall():
                    texts[doc_id] = (organ, year, text or "")
    store = open_store_db(data)
    blobs = BlobStore(data.blobs)
    for chunk in _chunks(document_ids, 500):
        marks = ",".join("?" * len(chunk))
        for doc_id, url, digest, portal_id, filename in store.execute(
            f"select id, url, sha256, portal_id, filename from documents where id in ({marks})", chunk
        ).fetchall():
            if doc_id in texts:
                organ, year, text = texts[doc_id]
                urls = find_urls(text)
            else:
                try:
                    record = _function(("extract.parse:parse_bytes",))(blobs.get(digest), filename=filename)
                except Exception:  # noqa: BLE001 - a report nobody can read mentions nothing; extraction says why
                    continue
                organ, year, urls = record.organ, record.year, record.urls
            for mentioned in urls:
                yield Mention(url=mentioned, source=url, organ=organ, region=regions.get(portal_id or ""), year=year)


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _portal_regions(data: DataDir) -> dict[str, str]:
    from nianbao.pipeline.registry_file import read_rows

    if not data.registry.exists():
        return {}
    return {row.get("site_id", ""): row.get("region", "") for row in read_rows(data.registry)}


def sync_registry(data: DataDir) -> StageOutcome:
    """Copy the registry (with the candidates discovery just added) into the archive's portals table."""
    function = _function(("archive.sources:sync_registry",))
    from archive.db import open_archive

    return StageOutcome(counts={"portals": int(function(open_archive(data.archive_db), data.registry))})


# -- family detection -------------------------------------------------------------------------------------


def detected_families(data: DataDir, site_ids: list[str]) -> dict[str, str]:
    """The CMS family the crawler recognised on each portal: the one its fetches name most often.

    The crawler records, with every fetch, the family whose adapter read it (detected from the page
    when the registry said ``auto``); ``generic`` is the fallback for sites of no known family.
    """
    if not site_ids:
        return {}
    db = open_store_db(data)
    if "family" not in db["fetches"].columns_dict:
        return {}
    marks = ",".join("?" * len(site_ids))
    found: dict[str, str] = {}
    for site_id, family, _ in db.execute(
        f"select portal_id, family, count(*) as n from fetches where portal_id in ({marks}) "
        "and family is not null and family != 'auto' group by portal_id, family order by portal_id, n desc",
        site_ids,
    ).fetchall():
        found.setdefault(site_id, family)
    return found
