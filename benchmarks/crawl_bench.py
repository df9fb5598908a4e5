"""Crawl throughput: a full farm crawl with politeness lifted, beside ``scrapy bench`` run in the same command.

    .venv/bin/python benchmarks/crawl_bench.py [--size full] [--seed 0] [--bench-seconds 15]

Steps: render the farm's attachments once (LibreOffice is the farm's cost, not the crawler's), run
``scrapy bench`` (plain Scrapy, outside our project), crawl every farm portal into a fresh store, then
crawl again (incremental: conditional requests, no document downloaded). Rates are responses per second
of Scrapy's own ``elapsed_time_seconds``, the measure ``scrapy bench`` reports, so the two compare.
Results print as a table and go to benchmarks/results/crawl_bench.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
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


def crawl(data: DataDir, registry: Path) -> dict[str, float]:
    settings = tuple(f"{k}={v}" for k, v in {**UNTHROTTLED, **LOCAL_FARM, "LOG_LEVEL": "WARNING"}.items())
    command, job = crawl_command(data, registry=registry, settings=settings)
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    store = StoreWriter(data)
    try:
        run = next(store.db.query("select id, stats from runs where job = ? order by id desc limit 1", [job]))
        stats = json.loads(run["stats"])
        rows = store.summary(run["id"])
    finally:
        store.close()
    responses = stats.get("response_received_count", 0)
    elapsed = stats["elapsed_time_seconds"]
    return {
        "responses": responses,
        "elapsed_s": elapsed,
        "wall_s": wall,
        "pages_per_s": responses / elapsed,
        "downloaded": sum(r["downloaded"] or 0 for r in rows),
        "unchanged": sum(r["unchanged"] or 0 for r in rows),
        "reports_found": sum(r["reports_found"] or 0 for r in rows),
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
    with FarmServer(world) as farm, tempfile.TemporaryDirectory() as tmp:
        registry = Path(tmp) / "portals.csv"
        rows = farm.registry_rows()
        with registry.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        data = DataDir.resolve(Path(tmp) / "data").ensure()
        first = crawl(data, registry)
        second = crawl(data, registry)
        complete = found_paths(data) == {site: paths for site, paths in world.expected_paths().items() if paths}

    table = Table(title=f"crawl benchmark ({args.size} farm, seed {args.seed}, politeness lifted)")
    for column in ("run", "responses", "elapsed s", "pages/s", "documents downloaded", "unchanged"):
        table.add_column(column, justify="right")
    table.add_row("scrapy bench", str(bench["responses"]), f"{bench['elapsed_s']:.1f}", f"{bench['pages_per_s']:.1f}",
                  "-", "-")
    for name, result in (("first crawl", first), ("incremental", second)):
        table.add_row(name, str(result["responses"]), f"{result['elapsed_s']:.1f}", f"{result['pages_per_s']:.1f}",
                      str(result["downloaded"]), str(result["unchanged"]))
    console.print(table)
    console.print(f"every report the farm holds found, nothing else: {complete}")
    ratio = first["pages_per_s"] / bench["pages_per_s"]
    console.print(f"first crawl at {ratio:.0%} of scrapy bench's rate (aim: at least 50%); incremental crawl took "
                  f"{second['elapsed_s'] / first['elapsed_s']:.0%} of the first's time")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "crawl_bench.json").write_text(json.dumps(
        {"size": args.size, "seed": args.seed, "scrapy_bench": bench, "first": first, "incremental": second,
         "ratio_to_scrapy_bench": ratio, "complete": complete}, indent=2))


if __name__ == "__main__":
    main()
