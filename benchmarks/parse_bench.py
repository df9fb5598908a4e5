"""Parse throughput over the generated corpus, on one core: text and HTML separately.

Run: ``.venv/bin/python benchmarks/parse_bench.py [--rounds N]``. The corpus is the one the tests prove
right (``farm.render.corpus``): every layout × both templates × every encoding. Each kind is parsed once
to warm up, then ``--rounds`` times; the median round is reported. The process is pinned to one CPU.
As a same-run baseline, the HTML bytes are also parsed by lxml.html alone (tree built and every ``<td>``
visited), the floor any HTML reader pays, so figures stay comparable across machines.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import lxml.html  # noqa: E402

from extract.parse import parse_bytes  # noqa: E402
from farm.render.corpus import Case, corpus_cases  # noqa: E402


def pin_to_one_core() -> str:
    """Run on one CPU, as the goal is stated per core; says which, or why not."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def time_rounds(
    work: Callable[[bytes, str], object], cases: Sequence[Case], rounds: int
) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds per round over all ``cases``, after one warm-up round.

    CPU time is reported beside wall time because the machine is shared: other processes stretch the
    wall clock, not the work this process does.
    """
    for case in cases:
        work(case.data, case.filename)
    wall, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        for case in cases:
            work(case.data, case.filename)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def parseable(cases: Sequence[Case]) -> tuple[list[Case], list[Case]]:
    """Cases the parser reads, and those it rejects (timed apart would flatter it: they fail fast)."""
    ok, rejected = [], []
    for case in cases:
        try:
            parse_bytes(case.data, case.filename)
        except Exception:  # noqa: BLE001 - any failure excludes the case from timing
            rejected.append(case)
        else:
            ok.append(case)
    return ok, rejected


def lxml_only(data: bytes, _filename: str) -> int:
    """The baseline: build the lxml.html tree and visit every cell, nothing else."""
    root = lxml.html.document_fromstring(data)
    return sum(1 for _ in root.iter("td"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per kind (median reported)")
    args = parser.parse_args(argv)
    pinning = pin_to_one_core()
    cases, rejected = parseable(corpus_cases())
    kinds = {
        "text": ([c for c in cases if c.kind == "text"], parse_bytes),
        "html": ([c for c in cases if c.kind == "html"], parse_bytes),
        "html, lxml.html only": ([c for c in cases if c.kind == "html"], lxml_only),
    }
    print(f"parse benchmark: {len(cases)} generated reports, {args.rounds} rounds, {pinning}, Python {sys.version.split()[0]}")
    print()
    header = (
        f"{'kind':<22} {'reports':>7} {'avg KB':>7} {'ms/report':>10} {'reports/s':>10} {'best/s':>8} {'CPU/s':>8}"
    )
    print(header)
    print("-" * len(header))
    for name, (subset, work) in kinds.items():
        wall, cpu = time_rounds(work, subset, args.rounds)
        median, best, cpu_median = statistics.median(wall), min(wall), statistics.median(cpu)
        avg_kb = sum(len(c.data) for c in subset) / len(subset) / 1024
        print(
            f"{name:<22} {len(subset):>7} {avg_kb:>7.1f} {1000 * median / len(subset):>10.2f} "
            f"{len(subset) / median:>10.0f} {len(subset) / best:>8.0f} {len(subset) / cpu_median:>8.0f}"
        )
    print()
    if rejected:
        names = sorted({f"{c.kind}/{c.encoding}" for c in rejected})
        print(f"Not timed: {len(rejected)} reports the parser rejects ({', '.join(names)}).")
    print("reports/s: median round, wall clock; best/s: fastest round; CPU/s: median round, this process's CPU time.")
    print(f"Load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: other work on the machine lowers the wall figures.")
    print("Goal: at least 200 reports/s for text and for HTML (issue 2).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
