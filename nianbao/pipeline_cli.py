"""``nianbao run``, ``nianbao demo`` and ``nianbao schedule``: the whole product from one command.

Thin click wrappers; the work is in ``nianbao.pipeline`` so that tests and the scheduler call the same
functions the commands do.
"""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path

import click
from rich.console import Console

from archive.paths import DataDir, pass_data
from nianbao.pipeline.demo import DEFAULT_FARM_PORT, demo_run, running_farm
from nianbao.pipeline.demo import serve as serve_site
from nianbao.pipeline.deploy import DEFAULT_REDIS, KINDS, Setup, render
from nianbao.pipeline.discovery import DEFAULT_ALLOWED, policy_for
from archive.faults import storage_faults_end
from archive.lock import LOCKED, LockHeld
from nianbao.pipeline.runner import RunOptions, run_pipeline
from nianbao.pipeline.service import Service, ServiceOptions, configure_logging


# Exit status of a run stopped by SIGINT or SIGTERM, as shells report a SIGINT death.
INTERRUPTED = 130


def _console(*, stderr: bool = False) -> Console:
    """Rich on a terminal; in a log (cron, journald) plain text wide enough that tables do not wrap."""
    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, width=None if stream.isatty() else 120)


@click.command()
@click.option("--portal", "portals", multiple=True, metavar="SITE_ID", help="Visit only these portals (repeatable).")
@click.option(
    "--portal-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Visit only the portals listed in this file, one site_id a line (the scheduler's due list).",
)
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
    default=False,
    show_default=True,
    help="Archive the bundled sample reports too.",
)
@click.option("--wait", type=float, default=0.0, show_default=True, help="Seconds to wait for a run already going.")
@click.option("--no-browser", is_flag=True, help="Never start Chromium; JavaScript-only portals are recorded as failed.")
@click.option(
    "-s", "--set", "settings", multiple=True, metavar="NAME=VALUE", help="A Scrapy setting for the crawl (repeatable)."
)
@click.option("--full", is_flag=True, help="Walk every listing and revalidate every known document (else done "
              "monthly); the only crawl that marks reports gone.")
@click.option("--json", "as_json", is_flag=True, help="Print the run report as JSON instead of tables.")
@pass_data
def run(
    data: DataDir,
    portals: tuple[str, ...],
    portal_file: Path | None,
    allowed: tuple[str, ...],
    snapshot: bool,
    samples: bool,
    wait: float,
    no_browser: bool,
    settings: tuple[str, ...],
    full: bool,
    as_json: bool,
) -> None:
    """Crawl the registry's portals, extract what is new, update the archive and snapshot it.

    Safe from cron or a systemd timer: a lock on DATA/run.lock refuses a second run (exit 75) while
    one is going, and a run that was killed or stopped (SIGINT/SIGTERM, exit 130) is finished by the
    next. Exit status: 0 clean, 1 partial (some portals failed or were blocked), 2 broken (a stage
    failed, or the data directory is full or read-only: said on one line).

    \b
    Example:
        nianbao --data /srv/nianbao run
        nianbao run --portal anhui_openness_hefei --no-snapshot
    """
    console = _console(stderr=as_json)
    only = set(portals)
    if portal_file is not None:
        only |= {line.strip() for line in portal_file.read_text(encoding="utf-8").splitlines() if line.strip()}
    options = RunOptions(
        data=data,
        only=only or None,
        policy=policy_for(allowed),
        snapshot=snapshot,
        samples=samples,
        lock_wait=wait,
        browser=not no_browser,
        crawl_settings=settings,
        full=full,
    )
    # systemd and kill stop a run with SIGTERM: end it like Ctrl-C, so the crawl stops gracefully and
    # the run is recorded as interrupted, for the next run to finish.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        with storage_faults_end("run", data.root):  # full or read-only: one line, exit 2 (broken)
            report = run_pipeline(options, console)
    except LockHeld as exc:
        click.echo(f"nianbao run: {exc}; not starting a second run", err=True)
        sys.exit(LOCKED)
    except KeyboardInterrupt:
        click.echo("nianbao run: interrupted; the next run finishes it", err=True)
        sys.exit(INTERRUPTED)
    if as_json:
        click.echo(json.dumps({"run_id": report.run_id, "status": report.status, **report.to_stats()}, ensure_ascii=False))
    else:
        report.render(console)
    sys.exit(report.exit_code)


@click.command()
@click.option("--seed", type=int, default=0, show_default=True, help="The farm's world: which organs and reports.")
@click.option(
    "--size",
    type=click.Choice(["small", "full"]),
    default="small",
    show_default=True,
    help="small: 15 portals, ~180 reports, a few minutes; full: 22 portals, ~1,900 reports, half an hour or more.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address the site listens on.")
@click.option("--port", type=int, default=8001, show_default=True, help="Port the site listens on.")
@click.option("--farm-port", type=int, default=DEFAULT_FARM_PORT, show_default=True, help="First port of the farm's portals (0: any free ports).")
@click.option("--serve/--no-serve", default=True, show_default=True, help="Serve the site after the run.")
@pass_data
def demo(data: DataDir, seed: int, size: str, host: str, port: int, farm_port: int, serve: bool) -> None:
    """Start the bundled portal farm, run the whole pipeline against it and serve the archive.

    Needs no internet: the farm serves many organs' disclosure portals on 127.0.0.1, the way real CMS
    families do. The farm's portals are written into DATA/portals.csv; the site runs until Ctrl-C or
    SIGTERM, which stop the site, its Datasette and the farm alike.

    \b
    Example:
        nianbao demo                 # then open http://127.0.0.1:8001/
        nianbao --data /tmp/try demo --size full --port 8080
    """
    console = _console()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stopped by kill or systemd as by Ctrl-C
    console.print(f"starting the portal farm ({size}, seed {seed}); the data directory is {data.root}")
    try:
        with storage_faults_end("demo", data.root), running_farm(data.ensure(), seed, size, farm_port) as farm:
            console.print(f"farm: {len(farm.rows)} portals on 127.0.0.1, access log {farm.access_log}")
            report = demo_run(data, farm, console)
            report.render(console)
            if report.exit_code == 2:
                console.print("[red]the pipeline is broken (see the stages above); serving what the archive holds")
            if serve:
                serve_site(data, host, port, console)
    except LockHeld as exc:
        click.echo(f"nianbao demo: {exc}", err=True)
        sys.exit(LOCKED)
    except KeyboardInterrupt:
        console.print("stopped")
        if not serve:
            sys.exit(INTERRUPTED)
        return
    if not serve:
        sys.exit(report.exit_code)


@click.command()
@click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path), help="Also log to this file.")
@click.option("--max-sleep", type=float, default=3600.0, show_default=True, help="Longest sleep between looks, seconds.")
@click.option("--max-runs", type=int, help="Stop after this many runs (default: run until SIGTERM).")
@click.option(
    "--print",
    "print_kind",
    type=click.Choice(KINDS),
    help="Print a cron or systemd set-up for this machine and data directory instead of running.",
)
@click.option("--user", default="nianbao", show_default=True, help="The account systemd units run as.")
@click.option("--redis", "redis_url", default=DEFAULT_REDIS, show_default=True, metavar="redis://HOST:PORT/DB",
              help="The Redis server the printed redis, crawl-worker and extract-worker units use.")
@click.option("--snapshot/--no-snapshot", default=True, show_default=True, help="Passed to each run.")
@click.option("--allow-domain", "allowed", multiple=True, metavar="PATTERN", help="Passed to each run.")
@click.option("-s", "--set", "settings", multiple=True, metavar="NAME=VALUE", help="Passed to each run's crawl.")
@pass_data
def schedule(
    data: DataDir,
    log_file: Path | None,
    max_sleep: float,
    max_runs: int | None,
    print_kind: str | None,
    user: str,
    redis_url: str,
    snapshot: bool,
    allowed: tuple[str, ...],
    settings: tuple[str, ...],
) -> None:
    """Run as a service: visit each portal when the reporting calendar says it is due.

    Often in January–April (reports are due 31 January, and 31 March for governments at county level
    and above), around the day each portal usually publishes; rarely otherwise; failing portals are
    backed off. Each run is a `nianbao run` of the due portals, logged on one line. SIGTERM stops it
    cleanly. `--print service` writes a systemd unit for it; `--print cron` a crontab instead;
    `--print redis|crawl-worker|extract-worker` the units of a crawl shared by workers (docs/scale.md).

    \b
    Example:
        nianbao --data /srv/nianbao schedule --log-file /srv/nianbao/schedule.log
        nianbao --data /srv/nianbao schedule --print service > /etc/systemd/system/nianbao.service
    """
    if print_kind is not None:
        click.echo(render(print_kind, Setup.here(data.root, user, redis_url)), nl=False)
        return
    configure_logging(log_file)
    run_args = [] if snapshot else ["--no-snapshot"]
    for pattern in allowed:
        run_args += ["--allow-domain", pattern]
    for setting in settings:
        run_args += ["--set", setting]
    options = ServiceOptions(data=data.ensure(), max_sleep=max_sleep, max_runs=max_runs, run_args=run_args)
    service = Service(options)
    service.install_signal_handlers()
    sys.exit(service.serve())


commands = [run, demo, schedule]
