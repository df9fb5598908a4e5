"""LibreOffice renders the farm's PDF and DOC fixtures, through a content-addressed disk cache.

The farm calls LibreOffice itself rather than through the extractor's converter
(``extract.convert.libreoffice``), which is code under test: a fixture must not depend on it. One
conversion takes about a second, so outputs are cached. The key is the SHA-256 of the input bytes and
the target format, so an unchanged DOCX is never converted twice, by any process: the portal farm
serving attachments and the test session share it.
Files are written to a temporary name and renamed, so concurrent writers never expose half a file.
The directory is ``$NIANBAO_RENDER_CACHE``, by default ``$XDG_CACHE_HOME/nianbao/render`` (``~/.cache``).
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

# LibreOffice's export filters for the fixtures the farm serves.
FILTERS = {"pdf": "pdf:writer_pdf_Export", "doc": "doc:MS Word 97"}


# Two soffice runs on one profile block or crash each other: the threads of one process take turns.
_PROFILE_LOCK = threading.Lock()
_profile: tuple[int, Path] | None = None  # (the process that made it, the profile)


class RenderError(RuntimeError):
    """LibreOffice is missing, failed, ran out of time, or did not write a fixture."""


def _process_profile() -> Path:
    """This process's LibreOffice profile, made on first use and reused by every later run.

    A fresh profile costs LibreOffice a first start (a second or more) on every run; a cold farm build
    runs it once per batch of fixtures. A forked child makes its own rather than share its parent's.
    """
    global _profile
    if _profile is None or _profile[0] != os.getpid():
        path = Path(tempfile.mkdtemp(prefix="nianbao-farm-soffice-profile-"))
        atexit.register(shutil.rmtree, path, True)
        _profile = (os.getpid(), path)
    return _profile[1]


def cache_dir() -> Path:
    configured = os.environ.get("NIANBAO_RENDER_CACHE")
    if configured:
        path = Path(configured)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        path = Path(base) / "nianbao" / "render"
    path.mkdir(parents=True, exist_ok=True)
    return path


def read(path: Path) -> bytes | None:
    return path.read_bytes() if path.exists() else None


def write(path: Path, data: bytes) -> None:
    """Write under a temporary name and rename, so a concurrent reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def _key(data: bytes, target: str) -> str:
    return f"{hashlib.sha256(data).hexdigest()}.{target}"


def cached(data: bytes, target: str) -> bytes | None:
    return read(cache_dir() / _key(data, target))


def store(data: bytes, target: str, result: bytes) -> None:
    write(cache_dir() / _key(data, target), result)


def libreoffice_many(docx_files: list[bytes], target: str, *, per_file_timeout: float = 30.0) -> list[bytes]:
    """Convert DOCX bytes to ``target`` with the cache; the misses go through one soffice run."""
    results: list[bytes | None] = [cached(data, target) for data in docx_files]
    missing = [i for i, r in enumerate(results) if r is None]
    if missing:
        unique: dict[str, int] = {}
        for i in missing:
            unique.setdefault(hashlib.sha256(docx_files[i]).hexdigest(), i)
        order = list(unique.values())
        outputs = soffice([docx_files[i] for i in order], target, timeout=30.0 + per_file_timeout * len(order))
        for i, out in zip(order, outputs):
            if out is None:
                raise RenderError(f"LibreOffice did not produce {target} for fixture {i}")
            store(docx_files[i], target, out)
        results = [cached(data, target) for data in docx_files]
    return [r for r in results if r is not None]


def _drop_profile() -> None:
    global _profile
    if _profile is not None:
        shutil.rmtree(_profile[1], ignore_errors=True)
        _profile = None


def soffice(docx_files: list[bytes], target: str, *, timeout: float) -> list[bytes | None]:
    """DOCX files converted to ``target`` by one headless LibreOffice run (None where nothing came out).

    The run gets this process's profile (one run at a time on it; a failed run leaves a fresh one for
    the next) and its own session, so that on a timeout, or when the launcher leaves helpers behind,
    the whole process group is killed.
    """
    binary = os.environ.get("NIANBAO_SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")
    if not binary:
        raise RenderError("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
    with tempfile.TemporaryDirectory(prefix="nianbao-farm-soffice-") as tmp:
        root = Path(tmp)
        inputs = []
        for i, data in enumerate(docx_files):
            inputs.append(root / f"report{i:04d}.docx")
            inputs[-1].write_bytes(data)
        with _PROFILE_LOCK:
            profile = _process_profile()
            command = [binary, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
                       f"-env:UserInstallation={profile.as_uri()}", "--convert-to", FILTERS[target],
                       "--outdir", str(root / "out"), *map(str, inputs)]
            try:
                _run(command, root, timeout, len(inputs))
            except RenderError:
                _drop_profile()  # a killed or crashed run may leave it half written
                raise
        outputs = [root / "out" / f"{path.stem}.{target}" for path in inputs]
        return [path.read_bytes() if path.exists() and path.stat().st_size else None for path in outputs]


def _run(command: list[str], root: Path, timeout: float, count: int) -> None:
    """One soffice run in its own session; the whole group is killed after it, whatever happened."""
    process = subprocess.Popen(command, cwd=root, env={**os.environ, "HOME": str(root), "SAL_USE_VCLPLUGIN": "svp"},
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"LibreOffice took more than {timeout:g} s rendering {count} fixtures") from exc
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass  # the group is gone already
        process.wait()
    if process.returncode:
        raise RenderError(f"LibreOffice exited with status {process.returncode}: {output.decode(errors='replace')[-300:]}")
