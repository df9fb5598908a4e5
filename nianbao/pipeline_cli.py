"""``nianbao run``, ``nianbao demo`` and ``nianbao schedule``: the whole product from one command.

Thin click wrappers; the work is in ``nianbao.pipeline`` so that tests and the scheduler call the same
functions the commands do.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click
from rich.console import Console

from nianbao.pipeline.discovery import DEFAULT_ALLOWED, policy_for
from nianbao.pipeline.lock import LockHeld
from nianbao.pipeline.runner import RunOptions, run_pipeline

if TYPE_CHECKING:  # nianbao.cli imports this module to collect its commands
    from nianbao.cli import Context

# Exit status when another run holds the data directory: EX_TEMPFAIL, "try again later".
LOCKED = 75


@click.command()
@click.option("--portal", "portals", multiple=True, metavar="SITE_ID", help="Visit only these portals (repeatable).")
@click.option(
    "--allow-domain",
    "allowed",
    multiple=True,
    metavar="PATTERN",
    help=f"Host patterns whose URLs, when a report mentions them, become candidate portals [default: {', '.join(DEFAULT_ALLOWED)}].",
)
@click.option("--snapshot/--no-snapshot", default=True, show_default=True, help="Write a snapshot when anything changed.")
@click.option(
    "--samples/--no-samples",
    default=None,
    help="Archive the bundled sample reports too [default: only when no crawler is installed].",
)
@click.option("--wait", type=float, default=0.0, show_default=True, help="Seconds to wait for a run already going.")
@click.option("--json", "as_json", is_flag=True, help="Print the run report as JSON instead of tables.")
@click.pass_obj
def run(
    ctx: "Context",
    portals: tuple[str, ...],
    allowed: tuple[str, ...],
    snapshot: bool,
    samples: bool | None,
    wait: float,
    as_json: bool,
) -> None:
    """Crawl the registry's portals, extract what is new, update the archive and snapshot it.

    Safe from cron or a systemd timer: a lock on DATA/run.lock refuses a second run (exit 75) while
    one is going, and a run that was killed is finished by the next. Exit status: 0 clean, 1 partial
    (some portals failed or were blocked), 2 broken (a stage failed).

    \b
    Example:
        nianbao --data /srv/nianbao run
        nianbao run --portal anhui_openness_hefei --no-snapshot
    """
    console = Console(stderr=as_json)
    options = RunOptions(
        data=ctx.data,
        only=set(portals) or None,
        policy=policy_for(allowed),
        snapshot=snapshot,
        samples=samples,
        lock_wait=wait,
    )
    try:
        report = run_pipeline(options, console)
    except LockHeld as exc:
        click.echo(f"nianbao run: {exc}; not starting a second run", err=True)
        sys.exit(LOCKED)
    if as_json:
        click.echo(json.dumps({"run_id": report.run_id, "status": report.status, **report.to_stats()}, ensure_ascii=False))
    else:
        report.render(console)
    sys.exit(report.exit_code)


commands = [run]
