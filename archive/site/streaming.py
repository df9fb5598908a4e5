"""A byte range of a file on disk as an ASGI response, streamed in chunks: a stored original (the whole
blob) or one WARC record (its offset and length inside the run's WARC file).

Datasette's own ``AsgiFileDownload`` sends whole files only and writes an ASCII-only
Content-Disposition; originals need non-ASCII file names (RFC 6266 ``filename*``) and WARC records a
slice, so this is the same loop with a start and a length.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

CHUNK = 1 << 16


class FileRange:
    """``length`` bytes of ``path`` from ``offset``; Datasette calls ``asgi_send`` for route responses."""

    def __init__(self, path: Path, offset: int, length: int, content_type: str, headers: dict[str, str]):
        self.path, self.offset, self.length = path, offset, length
        self.content_type, self.headers = content_type, headers

    async def asgi_send(self, send) -> None:
        size = self.path.stat().st_size
        length = max(0, min(self.length, size - self.offset))  # an index older than its file sends what is there
        headers = {**self.headers, "content-type": self.content_type, "content-length": str(length)}
        await send({"type": "http.response.start", "status": 200,
                    "headers": [[key.encode("latin-1"), value.encode("latin-1")] for key, value in headers.items()]})
        remaining = length
        with self.path.open("rb") as handle:  # reads run in a thread: a slow disk never stalls the event loop
            handle.seek(self.offset)
            while remaining > 0:
                chunk = await asyncio.to_thread(handle.read, min(CHUNK, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                await send({"type": "http.response.body", "body": chunk, "more_body": remaining > 0})
        if remaining > 0 or length == 0:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
