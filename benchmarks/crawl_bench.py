"""Crawl throughput: a full farm crawl with politeness lifted, beside ``scrapy bench`` run in the same command.

    .venv/bin/python benchmarks/crawl_bench.py [--size full] [--seed 0] [--bench-seconds 15]

Steps: render the farm's attachments once (LibreOffice is the farm's cost, not the crawler's), run
``scrapy bench`` (plain Scrapy, outside our project), crawl every farm portal into a fresh store, then
crawl again (incremental: by the store's schedule, no document downloaded). Rates are responses per
second of Scrapy's own ``elapsed_time_seconds``, the measure ``scrapy bench`` reports, so the two
compare; requests are counted in the farm's access log. Issue 15's targets: the first crawl at 60% of
``scrapy bench``'s rate or better; the re-crawl at most 10% of the first's requests and time, with no
document downloaded. A second table says where each crawl's seconds go (process start-up before the
engine, the store's opening, the schedule's load, Playwright's and Chromium's start, rendering, the
engine's run, the shutdown after it, and the farm's own serving time), with the crawl process's CPU time
and the load average, since this machine is shared. Results print as tables and go to
benchmarks/results/crawl_bench.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from rich.console import Console
from rich.table import Table

from crawler.addon import LOCAL_FARM, UNTHROTTLED
from crawler.cli import crawl_command
from farm import content
from farm.server import FarmServer
from farm.world import World
from archive.paths import DataDir
from archive.store import StoreWriter

RESULTS = Path(__file__).with_name("results")


def scrapy_bench(seconds: int) -> dict[str, float]:
    """Scrapy's own benchmark, run where no project settings apply."""
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    with tempfile.TemporaryDirectory() as empty:
        done = subprocess.run([sys.executable, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}"],
                              cwd=empty, env=env, capture_output=True, text=True, timeout=seconds * 10 + 60)
    log = done.stderr
    responses = int(re.search(r"'response_received_count': (\d+)", log).group(1))
    elapsed = float(re.search(r"'elapsed_time_seconds': ([\d.]+)", log).group(1))
    return {"responses": responses, "elapsed_s": elapsed, "pages_per_s": responses / elapsed}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _seconds(later: str, earlier: datetime) -> float:
    """Seconds from ``earlier`` to a Scrapy stats timestamp (``2026-12-07 14:39:55.132952+00:00``)."""
    return (datetime.fromisoformat(later) - earlier).total_seconds()


def crawl(data: DataDir, registry: Path, farm: FarmServer) -> dict[str, float]:
    settings = tuple(f"{k}={v}" for k, v in {**UNTHROTTLED, **LOCAL_FARM, "LOG_LEVEL": "WARNING"}.items())
    command, job = crawl_command(data, registry=registry, settings=settings)
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    mark = farm.log.mark()
    cpu, load = _children_cpu(), os.getloadavg()[0]
    launched = datetime.now(UTC)
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    ended = datetime.now(UTC)
    cpu = _children_cpu() - cpu
    entries = farm.log.entries_since(mark)
    requests = len(entries)
    store = StoreWriter(data)
    try:
        run = next(store.db.query("select id, stats from runs where job = ? order by id desc limit 1", [job]))
        stats = json.loads(run["stats"])
        rows = store.summary(run["id"])
    finally:
        store.close()
    responses = stats.get("response_received_count", 0)
    elapsed = stats["elapsed_time_seconds"]
    serving = sum((datetime.fromisoformat(e.time) - datetime.fromisoformat(e.started)).total_seconds()
                  for e in entries if e.started)
    return {
        "responses": responses,
        "requests": requests,
        "elapsed_s": elapsed,
        "wall_s": wall,
        "cpu_s": cpu,
        "load_average": load,
        "pages_per_s": responses / elapsed,
        "downloaded": sum(r["downloaded"] or 0 for r in rows),
        "unchanged": sum(r["unchanged"] or 0 for r in rows),
        "reports_found": sum(r["reports_found"] or 0 for r in rows),
        "profile": {
            "process start-up (imports, settings, store check, reactor)": _seconds(stats["start_time"], launched),
            "store open (store.db, run row, WARC)": stats.get("nianbao/store/open_s", 0.0),
            "schedule load": stats.get("nianbao/schedule/load_s", 0.0),
            "Playwright driver start": stats.get("nianbao/browser/driver_start_s", 0.0),
            "Chromium launch": stats.get("nianbao/browser/launch_s", 0.0),
            f"rendering ({stats.get('nianbao/browser/renders', 0)} pages, summed)": stats.get("nianbao/browser/render_s", 0.0),
            "engine run (Scrapy elapsed_time_seconds)": elapsed,
            "shutdown after the engine": (ended - datetime.fromisoformat(stats["finish_time"])).total_seconds(),
            f"farm serving ({requests} requests, summed)": serving,
        },
        "robots_from_store": stats.get("nianbao/robots/cached", 0),
        "robots_asked": stats.get("robotstxt/request_count", 0) - stats.get("nianbao/robots/cached", 0),
    }


def found_paths(data: DataDir) -> dict[str, set[str]]:
    store = StoreWriter(data)
    try:
        out: dict[str, set[str]] = {}
        for row in store.db.query("select portal_id, url from documents where gone_on is null"):
            parts = urlsplit(row["url"])
            out.setdefault(row["portal_id"], set()).add(parts.path + (f"?{parts.query}" if parts.query else ""))
        return out
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="full", choices=["small", "full"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bench-seconds", type=int, default=15)
    args = parser.parse_args()
    console = Console()

    world = World(args.seed, args.size, slow_seconds=0)
    started = time.perf_counter()
    rendered = content.prewarm([a for p in world.portals.values() for a in p.articles.values()])
    console.print(f"farm: {len(world.portals)} portals, {rendered} attachments rendered in "
                  f"{time.perf_counter() - started:.1f}s")

    bench = scrapy_bench(args.bench_seconds)
    farm_started = time.perf_counter()
    with FarmServer(world) as farm, tempfile.TemporaryDirectory() as tmp:
        farm_start = time.perf_counter() - farm_started
        registry = Path(tmp) / "portals.csv"
        rows = farm.registry_rows()
        with registry.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        data = DataDir.resolve(Path(tmp) / "data").ensure()
        first = crawl(data, registry, farm)
        second = crawl(data, registry, farm)
        complete = found_paths(data) == {site: paths for site, paths in world.expected_paths().items() if paths}

    table = Table(title=f"crawl benchmark ({args.size} farm, seed {args.seed}, politeness lifted)")
    for column in ("run", "responses", "farm requests", "elapsed s", "pages/s", "documents downloaded"):
        table.add_column(column, justify="right")
    table.add_row("scrapy bench", str(bench["responses"]), "-", f"{bench['elapsed_s']:.1f}",
                  f"{bench['pages_per_s']:.1f}", "-")
    for name, result in (("first crawl", first), ("re-crawl", second)):
        table.add_row(name, str(result["responses"]), str(result["requests"]), f"{result['elapsed_s']:.1f}",
                      f"{result['pages_per_s']:.1f}", str(result["downloaded"]))
    console.print(table)
    console.print(f"every report the farm holds found, nothing else: {complete}")
    profile = Table(title=f"where the seconds go (the farm itself started in {farm_start:.2f}s, before both)")
    for column in ("step", "first crawl s", "re-crawl s"):
        profile.add_column(column, justify="right")
    for (step, one), two in zip(first["profile"].items(), second["profile"].values(), strict=True):
        profile.add_row(step, f"{one:.2f}", f"{two:.2f}")
    for name, key in (("process wall time", "wall_s"), ("process CPU time (crawler and its children)", "cpu_s"),
                      ("load average (1 min) at start", "load_average")):
        profile.add_row(name, f"{first[key]:.2f}", f"{second[key]:.2f}")
    for name, key in (("robots.txt answered from the store", "robots_from_store"),
                      ("robots.txt asked", "robots_asked")):
        profile.add_row(name, str(first[key]), str(second[key]))
    console.print(profile)
    ratio = first["pages_per_s"] / bench["pages_per_s"]
    requests_share = second["requests"] / first["requests"]
    time_share = second["elapsed_s"] / first["elapsed_s"]
    wall_share = second["wall_s"] / first["wall_s"]
    cpu_share = second["cpu_s"] / first["cpu_s"]
    figures = Table(title="issue 15's targets")
    for column in ("figure", "measured", "target"):
        figures.add_column(column, justify="right")
    figures.add_row("first crawl, share of scrapy bench's rate", f"{ratio:.0%}", ">= 60%")
    figures.add_row("re-crawl of the unchanged farm: requests", f"{requests_share:.1%}", "<= 10%")
    figures.add_row("re-crawl of the unchanged farm: time (Scrapy's elapsed)", f"{time_share:.0%}", "<= 10%")
    figures.add_row("  the same, process wall time (start-up included)", f"{wall_share:.0%}", "-")
    figures.add_row("  the same, process CPU time", f"{cpu_share:.0%}", "-")
    figures.add_row("re-crawl: documents downloaded", str(second["downloaded"]), "0")
    console.print(figures)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "crawl_bench.json").write_text(json.dumps(
        {"size": args.size, "seed": args.seed, "scrapy_bench": bench, "first": first, "incremental": second,
         "ratio_to_scrapy_bench": ratio, "recrawl_requests_share": requests_share, "recrawl_time_share": time_share,
         "recrawl_wall_share": wall_share, "recrawl_cpu_share": cpu_share, "farm_start_s": farm_start,
         "complete": complete}, indent=2))


if __name__ == "__main__":
    main()
