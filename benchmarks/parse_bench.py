"""Accuracy and parse throughput, on one core: the generated corpus beside the real reports read by hand.

Run: ``.venv/bin/python benchmarks/parse_bench.py [--rounds N]``. Two corpora: the generated one the tests
prove right (``farm.render.corpus``: every layout × both templates × every encoding), and the real
reports of ../shared/corpus, scored by that folder's own ``score.py`` rules (when it is there). First
the cells each reads right, side by side; then throughput, text and HTML separately. Each kind is
parsed once to warm up, then ``--rounds`` times; the median round is reported. The process is pinned
to one CPU.
As a same-run baseline, the HTML bytes are also parsed by lxml.html alone (tree built and every ``<td>``
visited), the floor any HTML reader pays, so figures stay comparable across machines.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
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

REAL = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def real_cases() -> tuple[list[Case], dict[str, dict]]:
    """The real reports as benchmark cases (their expected record is the hand-read JSON, by file name)."""
    cases, wanted = [], {}
    for path in sorted(REAL.glob("*.expected.json")) if (REAL / "score.py").exists() else []:
        spec = json.loads(path.read_text(encoding="utf-8"))
        for name in spec["files"]:
            kind = "html" if name.endswith(".html") else "pdf" if name.endswith(".pdf") else "text"
            data = (REAL / name).read_bytes()
            cases.append(Case(name, kind, "real", "", False, False, None, None, data, name))  # type: ignore[arg-type]
            wanted[name] = spec
    return cases, wanted


def real_score(cases: Sequence[Case], wanted: dict[str, dict]) -> str:
    """Right / scored cells, wrong, invented and metadata, by ../shared/corpus/score.py's ``compare``."""
    loader = importlib.util.spec_from_file_location("corpus_score", REAL / "score.py")
    scorer = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(scorer)  # type: ignore[union-attr]
    right = wrong = missed = invented = meta_ok = meta_n = 0
    for case in cases:
        r, w, m, i, meta, _ = scorer.compare(parse_bytes(case.data, case.filename).to_json(), wanted[case.id])
        right, wrong, missed, invented = right + r, wrong + w, missed + m, invented + i
        meta_ok, meta_n = meta_ok + sum(ok for _, ok, _, _ in meta), meta_n + len(meta)
    scored = right + wrong + missed
    return (f"{right}/{scored} cells right ({right / scored:.1%}), {wrong} wrong, {invented} invented; "
            f"metadata {meta_ok}/{meta_n}")


def generated_score(cases: Sequence[Case]) -> str:
    """Cells equal to the record each generated report was printed from (less what its layout loses)."""
    right = total = 0
    for case in cases:
        got = parse_bytes(case.data, case.filename).cells
        total += len(case.expected.cells)
        right += sum(got.get(cell) == value for cell, value in case.expected.cells.items())
    return f"{right}/{total} cells right ({right / total:.1%})"


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
    real, wanted = real_cases()
    kinds = {
        "text": ([c for c in cases if c.kind == "text"], parse_bytes),
        "html": ([c for c in cases if c.kind == "html"], parse_bytes),
        "html, lxml.html only": ([c for c in cases if c.kind == "html"], lxml_only),
    }
    if real:
        kinds["real text"] = ([c for c in real if c.kind == "text"], parse_bytes)
        kinds["real html"] = ([c for c in real if c.kind == "html"], parse_bytes)
    print(f"parse benchmark: {len(cases)} generated reports, {len(real)} real ones, {args.rounds} rounds, {pinning}, "
          f"Python {sys.version.split()[0]}")
    print()
    print(f"generated corpus ({len(cases)} files): {generated_score(cases)}")
    if real:
        print(f"real corpus ({len(real)} files, ../shared/corpus): {real_score(real, wanted)}")
    else:
        print("real corpus: ../shared/corpus is not here")
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
