"""The archive's commands: ``extract``, ``snapshot``, ``serve`` and ``site-metadata``."""

from __future__ import annotations

import click

from archive.extract_stage import run_extract
from archive.paths import DataDir, pass_data


@click.command()
@click.option("--all", "everything", is_flag=True, help="Re-extract every document, not only those the current parser has not read.")
@pass_data
def extract(data: DataDir, everything: bool) -> None:
    """Extract stored documents into the archive and rebuild reports, checks, wide tables and coverage.

    Each document's rows are replaced in one transaction; a document that cannot be read is recorded
    in the extractions table and the rest go on. Running it twice changes nothing.

    \b
    Example:
        nianbao extract          # documents the current parser version has not read
        nianbao extract --all    # after changing the parser
    """
    result = run_extract(data, everything=everything)
    for document_id, reason in result.failures[:20]:
        click.echo(f"document {document_id}: {reason}", err=True)
    click.echo(result.summary())


@click.command()
@click.option("--date", help="Snapshot date (YYYY-MM-DD); today in UTC by default.")
@click.option("--site-url", envvar="NIANBAO_SITE_URL", help="The site's public address, for the citations' "
              "stable URL (<site>/snapshots/<date>/); default $NIANBAO_SITE_URL, else http://127.0.0.1:8001.")
@pass_data
def snapshot(data: DataDir, date: str | None, site_url: str | None) -> None:
    """Write a dated, never-overwritten snapshot of the archive with its exports, checksums and manifest.

    Both files (the research database and the texts), CSV and Parquet, README.md with the data
    dictionary, the citation as text, BibTeX and CSL-JSON, SHA256SUMS and manifest.json.

    \b
    Example:
        nianbao snapshot --site-url https://nianbao.example.org && cd data/snapshots/$(date -u +%F) && sha256sum -c SHA256SUMS
    """
    from archive.snapshot import SnapshotExists, write_snapshot

    try:
        made = write_snapshot(data, date=date, site_url=site_url)
    except SnapshotExists as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"snapshot {made.date}: {made.db_file} ({made.manifest['files'][0]['bytes']} bytes)")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
@pass_data
def serve(data: DataDir, host: str, port: int) -> None:
    """Serve the newest snapshot with Datasette, read-only, with the site's metadata, pages and plugins.

    \b
    Example:
        nianbao serve --port 8001    # then open http://127.0.0.1:8001/
    """
    from archive.serve import NoSnapshot, serve as run_server

    try:
        code = run_server(data, host, port)
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


commands = [extract, snapshot, serve, site_metadata]
