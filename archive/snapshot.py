"""``nianbao snapshot``: a dated, never-overwritten, citable copy of the archive and its exports.

Layout under ``DATA/snapshots/``::

    2026-11-22/                       one folder per snapshot, built under a temporary name and renamed
        nianbao-2026-11-22.db          the research database: VACUUM INTO copy, ANALYZEd, journal_mode=DELETE
        nianbao-texts-2026-11-22.db    the texts and their search index, the same way (``archive.fts``)
        csv/<table>.csv, parquet/<table>.parquet   the tables (cells and checks readable: cell_values,
                                       check_results) and the texts, for people who do not use SQLite;
                                       CSV in UTF-8 with a BOM, which Excel needs to read Chinese
        inspect.json                   table counts and hashes, so Datasette does not count at start-up
        README.md                      which file to take, how to check and cite, the data dictionary
        CITATION.txt, citation.bib, citation.json   the citation as text, BibTeX and CSL-JSON
        SHA256SUMS                     ``sha256sum -c SHA256SUMS`` checks every file above
        manifest.json                  date, schema and parser versions, commit, files, row counts,
                                       coverage, changes since the previous snapshot
    nianbao.db -> 2026-11-22/nianbao-2026-11-22.db   the stable names the site serves (routes /nianbao
    nianbao-texts.db -> 2026-11-22/nianbao-texts-2026-11-22.db                and /nianbao-texts)
    latest.json                        names the newest snapshot

A row for the snapshot goes into the archive's ``snapshots`` table before the copy is taken (so each
snapshot lists itself and every earlier one, and its row counts count itself); its file hash is added
to the archive afterwards, since a file cannot contain its own hash.

One snapshot is written at a time (``DATA/snapshot.lock``): two at once would pick the same date and
share one ``.partial`` folder. A snapshot that fails (a full disk) removes its ``.partial`` folder and
its row, so nothing of it remains for a later snapshot or the site to take for a snapshot.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import sqlite_utils

from archive import coverage, fts, publication
from archive.db import open_archive, row_counts, schema_version
from archive.lock import RunLock
from archive.paths import ARCHIVE_NAME, TEXTS_NAME, DataDir

STABLE_NAME = f"{ARCHIVE_NAME}.db"
TEXTS_STABLE_NAME = f"{TEXTS_NAME}.db"
_BATCH = 50_000
_BOM = "\ufeff".encode()
# What is exported as CSV and Parquet (file name -> table or view), from the research database, then
# from the texts file. Cells and checks are exported readable, with their cell ids and rule names.
EXPORTS: dict[str, str] = {name: name for name in (
    "reports", "organs", "portals", "documents", "cell_values", "items", "check_results", "rules",
    "sec2", "sec3", "sec4", "totals", "coverage",
)}
TEXT_EXPORTS: dict[str, str] = {"texts": "full_texts"}  # with each body, as one table


class SnapshotExists(Exception):
    """A snapshot of that date exists: snapshots are never overwritten."""


@dataclass(frozen=True)
class Snapshot:
    date: str
    path: Path  # the dated folder
    db_file: Path
    manifest: dict[str, Any]

    @property
    def name(self) -> str:
        return self.date


def current_commit() -> str | None:
    """The commit of the running code, so a run row says exactly which code produced it."""
    root = Path(__file__).resolve().parents[1]
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None


def snapshot_lock(data: DataDir) -> RunLock:
    return RunLock(data.root / "snapshot.lock", purpose="snapshot")


def write_snapshot(
    data: DataDir,
    *,
    date: str | None = None,
    git_commit: str | None = None,
    site_url: str | None = None,
    wait: float = 0.0,
) -> Snapshot:
    """Write a snapshot and point the stable names at it.

    Snapshots are named by their date (UTC): ``2026-01-31``. A later snapshot of the same day, when the
    date was not given, is ``2026-01-31.2``, ``.3`` …: never overwritten, and every changing run of a
    busy day keeps its own. An explicit ``date`` that exists is refused. ``site_url`` is the public
    address its citations give (``archive.publication.site_url``). Another snapshot being written is
    waited for up to ``wait`` seconds, then ``archive.lock.LockHeld`` is raised.
    """
    data.snapshots.mkdir(parents=True, exist_ok=True)
    lock = snapshot_lock(data)
    lock.acquire(wait=wait)
    try:
        return _write_locked(data, date, git_commit, site_url)
    finally:
        lock.release()


def _write_locked(data: DataDir, date: str | None, git_commit: str | None, site_url: str | None) -> Snapshot:
    if date is not None:
        dt.date.fromisoformat(date)  # a malformed date must not become a folder name
        if (data.snapshots / date).exists():
            raise SnapshotExists(f"snapshot {date} exists at {data.snapshots / date}; snapshots are never overwritten")
    else:
        day = dt.datetime.now(dt.UTC).date().isoformat()
        date, sequence = day, 2
        while (data.snapshots / date).exists():
            date, sequence = f"{day}.{sequence}", sequence + 1
    final = data.snapshots / date
    if git_commit is None:
        git_commit = current_commit()
    building = data.snapshots / f".{date}.partial"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir()
    archive = open_archive(data.archive_db)
    try:
        return _build(data, archive, date, building, final, git_commit, site_url)
    except BaseException:
        if not final.exists():  # failed before the folder took its name: nothing of it may remain
            shutil.rmtree(building, ignore_errors=True)
            try:
                archive.execute("DELETE FROM snapshots WHERE date = ?", [date])
            except sqlite3.Error:
                pass  # the archive cannot be written either; a row without a hash is no snapshot
        raise


def _build(
    data: DataDir,
    archive: sqlite_utils.Database,
    date: str,
    building: Path,
    final: Path,
    git_commit: str | None,
    site_url: str | None,
) -> Snapshot:
    fts.optimize(archive)
    previous = latest_manifest(data.snapshots)
    db_name, texts_name = f"{ARCHIVE_NAME}-{date}.db", f"{TEXTS_NAME}-{date}.db"
    record: dict[str, Any] = {
        "date": date,
        "file": db_name,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "schema_version": schema_version(archive),
        "parser_version": _parser_versions(archive),
        "git_commit": git_commit,
        "coverage": coverage.summary(archive),
    }
    with archive.atomic():  # a row left by an interrupted attempt at this date is replaced
        archive.execute("DELETE FROM snapshots WHERE date = ?", [date])
        archive["snapshots"].insert(_json_columns(record))
        record["row_counts"] = counts = row_counts(archive)  # the snapshots table counts this one
        record["changes"] = _changes(archive, previous, data.snapshots, counts)
        archive["snapshots"].update(
            archive.execute("SELECT id FROM snapshots WHERE date = ?", [date]).fetchone()[0],
            _json_columns({"row_counts": record["row_counts"], "changes": record["changes"]}),
        )
    db_file, texts_file = building / db_name, building / texts_name
    archive.execute("VACUUM INTO ?", [str(db_file)])
    archive.execute(f"VACUUM {fts.SCHEMA} INTO ?", [str(texts_file)])
    for path in (db_file, texts_file):
        _finish_copy(path)

    files = [db_file, texts_file, *_export_tables(db_file, building, EXPORTS),
             *_export_tables(texts_file, building, TEXT_EXPORTS)]
    files.append(write_inspect({ARCHIVE_NAME: db_file, TEXTS_NAME: texts_file}, building))
    sums = {path.relative_to(building).as_posix(): _sha256(path) for path in files}
    manifest = {
        **record,
        "texts_file": texts_name,
        "db_sha256": sums[db_name],
        "sqlite_version": sqlite3.sqlite_version,
        "sqlite_utils_version": importlib.metadata.version("sqlite-utils"),
        "licence": publication.LICENCE,
        "url": publication.snapshot_url(publication.site_url(site_url), date),
        "files": _file_entries(building, sums),
    }
    base = publication.site_url(site_url)
    written = publication.citation(manifest, base)
    written["README.md"] = publication.readme(manifest, base, {**EXPORTS, **TEXT_EXPORTS})
    for name, content in written.items():
        (building / name).write_text(content, encoding="utf-8")
        sums[name] = _sha256(building / name)
    (building / "SHA256SUMS").write_text("".join(f"{digest}  {name}\n" for name, digest in sums.items()))
    manifest["files"] = _file_entries(building, sums)
    (building / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    building.rename(final)
    _point_stable_names(data.snapshots, date, db_name, texts_name)
    archive.execute(
        "UPDATE snapshots SET sha256 = ?, bytes = ? WHERE date = ?", [sums[db_name], (final / db_name).stat().st_size, date]
    )
    return Snapshot(date=date, path=final, db_file=final / db_name, manifest=manifest)


def _file_entries(folder: Path, sums: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"name": name, "bytes": (folder / name).stat().st_size, "sha256": digest, "kind": _kind(name)}
        for name, digest in sums.items()
    ]


def _parser_versions(db: sqlite_utils.Database) -> str | None:
    versions = [row[0] for row in db.execute("SELECT DISTINCT parser_version FROM extractions ORDER BY 1")]
    return ",".join(versions) or None


def _json_columns(record: dict[str, Any]) -> dict[str, Any]:
    return {key: json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else value for key, value in record.items()}


def _finish_copy(path: Path) -> None:
    """Statistics for the query planner, and one self-contained file (no -wal beside it)."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("ANALYZE")
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.commit()
    finally:
        conn.close()


def _export_tables(db_file: Path, folder: Path, exports: dict[str, str]) -> list[Path]:
    """CSV (UTF-8 with a BOM) and Parquet of each table or view, streamed in batches so memory stays flat."""
    (folder / "csv").mkdir(exist_ok=True)
    (folder / "parquet").mkdir(exist_ok=True)
    written = []
    conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        for name, source in exports.items():
            schema = _arrow_schema(conn, source)
            csv_path, parquet_path = folder / "csv" / f"{name}.csv", folder / "parquet" / f"{name}.parquet"
            cursor = conn.execute(f"SELECT {', '.join(f'[{column}]' for column in schema.names)} FROM [{source}]")
            with csv_path.open("wb") as handle:
                handle.write(_BOM)
                with pa_csv.CSVWriter(handle, schema) as csv_writer, pq.ParquetWriter(parquet_path, schema) as parquet:
                    while rows := cursor.fetchmany(_BATCH):
                        batch = pa.RecordBatch.from_arrays(
                            [pa.array(column, type=field.type) for column, field in zip(zip(*rows), schema)],
                            schema=schema,
                        )
                        csv_writer.write_batch(batch)
                        parquet.write_batch(batch)
            written += [csv_path, parquet_path]
    finally:
        conn.close()
    return written


# Declared SQLite types -> Arrow types. NUMERIC holds counts and decimals (万元) alike, so it is float64.
_ARROW_TYPES = {"INTEGER": pa.int64(), "REAL": pa.float64(), "NUMERIC": pa.float64(), "TEXT": pa.string()}


def _arrow_schema(conn: sqlite3.Connection, table: str) -> pa.Schema:
    columns = conn.execute(f"PRAGMA table_info([{table}])").fetchall()
    return pa.schema([(name, _ARROW_TYPES.get(kind.upper(), pa.string())) for _, name, kind, *_ in columns])


def write_inspect(files: dict[str, Path], folder: Path) -> Path:
    """What ``datasette inspect`` writes, keyed by the route the site serves each file under."""
    inspect = {}
    for route, db_file in files.items():
        conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
        try:
            tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            counts = {table: {"count": conn.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]} for table in tables}
        finally:
            conn.close()
        inspect[route] = {"hash": _sha256(db_file), "size": db_file.stat().st_size, "file": f"{route}.db", "tables": counts}
    path = folder / "inspect.json"
    path.write_text(json.dumps(inspect, indent=2))
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _kind(name: str) -> str:
    special = {"inspect.json": "datasette-inspect", "citation.json": "csl-json", "citation.bib": "bibtex",
               "CITATION.txt": "citation", "README.md": "readme"}
    if name in special:
        return special[name]
    return {"db": "sqlite", "csv": "csv", "parquet": "parquet"}[name.rsplit(".", 1)[1]]


def _point_stable_names(snapshots: Path, date: str, db_name: str, texts_name: str) -> None:
    """Swap the stable symlinks and latest.json atomically, so the site never sees a half-updated name.

    The texts name moves first: a site started between the two swaps serves the new texts beside the
    old archive, whose reports they still describe, never an archive whose texts are missing.
    """
    for stable, name in ((TEXTS_STABLE_NAME, texts_name), (STABLE_NAME, db_name)):
        link = snapshots / stable
        temporary = snapshots / f".{stable}.new"
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(f"{date}/{name}")
        os.replace(temporary, link)
    latest = snapshots / ".latest.json.new"
    latest.write_text(json.dumps({"date": date, "file": f"{date}/{db_name}", "texts_file": f"{date}/{texts_name}"}) + "\n")
    os.replace(latest, snapshots / "latest.json")


def list_snapshots(snapshots: Path) -> list[dict[str, Any]]:
    """Every snapshot's manifest, newest first (what /downloads lists)."""
    if not snapshots.is_dir():
        return []
    manifests = [json.loads(path.read_text()) for path in snapshots.glob("*/manifest.json")]
    return sorted(manifests, key=_snapshot_order, reverse=True)


def _snapshot_order(manifest: dict[str, Any]) -> tuple[str, int]:
    """``2026-01-31.10`` after ``2026-01-31.9`` after ``2026-01-31``."""
    day, _, sequence = manifest["date"].partition(".")
    return day, int(sequence or 1)


def latest_manifest(snapshots: Path) -> dict[str, Any] | None:
    found = list_snapshots(snapshots)
    return found[0] if found else None


def latest_folder(snapshots: Path) -> Path | None:
    manifest = latest_manifest(snapshots)
    return snapshots / manifest["date"] if manifest else None


def _changes(
    db: sqlite_utils.Database, previous: dict[str, Any] | None, snapshots: Path, counts: dict[str, int]
) -> dict[str, Any]:
    """What changed since the previous snapshot: row counts, and reports added, removed or re-read."""
    if previous is None:
        return {"previous": None}
    before = {}
    old_file = snapshots / previous["date"] / previous["file"]
    if old_file.exists():
        old = sqlite3.connect(f"file:{old_file}?mode=ro", uri=True)
        try:
            before = dict(old.execute(_REPORT_KEYS).fetchall())
        finally:
            old.close()
    now = dict(db.execute(_REPORT_KEYS).fetchall())
    return {
        "previous": previous["date"],
        "rows": {table: counts[table] - previous["row_counts"].get(table, 0) for table in counts},
        "reports_added": len(now.keys() - before.keys()),
        "reports_removed": len(before.keys() - now.keys()),
        "reports_changed": sum(1 for key in now.keys() & before.keys() if now[key] != before[key]),
    }


# A report is the same report when organ and year match; it changed when its primary document did.
_REPORT_KEYS = """SELECT r.organ || '|' || r.year, d.sha256 FROM reports r
                  LEFT JOIN documents d ON d.id = r.primary_document_id"""
