"""``nianbao crawl``: run the portal spider into DATA/store and print what it found, per portal.

The crawl runs as ``python -m scrapy crawl portal`` in a child process, so it gets Scrapy's own
signal handling (a first Ctrl-C stops gracefully and the job can resume) and a fresh reactor each
time. The job directory is DATA/store/jobs/<job>, named after the crawl's arguments, so running the
same command again resumes an interrupted crawl.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import click
from rich import box
from rich.console import Console
from rich.table import Table

from crawler.pipelines import job_key
from archive.registry import load_registry
from crawler import default_registry_path
from crawler.spiders.portal import job_args
from archive.paths import DataDir, pass_data
from archive.schedule import SKIP_REASONS
from archive.blobs import storage_error
from archive.faults import BROKEN
from archive.store import StoreError, StoreWriter


def crawl_command(
    data: DataDir,
    *,
    start_url: str | None = None,
    registry: Path | None = None,
    sites: tuple[str, ...] = (),
    browser: bool = True,
    full: bool = False,
    settings: tuple[str, ...] = (),
    redis_url: str | None = None,
) -> tuple[list[str], str]:
    """The scrapy command line for a crawl, and its job key.

    With ``redis_url`` the process is one worker of a shared crawl (``crawler.shared``): its frontier is
    in Redis, so it has no JOBDIR."""
    args = job_args(start_url, str(registry) if registry else None, sites)
    job = job_key(args)
    command = [sys.executable, "-m", "scrapy", "crawl", "portal"]
    if start_url:
        command += ["-a", f"start_url={start_url}"]
    else:
        command += ["-a", f"registry={registry}"]
    if sites:
        command += ["-a", f"site={','.join(sites)}"]
    command += ["-s", f"NIANBAO_DATA={data.root}"]
    if redis_url:
        command += ["-s", f"NIANBAO_REDIS_URL={redis_url}"]
    else:
        command += ["-s", f"JOBDIR={data.store / 'jobs' / job}"]
    if not browser:
        command += ["-s", "NIANBAO_BROWSER=False"]
    if full:
        command += ["-s", "NIANBAO_FULL=True"]
    for setting in settings:
        command += ["-s", setting]
    return command, job


def user_registry(data: DataDir) -> Path:
    """DATA/portals.csv, created from the shipped registry the first time, for the user to edit."""
    if not data.registry.exists():
        data.root.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(default_registry_path(), data.registry)
    return data.registry


# Exit statuses of ``nianbao crawl`` (the pipeline's ``nianbao run`` uses the same numbers); BROKEN is
# ``archive.faults``': a data directory that cannot be written ends every command with it.
CLEAN, PARTIAL, STOPPED = 0, 1, 130


@click.command()
@click.option("--start-url", help="Crawl this one column (family detected from the page).")
@click.option("--registry", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Registry CSV of portals. Default: DATA/portals.csv (a copy of the shipped list).")
@click.option("--site", "sites", multiple=True, help="Only this registry site_id (repeatable).")
@click.option("--no-browser", is_flag=True,
              help="Never start Chromium; JavaScript-only portals are recorded as failed.")
@click.option("--full", is_flag=True,
              help="Walk every listing and revalidate every known document; the only crawl that marks "
                   "reports gone. Without it, a re-crawl asks only for what the store's schedule says is due.")
@click.option("-s", "--set", "settings", multiple=True, metavar="NAME=VALUE",
              help="A Scrapy setting for this crawl (repeatable), e.g. -s DOWNLOAD_DELAY=5.")
@click.option("--redis", "redis_url", envvar="NIANBAO_REDIS_URL", metavar="redis://HOST:PORT/DB",
              help="Be one worker of a crawl shared through this Redis server (env NIANBAO_REDIS_URL): "
              "start as many as you like, on this machine or others, with the same arguments.")
@pass_data
def crawl(data: DataDir, start_url: str | None, registry: Path | None, sites: tuple[str, ...], no_browser: bool,
          full: bool, settings: tuple[str, ...], redis_url: str | None) -> None:
    """Crawl disclosure portals for annual reports into DATA/store.

    Every request is logged in DATA/store/store.db (fetches), every report page and attachment is
    kept by SHA-256 with its provenance (documents), and each run writes a WARC file. Running the
    same command again is incremental: it stops paging where a listing holds no new report, and asks
    again only for columns and documents the store's schedule says are due (often for new reports,
    rarely for old ones), conditionally; after an interruption it resumes. --full walks everything.

    With --redis, any number of such commands share one crawl: the first seeds it, later ones join,
    each exits when nothing is left to fetch. Bodies go to DATA/store/blobs (share that directory
    between machines); one worker at a time writes store.db. See docs/scale.md.

    Exit status: 0 every portal read, 1 some portals failed or were blocked, 2 the crawl could not
    run (the store cannot be written, the crawler broke), 130 stopped (the same command resumes).

    \b
    Example:
        nianbao crawl --registry portals.csv --site trs-https
        nianbao crawl --full
        nianbao crawl --start-url https://www.mva.gov.cn/gongkai/zfxxgkpt/zfxxgknb/
        nianbao crawl --redis redis://127.0.0.1:6379/0    # in several terminals
    """
    if start_url and (registry or sites):
        raise click.UsageError("--start-url crawls one address; it does not combine with --registry or --site")
    try:
        data.ensure()
        if not start_url:
            registry = (registry or user_registry(data)).resolve()
    except OSError as error:
        _broken(str(storage_error(error, data.root)))
    if not start_url:
        assert registry is not None
        known = {portal.site_id for portal in load_registry(registry)}
        unknown = sorted(set(sites) - known)
        if unknown:
            raise click.UsageError(f"unknown --site {', '.join(unknown)} (not in {registry})")
    command, job = crawl_command(data, start_url=start_url, registry=registry, sites=sites,
                                 browser=not no_browser, full=full, settings=settings, redis_url=redis_url)
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    process = subprocess.Popen(command, env=env)
    # A service manager stops us with SIGTERM: pass it on, so Scrapy closes gracefully and can resume.
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: process.send_signal(signum))
    try:
        code = process.wait()
    except KeyboardInterrupt:
        # The child got the same Ctrl-C and is closing gracefully; wait so its job can resume.
        code = process.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
    if code == BROKEN:
        sys.exit(BROKEN)  # the crawler printed its one-line reason
    if code:
        _broken(f"the crawler exited with status {code}")
    if redis_url and not (data.store / "store.db").exists():
        click.echo("The shared crawl is over; its store is written on the machine of its store writer.")
        sys.exit(CLEAN)
    try:
        summary = run_summary(data, job)
    except StoreError as error:
        _broken(str(error))
    if summary is None:
        _broken("the crawler recorded no run")
    print_summary(summary)
    sys.exit(exit_status(summary))


def _broken(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(BROKEN)


def portal_failed(row: dict[str, Any]) -> bool:
    """Some of the portal could not be read: failures, blocks (robots.txt's own refusals are our
    choice, not a failure), or no listing page read at all."""
    blocked = (row["blocked"] or 0) - (row["robots"] or 0)
    return bool(row["failed"] or blocked > 0 or not row["listings_read"])


@dataclass(frozen=True)
class RunSummary:
    run_id: int
    status: str
    rows: list[dict[str, Any]]  # StoreWriter.summary, one per portal


def exit_status(summary: RunSummary) -> int:
    if summary.status != "finished":
        return STOPPED
    return PARTIAL if any(portal_failed(row) for row in summary.rows) else CLEAN


def run_summary(data: DataDir, job: str) -> RunSummary | None:
    """The job's last run: its status and per-portal summary."""
    store = StoreWriter(data)
    try:
        run = store.last_run(job)
        if run is None:
            return None
        rows = [row for row in store.summary(run["id"]) if row["portal_id"] is not None]
        return RunSummary(run["id"], run["status"], rows)
    finally:
        store.close()


def print_summary(summary: RunSummary, console: Console | None = None) -> None:
    rows = summary.rows
    # Simple lines and no edge padding: the seven columns fit an 80-column terminal unwrapped.
    table = Table(title=f"crawl run {summary.run_id} ({summary.status})", box=box.SIMPLE_HEAD, show_edge=False,
                  collapse_padding=True, pad_edge=False)
    columns = ("reports_found", "downloaded", "unchanged", "failed", "blocked", "refused")
    table.add_column("portal")
    for column in columns:
        table.add_column(column.replace("_", " "), justify="right")
    for row in rows:
        table.add_row(row["portal_id"], *(str(row[c] or 0) for c in columns))
    console = console or Console()
    console.print(table)
    skips = [f"skipped_{what}" for what in SKIP_REASONS]
    skipping = [row for row in rows if any(row[c] for c in skips)]
    if skipping:
        # A table of its own: what an incremental crawl did not ask for, per portal, and why.
        left_out = Table(title="not asked (incremental crawl; --full walks everything)", box=box.SIMPLE_HEAD,
                         show_edge=False, collapse_padding=True, pad_edge=False)
        left_out.add_column("portal")
        for what in SKIP_REASONS:
            left_out.add_column(what.replace("_", " "), justify="right")
        for row in skipping:
            left_out.add_row(row["portal_id"], *(str(row[c]) for c in skips))
        console.print(left_out)
        for what, why in SKIP_REASONS.items():
            console.print(f"{what.replace('_', ' ')}: {why}")


commands = [crawl]
