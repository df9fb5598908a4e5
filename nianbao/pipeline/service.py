"""``nianbao schedule``: a long-lived service that runs the pipeline when portals fall due.

Each tick reads the registry and the visit history (the archive's ``run_portals``), asks the calendar
which portals are due, and runs ``nianbao run --portal-file`` for exactly those in a child process: a
fresh process per run because Scrapy's reactor cannot be restarted within one, and because a crash
in a run must not take the service down. Between ticks it sleeps until the next portal falls due
(at most ``max_sleep``, so a registry edited by hand is noticed). SIGTERM or SIGINT stops it
cleanly: a run in progress is asked to stop (SIGTERM, which ``nianbao run`` handles as Ctrl-C, and
which a background job cannot have ignored the way it ignores SIGINT) and waited for; whatever it
left unfinished, the next run finishes.
"""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import FrameType

from archive.db import open_archive
from archive.paths import DataDir
from nianbao.pipeline import registry_file, runs
from nianbao.pipeline.calendar import PortalInfo, due_portals

log = logging.getLogger("nianbao.schedule")
# The ``nianbao`` command run by the interpreter of this very service, whatever the PATH says.
NIANBAO = [sys.executable, "-c", "from nianbao.cli import main; main()"]
INTERRUPTED = 130  # the exit status of a run stopped by SIGINT or SIGTERM


@dataclass
class ServiceOptions:
    data: DataDir
    max_sleep: float = 3600.0  # seconds between looks at the registry when nothing is due
    max_runs: int | None = None  # stop after this many runs (tests, one-off catch-ups)
    stop_timeout: float = 600.0  # how long to wait for a run to stop after SIGTERM
    run_args: list[str] = field(default_factory=list)  # extra arguments for ``nianbao run``
    clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)


@dataclass
class Service:
    options: ServiceOptions
    stopping: threading.Event = field(default_factory=threading.Event)
    child: subprocess.Popen[str] | None = None
    runs_done: int = 0

    def install_signal_handlers(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        log.info("received %s: stopping (a run in progress is interrupted; the next run finishes it)",
                 signal.Signals(signum).name)
        self.stopping.set()
        if self.child is not None and self.child.poll() is None:
            self.child.send_signal(signal.SIGTERM)

    def due(self, now: datetime) -> tuple[list[str], datetime | None]:
        """The site_ids due now and the time the next one falls due."""
        data = self.options.data
        if not data.registry.exists():
            registry_file.ensure_registry(data.registry)
        rows = registry_file.crawlable(registry_file.read_rows(data.registry))
        portals = [PortalInfo(row["site_id"], row.get("level"), row.get("organ")) for row in rows]
        history = runs.visit_history(open_archive(data.archive_db)) if data.archive_db.exists() else {}
        due, upcoming = due_portals(portals, history, now)
        return [portal.site_id for portal in due], upcoming

    def run_once(self, site_ids: list[str]) -> int:
        """Run the pipeline for ``site_ids`` in a child process; log its report line; return its exit code."""
        data = self.options.data
        due_file = data.root / ".pipeline" / "due.txt"
        due_file.parent.mkdir(parents=True, exist_ok=True)
        due_file.write_text("\n".join(site_ids) + "\n", encoding="utf-8")
        command = [
            *NIANBAO, "--data", str(data.root), "run",
            "--portal-file", str(due_file), "--json", "--wait", "60", *self.options.run_args,
        ]
        log.info("run starting: %d portals due", len(site_ids))
        started = time.monotonic()
        self.child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            out, err = self.child.communicate(timeout=None)
        finally:
            code = self.child.returncode
            self.child = None
        self.runs_done += 1
        elapsed = time.monotonic() - started
        if code == INTERRUPTED:
            log.info("run interrupted after %.1fs", elapsed)
        else:
            log.info("run finished: %s (exit %s) in %.1fs", _summary(out), code, elapsed)
        if code not in (0, 1, INTERRUPTED) and err:
            log.warning("run stderr: %s", err.strip()[-2000:])
        return code

    def serve(self) -> int:
        """The service loop; returns 0 when stopped by a signal or ``max_runs``."""
        log.info("schedule started on %s", self.options.data.root)
        while not self.stopping.is_set():
            now = self.options.clock()
            site_ids, upcoming = self.due(now)
            if site_ids:
                self.run_once(site_ids)
                if self.options.max_runs is not None and self.runs_done >= self.options.max_runs:
                    break
                continue
            wait = sleep_seconds(upcoming, now, self.options.max_sleep)
            log.info("nothing due; next visit %s; sleeping %.0fs", upcoming.isoformat() if upcoming else "none", wait)
            self.stopping.wait(wait)
        log.info("schedule stopped")
        return 0


def _summary(out: str | None) -> str:
    """The run's JSON report as one log line."""
    try:
        report = json.loads((out or "").strip().splitlines()[-1])
    except (ValueError, IndexError):
        return "no report"
    totals = report.get("totals", {})
    figures = ", ".join(f"{key} {value}" for key, value in totals.items())
    snapshot = f", snapshot {report['snapshot']}" if report.get("snapshot") else ""
    return f"run {report.get('run_id')} {report.get('status')}: {report.get('portals')} portals, {figures}{snapshot}"


def configure_logging(log_file: Path | None) -> None:
    """Timestamped lines on stderr (journald keeps them) and, if asked, in a file too."""
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s", handlers=handlers, force=True
    )


def sleep_seconds(upcoming: datetime | None, now: datetime, cap: float) -> float:
    """Until the next portal falls due, but never longer than ``cap`` nor shorter than a second."""
    if upcoming is None:
        return cap
    return min(cap, max(1.0, (upcoming - now).total_seconds()))
