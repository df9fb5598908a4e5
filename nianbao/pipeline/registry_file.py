"""The portal registry as the pipeline edits it: CSV rows kept as plain strings, in order, column for column.

The crawler reads the registry into validated ``Portal`` objects; the pipeline only appends candidate
rows and records what a walk of a candidate found. Working on the rows themselves (not on objects)
keeps every value a person typed exactly as typed, so the file stays readable, editable and diffable,
and is rewritten atomically so a crash can never leave half a registry.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from pathlib import Path

from archive.registry import FIELDS  # one list of columns, so a rewrite keeps every column a person filled

# Rows the pipeline does not crawl: a person switched them off, or a walk found nothing there.
NOT_CRAWLED = {"disabled", "retired", "duplicate"}


def default_registry() -> Path | None:
    """The registry the crawler ships (real portal columns), if the crawler is installed."""
    try:
        from crawler import default_registry_path
    except ImportError:
        return None
    path = default_registry_path()
    return path if path.exists() else None


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [{key: (value or "").strip() for key, value in row.items() if key} for row in csv.DictReader(handle)]


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    """Write ``rows`` with the registry's columns, atomically (temp file + rename)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: row.get(name, "") for name in FIELDS})
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".portals-", suffix=".csv")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(buffer.getvalue())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ensure_registry(path: Path) -> bool:
    """Give a fresh data directory the shipped registry to start from; True when it was copied."""
    if path.exists():
        return False
    shipped = default_registry()
    if shipped is None:
        write_rows(path, [])
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shipped, path)
    return True


def crawlable(rows: list[dict[str, str]], only: set[str] | None = None) -> list[dict[str, str]]:
    """The rows a run walks: every row not switched off, or just the named ones."""
    chosen = [row for row in rows if (row.get("status") or "active") not in NOT_CRAWLED and row.get("start_url")]
    if only is not None:
        chosen = [row for row in chosen if row.get("site_id") in only]
    return chosen


def candidates_supported() -> bool:
    """Whether the crawler's registry loader accepts ``candidate`` rows (the archive reads the file with it).

    Until it does, writing candidates into the registry would make every later extraction fail, so
    discovery keeps them in a holding file beside it instead (see ``holding_path``).
    """
    try:
        from archive.registry import STATUSES
    except ImportError:
        return True
    return "candidate" in STATUSES


def holding_path(registry: Path) -> Path:
    """Where discovered candidates wait while the registry cannot hold them: DATA/candidates.csv."""
    return registry.with_name("candidates.csv")


def release_held(registry: Path, rows: list[dict[str, str]]) -> int:
    """Move held candidates into ``rows`` once the registry can hold them; returns how many moved."""
    held_file = holding_path(registry)
    if not held_file.exists() or not candidates_supported():
        return 0
    known = {row.get("site_id") for row in rows}
    moved = [row for row in read_rows(held_file) if row.get("site_id") not in known]
    rows.extend(moved)
    return len(moved)
