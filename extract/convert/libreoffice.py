"""LibreOffice headless as a bounded subprocess: DOC/WPS/RTF -> DOCX for reading, DOCX -> PDF/DOC for fixtures.

Each worker keeps one ``-env:UserInstallation`` profile (``worker_profile``): made fresh, LibreOffice's
first-start work costs a second or more per run. Runs on it are serialised, because two soffice
processes sharing a profile block or crash each other; a run that fails resets it, and
``--nolockcheck`` keeps a stale lock from a killed run from stalling the next. Each run is bounded by ``process.run_bounded``: a timeout after which
its whole process group is killed (soffice starts oosplash and soffice.bin), and a memory cap.
Several files go through one invocation (``convert_many``), because starting LibreOffice costs about
a second and converting a report a fraction of that. Where a worker keeps a LibreOffice listener
(``extract.convert.listener``), documents go through it instead, one at a time (``to_docx``); the
runs here remain for where it cannot start, and for the fixtures' PDF and DOC.

The binary is ``soffice`` from Debian's libreoffice-writer-nogui, or ``$NIANBAO_SOFFICE``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from extract.convert.limits import DEFAULT_LIMITS, Limits
from extract.convert.process import out_of_memory, run_bounded
from extract.document import ConversionError, Document

# LibreOffice's export filter names for --convert-to, by target extension.
FILTERS = {
    "pdf": "pdf:writer_pdf_Export",
    "docx": "docx:MS Word 2007 XML",
    "doc": "doc:MS Word 97",
    "odt": "odt",
}


# The file name LibreOffice is given for a sniffed kind: its type detection tries that filter first.
_SUFFIXES = {"doc": ".doc", "wps": ".wps", "rtf": ".rtf", "odt": ".odt", "fodt": ".fodt", "wordml": ".xml", "wpd": ".wpd"}


_PROFILE_LOCK = threading.Lock()  # two soffice runs on one profile block or crash each other
_profile: Path | None = None


def worker_profile() -> Path:
    """This worker's LibreOffice profile, made on first use and reused by every later run.

    A fresh profile costs LibreOffice a second or more of first-start work on every run; one profile
    per worker (the process that converts, or the one that hands its documents to children: see
    ``use_profile``) pays it once. Runs on it are serialised by a lock.
    """
    global _profile
    if _profile is None:
        _profile = Path(tempfile.mkdtemp(prefix="nianbao-soffice-profile-"))
        atexit.register(shutil.rmtree, _profile, True)
    return _profile


def use_profile(path: str | Path | None) -> None:
    """Run this process's conversions on ``path`` (the profile of the worker that forked it)."""
    global _profile
    _profile = Path(path) if path else None


def _reset_profile(profile: Path) -> None:
    shutil.rmtree(profile, ignore_errors=True)
    profile.mkdir(parents=True, exist_ok=True)


def soffice_binary() -> str:
    """The soffice executable, or a ConversionError saying how to install it."""
    configured = os.environ.get("NIANBAO_SOFFICE")
    found = configured or shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise ConversionError("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
    return found


def convert_many(
    inputs: list[tuple[str, bytes]],
    target: str,
    *,
    timeout: float = DEFAULT_LIMITS.conversion_timeout,
    filter_options: str | None = None,
    memory: int = DEFAULT_LIMITS.office_memory,
) -> list[bytes | None]:
    """Convert files with one soffice run; None for a file LibreOffice could not convert.

    ``inputs`` are (file name, bytes); the extension of the name tells LibreOffice which import filter
    to try first. The timeout covers the whole run: callers batching many files scale it.
    ``filter_options`` is appended to the export filter (LibreOffice's JSON options, e.g. a password).
    """
    if target not in FILTERS:
        raise ValueError(f"unsupported LibreOffice target {target!r}: expected one of {', '.join(FILTERS)}")
    if not inputs:
        return []
    binary = soffice_binary()
    with tempfile.TemporaryDirectory(prefix="nianbao-soffice-") as tmp:
        root = Path(tmp)
        (root / "in").mkdir()
        (root / "out").mkdir()
        paths = []
        for i, (name, data) in enumerate(inputs):
            suffix = Path(name).suffix or ".bin"
            path = root / "in" / f"f{i:04d}{suffix}"
            path.write_bytes(data)
            paths.append(path)
        with _PROFILE_LOCK:
            profile = worker_profile()
            cmd = [
                binary,
                "--headless",
                "--invisible",
                "--nologo",
                "--norestore",
                "--nodefault",
                "--nolockcheck",
                f"-env:UserInstallation={profile.as_uri()}",
                "--convert-to",
                FILTERS[target] + (f":{filter_options}" if filter_options else ""),
                "--outdir",
                str(root / "out"),
                *map(str, paths),
            ]
            try:
                _run(cmd, timeout, cwd=root, memory=memory)
            except ConversionError:
                _reset_profile(profile)  # a killed or crashed run may leave it half written
                raise
        results: list[bytes | None] = []
        for path in paths:
            out = root / "out" / f"{path.stem}.{target}"
            results.append(out.read_bytes() if out.exists() and out.stat().st_size > 0 else None)
        return results


def _run(cmd: list[str], timeout: float, cwd: Path, memory: int) -> None:
    """Run soffice bounded (``process.run_bounded``): its own process group, killed at the time limit."""
    env = dict(os.environ, HOME=str(cwd), SAL_USE_VCLPLUGIN="svp")
    started = time.monotonic()
    finished = run_bounded(cmd, what="LibreOffice conversion", timeout=timeout, memory=memory, cwd=cwd, env=env,
                           merge_stderr=True)
    if finished.returncode != 0:
        if out_of_memory(finished):
            raise ConversionError(f"LibreOffice ran out of its memory cap of {memory // 2**20:,} MB")
        tail = finished.stdout.decode("utf-8", "replace").strip().splitlines()[-1:]
        raise ConversionError(
            f"LibreOffice exited with status {finished.returncode} after {time.monotonic() - started:.1f} s"
            + (f": {tail[0]}" if tail else "")
        )


def convert_legacy(data: bytes, kind: str, *, limits: Limits = DEFAULT_LIMITS) -> Document:
    """A word-processor file only LibreOffice reads (DOC, WPS, RTF, ODT, flat ODT, Word 2003 XML,
    WordPerfect) -> DOCX by LibreOffice, then read as DOCX; ``source_format`` keeps ``kind``."""
    return read_converted(to_docx(data, kind, limits=limits), kind, limits=limits)


def to_docx(data: bytes, kind: str, *, limits: Limits = DEFAULT_LIMITS) -> bytes | None:
    """The DOCX LibreOffice makes of a ``kind`` file: through this worker's listener when it has one
    (``listener.worker_listener``), else by one soffice run; None when a run made nothing of it."""
    from extract.convert.listener import ListenerUnavailable, worker_listener

    listener = worker_listener(limits.office_memory)
    if listener is not None:
        try:
            return listener.convert(*input_name(data, kind), "docx", timeout=limits.conversion_timeout)
        except ListenerUnavailable:
            pass  # the document still goes through soffice --convert-to
    (result,) = convert_many(
        [input_name(data, kind)], "docx", timeout=limits.conversion_timeout, memory=limits.office_memory
    )
    return result


def input_name(data: bytes, kind: str) -> tuple[str, bytes]:
    """(file name, bytes) for ``convert_many``: the suffix that makes LibreOffice try the right filter."""
    suffix = _SUFFIXES.get(kind, ".doc")
    if kind == "wps" and _has_word_stream(data):
        suffix = ".doc"  # Kingsoft WPS files are Word binary inside; Works files keep .wps for libwps
    return f"input{suffix}", data


def read_converted(docx: bytes | None, kind: str, *, limits: Limits = DEFAULT_LIMITS) -> Document:
    """The DOCX LibreOffice made of a ``kind`` file (None: it made none), read as that file."""
    from extract.convert.docx import convert_docx

    if docx is None:
        raise ConversionError(f"LibreOffice could not convert this {kind.upper()} file (damaged or unsupported)")
    document = convert_docx(docx, limits=limits, source_format=kind)
    document.warnings.append(f"converted from {kind.upper()} to DOCX by LibreOffice")
    return document


def _has_word_stream(data: bytes) -> bool:
    import io

    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return ole.exists("WordDocument")
    except Exception:  # a damaged OLE header: let LibreOffice judge it
        return False
