"""A disk cache of the farm's attachment files, keyed by what they are made from.

``farm.render`` caches LibreOffice outputs by the DOCX's hash, but building that DOCX with python-docx
already costs up to a second a report. The farm knows the spec and the format before rendering, so it
keys files by the spec's repr, the format and a digest of the renderer's source files: a new renderer
version misses the cache by itself, and a farm restart serves every file it served before at once.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from farm.render.cache import cache_dir, read, write


@lru_cache(maxsize=1)
def _renderer_digest() -> str:
    digest = hashlib.sha256()
    folder = Path(__file__).resolve().parent / "render"
    templates = Path(__file__).resolve().parents[1] / "extract" / "templates"  # the labels they print
    for path in sorted(folder.glob("*.py")) + [Path(__file__).resolve().parent / "records.py"] + sorted(
        templates.glob("*.py")
    ):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def directory() -> Path:
    path = cache_dir() / "farm-files"
    path.mkdir(parents=True, exist_ok=True)
    return path


def key(spec: Any, fmt: str) -> str:
    return hashlib.sha256(f"{_renderer_digest()}:{fmt}:{spec!r}".encode()).hexdigest() + f".{fmt}"


def get(spec: Any, fmt: str) -> bytes | None:
    return read(directory() / key(spec, fmt))


def put(spec: Any, fmt: str, data: bytes) -> None:
    write(directory() / key(spec, fmt), data)
