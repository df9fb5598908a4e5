"""The ``nianbao`` command: one click group whose sub-commands come from each stage's own cli module.

Each stage keeps its commands next to its code (``extract/cli.py``, ``crawler/cli.py`` …) and exposes
them as a list named ``commands``; this module only gathers them and owns the shared ``--data`` option.
"""

from __future__ import annotations

import importlib

import click

from nianbao import __version__
from nianbao.paths import DataDir

# Modules that contribute commands, in the order the data flows.
COMMAND_MODULES = [
    "crawler.cli",
    "extract.cli",
    "farm.cli",
    "nianbao.pipeline_cli",
    "archive.cli",
]


class Context:
    """What every command receives: the data directory chosen for this invocation."""

    def __init__(self, data: DataDir):
        self.data = data


pass_context = click.make_pass_decorator(Context)


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
    ctx.obj = Context(DataDir.resolve(data_dir))


for _module in COMMAND_MODULES:
    for _command in importlib.import_module(_module).commands:
        cli.add_command(_command)


def main() -> None:
    cli(prog_name="nianbao")
