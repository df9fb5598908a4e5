"""Run inside a mount namespace: crawls into a data directory on a small tmpfs (used by test_disk_faults.py).

    python -m tests.crawler.diskfull_crawl OUT

1. the tmpfs is too small for the crawl: ``nianbao crawl`` must stop with one line and exit 2;
2. space returns (the tmpfs is remounted larger): the same command must end with exactly the documents
   an uninterrupted crawl stores, leave no ``.tmp-*`` file and no run marked ``running``;
3. the data directory is mounted read-only: the crawl must refuse to start with one line and exit 2;
4. ``nianbao run`` on a second tmpfs too small for its crawl: the run must end on the crawl's storage
   fault as on its own (one line naming the crawl stage, exit 2).

Each step's exit status, duration, stderr tail and the store's state go to OUT/result.json: the tmpfs
vanishes with the namespace, so the test reads only that file.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from farm.server import FarmServer
from farm.world import World
from tests.crawler.helpers import FAST, NIANBAO, run_bounded, write_registry

SITES = ("gkmlpt", "hanweb", "trs-https", "trs-gbk", "openness")
FULL_SIZE = "3m"  # the five portals store about 8 MB


def crawl(data: Path, registry: Path) -> dict:
    command = [*NIANBAO, "--data", str(data), "crawl", "--registry", str(registry), "--no-browser"]
    command += [item for site in SITES for item in ("--site", site)]
    command += [item for setting in FAST for item in ("-s", setting)]
    started = time.monotonic()
    done = run_bounded(command, 600)
    return {"code": done.exit_code, "seconds": round(time.monotonic() - started, 1),
            "stderr_tail": done.stderr.strip().splitlines()[-1:] if done.stderr.strip() else [],
            "stderr": done.stderr[-20000:]}


def run_pipeline(data: Path, registry: Path) -> dict:
    """``nianbao run`` crawling the same portals (no samples, no snapshot, no browser) into ``data``."""
    data.mkdir()
    (data / "portals.csv").write_bytes(registry.read_bytes())
    command = [*NIANBAO, "--data", str(data), "run", "--no-samples", "--no-snapshot", "--no-browser"]
    command += [item for site in SITES for item in ("--portal", site)]
    command += [item for setting in FAST for item in ("-s", setting)]
    done = run_bounded(command, 600)
    return {"code": done.exit_code, "stderr": done.stderr[-20000:]}


def store_state(data: Path) -> dict:
    with sqlite3.connect(data / "store" / "store.db") as db:
        documents: dict[str, list[str]] = {}
        for portal, url in db.execute("select portal_id, url from documents"):
            parts = urlsplit(url)
            documents.setdefault(portal, []).append(parts.path + (f"?{parts.query}" if parts.query else ""))
        runs = db.execute("select id, status from runs order by id").fetchall()
        duplicates = db.execute("select count(*) from (select url from documents group by url having count(*) > 1)")
    return {"documents": documents, "runs": runs, "duplicate_urls": duplicates.fetchone()[0],
            "tmp_files": [str(p) for p in (data / "store" / "blobs").rglob(".tmp-*")]}


def main(out: Path) -> None:
    mount = out / "mnt"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={FULL_SIZE}", "tmpfs", str(mount)], check=True)
    data = mount / "data"
    result: dict = {"store": str(data / "store")}
    with FarmServer(World(0, "small")) as farm:
        registry = write_registry(farm, out / "portals.csv")
        result["expected"] = {site: sorted(farm.world.expected_paths(site)[site]) for site in SITES}
        result["full"] = crawl(data, registry)
        result["after_full"] = store_state(data)
        subprocess.run(["mount", "-o", "remount,size=256m", str(mount)], check=True)
        result["resumed"] = crawl(data, registry)
        result["after_resumed"] = store_state(data)
        view = out / "read-only"  # the same data directory, seen through a read-only bind mount
        view.mkdir()
        subprocess.run(["mount", "--bind", str(data), str(view)], check=True)
        subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], check=True)
        result["read_only"] = crawl(view, registry)
        result["read_only_store"] = str(view / "store")
        small = out / "small"
        small.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={FULL_SIZE}", "tmpfs", str(small)], check=True)
        result["run_full"] = run_pipeline(small / "data", registry)
        result["run_store"] = str(small / "data" / "store")
    (out / "result.json").write_text(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
