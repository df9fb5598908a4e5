"""The archive's commands: ``extract``, ``snapshot``, ``serve`` and ``site-metadata``."""

from __future__ import annotations

import logging
import signal
import sys

import click

from archive.extract_stage import Parser, run_extract
from archive.faults import storage_faults_end
from archive.lock import LOCKED, LockHeld
from archive.paths import DataDir, pass_data


@click.command()
@click.option("--all", "everything", is_flag=True, help="Re-extract every document, not only those the current parser has not read.")
@click.option("--redis", "redis_url", metavar="redis://HOST:PORT/DB",
              help="Have the documents read by `nianbao extract-worker` processes on this Redis server; "
              "this command writes the archive.")
@pass_data
def extract(data: DataDir, everything: bool, redis_url: str | None) -> None:
    """Extract stored documents into the archive and rebuild reports, checks, wide tables and coverage.

    Each document's rows are replaced in one transaction; a document that cannot be read is recorded
    in the extractions table and the rest go on. Running it twice changes nothing.

    \b
    Example:
        nianbao extract          # documents the current parser version has not read
        nianbao extract --all    # after changing the parser
        nianbao extract --redis redis://10.0.0.5:6379/0   # with extract-workers on any machine
    """
    parser = Parser.current()
    fanout = None
    if redis_url:
        from archive.fanout import fan_out

        fanout = fan_out(redis_url, parser.version)
    with storage_faults_end("extract", data.root):
        try:
            result = run_extract(data, everything=everything, parser=parser, fanout=fanout)
        except RuntimeError as error:  # Redis unreachable, a worker on another parser version
            raise click.ClickException(str(error)) from error
    for document_id, reason in result.failures[:20]:
        click.echo(f"document {document_id}: {reason}", err=True)
    click.echo(result.summary())


@click.command("extract-worker")
@click.option("--redis", "redis_url", required=True, envvar="NIANBAO_REDIS_URL", metavar="redis://HOST:PORT/DB",
              help="The Redis server `nianbao extract --redis` sends documents through (env NIANBAO_REDIS_URL).")
@pass_data
def extract_worker(data: DataDir, redis_url: str) -> None:
    """Read documents for `nianbao extract --redis`, one at a time, until stopped (SIGTERM or Ctrl-C).

    DATA must show the same store as the command's (the same directory, or the shared one mounted
    here): the worker reads blobs from DATA/store and writes nothing. Start one per core.

    \b
    Example:
        nianbao --data /srv/nianbao extract-worker --redis redis://10.0.0.5:6379/0
    """
    from archive.fanout import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    try:
        run_worker(redis_url, data)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error


@click.command()
@click.option("--date", help="Snapshot date (YYYY-MM-DD); today in UTC by default.")
@click.option("--site-url", envvar="NIANBAO_SITE_URL", help="The site's public address, for the citations' "
              "stable URL (<site>/snapshots/<date>/); default $NIANBAO_SITE_URL, else http://127.0.0.1:8001.")
@click.option("--wait", type=float, default=0.0, show_default=True, help="Seconds to wait for a snapshot already being written.")
@pass_data
def snapshot(data: DataDir, date: str | None, site_url: str | None, wait: float) -> None:
    """Write a dated, never-overwritten snapshot of the archive with its exports, checksums and manifest.

    Both files (the research database and the texts), CSV and Parquet, README.md with the data
    dictionary, the citation as text, BibTeX and CSL-JSON, SHA256SUMS and manifest.json.

    One snapshot is written at a time: while another is being written, this one waits up to --wait
    seconds, then stops with exit status 75 ("try again later"). A full or read-only data directory
    stops it with exit status 2, leaving no partial snapshot behind.

    \b
    Example:
        nianbao snapshot --site-url https://nianbao.example.org && cd data/snapshots/$(date -u +%F) && sha256sum -c SHA256SUMS
    """
    from archive.snapshot import SnapshotExists, write_snapshot

    try:
        with storage_faults_end("snapshot", data.root):
            made = write_snapshot(data, date=date, site_url=site_url, wait=wait)
    except SnapshotExists as exc:
        raise click.ClickException(str(exc)) from exc
    except LockHeld as exc:
        click.echo(f"nianbao snapshot: {exc}; try again later, or pass --wait SECONDS", err=True)
        sys.exit(LOCKED)
    click.echo(f"snapshot {made.date}: {made.db_file} ({made.manifest['files'][0]['bytes']} bytes)")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--trusted-proxy",
    "trusted_proxies",
    multiple=True,
    metavar="ADDRESS",
    help="A reverse proxy (address or network) whose X-Forwarded-For names the client (repeatable) "
    "[default: none: every visitor is its connection's address].",
)
@pass_data
def serve(data: DataDir, host: str, port: int, trusted_proxies: tuple[str, ...]) -> None:
    """Serve the newest snapshot with Datasette, read-only, with the site's metadata, pages and plugins.

    Stops cleanly, Datasette included, on Ctrl-C or SIGTERM.

    \b
    Example:
        nianbao serve --port 8001    # then open http://127.0.0.1:8001/
        nianbao serve --trusted-proxy 127.0.0.1    # behind nginx on the same machine
    """
    from archive.serve import NoSnapshot, serve as run_server

    signal.signal(signal.SIGTERM, signal.default_int_handler)  # systemd's stop is handled as Ctrl-C is
    try:
        code = run_server(data, host, port, trusted_proxies=trusted_proxies)
    except NoSnapshot as exc:
        raise click.ClickException(str(exc)) from exc
    raise SystemExit(code)


@click.command(name="site-metadata")
@click.option("--check", is_flag=True, help="Fail if metadata.yml differs from what the code generates.")
def site_metadata(check: bool) -> None:
    """Write metadata.yml (the site's titles, descriptions, facets, queries, dashboards) from archive/metadata.py.

    \b
    Example:
        nianbao site-metadata --check
    """
    from archive.metadata import METADATA_PATH, render_metadata, write_metadata

    if check:
        current = METADATA_PATH.read_text(encoding="utf-8") if METADATA_PATH.exists() else ""
        if current != render_metadata():
            raise click.ClickException(f"{METADATA_PATH} is stale: run `nianbao site-metadata`")
        click.echo(f"{METADATA_PATH} is up to date")
        return
    click.echo(f"wrote {write_metadata()}")


commands = [extract, extract_worker, snapshot, serve, site_metadata]
