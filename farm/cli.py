"""``nianbao farm serve``: run the portal farm on 127.0.0.1 until Ctrl-C or SIGTERM, printing every portal's address."""

from __future__ import annotations

import csv
import signal
import time
from pathlib import Path

import click

from farm.server import FarmServer
from farm.world import World

REGISTRY_COLUMNS = ("site_id", "name", "organ", "region", "level", "start_url", "family", "status", "source", "notes")


@click.group()
def farm() -> None:
    """The local portal farm: disclosure portals of every CMS family, for trying nianbao and for tests."""


@farm.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (keep it local).")
@click.option("--port-base", type=int, default=None, help="First port; portals take consecutive ports. "
              "Default: free ports chosen by the system.")
@click.option("--seed", type=int, default=0, show_default=True, help="World seed: same seed, same portals.")
@click.option("--size", type=click.Choice(["small", "full", "years"]), default="full", show_default=True,
              help="small: 15 portals, 3 years (the tests' world); full: 22 portals, 2019–2024; "
              "years: one portal whose column holds 2011–2025 (free-form reports up to 2018).")
@click.option("--registry-out", type=click.Path(dir_okay=False), default=None,
              help="Write the portals as registry CSV rows (the crawler's portal list) to this file.")
@click.option("--slow-seconds", type=float, default=None,
              help="Delay of the slow portals' slow pages (default: 0.3 small, 1.0 full; 0 for benchmarks).")
@click.option("--prewarm", is_flag=True, help="Render every page body, and every PDF/DOC/WPS attachment with "
              "LibreOffice (cached on disk), before serving, so crawls and benchmarks do not wait for them.")
@click.option("--log", "log_path", type=click.Path(dir_okay=False), default=None,
              help="Access log (JSONL). Default: a fresh temporary file.")
@click.option("--faults", is_flag=True, help="A bad day: add the portals of farm/faults.py (5xx, 429, slow and "
              "cut bodies, wrong Content-Length, redirect loops, a gzip bomb, DNS failure; links to private "
              "addresses, file:// and other domains).")
def serve(host: str, port_base: int | None, seed: int, size: str, registry_out: str | None,
          slow_seconds: float | None, prewarm: bool, log_path: str | None, faults: bool) -> None:
    """Serve the farm until Ctrl-C or SIGTERM (both close every portal's port and the access log).

    \b
    Example:
        nianbao farm serve --size small --registry-out portals.csv
        nianbao crawl --registry portals.csv -s NIANBAO_ALLOW_PRIVATE_HOSTS=127.0.0.1
    """
    # kill, systemd and test harnesses stop services with SIGTERM; a background job of a script has
    # SIGINT ignored altogether. Either way the farm stops as it does on Ctrl-C.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    world = World(seed, size, slow_seconds=slow_seconds, faults=faults)
    server = FarmServer(world, host=host, port_base=port_base, log_path=log_path)
    if prewarm:
        click.echo(f"prewarm: rendered {server.prewarm()} attachments")
    base_urls = server.start()
    rows = world.registry_rows(base_urls)
    for row in rows:
        click.echo(f"{row['site_id']:<16} {row['family']:<15} {world.portal_status(row['site_id']):<14} "
                   f"{row['start_url']}")
    click.echo(f"admin: {server.admin_url}truth   access log: {server.log_path}")
    if registry_out:
        write_registry(Path(registry_out), rows)
        click.echo(f"registry: {registry_out}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("stopping")
    finally:
        server.stop()


def write_registry(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REGISTRY_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


commands = [farm]
