"""The farm's access log: one JSON object per request, so tests can assert what a crawler fetched.

The incremental-crawl proof ("a second crawl downloads no document again") reads this file: each line
says which portal and path, the status, the bytes sent, whether the request was conditional, and when it
was read and answered (so tests can count the requests under way at once).
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path


@dataclass
class AccessEntry:
    time: str
    site_id: str
    port: int
    scheme: str
    method: str
    path: str
    status: int
    bytes: int
    user_agent: str
    conditional: bool
    if_none_match: str | None
    if_modified_since: str | None
    started: str | None = None  # when the request was read: with ``time`` (its answer), how long it was under way


class AccessLog:
    def __init__(self, path: Path):
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._file = self.path.open("a", encoding="utf-8")

    def write(self, entry: AccessEntry) -> None:
        line = json.dumps(asdict(entry), ensure_ascii=False)
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()

    def entries(self) -> list[AccessEntry]:
        """Everything logged so far (this file may span several farm runs if the path was reused)."""
        with self._lock:
            self._file.flush()
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [AccessEntry(**json.loads(line)) for line in lines if line.strip()]

    def mark(self) -> int:
        """The number of entries so far: pass it to ``entries_since`` to see one crawl's requests only."""
        return len(self.entries())

    def entries_since(self, mark: int) -> list[AccessEntry]:
        return self.entries()[mark:]

    def close(self) -> None:
        with self._lock:
            self._file.close()


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")
