"""Parts 2–4 of ``extract_bench.py``: real pages in every format, LibreOffice per worker, hostile files.

Not run alone: ``extract_bench.py`` calls ``real_pages``, ``libreoffice_profiles`` and ``hostile`` in turn.
"""

from __future__ import annotations

import json
import os
import pickle
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from extract.convert import Limits, convert
from extract.document import ConversionError
from extract.parse import parse_document

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
REAL_PAGES = ("01_shanghai_shizhengfu_bgt_2019", "46_pingtan_2021", "48_pingtan_2022", "49_pingtan_2023")
FORMATS = ("html", "doc", "docx", "odt", "rtf", "pdf")


def in_child(fn: Callable[[], object]) -> tuple[object, float]:
    """Run ``fn`` in a forked child: (its result or the exception it raised, its peak resident MB)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: nothing but fn, then out without cleanup of the parent's state
        os.close(read_end)
        try:
            payload = pickle.dumps(fn())
        except BaseException as exc:  # handed to the parent, which prints it
            payload = pickle.dumps(exc)
        with os.fdopen(write_end, "wb") as fh:
            fh.write(payload)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        payload = fh.read()
    _, _, usage = os.wait4(pid, 0)
    return (pickle.loads(payload) if payload else RuntimeError("child died")), usage.ru_maxrss / 1024


def baseline_child_mb() -> float:
    return in_child(lambda: None)[1]


def page_cases() -> list[tuple[str, str, dict]]:
    """(name, HTML page, expected cells): the real pages (cells read by hand) and the seeds (their specs).
    Without ../shared/corpus the seeds alone, so the LibreOffice part still runs on a bare clone."""
    from farm.records import seed_records
    from tests.extract.office import seed_page

    cases = []
    for stem in REAL_PAGES if CORPUS.exists() else ():
        expected = json.loads((CORPUS / f"{stem}.expected.json").read_text(encoding="utf-8"))
        cases.append((stem[:2], (CORPUS / f"{stem}.html").read_text(encoding="utf-8"), expected["cells"]))
    for i, spec in enumerate(seed_records()):
        cases.append((f"seed{i}", seed_page(spec), spec.cells))
    return cases


def _cells(data: bytes, fmt: str) -> dict:
    return parse_document(convert(data, f"report.{fmt}")).cells


def real_pages(variants: tuple[str, ...]) -> None:
    """Part 2: every case, variant and format, against the HTML parse of the same page and the hand-read cells."""
    from tests.extract.office import BOXED, office, printed, variant

    if not CORPUS.exists():
        print("real pages: ../shared/corpus is absent, part 2 skipped\n")
        return
    cases = page_cases()
    print(f"real pages: {len(cases)} reports ({len(REAL_PAGES)} real pages, {len(cases) - len(REAL_PAGES)} seeds) "
          f"× {len(variants)} table layouts, converted by LibreOffice (cached)…", flush=True)
    header = f"{'layout':<17}{'format':<7}{'reports/s':>10}{'peak MB':>9}{'= HTML parse':>16}{'= hand-read':>16}{'wrong':>7}"
    print(header)
    print("-" * len(header))
    for name in variants:
        pages = [variant(page, name) for _, page, _ in cases]
        html_cells = [_cells(page.encode(), "html") for page in pages]
        for fmt in FORMATS + (("print",) if name in BOXED else ()):  # print: Chromium's PDF, spacing kept
            if fmt == "html":
                files = [page.encode() for page in pages]
            else:
                files = printed(pages) if fmt == "print" else office(pages, fmt)

            def run(files=files, fmt=fmt):
                try:  # imports, and the child's LibreOffice listener: a worker starts it once
                    _cells(files[0], "pdf" if fmt == "print" else fmt)
                except ConversionError:
                    pass  # counted below
                started = time.perf_counter()
                out = []
                for data in files:
                    try:
                        out.append(_cells(data, "pdf" if fmt == "print" else fmt))
                    except ConversionError as exc:
                        out.append(str(exc))
                return time.perf_counter() - started, out

            result, peak = in_child(run)
            seconds, records = result  # type: ignore[misc]
            same = total = right = scored = wrong = 0
            for (_, _, expected), cells, html in zip(cases, records, html_cells):
                if isinstance(cells, str):
                    total += len(html)
                    scored += len(expected)
                    continue
                total += len(html)
                same += sum(cells.get(k) == v for k, v in html.items())
                for key, value in expected.items():
                    got = cells.get(key)
                    scored += 1
                    right += got == value or (got is not None and value is not None and abs(got - value) < 1e-9)
                    wrong += got is not None and (value is None or abs(got - value) > 1e-9)
            print(f"{name:<17}{fmt:<7}{len(files) / seconds:>10.1f}{peak:>9.0f}"
                  f"{f'{100 * same / total:.2f}%':>16}{f'{100 * right / scored:.2f}%':>16}{wrong:>7}", flush=True)
    print()


def libreoffice_profiles(docs: list[bytes]) -> None:
    """Part 3: DOC → DOCX with a fresh profile per file (before), on one profile per worker, one file per
    run and in batches of files per run (``libreoffice.convert_many``: where a worker has no listener),
    and through LibreOffice listeners (``extract.convert.listener``: how workers convert now), one, and
    one per core in parallel. Each line: DOC/s (wall), and CPU seconds per DOC of every process involved
    (ours, soffice's, the bridge's); the load average is printed before and after."""
    from extract.convert import libreoffice
    from extract.convert.listener import Listener, uno_python

    def fresh() -> float:
        started = time.perf_counter()
        for data in docs:
            with tempfile.TemporaryDirectory() as tmp:
                libreoffice.use_profile(tmp)
                libreoffice.convert_many([("r.doc", data)], "docx")
        return time.perf_counter() - started

    def warm() -> None:
        libreoffice.use_profile(None)
        libreoffice.convert_many([("warm.doc", docs[0])], "docx")  # the worker's first run makes the profile

    def shared() -> float:
        warm()
        started = time.perf_counter()
        for data in docs:
            libreoffice.convert_many([("r.doc", data)], "docx")
        return time.perf_counter() - started

    def batched(share: list[bytes], size: int, warmed: bool = False) -> float:
        if not warmed:
            warm()
        started = time.perf_counter()
        for at in range(0, len(share), size):
            chunk = share[at : at + size]
            made = libreoffice.convert_many([(f"r{i}.doc", d) for i, d in enumerate(chunk)], "docx",
                                            timeout=60 + 10 * len(chunk))
            assert all(made), "LibreOffice left a file of the batch unconverted"
        return time.perf_counter() - started

    listeners: list[Listener] = []  # the one a forked process started (each process has its own list)

    def start_listener() -> float:
        """Start a listener and convert one file (LibreOffice's first-use work): the seconds it took."""
        started = time.perf_counter()
        listeners.append(Listener(python, libreoffice.soffice_binary()))
        listeners[-1].convert("warm.doc", docs[0])
        listeners[-1].seconds.clear()
        return time.perf_counter() - started

    def listened(share: list[bytes]) -> tuple[float, float, dict]:
        """(seconds converting, CPU seconds of the listener's group, LibreOffice's steps), then closed."""
        listener = listeners[-1]
        started = time.perf_counter()
        for data in share:
            listener.convert("r.doc", data)
        spent = time.perf_counter() - started
        cpu = _group_cpu(listener.proc.pid)
        listener.close()
        return spent, cpu, listener.seconds

    def line(label: str, spent: float, cpu: float, base: float | None = None) -> None:
        ratio = f" ({base / spent:.1f}x one per run)" if base else ""
        print(f"  {label:<44}{len(docs) / spent:>7.2f} DOC/s  CPU {cpu / len(docs):.2f} s/DOC{ratio}", flush=True)

    print(f"LibreOffice DOC -> DOCX, {len(docs)} files; load average {_load()}")
    before, cpu = _with_cpu(fresh)
    line("fresh profile per file (baseline)", before, cpu)
    now, cpu = _with_cpu(shared)
    line("one profile per worker, one file per run", now, cpu)
    for size in BATCH_SIZES:
        spent, cpu = _with_cpu(lambda size=size: batched(docs, size))
        line(f"one profile, {size} files per run", spent, cpu, now)
    size = BATCH_SIZES[-1]
    (spent, _), cpu = _with_cpu(lambda: _parallel([(warm, lambda share=share: batched(share, size, warmed=True))
                                                   for share in _shares(docs)]))
    line(f"{CORES} workers in parallel, {size} files per run", spent, cpu, now)
    python = uno_python()
    if python is None:
        print("  listener: no interpreter with LibreOffice's uno (python3-uno), not measured\n")
        return
    (start, (spent, group_cpu, steps)), cpu = _with_cpu(lambda: (start_listener(), listened(docs)))
    line("one listener per worker", spent, cpu + group_cpu, now)
    per_doc = ", ".join(f"{step} {1000 * s / len(docs):.0f} ms" for step, s in steps.items())
    print(f"    its start and first document {start:.1f} s; in LibreOffice per DOC: {per_doc}; the rest is "
          f"ours (files, pipe) {1000 * (spent - sum(steps.values())) / len(docs):.0f} ms")
    (wall, outcomes), cpu = _with_cpu(lambda: _parallel([(start_listener, lambda share=share: listened(share))
                                                          for share in _shares(docs)]))
    line(f"{CORES} listeners in parallel (one per core)", wall, cpu + sum(c for _, c, _ in outcomes), now)
    print(f"  load average {_load()}")
    extract_stage(docs)
    print()


def extract_stage(docs: list[bytes]) -> None:
    """DOC read as ``nianbao extract`` reads it (``extract.isolate``: a killable child per document, its
    DOCX parsed into a record there): with batches of 20 per soffice run, and through the listener."""
    from extract.isolate import parse_isolated, prefetch_office

    docs = list(dict.fromkeys(docs))  # a store holds each body once: a repeat would miss its batch's DOCX

    def run() -> float:
        parse_isolated(docs[0], "warm.doc")
        started = time.perf_counter()
        for n, data in enumerate(docs):
            if n % 20 == 0:
                prefetch_office(docs[n : n + 20])
            parse_isolated(data, "report.doc")
        return time.perf_counter() - started

    os.environ["NIANBAO_OFFICE_LISTENER"] = "0"
    try:
        batched = run()
    finally:
        del os.environ["NIANBAO_OFFICE_LISTENER"]
    listened = run()  # the listener stays for what follows, and goes at exit
    print(f"  {len(docs)} files as nianbao extract reads them (a child per document, parsed): 20 files per soffice run "
          f"{len(docs) / batched:.2f} DOC/s, through the worker's listener {len(docs) / listened:.2f} DOC/s")


CORES = 2


def _shares(docs: list[bytes]) -> list[list[bytes]]:
    return [docs[i::CORES] for i in range(CORES)]


def _parallel(jobs: list[tuple[Callable[[], object], Callable[[], object]]]) -> tuple[float, list]:
    """Each job (prepare, run) in a forked process of its own: all prepare (start LibreOffice), then all
    run at once; (wall seconds from the start of the runs to the end of the last, what each run returned)."""
    children = []
    for prepare, run in jobs:
        ready_r, ready_w = os.pipe()
        go_r, go_w = os.pipe()
        out_r, out_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            for fd in (ready_r, go_w, out_r):
                os.close(fd)
            prepare()
            os.write(ready_w, b"1")
            os.read(go_r, 1)
            with os.fdopen(out_w, "wb") as fh:
                fh.write(pickle.dumps(run()))
            os._exit(0)
        for fd in (ready_w, go_r, out_w):
            os.close(fd)
        children.append((pid, ready_r, go_w, out_r))
    for _, ready_r, _, _ in children:
        if not os.read(ready_r, 1):
            raise RuntimeError("a parallel job died while preparing")
    started = time.perf_counter()
    for _, _, go_w, _ in children:
        os.write(go_w, b"1")
    outcomes = []
    for pid, ready_r, go_w, out_r in children:
        with os.fdopen(out_r, "rb") as fh:
            payload = fh.read()
        outcomes.append(pickle.loads(payload) if payload else RuntimeError("a parallel job died"))
        os.waitpid(pid, 0)
        os.close(ready_r)
        os.close(go_w)
    wall = time.perf_counter() - started
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return wall, outcomes


def _with_cpu(fn: Callable[[], object]) -> tuple[object, float]:
    """``fn()`` in a forked child: (what it returned, CPU seconds of the child and the processes it
    waited for, soffice runs among them)."""
    def measured():
        result = fn()
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return result, own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    outcome, _ = in_child(measured)
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome  # type: ignore[return-value]


def _group_cpu(pgid: int) -> float:
    """CPU seconds of the live processes of a listener's group but its leader, the bridge, which its
    owner waits for and so counts among its children (oosplash and soffice it does not: orphaned)."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[2]) == pgid and int(entry.name) != pgid:
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


BATCH_SIZES = (5, 20)


def _largest_accepted() -> dict[str, Callable[[], bytes]]:
    """Documents at the limits: markup just under ``max_markup_bytes``, a page image at the pixel limit."""
    from tests.extract.hostile import big_html

    lim = Limits()

    def html_at_limit() -> bytes:
        return big_html(megabytes=lim.max_markup_bytes // 1_000_000 - 1)

    def page_at_limit() -> bytes:
        import io

        from PIL import Image, ImageDraw

        side = int((lim.max_ocr_megapixels * 1e6 * 0.95) ** 0.5)  # square, under the limit
        image = Image.new("L", (side, side), 255)
        draw = ImageDraw.Draw(image)
        for y in range(200, side - 200, 400):
            draw.rectangle([200, y, side - 200, y + 4], fill=0)
        buffer = io.BytesIO()
        image.save(buffer, "PNG", dpi=(300, 300))
        return buffer.getvalue()

    return {"HTML just under the markup limit": html_at_limit, "page image at the pixel limit": page_at_limit}


def hostile() -> None:
    """Part 4: each hostile file and each largest accepted document, read in a child: seconds, peak MB, outcome."""
    from tests.extract.hostile import HOSTILE

    print(f"hostile and largest files (baseline: an empty child {baseline_child_mb():.0f} MB)")
    header = f"{'file':<36}{'bytes':>12}{'seconds':>9}{'peak MB':>9}  outcome"
    print(header)
    print("-" * (len(header) + 40))
    for name, make in [*HOSTILE.items(), *_largest_accepted().items()]:
        data = make()

        def read(data=data, name=name):
            started = time.perf_counter()
            try:
                doc = convert(data, name)
                outcome = f"read: {len(doc.blocks)} blocks"
            except ConversionError as exc:
                outcome = f"refused: {exc}"
            return time.perf_counter() - started, outcome

        result, peak = in_child(read)
        seconds, outcome = result  # type: ignore[misc]
        print(f"{name:<36}{len(data):>12,}{seconds:>9.2f}{peak:>9.0f}  {outcome[:110]}", flush=True)
    print()


def tool_versions() -> str:
    soffice = shutil.which("soffice")
    version = subprocess.run([soffice, "--version"], capture_output=True, text=True, timeout=60).stdout.strip() if soffice else "none"
    return f"LibreOffice: {version}; max RSS of this process so far {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
