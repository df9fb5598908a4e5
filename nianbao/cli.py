"""The ``nianbao`` command: one click group whose sub-commands come from each stage's own cli module.

Each stage keeps its commands next to its code (``extract/cli.py``, ``crawler/cli.py`` …) and exposes
them as a list named ``commands``; this module, at the top of the layers, gathers them and owns the
shared ``--data`` option, whose DataDir every command receives through ``archive.paths.pass_data``.
"""

from __future__ import annotations

import click

from archive import cli as archive_cli
from archive.paths import DataDir
from crawler import cli as crawler_cli
from extract import cli as extract_cli
from farm import cli as farm_cli
from nianbao import __version__, pipeline_cli
from nianbao import status as status_cli

# Each stage's commands, in the order the data flows.
COMMANDS = [*crawler_cli.commands, *extract_cli.commands, *farm_cli.commands, *pipeline_cli.commands, *archive_cli.commands,
            *status_cli.commands]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nianbao")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False),
    envvar="NIANBAO_DATA",
    default="data",
    show_default=True,
    help="Data directory: the archive is DATA/nianbao.db, stored documents live under DATA/store/.",
)
@click.pass_context
def cli(ctx: click.Context, data_dir: str) -> None:
    """nianbao (年报): crawl, extract, archive and publish government information-disclosure annual reports.

    \b
    Example:
        nianbao parse report.html --format table
    """
    ctx.obj = DataDir.resolve(data_dir)


for _command in COMMANDS:
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="nianbao")
