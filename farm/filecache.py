"""A disk cache of the farm's attachment files, keyed by what they are made from.

``farm.render`` caches LibreOffice outputs by the DOCX's hash, but building that DOCX with python-docx
already costs up to a second a report. The farm knows the spec and the format before rendering, so it
keys files by the spec's repr, the format and a digest of the renderer's source files: a new renderer
version misses the cache by itself, and a farm restart serves every file it served before at once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any


@lru_cache(maxsize=1)
def _renderer_digest() -> str:
    digest = hashlib.sha256()
    folder = Path(__file__).resolve().parent / "render"
    for path in sorted(folder.glob("*.py")) + [Path(__file__).resolve().parent / "records.py"]:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def directory() -> Path:
    base = os.environ.get("NIANBAO_RENDER_CACHE") or str(
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nianbao" / "render")
    path = Path(base) / "farm-files"
    path.mkdir(parents=True, exist_ok=True)
    return path


def key(spec: Any, fmt: str) -> str:
    return hashlib.sha256(f"{_renderer_digest()}:{fmt}:{spec!r}".encode()).hexdigest() + f".{fmt}"


def get(spec: Any, fmt: str) -> bytes | None:
    path = directory() / key(spec, fmt)
    return path.read_bytes() if path.exists() else None


def put(spec: Any, fmt: str, data: bytes) -> None:
    folder = directory()
    handle, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(tmp, folder / key(spec, fmt))
