"""Shared crawl and extraction (issue 14): 1, 2 and 3 workers on one Redis, beside one process, in one command.

    .venv/bin/python benchmarks/shared_bench.py [--size full] [--extract-size small] [--workers 1,2,3]

Crawl: the farm's attachments are rendered first (the farm's cost, not the crawler's); then one
``nianbao crawl`` process (the baseline), then N ``nianbao crawl --redis`` workers started at once on a
fresh Redis and a fresh store, politeness lifted as in crawl_bench.py. Rates are responses (store rows)
per second of wall time from the first start to the last exit, so the shared crawl pays its start-up,
seeding and the writer's last records. Redis's peak memory is read after each shared crawl.

Extraction: the documents of one crawl of the ``--extract-size`` farm, by ``nianbao extract`` (baseline)
and by ``nianbao extract --redis`` with N ``extract-worker`` processes, each on a fresh archive.

Results print as tables and go to benchmarks/results/shared_bench.json. On this 2-core machine the
ceiling is the cores: each crawl worker is one Python process whose parsing and Redis round-trips are
CPU, the store writer's SQLite work is on one of them, and extraction is LibreOffice/OCR-bound; more
workers than cores only share the same two (see docs/scale.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.paths import DataDir  # noqa: E402
from archive.store_reader import StoreReader  # noqa: E402
from crawler.addon import LOCAL_FARM, UNTHROTTLED  # noqa: E402
from crawler.cli import CLEAN, PARTIAL, crawl_command  # noqa: E402
from farm import content  # noqa: E402
from farm.server import FarmServer  # noqa: E402
from farm.world import World  # noqa: E402
from tests.crawler.helpers import write_registry  # noqa: E402
from tests.redis_server import redis_server  # noqa: E402

RESULTS = Path(__file__).with_name("results")
SETTINGS = tuple(f"{k}={v}" for k, v in {**UNTHROTTLED, **LOCAL_FARM, "LOG_LEVEL": "WARNING"}.items())
ENV = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
BASELINE: dict[str, set[tuple[str, str]]] = {}  # the one-process crawl's documents, which the shared crawls must equal
NIANBAO = [sys.executable, "-c", "from nianbao.cli import main; main()"]


def store_counts(data: DataDir) -> tuple[int, set[tuple[str, str]]]:
    """Responses recorded, and the documents stored (URL, SHA-256)."""
    with StoreReader(data) as store:
        fetches = sum(1 for _ in store.fetches(["id"]))
        documents = {(document.url, document.sha256) for document in store.documents()}
    return fetches, documents


def crawl(root: Path, registry: Path, workers: int, url: str | None) -> dict[str, float]:
    """One process (``url`` None) or ``workers`` shared-crawl workers, timed from start to last exit."""
    data = DataDir.resolve(root).ensure()
    command, _ = crawl_command(data, registry=registry, settings=SETTINGS, redis_url=url)
    started = time.perf_counter()
    processes = [subprocess.Popen(command, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for _ in range(workers)]
    for process in processes:
        if process.wait(timeout=3600) not in (CLEAN, PARTIAL):  # the farm has portals that block or fail
            raise SystemExit(f"a crawl worker exited with {process.returncode}")
    wall = time.perf_counter() - started
    fetches, documents = store_counts(data)
    if url is None:
        BASELINE["documents"] = documents
    return {"workers": workers, "responses": fetches, "documents": len(documents), "wall_s": wall,
            "pages_per_s": fetches / wall, "same_documents": documents == BASELINE.get("documents")}


def extract(root: Path, url: str | None, workers: int) -> dict[str, float]:
    """``nianbao extract`` of the store at ``root`` on a fresh archive, alone or with ``workers`` workers."""
    (root / "nianbao.db").unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        (root / f"nianbao.db{suffix}").unlink(missing_ok=True)
    helpers = [subprocess.Popen([*NIANBAO, "--data", str(root), "extract-worker", "--redis", url],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
               for _ in range(workers if url else 0)]
    started = time.perf_counter()
    try:
        subprocess.run([*NIANBAO, "--data", str(root), "extract", *(["--redis", url] if url else [])],
                       check=True, stdout=subprocess.DEVNULL, timeout=7200)
        wall = time.perf_counter() - started
    finally:
        for helper in helpers:
            os.killpg(helper.pid, signal.SIGTERM)
            helper.wait(timeout=120)
    with sqlite3.connect(root / "nianbao.db") as db:
        documents = db.execute("select count(*) from extractions").fetchone()[0]
    return {"workers": workers, "documents": documents, "wall_s": wall, "documents_per_s": documents / wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="full", choices=["small", "full"])
    parser.add_argument("--extract-size", default="small", choices=["small", "full", "none"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", default="1,2,3")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    console = Console()
    results: dict[str, object] = {"size": args.size, "extract_size": args.extract_size, "cores": os.cpu_count(),
                                  "load_before": os.getloadavg()[0]}

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        with redis_server(tmp / "redis") as url:
            client = redis.Redis.from_url(url)
            crawls = []
            world = World(args.seed, args.size, slow_seconds=0)
            content.prewarm([a for p in world.portals.values() for a in p.articles.values()])
            with FarmServer(world) as farm:
                registry = write_registry(farm, tmp / "portals.csv")
                crawls.append({"mode": "one process", **crawl(tmp / "single", registry, 1, None)})
                for n in counts:
                    client.flushdb()
                    client.config_resetstat()
                    result = crawl(tmp / f"shared{n}", registry, n, url)
                    result["redis_peak_bytes"] = client.info("memory")["used_memory_peak"]
                    crawls.append({"mode": f"{n} shared", **result})
            results["crawl"] = crawls
            table = Table(title=f"crawl ({args.size} farm, politeness lifted, {os.cpu_count()} cores)")
            for column in ("mode", "responses", "documents", "same documents", "wall s", "pages/s", "Redis peak MB"):
                table.add_column(column, justify="right")
            for row in crawls:
                peak = row.get("redis_peak_bytes")
                table.add_row(row["mode"], str(row["responses"]), str(row["documents"]), str(row["same_documents"]),
                              f"{row['wall_s']:.1f}",
                              f"{row['pages_per_s']:.1f}", f"{peak / 1e6:.1f}" if peak else "-")
            console.print(table)

            if args.extract_size != "none":
                root = tmp / "single" if args.extract_size == args.size else None
                if root is None:
                    world = World(args.seed, args.extract_size, slow_seconds=0)
                    content.prewarm([a for p in world.portals.values() for a in p.articles.values()])
                    with FarmServer(world) as farm:
                        registry = write_registry(farm, tmp / "portals-extract.csv")
                        root = tmp / "extract"
                        crawl(root, registry, 1, None)
                shutil.copy(registry, root / "portals.csv")
                runs = [{"mode": "one process", **extract(root, None, 0)}]
                for n in counts:
                    client.flushdb()
                    runs.append({"mode": f"{n} workers", **extract(root, url, n)})
                results["extract"] = runs
                table = Table(title=f"extraction ({args.extract_size} farm's documents)")
                for column in ("mode", "documents", "wall s", "documents/s"):
                    table.add_column(column, justify="right")
                for row in runs:
                    table.add_row(row["mode"], str(row["documents"]), f"{row['wall_s']:.1f}",
                                  f"{row['documents_per_s']:.2f}")
                console.print(table)
            client.close()
    results["load_after"] = os.getloadavg()[0]
    console.print(f"load average before/after: {results['load_before']:.1f} / {results['load_after']:.1f} "
                  f"on {os.cpu_count()} cores (other work on the machine shares them)")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "shared_bench.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
