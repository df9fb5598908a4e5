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
from crawler import default_registry_path

# Rows the pipeline does not crawl: a person switched them off, or a walk found nothing there.
NOT_CRAWLED = {"disabled", "retired", "duplicate"}


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
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(default_registry_path(), path)
    return True


def crawlable(rows: list[dict[str, str]], only: set[str] | None = None) -> list[dict[str, str]]:
    """The rows a run walks: every row not switched off, or just the named ones."""
    chosen = [row for row in rows if (row.get("status") or "active") not in NOT_CRAWLED and row.get("start_url")]
    if only is not None:
        chosen = [row for row in chosen if row.get("site_id") in only]
    return chosen
