"""The cron and systemd set-ups the README gives: generated from code, run what exists, accepted by systemd."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from nianbao.cli import cli
from nianbao.pipeline.deploy import (KINDS, Setup, crawl_worker_unit, cron_line, extract_worker_unit, redis_unit, render,
                                     service_unit, timer_service_unit, timer_unit)

CRON_FIELD = re.compile(r"^(\*|\d+(-\d+)?(,\d+(-\d+)?)*)(/\d+)?$")


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    return Setup.here(tmp_path / "data", user="nianbao")


def test_the_generated_commands_run(setup: Setup) -> None:
    """The command every set-up runs is this venv's nianbao, and it answers."""
    assert setup.nianbao.exists(), f"{setup.nianbao}: the set-ups point at a console script that is not installed"
    for args in (("run", "--help"), ("schedule", "--help")):
        argv = shlex.split(setup.command(*args))
        result = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0, result.stderr


def test_cron_lines_are_valid_and_cover_the_season(setup: Setup) -> None:
    lines = [line for line in cron_line(setup).splitlines() if line and not line.startswith("#")]
    assert len(lines) == 2
    months = []
    for line in lines:
        fields = line.split(None, 5)
        assert all(CRON_FIELD.match(field) for field in fields[:5]), line
        assert setup.command("run") in fields[5] and str(setup.data / "run.log") in fields[5]
        months.append(fields[3])
    assert months == ["5-12", "1-4"], "every month is covered exactly once, more often in January–April"


def test_systemd_accepts_the_units(setup: Setup, tmp_path: Path) -> None:
    units = tmp_path / "units"
    units.mkdir()
    (units / "nianbao.service").write_text(service_unit(setup))
    (units / "nianbao-run.service").write_text(timer_service_unit(setup))
    (units / "nianbao-run.timer").write_text(timer_unit(setup))  # starts nianbao-run.service by its name
    for calendar in re.findall(r"OnCalendar=(.+)", timer_unit(setup)):
        result = subprocess.run(["systemd-analyze", "calendar", calendar], capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(path) for path in sorted(units.iterdir()))],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    # Only a machine without a running systemd may excuse itself; any complaint about the units fails.
    problems = [line for line in result.stderr.splitlines() if line.strip() and "has not been booted" not in line]
    assert result.returncode == 0 and not problems, result.stderr


def test_service_unit_stops_on_sigterm_and_runs_the_scheduler(setup: Setup) -> None:
    unit = service_unit(setup)
    assert "KillSignal=SIGTERM" in unit and "KillMode=mixed" in unit
    assert f"ExecStart={setup.command('schedule')}" in unit
    assert "SuccessExitStatus=1 75" in timer_service_unit(setup)
    assert "Persistent=true" in timer_unit(setup)


@pytest.mark.parametrize("kind", KINDS)
def test_schedule_prints_every_set_up(kind: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--data", str(tmp_path), "schedule", "--print", kind])
    assert result.exit_code == 0, result.output
    assert result.output == render(kind, Setup.here(tmp_path.resolve()))
    assert sys.executable.rsplit("/", 1)[0] in result.output or kind in ("timer", "redis")


def _verify(units: Path) -> None:
    result = subprocess.run(["systemd-analyze", "verify", *(str(path) for path in sorted(units.iterdir()))],
                            capture_output=True, text=True, check=False, timeout=60)
    problems = [line for line in result.stderr.splitlines() if line.strip() and "has not been booted" not in line]
    assert result.returncode == 0 and not problems, result.stderr


def test_systemd_accepts_the_shared_units(tmp_path: Path) -> None:
    """Redis and N workers of a shared crawl and extraction (issue 14): accepted by systemd, and every
    command they run answers."""
    setup = Setup.here(tmp_path / "data", redis_url="redis://10.0.0.5:6380/2")
    units = tmp_path / "units"
    units.mkdir()
    (units / "nianbao-redis.service").write_text(redis_unit(setup))
    (units / "nianbao-crawl@.service").write_text(crawl_worker_unit(setup))
    (units / "nianbao-extract@.service").write_text(extract_worker_unit(setup))
    for instance in ("1", "2"):  # templates are verified through their instances
        (units / f"nianbao-crawl@{instance}.service").symlink_to(units / "nianbao-crawl@.service")
        (units / f"nianbao-extract@{instance}.service").symlink_to(units / "nianbao-extract@.service")
    _verify(units)
    assert "--port 6380 --bind 10.0.0.5" in redis_unit(setup) and "noeviction" in redis_unit(setup)
    for unit, args in ((crawl_worker_unit(setup), ("crawl", "--redis", setup.redis_url)),
                       (extract_worker_unit(setup), ("extract-worker", "--redis", setup.redis_url))):
        assert f"ExecStart={setup.command(*args)}" in unit
        result = subprocess.run([*shlex.split(setup.command(args[0], "--help"))], capture_output=True, text=True,
                                timeout=60, check=False)
        assert result.returncode == 0, result.stderr
