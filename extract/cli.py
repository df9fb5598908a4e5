"""``nianbao parse``: print the canonical record of report files, for people and for other tools."""

from __future__ import annotations

import json
import sys

import click

from extract.document import ConversionError
from extract.parse import parse_file
from extract.record import Record


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "table"]),
    default="json",
    show_default=True,
    help="json: one JSON object per line per file; table: a readable summary per file.",
)
@click.option("--sources", is_flag=True, help="Include where each cell was read (page, table, row, column, OCR).")
def parse(files: tuple[str, ...], output_format: str, sources: bool) -> None:
    """Parse annual-report files (text, HTML, PDF, DOCX, DOC, WPS, OFD) into canonical records.

    A file that cannot be read gets a one-line error on stderr; the other files are still parsed and
    the exit status is 1.

    \b
    Example:
        nianbao parse report.html
        nianbao parse --format table reports/*.pdf
    """
    failed = 0
    for path in files:
        try:
            record = parse_file(path)
        except ConversionError as exc:
            failed += 1
            click.echo(f"Error: {exc}", err=True)
            continue
        if output_format == "json":
            click.echo(json.dumps({"file": path, **record.to_json(with_sources=sources)}, ensure_ascii=False))
        else:
            print_table(path, record)
    if failed:
        sys.exit(1)


def print_table(path: str, record: Record) -> None:
    """A person's view of one record: header fields, non-null cells, failed checks, warnings."""
    from rich.console import Console
    from rich.table import Table

    from extract.templates import cell_label

    console = Console()
    console.print(f"[bold]{path}[/bold]")
    console.print(
        f"机关 organ: {record.organ or '—'}   年度 year: {record.year or '—'}   模板 template: {record.template or '—'}"
        f"   落款日期 published: {record.published_on or '—'}"
    )
    if record.active_total is not None:
        items = "，".join(f"{item.category} {item.count}" for item in record.active_items)
        console.print(f"主动公开 active: {record.active_total}" + (f"（{items}）" if items else ""))
    if record.urls:
        console.print("网址 urls: " + " ".join(record.urls))
    table = Table("cell", "项目 label", "value", "raw")
    for cell_id, value in record.cells.items():
        if value not in (None, 0):
            table.add_row(cell_id, cell_label(cell_id, record.template or "2021"), str(value), record.raw.get(cell_id, ""))
    nulls = sum(1 for value in record.cells.values() if value is None)
    zeros = sum(1 for value in record.cells.values() if value == 0)
    console.print(table)
    console.print(f"{len(record.cells)} cells: {zeros} zero, {nulls} null, {len(record.cells) - zeros - nulls} other")
    failed = record.failed_checks
    console.print(f"勾稽 checks: {sum(1 for c in record.checks if c.ok)} ok, {len(failed)} failed, "
                  f"{sum(1 for c in record.checks if c.ok is None)} not checkable")
    for check in failed:
        console.print(f"  [red]✗ {check.rule}: expected {check.expected}, got {check.actual}[/red]")
    for warning in record.warnings:
        console.print(f"  [yellow]! {warning}[/yellow]")


commands = [parse]
