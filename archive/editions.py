"""Every published state of every report: first seen, corrected, silently changed, gone.

``archive.reports`` groups a report's documents into copies (a page and its attachments at one
version) and copies into editions (the same numbers are one edition). For people following the
archive the question is simpler: *what did the portal publish, and when did it change?* This module
walks each report's copies in the order they were first seen and keeps the ones that are news:

- ``first``: the first copy seen;
- ``corrected``: a copy with different numbers (a later edition: a corrected re-issue, at the same
  address or a new one);
- ``changed``: a new version at an address already seen, with the same numbers (the text or the file
  changed silently);
- ``gone``: every document of the report has disappeared from the portal.

A copy of an edition already seen at another address (the same report on the parent government's
column) is not news and is left out. Each change names the document before and after it and how many
cells and whether the text differ; the site's report page shows the differences in full, and the Atom
feed carries one entry per row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlite_utils

from archive import fts
from archive.db import insert_rows
from archive.items import item_rows
from archive.reports import best_reading, copy_key

SUMMARY_CHANGES = 5  # cell changes named in a row's summary; the report page lists them all
_CHUNK = 500


@dataclass
class _State:
    root: str
    version: int
    members: list[dict] = field(default_factory=list)

    @property
    def seen(self) -> str:
        return min(doc["first_seen"] or "" for doc in self.members)

    @property
    def edition(self) -> int:
        return min(doc["edition"] or 1 for doc in self.members)

    @property
    def document(self) -> dict:
        return best_reading(self.members) or min(self.members, key=lambda doc: doc["id"])


def rebuild(db: sqlite_utils.Database) -> int:
    """Replace ``editions``; returns its row count."""
    docs = list(
        db.query(
            """SELECT d.id, d.report_id, d.url, d.version, d.kind, d.parent_url, d.first_seen, d.gone_on,
                      d.edition, e.status, coalesce(e.cells, 0) AS cells
               FROM documents d LEFT JOIN extractions e ON e.document_id = d.id
               WHERE d.report_id IS NOT NULL ORDER BY d.report_id, d.id"""
        )
    )
    pages = {doc["url"] for doc in docs if doc["kind"] != "attachment"}
    by_report: dict[int, list[dict]] = defaultdict(list)
    for doc in docs:
        by_report[doc["report_id"]].append(doc)
    reports = {row["id"]: row for row in db.query("SELECT id, organ_id, organ, region, level, year FROM reports")}
    rows: list[dict] = []
    for report_id, members in by_report.items():
        if report_id in reports:
            rows += _report_rows(reports[report_id], members, pages)
    _describe_changes(db, rows)
    with db.atomic():
        db.execute("DELETE FROM editions")
        insert_rows(db, "editions", rows)
    return len(rows)


def _report_rows(report: dict, members: list[dict], pages: set[str]) -> list[dict]:
    states: dict[tuple[str, int], _State] = {}
    for doc in members:
        root, version = copy_key(doc, pages)
        states.setdefault((root, version), _State(root, version)).members.append(doc)
    ordered = sorted(states.values(), key=lambda state: (state.seen, state.root, state.version))
    shown: list[tuple[str, _State]] = []
    for state in ordered:
        if not shown:
            shown.append(("first", state))
            continue
        last = shown[-1][1]
        if state.edition > max(s.edition for _, s in shown):
            shown.append(("corrected", state))
        elif state.edition == last.edition and state.root in {s.root for _, s in shown}:
            shown.append(("changed", state))
    rows = []
    base = {key: report[key] for key in ("organ_id", "organ", "region", "level", "year")}
    for seq, (kind, state) in enumerate(shown, start=1):
        document = state.document
        previous = shown[seq - 2][1].document["id"] if seq > 1 else None
        rows.append({"report_id": report["id"], "seq": seq, "kind": kind, "edition": state.edition,
                     "document_id": document["id"], "previous_document_id": previous, "url": state.root,
                     "version": state.version, "seen": state.seen, **base,
                     "cells_changed": None, "text_changed": None, "summary": None})
    if all(doc["gone_on"] for doc in members):
        last_document = rows[-1]["document_id"]
        rows.append({**rows[-1], "seq": len(rows) + 1, "kind": "gone", "document_id": last_document,
                     "previous_document_id": last_document, "seen": max(doc["gone_on"] for doc in members),
                     "summary": "已从门户撤下 / removed from the portal"})
    return rows


def _describe_changes(db: sqlite_utils.Database, rows: list[dict]) -> None:
    """Fill ``cells_changed``, ``text_changed`` and ``summary`` of every corrected or changed row."""
    changes = [row for row in rows if row["kind"] in ("corrected", "changed")]
    ids = sorted({row[key] for row in changes for key in ("document_id", "previous_document_id")})
    cells: dict[int, dict[str, object]] = defaultdict(dict)
    texts: dict[int, str] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ", ".join("?" for _ in chunk)
        for document_id, cell_id, value in db.execute(
            f"SELECT document_id, cell_id, value FROM cell_values WHERE document_id IN ({marks})", chunk
        ):
            cells[document_id][cell_id] = value
        texts.update(db.execute(f"SELECT id, text FROM {fts.SCHEMA}.text_bodies WHERE id IN ({marks})", chunk).fetchall())
    labels = item_rows()
    for row in changes:
        before, after = cells[row["previous_document_id"]], cells[row["document_id"]]
        differing = [cell for cell in sorted(set(before) | set(after), key=_order(labels))
                     if before.get(cell) != after.get(cell)]
        row["cells_changed"] = len(differing)
        old_text, new_text = texts.get(row["previous_document_id"]), texts.get(row["document_id"])
        row["text_changed"] = None if old_text is None or new_text is None else int(old_text != new_text)
        named = [f"{labels[cell]['label_zh'] if cell in labels else cell}：{_shown(before.get(cell))} → "
                 f"{_shown(after.get(cell))}" for cell in differing[:SUMMARY_CHANGES]]
        more = len(differing) - len(named)
        text = "；".join(named) + (f"；另有 {more} 处" if more > 0 else "")
        if not differing:
            text = "数字未变，" + ("正文有改动 / numbers unchanged, text changed" if row["text_changed"]
                                  else "文件有改动 / numbers unchanged, file changed")
        row["summary"] = text


def _order(labels: dict[str, dict]):
    return lambda cell: (labels[cell]["sort_order"] if cell in labels else 10**6, cell)


def _shown(value: object) -> str:
    return "空" if value is None else str(value)
