"""The farm's own LibreOffice runs: one profile per process, reused, and dropped after a failed run.

The commands are recorded rather than run (LibreOffice itself is exercised by every rendered fixture);
what is checked here is which profile each run is given.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from farm.render import cache


@dataclass
class Runs:
    """Every soffice command the farm would run; each fails while ``failing`` is set."""

    commands: list[list[str]] = field(default_factory=list)
    failing: bool = False

    def __call__(self, command: list[str], root: Path, timeout: float, count: int) -> None:
        self.commands.append(command)
        if self.failing:
            raise cache.RenderError("LibreOffice exited with status 1")

    def profiles(self) -> list[str]:
        return [_profile(command) for command in self.commands]


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> Runs:
    recorded = Runs()
    monkeypatch.setenv("NIANBAO_SOFFICE", "/bin/true")
    monkeypatch.setattr(cache, "_profile", None)
    monkeypatch.setattr(cache, "_run", recorded)
    yield recorded
    cache._drop_profile()


def _profile(command: list[str]) -> str:
    (option,) = [part for part in command if part.startswith("-env:UserInstallation=")]
    return option.partition("=")[2]


def test_runs_of_one_process_share_one_profile(runs: Runs) -> None:
    cache.soffice([b"a"], "pdf", timeout=5)
    cache.soffice([b"b"], "doc", timeout=5)
    first, second = runs.profiles()
    assert first == second
    assert Path(first.removeprefix("file://")).is_dir()


def test_a_failed_run_leaves_a_fresh_profile_for_the_next(runs: Runs) -> None:
    runs.failing = True
    with pytest.raises(cache.RenderError):
        cache.soffice([b"a"], "pdf", timeout=5)
    runs.failing = False
    cache.soffice([b"a"], "pdf", timeout=5)
    failed, next_one = runs.profiles()
    assert not Path(failed.removeprefix("file://")).exists(), "a half-written profile is not reused"
    assert next_one != failed


def test_a_forked_child_makes_its_own_profile(runs: Runs, monkeypatch: pytest.MonkeyPatch) -> None:
    cache.soffice([b"a"], "pdf", timeout=5)
    monkeypatch.setattr(os, "getpid", lambda: -1)  # as a child forked after the first run sees itself
    cache.soffice([b"a"], "pdf", timeout=5)
    parent, child = runs.profiles()
    assert parent != child
