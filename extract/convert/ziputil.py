"""Safe opening of zip containers (DOCX, OFD): corrupt archives and zip bombs become specific errors.

The declared sizes in a zip's central directory can lie, so members are also read in chunks with a
running budget: a bomb is stopped after reading at most ``max_zip_uncompressed`` bytes, never
after it has filled memory.
"""

from __future__ import annotations

import io
import zipfile

from extract.convert.limits import Limits
from extract.document import ConversionError

_CHUNK = 1 << 20


def check_zip(data: bytes, lim: Limits) -> zipfile.ZipFile:
    """Open a zip and check its directory against the limits before anything is decompressed."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ConversionError(f"truncated or corrupt zip container ({exc})") from exc
    except (ValueError, OSError, EOFError) as exc:
        raise ConversionError(f"truncated or corrupt zip container ({exc})") from exc
    infos = zf.infolist()
    if len(infos) > lim.max_zip_members:
        raise ConversionError(f"zip holds {len(infos):,} members, more than the limit of {lim.max_zip_members:,}")
    declared = sum(info.file_size for info in infos)
    if declared > lim.max_zip_uncompressed:
        raise ConversionError(
            f"zip bomb suspected: members declare {declared:,} bytes uncompressed, "
            f"more than the limit of {lim.max_zip_uncompressed:,}"
        )
    for info in infos:
        if info.flag_bits & 0x1:
            raise ConversionError(f"zip member {info.filename} is encrypted")
        if info.file_size > _CHUNK and info.file_size > lim.max_zip_ratio * max(info.compress_size, 1):
            raise ConversionError(
                f"zip bomb suspected: member {info.filename} expands {info.compress_size:,} -> "
                f"{info.file_size:,} bytes (ratio above {lim.max_zip_ratio:g})"
            )
    return zf


class ZipReader:
    """Reads members of a checked zip while keeping a total decompression budget."""

    def __init__(self, data: bytes, lim: Limits) -> None:
        self.zip = check_zip(data, lim)
        self.names = self.zip.namelist()
        self._budget = lim.max_zip_uncompressed
        self._lim = lim

    def read(self, name: str) -> bytes:
        """One member's bytes; a member that expands past the budget or is damaged raises ConversionError."""
        try:
            info = self.zip.getinfo(name)
        except KeyError as exc:
            raise ConversionError(f"zip member {name} is missing") from exc
        out = bytearray()
        try:
            with self.zip.open(info) as fh:
                while chunk := fh.read(_CHUNK):
                    out += chunk
                    self._budget -= len(chunk)
                    if self._budget < 0:
                        raise ConversionError(
                            f"zip bomb suspected: decompressing {name} passed the limit of "
                            f"{self._lim.max_zip_uncompressed:,} bytes"
                        )
                    if len(out) > _CHUNK and len(out) > self._lim.max_zip_ratio * max(info.compress_size, 1):
                        raise ConversionError(
                            f"zip bomb suspected: member {name} expands beyond ratio {self._lim.max_zip_ratio:g}"
                        )
        except ConversionError:
            raise
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise ConversionError(f"corrupt zip member {name} ({exc})") from exc
        except Exception as exc:  # zlib.error and friends: damaged compressed data
            raise ConversionError(f"corrupt zip member {name} ({type(exc).__name__}: {exc})") from exc
        return bytes(out)

    def find(self, name: str) -> str | None:
        """The real name of a member matched case-insensitively, ignoring a leading slash."""
        wanted = name.lower().lstrip("/")
        return next((n for n in self.names if n.lower().lstrip("/") == wanted), None)
