"""``nianbao demo``: the bundled portal farm, the whole pipeline against it, and the site, in one command.

A newcomer has no portal list and this machine may have no internet, so the demo brings its own
world: the farm serves many organs' portals on 127.0.0.1 the way the real CMS families do. The demo
writes the farm's portals into the registry, runs the pipeline exactly as cron would (one run, same
code), and serves the archive. The farm keeps running while the site is up, so the links from a report
to its original document work. Discovery is limited to the farm's own addresses: the one place where
loopback addresses are allowed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from rich.console import Console

from archive.paths import DataDir
from archive.serve import NoSnapshot, run_service
from archive.serve import serve as serve_site
from farm.server import FarmServer
from farm.world import World
from nianbao.pipeline import registry_file
from nianbao.pipeline.discovery import DiscoveryPolicy
from nianbao.pipeline.report import RunReport
from nianbao.pipeline.runner import RunOptions, run_pipeline

DEFAULT_FARM_PORT = 18100
# The farm is this machine: politeness delays would only make the newcomer wait. Every portal of the
# farm shares the host 127.0.0.1, which Scrapy would otherwise throttle as one slow site.
FARM_CRAWL_SETTINGS = (
    "DOWNLOAD_DELAY=0",
    "AUTOTHROTTLE_ENABLED=False",
    "CONCURRENT_REQUESTS=32",
    "CONCURRENT_REQUESTS_PER_DOMAIN=16",
    "NIANBAO_RETRY_BASE_DELAY=0.1",
    "NIANBAO_RETRY_MAX_DELAY=1",
    "NIANBAO_ALLOW_PRIVATE_HOSTS=127.0.0.1,::1",  # the crawler's request policy refuses loopback otherwise
)  # a fixed base keeps the farm's URLs, hence the store's documents, stable across demos


@dataclass
class Farm:
    """A running farm: its portals' registry rows and where its access log is."""

    rows: list[dict[str, str]]
    access_log: Path

    @property
    def policy(self) -> DiscoveryPolicy:
        hosts = sorted({urlsplit(row["start_url"]).netloc for row in self.rows})
        return DiscoveryPolicy(allowed=tuple(hosts), allow_private=True)


@contextmanager
def running_farm(data: DataDir, seed: int, size: str, port_base: int | None) -> Iterator[Farm]:
    """Start the farm with its access log in the data directory's farm folder; fall back to free ports if the fixed ones are taken."""
    log_path = data.root / "farm" / "access.jsonl"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    world = World(seed=seed, size=size)
    port_base = port_base or None  # 0: any free ports
    try:
        server = FarmServer(world, port_base=port_base, log_path=log_path)
        server.start()
    except OSError:
        server.stop()
        server = FarmServer(world, port_base=None, log_path=log_path)
        server.start()
    try:
        yield Farm(rows=server.registry_rows(), access_log=log_path)
    finally:
        server.stop()


def merge_rows(path: Path, new_rows: list[dict[str, str]]) -> None:
    """Put ``new_rows`` into the registry, replacing rows with the same site_id and keeping all others."""
    rows = registry_file.read_rows(path) if path.exists() else []
    fresh = {row["site_id"]: row for row in new_rows}
    merged = [fresh.pop(row["site_id"], row) for row in rows]
    merged.extend(fresh.values())
    registry_file.write_rows(path, merged)


def demo_run(data: DataDir, farm: Farm, console: Console) -> RunReport:
    """One pipeline run over the farm's portals (and the candidates found on it)."""
    merge_rows(data.registry, farm.rows)
    farm_hosts = {urlsplit(row["start_url"]).netloc for row in farm.rows}
    rows = registry_file.read_rows(data.registry)
    only = {row["site_id"] for row in rows if urlsplit(row.get("start_url", "")).netloc in farm_hosts}
    options = RunOptions(data=data, command="demo", only=only, policy=farm.policy, crawl_settings=FARM_CRAWL_SETTINGS)
    return run_pipeline(options, console)


def serve(data: DataDir, host: str, port: int, console: Console) -> None:
    """Serve the archive until interrupted: the archive's own site on the newest snapshot, else plain Datasette.

    The published site serves snapshots; when the run could not write one (a stage broken), the
    newcomer still gets the live archive through plain Datasette rather than nothing.
    """
    console.print(f"\n[bold green]The archive is up:[/] http://{host}:{port}/  (Ctrl-C stops the site and the farm)")
    try:
        serve_site(data, host=host, port=port)
        return
    except NoSnapshot as exc:
        console.print(f"no snapshot to publish ({exc}); serving the live archive instead")
    # Stopped like the site proper: SIGTERM to Datasette, never left running behind the demo.
    run_service([sys.executable, "-m", "datasette", "serve", str(data.archive_db), "-h", host, "-p", str(port)])
