"""``nianbao parse``: the JSON it prints, the table for people, and how it treats a file it cannot read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nianbao.cli import cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "nianbao" / "samples").glob("*.txt"))
KEYS = {"organ", "year", "template", "published_on", "active_total", "active_items", "urls", "cells", "raw", "checks", "warnings"}


def _run(*args: str):
    return CliRunner().invoke(cli, ["parse", *args], catch_exceptions=False)


def _objects(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_json_output_has_the_documented_keys() -> None:
    result = _run(*(str(p) for p in SAMPLES[:2]))
    assert result.exit_code == 0, result.stderr
    objects = _objects(result.stdout)
    assert len(objects) == 2
    for obj in objects:
        assert KEYS <= set(obj)
        assert obj["template"] in ("2021", "2019")
        assert all(set(item) == {"category", "count"} for item in obj["active_items"])
        assert all({"rule", "cells", "expected", "actual", "ok"} <= set(check) for check in obj["checks"])
        assert set(obj["raw"]) <= set(obj["cells"])


def test_json_output_reads_the_report() -> None:
    seed_002 = next(p for p in SAMPLES if p.name.startswith("002_"))
    (obj,) = _objects(_run(str(seed_002)).stdout)
    assert obj["organ"] == "常青花园社区管理办公室"
    assert obj["year"] == 2024
    assert obj["active_total"] == 34
    assert obj["cells"]["sec3.new_received.natural_person"] == 1
    assert obj["raw"]["sec3.new_received.natural_person"].strip() == "1"


def test_table_format_is_for_people() -> None:
    seed_003 = next(p for p in SAMPLES if p.name.startswith("003_"))
    result = _run("--format", "table", str(seed_003))
    assert result.exit_code == 0, result.stderr
    assert "金社镇" in result.stdout
    assert "2024" in result.stdout
    assert "行政许可" in result.stdout  # the one non-zero cell, 14 licensing decisions
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.stdout.splitlines()[0])


@pytest.mark.parametrize("bad", ["missing", "empty", "garbage"])
def test_an_unreadable_file_is_one_error_line_after_the_others(tmp_path: Path, bad: str) -> None:
    path = tmp_path / f"{bad}.txt"
    if bad == "empty":
        path.write_bytes(b"")
    elif bad == "garbage":
        path.write_bytes(bytes(range(256)) * 4)
    result = _run(str(SAMPLES[0]), str(path), str(SAMPLES[1]))
    assert result.exit_code != 0
    objects = _objects(result.stdout)
    assert [Path(o["file"]).name for o in objects] == [SAMPLES[0].name, SAMPLES[1].name]
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1
    assert str(path) in errors[0] and errors[0].count(path.name) == 1, "the file is named once"
    assert "Traceback" not in result.stderr


def test_only_bad_files_exit_non_zero_with_nothing_on_stdout(tmp_path: Path) -> None:
    result = _run(str(tmp_path / "a.html"), str(tmp_path / "b.txt"))
    assert result.exit_code != 0
    assert result.stdout.strip() == ""
    assert len(result.stderr.strip().splitlines()) == 2
