"""Workers of a shared crawl (issue 14) open a new store at the same moment: every one of them gets it."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from archive.paths import DataDir
from archive.store import open_store_db

WORKERS, ROUNDS = 4, 6


def _open_together(root: str, barrier, failures) -> None:
    barrier.wait(timeout=60)
    try:
        open_store_db(DataDir.resolve(Path(root))).close()
    except Exception as error:  # reported to the test, which names it
        failures.put(f"{type(error).__name__}: {error}")


@pytest.mark.timeout(180)
def test_processes_opening_a_new_store_at_once_all_get_it(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    failures = context.Queue()
    for round_ in range(ROUNDS):
        barrier = context.Barrier(WORKERS)
        root = tmp_path / f"data{round_}"
        processes = [context.Process(target=_open_together, args=(str(root), barrier, failures))
                     for _ in range(WORKERS)]
        for process in processes:
            process.start()
        for process in processes:
            process.join(timeout=120)
            assert process.exitcode == 0
    seen = []
    while not failures.empty():
        seen.append(failures.get(timeout=5))
    assert seen == []
