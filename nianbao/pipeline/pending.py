"""What an unfinished run leaves for the next one: where the store stood when it started.

A run writes this file before it touches anything and deletes it only once its snapshot is written.
If the run dies in between (SIGKILL, power cut, a full disk), the next run finds the file, measures
its figures from that older mark, so nothing the dead run fetched goes unreported or unsnapshotted,
and then finishes the work: extraction and crawling resume by themselves (both are incremental).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from nianbao.pipeline.store_diff import StoreMark


@dataclass
class Pending:
    path: Path

    def load(self) -> tuple[int | None, StoreMark] | None:
        """(run id, store mark) left by an unfinished run, or None."""
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            mark = StoreMark(raw["run_id_store"], raw["document_id"], raw["fetch_id"], frozenset(raw["gone"]))
            return raw.get("run_id"), mark
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, run_id: int | None, mark: StoreMark) -> None:
        payload = {
            "run_id": run_id,
            "run_id_store": mark.run_id,
            "document_id": mark.document_id,
            "fetch_id": mark.fetch_id,
            "gone": sorted(mark.gone),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload), encoding="utf-8")
        os.replace(tmp, self.path)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
