"""Run inside a network namespace that has only loopback: the bad-day farm, and a crawl of its hostile
portals traced with ``strace -f -e trace=connect`` (used by test_netns.py; run as a module).

    python -m tests.crawler.netns_crawl DATA TRACE

The farm serves in this process (on the namespace's 127.0.0.1); the crawl is ``scrapy crawl portal`` as
``nianbao crawl`` starts it, with every child (Chromium included) under strace. The farm's addresses
go to DATA/farm.json for the test to compute expected URLs.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from archive.paths import DataDir
from crawler.cli import crawl_command
from farm import content
from farm.server import FarmServer
from farm.world import World
from tests.crawler.helpers import FAST, NO_DNS, run_bounded, write_registry

SITES = ("hostile", "hostile-js")


def main(data: Path, trace: Path) -> int:
    with FarmServer(World(0, "small", faults=True)) as farm:
        content.prewarm([a for site in SITES for a in farm.world.portals[site].articles.values()])
        registry = write_registry(farm, data / "portals.csv")
        names = [f"files.{farm.world.portals[site].domain}=10.0.0.{7 + n}" for n, site in enumerate(SITES)]
        settings = (*FAST, NO_DNS, "FAKEDNS_HOSTS=" + ",".join(names))
        command, _job = crawl_command(DataDir.resolve(data), registry=registry, sites=SITES, settings=settings)
        (data / "farm.json").write_text(json.dumps({"base_urls": farm.base_urls}))
        env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
        traced = ["strace", "-f", "-qq", "-yy", "-e", "trace=connect", "-o", str(trace), *command]
        done = run_bounded(traced, 600, env=env)
        sys.stderr.write(done.stderr[-5000:])
        return done.exit_code


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
