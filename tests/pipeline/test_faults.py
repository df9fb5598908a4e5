"""Faults lose nothing: a full or read-only data directory is one line and exit 2, and the next run ends
exactly where an unfaulted run ends.

The faults are real: each case runs in a user and mount namespace of its own (``unshare``), on a tmpfs
too small for the run or on a read-only bind mount. The runs archive the bundled samples only (no
portal is visited), so the only thing that can go wrong is the directory.
"""

from __future__ import annotations

import json
import shlex
import sqlite3
import subprocess
from pathlib import Path

import pytest

from archive.paths import DataDir
from nianbao.pipeline import registry_file
from nianbao.pipeline.service import NIANBAO

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]

RUN = ("run", "--samples", "--portal", "none", "--json")  # the bundled samples; no portal visited


def _command(data: Path, *args: str) -> str:
    return shlex.join([*NIANBAO, "--data", str(data), *(args or RUN)])


def _namespace(script: str, workdir: Path) -> None:
    """Run a bash script as root of a user and mount namespace of its own (mounts vanish with it)."""
    done = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "bash", "-c", script],
                          cwd=workdir, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, f"unshare could not run the case (user namespaces needed): {done.stderr[-2000:]}"


def _outcome(out: Path, name: str) -> tuple[int, str, str]:
    return (int((out / f"{name}.code").read_text()), (out / f"{name}.out").read_text(),
            (out / f"{name}.err").read_text())


def _step(data: Path, out: Path, name: str, *args: str) -> str:
    return f"{_command(data, *args)} > {out}/{name}.out 2> {out}/{name}.err; echo $? > {out}/{name}.code\n"


def _empty_registry(path: Path) -> None:
    registry_file.write_rows(path, [])


def _reports(root: Path) -> set[tuple[str, int, str]]:
    """Every report of the archive with the hash of the document its numbers come from."""
    with sqlite3.connect(root / "nianbao.db") as db:
        return set(db.execute("SELECT r.organ, r.year, d.sha256 FROM reports r JOIN documents d ON d.id = r.primary_document_id"))


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    """What a run with room to work ends with."""
    data = DataDir(tmp_path_factory.mktemp("clean") / "data").ensure()
    _empty_registry(data.registry)
    done = subprocess.run(shlex.split(_command(data.root)), capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return data.root


def _one_line_error(code: int, err: str, *words: str) -> None:
    assert code == 2, err[-2000:]
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err[-2000:]
    assert all(word in lines[0] for word in words), lines[0]


def _size_kib(root: Path) -> int:
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file()) // 1024


def test_a_full_data_dir_stops_the_run_and_the_next_run_finishes_it(tmp_path: Path, clean: Path) -> None:
    """Disks of a tenth of what a run needs up to the size of its result fill at different stages (the
    archive's creation, extraction, the archive's registry tables, the snapshot, which needs room beyond
    the result while it writes: 1.1 times the result is enough for the compact archive and its texts file).
    The fractions were placed by trying 0.08 to 1.0 against the compact archive of issue 15."""
    stages = set()
    for fraction in (0.08, 0.3, 0.55, 0.7, 0.85, 1.0):
        case = tmp_path / f"full-{fraction}"
        data, out = case / "data", case / "out"
        data.mkdir(parents=True)
        out.mkdir()
        _empty_registry(case / "portals.csv")
        size = f"{int(_size_kib(clean) * fraction)}k"
        script = (
            f"set -u\nmount -t tmpfs -o size={size} tmpfs {data}\ncp {case}/portals.csv {data}/portals.csv\n"
            + _step(data, out, "full")
            + f"mount -o remount,size=64m {data}\n"
            + _step(data, out, "again")
            + f"cp -a {data} {out}/data\n"
        )
        _namespace(script, case)
        code, _, err = _outcome(out, "full")
        _one_line_error(code, err, "nianbao run: cannot write to the data directory", str(data))
        assert any(fault in err for fault in ("No space left on device", "database or disk is full", "disk I/O error")), err
        stages.add(err.partition("(in the ")[2].partition(" stage")[0])
        _finished_as_if_never_faulted(out, clean)
    assert len(stages) >= 3, f"the faults hit too few places: {stages}"


def _finished_as_if_never_faulted(out: Path, clean: Path) -> None:
    code, report, err = _outcome(out, "again")
    assert code == 0, err[-2000:]
    assert json.loads(report.strip().splitlines()[-1])["snapshot"]
    kept = out / "data"
    assert _reports(kept) == _reports(clean), "the run after the fault ends where an unfaulted run ends"
    snapshots = [path for path in (kept / "snapshots").iterdir() if path.is_dir()]
    assert [path.name for path in snapshots if path.name.startswith(".")] == [], "no partial snapshot is left"
    for folder in snapshots:
        check = subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    assert not list((kept / "store" / "blobs").rglob(".tmp-*"))
    for lock in ("run.lock", "snapshot.lock"):
        if (kept / lock).exists():
            assert json.loads((kept / lock).read_text())["pid"], f"{lock} is never left empty"
    with sqlite3.connect(kept / "nianbao.db") as db:
        statuses = [row[0] for row in db.execute("SELECT status FROM runs WHERE command = 'run' ORDER BY id")]
    assert statuses[-1] == "clean" and all(status in ("broken", "interrupted", "clean") for status in statuses)


def test_a_read_only_data_dir_is_one_line_and_exit_2(tmp_path: Path, clean: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    out.mkdir()
    subprocess.run(["cp", "-a", str(clean), str(data)], check=True)
    lock_before = (data / "run.lock").read_text()
    script = (
        f"set -u\nmount --bind {data} {data}\nmount -o remount,bind,ro {data}\n"
        + _step(data, out, "run")
        + _step(data, out, "snapshot", "snapshot")
        + _step(data, out, "extract", "extract", "--all")
    )
    _namespace(script, tmp_path)
    for name in ("run", "snapshot", "extract"):
        code, _, err = _outcome(out, name)
        _one_line_error(code, err, f"nianbao {name}:", str(data), "Read-only file system" if name != "extract" else "")
    assert (data / "run.lock").read_text() == lock_before
    assert _reports(data) == _reports(clean)
