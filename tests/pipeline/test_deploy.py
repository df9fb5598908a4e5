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
from nianbao.pipeline.deploy import KINDS, Setup, cron_line, render, service_unit, timer_service_unit, timer_unit

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
    assert sys.executable.rsplit("/", 1)[0] in result.output or kind == "timer"
