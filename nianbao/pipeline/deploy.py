"""Cron and systemd set-ups for a machine that keeps an archive up to date, written from one place.

The README shows these texts; ``nianbao schedule --print cron|timer|service`` prints them for the
machine at hand (this interpreter, this checkout, this data directory), and a test checks that what
they run exists and that systemd accepts them, so the documented set-up cannot drift from the code.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

KINDS = ("cron", "timer", "timer-service", "service")


@dataclass(frozen=True)
class Setup:
    """Where nianbao lives on this machine and whose account runs it."""

    nianbao: Path  # the console script inside the virtual environment
    data: Path
    workdir: Path
    user: str = "nianbao"

    @classmethod
    def here(cls, data: Path, user: str = "nianbao") -> "Setup":
        script = Path(sys.executable).with_name("nianbao")
        return cls(nianbao=script, data=data, workdir=Path(__file__).resolve().parents[2], user=user)

    def command(self, *args: str) -> str:
        return shlex.join([str(self.nianbao), "--data", str(self.data), *args])


def cron_line(setup: Setup) -> str:
    """Daily at 03:17, plus every 6 hours in January–April; the lock makes overlaps harmless."""
    run = setup.command("run")
    log = shlex.quote(str(setup.data / "run.log"))
    return (
        "# nianbao: daily run; every 6 hours in the reporting season (January-April)\n"
        f"17 3 * 5-12 * cd {shlex.quote(str(setup.workdir))} && {run} >> {log} 2>&1\n"
        f"17 3,9,15,21 * 1-4 * cd {shlex.quote(str(setup.workdir))} && {run} >> {log} 2>&1\n"
    )


def timer_service_unit(setup: Setup) -> str:
    """A oneshot service that runs the pipeline once; the timer starts it."""
    return f"""[Unit]
Description=nianbao: one run of the annual-report pipeline
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
User={setup.user}
WorkingDirectory={setup.workdir}
ExecStart={setup.command("run")}
# 1 = partial (some portals failed: the run recorded them), 75 = another run holds the lock.
SuccessExitStatus=1 75
# Stop signals go to nianbao alone, which stops its crawler gracefully; the rest are killed at the timeout.
KillMode=mixed
Nice=10
"""


def timer_unit(setup: Setup) -> str:
    """Every 6 hours in January–April, daily otherwise; catches up after downtime (Persistent)."""
    return """[Unit]
Description=nianbao: run the annual-report pipeline on its calendar

[Timer]
OnCalendar=*-01..04-* 03,09,15,21:17:00
OnCalendar=*-05..12-* 03:17:00
RandomizedDelaySec=15min
Persistent=true

[Install]
WantedBy=timers.target
"""


def service_unit(setup: Setup) -> str:
    """The long-lived ``nianbao schedule`` service, which keeps its own per-portal calendar."""
    return f"""[Unit]
Description=nianbao: scheduled crawls of government information-disclosure annual reports
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
User={setup.user}
WorkingDirectory={setup.workdir}
ExecStart={setup.command("schedule")}
KillSignal=SIGTERM
# SIGTERM to the scheduler alone: it interrupts the run in progress, which stops its crawler gracefully.
KillMode=mixed
TimeoutStopSec=15min
Restart=on-failure
RestartSec=5min

[Install]
WantedBy=multi-user.target
"""


def render(kind: str, setup: Setup) -> str:
    return {
        "cron": cron_line,
        "timer": timer_unit,
        "timer-service": timer_service_unit,
        "service": service_unit,
    }[kind](setup)
