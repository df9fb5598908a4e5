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
from urllib.parse import urlsplit

KINDS = ("cron", "timer", "timer-service", "service", "redis", "crawl-worker", "extract-worker")
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


@dataclass(frozen=True)
class Setup:
    """Where nianbao lives on this machine and whose account runs it."""

    nianbao: Path  # the console script inside the virtual environment
    data: Path
    workdir: Path
    user: str = "nianbao"
    redis_url: str = DEFAULT_REDIS  # the shared crawls' and extraction's Redis (docs/scale.md)

    @classmethod
    def here(cls, data: Path, user: str = "nianbao", redis_url: str = DEFAULT_REDIS) -> "Setup":
        script = Path(sys.executable).with_name("nianbao")
        return cls(nianbao=script, data=data, workdir=Path(__file__).resolve().parents[2], user=user,
                   redis_url=redis_url)

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


def redis_unit(setup: Setup) -> str:
    """nianbao's own Redis (``nianbao-redis.service``) on the machine that holds DATA/store.

    It keeps frontiers and queues, never a cache: nothing may be evicted (``noeviction``: a full server
    refuses writes, and workers retry, rather than silently dropping requests), and an append-only file
    lets a restart resume every crawl. Debian's own redis-server.service may be used instead with the
    same settings in /etc/redis/redis.conf. It listens on the URL's address: a private network only."""
    where = urlsplit(setup.redis_url)
    host, port = where.hostname or "127.0.0.1", where.port or 6379
    return f"""[Unit]
Description=nianbao: Redis of the shared crawls and the extraction queue
After=network.target

[Service]
Type=notify
User={setup.user}
StateDirectory=nianbao-redis
ExecStart=/usr/bin/redis-server --port {port} --bind {host} --dir /var/lib/nianbao-redis --save "" --appendonly yes --appendfsync everysec --maxmemory-policy noeviction --supervised systemd --daemonize no
LimitNOFILE=65536
Restart=always

[Install]
WantedBy=multi-user.target
"""


def crawl_worker_unit(setup: Setup) -> str:
    """``nianbao-crawl@N.service``: worker N of the shared crawl; it exits 0 when the crawl is done."""
    return f"""[Unit]
Description=nianbao: shared crawl worker %i
Wants=network-online.target
After=network-online.target nianbao-redis.service

[Service]
Type=simple
User={setup.user}
WorkingDirectory={setup.workdir}
ExecStart={setup.command("crawl", "--redis", setup.redis_url)}
# SIGTERM to nianbao alone: it stops its Scrapy process gracefully, which puts back what it holds.
KillMode=mixed
TimeoutStopSec=5min
Restart=on-failure
RestartSec=1min
Nice=5

[Install]
WantedBy=multi-user.target
"""


def extract_worker_unit(setup: Setup) -> str:
    """``nianbao-extract@N.service``: extraction worker N (one per core); it waits for documents."""
    return f"""[Unit]
Description=nianbao: extraction worker %i
After=network-online.target nianbao-redis.service

[Service]
Type=simple
User={setup.user}
WorkingDirectory={setup.workdir}
ExecStart={setup.command("extract-worker", "--redis", setup.redis_url)}
# What it holds when stopped goes back to the queue once its heartbeat stops.
TimeoutStopSec=1min
Restart=always
RestartSec=10s
Nice=10

[Install]
WantedBy=multi-user.target
"""


def render(kind: str, setup: Setup) -> str:
    return {
        "cron": cron_line,
        "timer": timer_unit,
        "timer-service": timer_service_unit,
        "service": service_unit,
        "redis": redis_unit,
        "crawl-worker": crawl_worker_unit,
        "extract-worker": extract_worker_unit,
    }[kind](setup)
