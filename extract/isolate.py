"""Extraction of one document in a child process of its own, capped in memory and time, and killable.

A hostile or broken file must cost one document, not the batch: a converter that allocates without
end, a C library that crashes, or a tool that hangs would otherwise take ``nianbao extract`` (and the
``run`` around it) down with it. ``parse_isolated`` has the signature of ``extract.parse.parse_bytes``
and runs it in a child forked from a clean fork server (``multiprocessing``'s ``forkserver``: the
parser's modules are imported once, a child starts in milliseconds and shares no threads or sockets
with the caller). The child's address space is capped (``Limits.extraction_memory``) and the whole
extraction has ``Limits.extraction_timeout``; the tools it starts die with it. Whatever happens, the
caller gets a ``Record`` or a ``ConversionError`` with a one-line reason, never a traceback.

The file's format is sniffed in the caller: when LibreOffice is needed, the caller's listener
(``extract.convert.listener``: one per worker, started once) converts it to DOCX, and the child reads
that. Where a worker has no listener, the child runs soffice on the caller's one LibreOffice profile
(``libreoffice.worker_profile``), so a worker pays LibreOffice's first-start work once rather than per
document; starting LibreOffice still costs about a second a run, several times what converting a
report costs, so a batch that knows its next documents hands them to ``prefetch_office`` first, which
converts every one LibreOffice reads in one run (``benchmarks/extract_bench.py`` part 3 measures both).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import resource
import signal
from collections.abc import Iterable

from extract.convert.limits import Limits
from extract.document import ConversionError
from extract.record import Record

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["extract.parse"])


# DOCX that LibreOffice made ahead of extraction, by the SHA-256 of the document: (kind, DOCX or None).
_PREPARED: dict[str, tuple[str, bytes | None]] = {}


def prefetch_office(bodies: Iterable[bytes], *, limits: Limits | dict | None = None) -> int:
    """Convert the documents among ``bodies`` that LibreOffice reads in one LibreOffice run, for
    ``parse_isolated`` to take; the number converted. Any failure of the batch leaves each document
    to be converted alone, as without it."""
    from extract.convert.libreoffice import convert_many, input_name
    from extract.convert.sniff import LIBREOFFICE_FORMATS, sniff

    from extract.convert.listener import worker_listener

    lim = Limits.resolve(limits)
    if worker_listener(lim.office_memory) is not None:
        return 0  # the worker's listener converts each document as it is parsed, at no start-up cost
    todo: dict[str, tuple[str, bytes]] = {}
    for data in bodies:
        kind = sniff(data)
        if kind in LIBREOFFICE_FORMATS and len(data) <= lim.max_bytes:
            todo.setdefault(hashlib.sha256(data).hexdigest(), (kind, data))
    if not todo:
        return 0
    try:
        made = convert_many([input_name(data, kind) for kind, data in todo.values()], "docx",
                            timeout=lim.conversion_timeout * len(todo), memory=lim.office_memory)
    except ConversionError:
        return 0
    for (key, (kind, _)), docx in zip(todo.items(), made):
        _PREPARED[key] = (kind, docx)
    return len(todo)


def parse_isolated(data: bytes, filename: str | None = None, *, limits: Limits | dict | None = None) -> Record:
    """``parse_bytes`` in a child process; a failure of any kind is a one-line ``ConversionError``."""
    lim = Limits.resolve(limits)
    name = filename or "document"
    prepared = _PREPARED.pop(hashlib.sha256(data).hexdigest(), None) if _PREPARED else None
    office = None
    if prepared is None and (kind := _office_kind(data, lim)):
        prepared = _through_listener(data, kind, lim, name)
        office = None if prepared else _office_profile()
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(target=_extract, args=(sender, data, filename, lim, office, prepared), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(lim.extraction_timeout):
            raise ConversionError(
                f"{name}: extraction timed out after {lim.extraction_timeout:g} s (its process was killed)"
            )
        try:
            outcome, payload = receiver.recv()
        except (EOFError, OSError):
            child.join(5)
            raise ConversionError(f"{name}: {_death(child.exitcode, lim)}") from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    if outcome == "error":
        raise ConversionError(payload)
    return payload


def _office_kind(data: bytes, lim: Limits) -> str | None:
    """The document's kind when LibreOffice converts it (and it is within the size limit), else None."""
    from extract.convert.sniff import LIBREOFFICE_FORMATS, sniff

    kind = sniff(data)
    return kind if kind in LIBREOFFICE_FORMATS and len(data) <= lim.max_bytes else None


def _through_listener(data: bytes, kind: str, lim: Limits, name: str) -> tuple[str, bytes | None] | None:
    """The DOCX this worker's listener makes of the document, for the child to read; None without one."""
    from extract.convert.libreoffice import input_name
    from extract.convert.listener import ListenerUnavailable, worker_listener

    listener = worker_listener(lim.office_memory)
    if listener is None:
        return None
    try:
        return kind, listener.convert(*input_name(data, kind), "docx", timeout=lim.conversion_timeout)
    except ListenerUnavailable:
        return None
    except ConversionError as exc:
        raise ConversionError(f"{name}: {_one_line(str(exc))}") from exc


def _office_profile() -> str:
    """This worker's LibreOffice profile, for a child that runs soffice itself."""
    from extract.convert.libreoffice import worker_profile

    return str(worker_profile())


def _extract(
    sender, data: bytes, filename: str | None, lim: Limits, office: str | None, prepared: tuple[str, bytes | None] | None
) -> None:
    """The child: cap the address space, parse, send back the record or the one-line reason."""
    resource.setrlimit(resource.RLIMIT_AS, (lim.extraction_memory, lim.extraction_memory))
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        from extract.convert import convert, listener
        from extract.convert.libreoffice import read_converted, use_profile
        from extract.parse import parse_document

        listener.disable()  # a listener here would die with this child: the worker's converts for it
        if office:
            use_profile(office)
        if prepared:
            try:
                document = read_converted(prepared[1], prepared[0], limits=lim)
            except ConversionError as exc:
                raise ConversionError(f"{filename or 'document'}: {exc}") from exc
        else:
            document = convert(data, filename, limits=lim)
        result = ("ok", parse_document(document))
    except ConversionError as exc:
        result = ("error", _one_line(str(exc)))
    except MemoryError:
        result = ("error", f"{filename or 'document'}: needs more than its memory cap of "
                           f"{lim.extraction_memory // 2**20:,} MB")
    except Exception as exc:  # a parser bug on one document is recorded, not raised into the batch
        result = ("error", _one_line(f"{filename or 'document'}: {type(exc).__name__}: {exc}"))
    try:
        sender.send(result)
    except MemoryError:
        sender.send(("error", f"{filename or 'document'}: its record is too large to hand back"))
    finally:
        sender.close()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _death(exitcode: int | None, lim: Limits) -> str:
    """Why a child ended without an answer, in one line."""
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name
        if -exitcode in (signal.SIGKILL, signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS):
            return (f"extraction process died ({name}): a crash in a converter, or memory beyond its cap of "
                    f"{lim.extraction_memory // 2**20:,} MB")
        return f"extraction process ended by {name}"
    return f"extraction process exited with status {exitcode} without an answer"
