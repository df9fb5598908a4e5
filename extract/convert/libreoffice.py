"""LibreOffice headless as a bounded subprocess: DOC/WPS/RTF -> DOCX for reading, DOCX -> PDF/DOC for fixtures.

Each run gets its own ``-env:UserInstallation`` profile in a fresh temporary directory, because two
soffice processes sharing a profile block or crash each other (and a stale lock from a killed run
would stall every later one). Each run has a timeout; soffice starts helper processes (oosplash,
soffice.bin), so it is started in its own session and the whole process group is killed on timeout.
Several files go through one invocation (``convert_many``), because starting LibreOffice costs about
a second and converting a report a fraction of that.

The binary is ``soffice`` from Debian's libreoffice-writer-nogui, or ``$NIANBAO_SOFFICE``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from extract.convert.limits import DEFAULT_LIMITS, Limits
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
        cmd = [
            binary,
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation={(root / 'profile').as_uri()}",
            "--convert-to",
            FILTERS[target] + (f":{filter_options}" if filter_options else ""),
            "--outdir",
            str(root / "out"),
            *map(str, paths),
        ]
        _run(cmd, timeout, cwd=root)
        results: list[bytes | None] = []
        for path in paths:
            out = root / "out" / f"{path.stem}.{target}"
            results.append(out.read_bytes() if out.exists() and out.stat().st_size > 0 else None)
        return results


def _run(cmd: list[str], timeout: float, cwd: Path) -> None:
    """Run soffice in its own process group; on timeout kill the group, not just the launcher."""
    env = dict(os.environ, HOME=str(cwd), SAL_USE_VCLPLUGIN="svp")
    started = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        _kill_group(proc)
        raise ConversionError(
            f"LibreOffice conversion timed out after {timeout:g} s (process group killed)"
        ) from exc
    finally:
        _kill_group(proc)  # helpers left behind by a launcher that exited
    if proc.returncode != 0:
        tail = (output or b"").decode("utf-8", "replace").strip().splitlines()[-1:]
        raise ConversionError(
            f"LibreOffice exited with status {proc.returncode} after {time.monotonic() - started:.1f} s"
            + (f": {tail[0]}" if tail else "")
        )


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def convert_legacy(data: bytes, kind: str, *, limits: Limits = DEFAULT_LIMITS) -> Document:
    """A word-processor file only LibreOffice reads (DOC, WPS, RTF, ODT, flat ODT, Word 2003 XML,
    WordPerfect) -> DOCX by LibreOffice, then read as DOCX; ``source_format`` keeps ``kind``."""
    from extract.convert.docx import convert_docx

    suffix = _SUFFIXES.get(kind, ".doc")
    if kind == "wps" and _has_word_stream(data):
        suffix = ".doc"  # Kingsoft WPS files are Word binary inside; Works files keep .wps for libwps
    (result,) = convert_many([(f"input{suffix}", data)], "docx", timeout=limits.conversion_timeout)
    if result is None:
        raise ConversionError(f"LibreOffice could not convert this {kind.upper()} file (damaged or unsupported)")
    document = convert_docx(result, limits=limits, source_format=kind)
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
