"""One LibreOffice listener per worker (``extract.convert.listener``): it converts, it survives what
kills it, and it dies with its worker.

The DOC files are made by LibreOffice from seed pages (``office.py``, cached); expected cells come from
the seeds' specs, never from the converter. Every wait has a timeout; each test leaves no soffice behind.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extract.convert import libreoffice, listener
from extract.convert.listener import Listener, ListenerUnavailable, uno_python
from extract.document import ConversionError
from extract.isolate import parse_isolated
from farm.records import seed_records
from tests.extract.office import office, seed_page

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("libreoffice"),
    pytest.mark.skipif(uno_python() is None, reason="no interpreter with LibreOffice's uno (python3-uno)"),
]

SPECS = seed_records()[:3]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def docs() -> list[bytes]:
    return office([seed_page(spec) for spec in SPECS], "doc")


@pytest.fixture
def own():
    """A listener of the test's own, closed (its group killed) whatever the test does."""
    made = Listener(uno_python(), libreoffice.soffice_binary())
    yield made
    group = made.proc.pid if made.proc else None
    made.close()
    if group:
        assert _gone(group)


def _group(pgid: int) -> dict[int, str]:
    """Live processes of process group ``pgid``: pid -> command name."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
        if int(rest[2]) == pgid and rest[0] not in ("Z", "X"):  # fields 3 (state) and 5 (pgrp)
            found[int(entry.name)] = name
    return found


def _gone(pgid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while _group(pgid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _kernel_view(pid: int) -> str:
    """What the kernel says of a process that outlived a signal: state, signal masks, where it waits, how
    it is scheduled (a starved low-priority process stays R), its children."""
    proc = Path(f"/proc/{pid}")
    wanted = ("Name", "State", "PPid", "Threads", "SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt",
              "voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")
    parts = []
    try:
        parts += [line for line in (proc / "status").read_text(errors="replace").splitlines()
                  if line.split(":")[0] in wanted]
        stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        parts.append(f"utime+stime {int(stat[11]) + int(stat[12])} ticks, nice {stat[16]}, policy {stat[38]}")
        for name in ("wchan", "syscall", "stack"):
            try:
                parts.append(f"{name}: " + (proc / name).read_text(errors="replace").strip().replace("\n", " | ")[:300])
            except OSError as exc:
                parts.append(f"{name}: {exc.strerror}")
        parts.append(f"children: {(proc / 'task' / str(pid) / 'children').read_text().strip()}")
    except OSError as exc:
        parts.append(f"gone while read ({exc.strerror})")
    return "; ".join(parts)


def _ended(pidfd: int, pid: int, timeout: float) -> None:
    """Wait until the process behind ``pidfd`` has ended, whoever reaps it.

    A pid file descriptor names one process, not a number: in a full run another test's child reaper may
    collect the worker's exit status (``Popen.poll`` then answers None for ever) and the kernel may hand its
    pid to a new process, so neither ``poll`` nor ``/proc/<pid>`` can tell that it ended.
    """
    poller = select.poll()
    poller.register(pidfd, select.POLLIN)
    if not poller.poll(timeout * 1000):
        pytest.fail(f"worker {pid} still running {timeout:.0f} s after its signal: {_kernel_view(pid)}")


def _soffice(pgid: int) -> int:
    return next(pid for pid, name in _group(pgid).items() if name == "soffice.bin")


def _cells(docx: bytes, spec) -> dict:
    from extract.convert.docx import convert_docx
    from extract.parse import parse_document

    record = parse_document(convert_docx(docx, source_format="doc"))
    return {k: record.cells.get(k) for k in spec.cells}


def test_the_listener_converts_each_file_as_its_spec_says_and_stays_capped(own, docs):
    for spec, data in zip(SPECS, docs):
        assert _cells(own.convert("report.doc", data), spec) == dict(spec.cells)
    assert own.starts == 1  # one LibreOffice for every document
    limits = Path(f"/proc/{_soffice(own.proc.pid)}/limits").read_text()
    cap = next(line for line in limits.splitlines() if line.startswith("Max address space")).split()[3]
    assert int(cap) == own.memory


def test_a_batch_finishes_when_its_listener_is_killed_midway(own, docs):
    """soffice killed after the first document, then the bridge itself: each time a fresh listener
    converts the document that met the dead one, and the batch ends with every file right."""
    batch = [*docs, *docs]
    made = []
    for n, data in enumerate(batch):
        if n == 1:
            os.kill(_soffice(own.proc.pid), signal.SIGKILL)
        if n == 4:
            os.kill(own.proc.pid, signal.SIGKILL)
        made.append(own.convert("report.doc", data))
    assert own.starts == 3
    for n, docx in enumerate(made):
        spec = SPECS[n % len(SPECS)]
        assert _cells(docx, spec) == dict(spec.cells)


def test_a_conversion_past_its_time_kills_the_listener_and_the_next_one_starts(own, docs):
    own.convert("warm.doc", docs[0])
    group = own.proc.pid
    with pytest.raises(ConversionError, match=r"timed out after 0.001 s"):
        own.convert("slow.doc", docs[1], timeout=0.001)
    assert _gone(group)
    assert _cells(own.convert("report.doc", docs[1]), SPECS[1]) == dict(SPECS[1].cells)
    assert own.starts == 2


def test_a_listener_is_replaced_after_its_share_of_documents(own, docs, monkeypatch):
    monkeypatch.setattr(listener, "MAX_CONVERSIONS", 2)
    groups = []
    for data in docs:
        own.convert("report.doc", data)
        groups.append(own.proc.pid)
    assert own.starts == 2 and groups[0] == groups[1] != groups[2]
    assert _gone(groups[0])


def test_a_file_libreoffice_cannot_read_fails_alone_in_one_line(own, docs):
    with pytest.raises(ConversionError) as error:
        own.convert("broken.doc", docs[0][:1500])
    assert "\n" not in str(error.value) and str(error.value).startswith("LibreOffice")
    assert _cells(own.convert("report.doc", docs[2]), SPECS[2]) == dict(SPECS[2].cells)
    assert own.starts == 1


def test_a_listener_that_cannot_start_leaves_the_document_to_soffice_runs(tmp_path, docs, monkeypatch):
    """A bridge that cannot run (here an interpreter that exits at once; in life one without ``uno``):
    the start fails in one line, and after ``GIVE_UP`` failures the worker converts without a listener."""
    python = tmp_path / "python"
    python.write_text("#!/bin/sh\nexit 3\n")
    python.chmod(0o755)
    broken = Listener(str(python), libreoffice.soffice_binary(), start_timeout=20)
    try:
        with pytest.raises(ListenerUnavailable, match="did not start: it exited"):
            broken.convert("report.doc", docs[0])
        monkeypatch.setattr(listener, "_listener", broken)
        monkeypatch.setattr(listener, "_owner", os.getpid())
        record = parse_isolated(docs[0], "report.doc")  # its child runs soffice --convert-to
        assert {k: record.cells.get(k) for k in SPECS[0].cells} == dict(SPECS[0].cells)
        assert broken.failed_starts == listener.GIVE_UP and listener.worker_listener() is None
    finally:
        broken.close()


def test_isolated_extraction_converts_through_the_workers_listener(docs, monkeypatch):
    monkeypatch.setattr(libreoffice, "convert_many", lambda *a, **k: pytest.fail("a soffice run, not the listener"))
    for spec, data in zip(SPECS, docs):
        record = parse_isolated(data, "report.doc")
        assert record.source_format == "doc"
        assert {k: record.cells.get(k) for k in spec.cells} == dict(spec.cells)
    assert listener.worker_listener().starts == 1


WORKER = """
import sys, time
sys.path.insert(0, {root!r})
from extract.convert.listener import worker_listener
from extract.isolate import parse_isolated
record = parse_isolated(open({doc!r}, "rb").read(), "report.doc")
print(worker_listener().proc.pid, worker_listener().home, record.organ, flush=True)
time.sleep(600)  # a worker that outlives its signal is not ended by this sleep meanwhile
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_a_worker_stopped_or_killed_leaves_no_soffice(tmp_path, docs, signum):
    doc = tmp_path / "report.doc"
    doc.write_bytes(docs[0])
    # SIGINT as a terminal gives it: a test run started in the background (nohup, a CI runner's shell)
    # ignores SIGINT, its children inherit that, and an ignored SIGINT rightly stops nothing.
    worker = subprocess.Popen([sys.executable, "-c", WORKER.format(root=str(ROOT), doc=str(doc))],
                              stdout=subprocess.PIPE, text=True,
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    pidfd = os.pidfd_open(worker.pid)
    try:
        line = worker.stdout.readline()  # bounded: the worker's conversion has its own timeouts
        group, home, organ = line.split(maxsplit=2)
        assert organ.strip() == SPECS[0].organ
        assert "soffice.bin" in _group(int(group)).values()
        signal.pidfd_send_signal(pidfd, signum)
        _ended(pidfd, worker.pid, timeout=120)
        assert _gone(int(group), timeout=60), f"left running after {signal.Signals(signum).name}: {_group(int(group))}"
        assert not Path(home).exists()  # its profile and files went with it
    finally:
        if not select.select([pidfd], [], [], 0)[0]:
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        os.close(pidfd)
        if worker.poll() is None:
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass  # a zombie another reaper holds: dead, which is all this cleanup needs
