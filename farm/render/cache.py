"""A content-addressed disk cache for LibreOffice outputs, because one conversion takes about a second.

The key is the SHA-256 of the input bytes and the target format, so an unchanged DOCX is never
converted twice, by any process: the portal farm serving attachments and the test session share it.
Files are written to a temporary name and renamed, so concurrent writers never expose half a file.
The directory is ``$NIANBAO_RENDER_CACHE``, by default ``$XDG_CACHE_HOME/nianbao/render`` (``~/.cache``).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from extract.convert.libreoffice import convert_many
from extract.document import ConversionError


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
        outputs = convert_many(
            [(f"report{i}.docx", docx_files[i]) for i in order],
            target,
            timeout=30.0 + per_file_timeout * len(order),
        )
        for i, out in zip(order, outputs):
            if out is None:
                raise ConversionError(f"LibreOffice did not produce {target} for fixture {i}")
            store(docx_files[i], target, out)
        results = [cached(data, target) for data in docx_files]
    return [r for r in results if r is not None]
