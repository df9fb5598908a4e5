"""Extraction benchmark: per attachment format, reports/s, peak memory and cells right, on one core.

    .venv/bin/python benchmarks/extract_bench.py [--reports N] [--ocr-reports N] [--skip-generated]

Four parts, each printing its figures beside a baseline measured in the same run:

1. The generated corpus (farm specs rendered by python-docx, LibreOffice and pdftoppm, cached in
   ``$NIANBAO_RENDER_CACHE``; each spec padded to a six-page report): table cells reproduced exactly,
   record cells equal to the spec, reports/s convert only and convert + parse, peak memory. PDF is also
   read by pdfplumber's table finder, the baseline that backs the choice of pypdfium2.
2. The real report pages of ../shared/corpus (01, 46, 48, 49) and the seeds, as HTML and as LibreOffice
   made them into DOC, DOCX, ODT, RTF and PDF, with the tables as one grid, as one table per row, with
   and without borders (``tests/extract/office.py``): record cells equal to the parse of the HTML.
3. LibreOffice: DOC files converted with a fresh profile per file (how it ran first), on one profile
   per worker one file or a batch per run (where a worker has no listener), and through listeners
   (how workers convert now), one and one per core; DOC/s, CPU seconds per DOC and load average.
4. Hostile files (``tests/extract/hostile.py``) and the largest documents the limits accept: seconds,
   peak memory of the process that read them, and the one-line outcome.

Peak memory is the resident high-water mark of a child forked to do that part alone; the figure for
an empty child is printed as its baseline.
"""

from __future__ import annotations

import argparse
import copy
import re
import statistics
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extract.convert import convert  # noqa: E402
from extract.document import Document, Table  # noqa: E402
from extract.parse import parse_document  # noqa: E402
from benchmarks.attachment_bench import (  # noqa: E402
    page_cases,
    baseline_child_mb,
    hostile,
    in_child,
    libreoffice_profiles,
    real_pages,
    tool_versions,
)
from farm.records import ReportSpec, corpus_specs, seed_records  # noqa: E402
from farm.render.layout import layout, tables  # noqa: E402
from tests.extract.office import BOXED, VARIANTS, office, variant  # noqa: E402

VALUE = re.compile(r"[\d.]+|/|—|无|")


def six_pages(spec: ReportSpec) -> ReportSpec:
    """The spec with sections 一 and 五 written at the length of a real six-page report."""
    padded = copy.deepcopy(spec)
    extra = (
        "围绕群众关心关注的社会救助、养老服务、惠民惠农资金发放等重点领域，及时准确公开相关信息，"
        "并通过政府网站、政务新媒体、公开栏等渠道同步发布，方便群众查询。"
    )
    padded.texts["sec1"] = spec.texts["sec1"] + "\n" + "\n".join([extra * 3] * 4)
    padded.texts["sec5"] = spec.texts["sec5"] + "\n" + "\n".join([extra * 2] * 3)
    return padded


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def table_accuracy(doc_tables: list[list[list[str]]], spec: ReportSpec, values_only: bool = False) -> tuple[int, int]:
    expected = [t.grid() for t in tables(layout(spec))]
    total = right = 0
    for i, grid in enumerate(expected):
        got = doc_tables[i] if i < len(doc_tables) else []
        for r, row in enumerate(grid):
            for c, text in enumerate(row):
                if values_only and not VALUE.fullmatch(text):
                    continue
                total += 1
                cell = got[r][c] if r < len(got) and c < len(got[r]) else None
                right += cell is not None and squash(cell) == squash(text)
    return right, total


def doc_tables(doc: Document) -> list[list[list[str]]]:
    return [[[c.text for c in row] for row in b.rows] for b in doc.blocks if isinstance(b, Table)]


def record_accuracy(doc: Document, spec: ReportSpec) -> tuple[int, int]:
    record = parse_document(doc)
    return sum(record.cells.get(k) == v for k, v in spec.cells.items()), len(spec.cells)


def pdfplumber_tables(data: bytes) -> list[list[list[str]]]:
    """pdfplumber's lattice tables, merged cells (None) filled from the left, then from above."""
    import io

    import pdfplumber

    out: list[list[list[str]]] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_text()
            for table in page.extract_tables():
                grid = [[cell for cell in row] for row in table]
                for r, row in enumerate(grid):
                    for c, cell in enumerate(row):
                        if cell is None:
                            row[c] = row[c - 1] if c > 0 and row[c - 1] is not None else (grid[r - 1][c] if r > 0 else "")
                out.append([[cell or "" for cell in row] for row in grid])
    # Tables continued over a page break come back in pieces: join pieces of equal width.
    joined: list[list[list[str]]] = []
    for table in out:
        if joined and len(joined[-1][0]) == len(table[0]) and len(table[0]) in (10,):
            joined[-1].extend(table)
        else:
            joined.append(table)
    return joined


def timed(fn, items) -> tuple[float, list]:
    started = time.perf_counter()
    results = [fn(x) for x in items]
    return time.perf_counter() - started, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=24, help="generated specs besides the seeds")
    parser.add_argument("--ocr-reports", type=int, default=2, help="scanned reports to OCR")
    parser.add_argument("--skip-generated", action="store_true", help="parts 2–4 only")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="table layouts of part 2, comma-separated (also the boxed ones: " + ",".join(BOXED) + ")")
    args = parser.parse_args()
    print(tool_versions() + "\n", flush=True)
    if not args.skip_generated:
        generated(args)
    real_pages(tuple(v for v in args.variants.split(",") if v))
    doc_files = office([variant(page, "grid") for _, page, _ in page_cases()], "doc")
    libreoffice_profiles(doc_files * 2)  # 18 files: the real pages and seeds, twice
    hostile()


def generated(args: argparse.Namespace) -> None:
    """Part 1: the generated corpus in every format the farm renders."""
    from farm.render.doc import render_docs
    from farm.render.docx import render_docx
    from farm.render.ofd import pdf_to_ofd
    from farm.render.pdf import render_pdfs
    from farm.render.scan import scan_pdf

    specs = [six_pages(s) for s in seed_records() + corpus_specs()[: args.reports]]
    print(f"corpus: {len(specs)} reports (5 seeds + {len(specs) - 5} generated), rendering…", flush=True)
    started = time.perf_counter()
    files = {"docx": [render_docx(s) for s in specs]}
    files["pdf"] = render_pdfs(specs)
    files["doc"] = render_docs(specs[:6])
    files["ofd"] = [pdf_to_ofd(p) for p in files["pdf"]]
    scans = [scan_pdf(p, seed=f"{s.seed}:{s.organ}") for s, p in zip(specs[: args.ocr_reports], files["pdf"][: args.ocr_reports])]
    print(f"rendered in {time.perf_counter() - started:.1f} s (cached outputs are reused)\n", flush=True)

    import pypdfium2 as pdfium

    pages = [len(pdfium.PdfDocument(p)) for p in files["pdf"]]
    print(f"PDF pages per report: mean {statistics.mean(pages):.1f}, min {min(pages)}, max {max(pages)}\n")
    header = (f"{'format':<18}{'reports':>8}{'table cells exact':>22}{'record cells exact':>22}{'reports/s':>12}"
              f"{'+parse/s':>10}{'peak MB':>9}")
    print(f"peak memory baseline: an empty child {baseline_child_mb():.0f} MB")
    print(header)
    print("-" * len(header))
    for fmt in ("docx", "pdf", "doc", "ofd"):
        data = files[fmt]
        subset = specs[: len(data)]
        convert(data[0])  # warm imports

        def warm_then_time(data=data):
            convert(data[0])  # and, in the child, its LibreOffice listener: a worker starts it once
            return timed(convert, data)

        (seconds, docs), peak = in_child(warm_then_time)
        seconds_parse, _ = timed(lambda d: parse_document(convert(d)), data) if fmt != "doc" else (None, None)
        t_right = t_total = r_right = r_total = 0
        for doc, spec in zip(docs, subset):
            a, b = table_accuracy(doc_tables(doc), spec)
            t_right, t_total = t_right + a, t_total + b
            a, b = record_accuracy(doc, spec)
            r_right, r_total = r_right + a, r_total + b
        rate = len(data) / seconds
        rate_parse = f"{len(data) / seconds_parse:>10.1f}" if seconds_parse else f"{'—':>10}"
        label = {"pdf": "pdf (pypdfium2)", "doc": "doc (LibreOffice)"}.get(fmt, fmt)
        print(
            f"{label:<18}{len(data):>8}{f'{t_right}/{t_total} {100 * t_right / t_total:.2f}%':>22}"
            f"{f'{r_right}/{r_total} {100 * r_right / r_total:.2f}%':>22}{rate:>12.1f}{rate_parse}{peak:>9.0f}"
        )

    subset = files["pdf"][:8]
    pdfplumber_tables(subset[0])
    seconds, grids = timed(pdfplumber_tables, subset)
    right = total = 0
    for grid, spec in zip(grids, specs):
        a, b = table_accuracy(grid, spec)
        right, total = right + a, total + b
    print(
        f"{'pdf (pdfplumber)':<18}{len(subset):>8}{f'{right}/{total} {100 * right / total:.2f}%':>22}"
        f"{'—':>22}{len(subset) / seconds:>12.1f}{'—':>10}"
    )

    if scans:
        n_pages = sum(len(pdfium.PdfDocument(s)) for s in scans)
        seconds, docs = timed(convert, scans)
        v_right = v_total = unflagged = 0
        t_right = t_total = r_right = r_total = 0
        for doc, spec in zip(docs, specs):
            a, b = table_accuracy(doc_tables(doc), spec)
            t_right, t_total = t_right + a, t_total + b
            a, b = record_accuracy(doc, spec)
            r_right, r_total = r_right + a, r_total + b
            expected = [t.grid() for t in tables(layout(spec))]
            got = [b for b in doc.blocks if isinstance(b, Table)]
            for exp, table in zip(expected, got):
                for erow, row in zip(exp, table.rows):
                    for text, cell in zip(erow, row):
                        if not VALUE.fullmatch(text):
                            continue
                        v_total += 1
                        if squash(cell.text) == squash(text):
                            v_right += 1
                        elif cell.ocr_confidence is None or cell.ocr_confidence >= 80:
                            unflagged += 1
        print(
            f"{'ocr (scan 300dpi)':<18}{len(scans):>8}{f'{t_right}/{t_total} {100 * t_right / t_total:.2f}%':>22}"
            f"{f'{r_right}/{r_total} {100 * r_right / r_total:.2f}%':>22}{len(scans) / seconds:>12.2f}{'—':>10}"
        )
        print(
            f"\nOCR: {seconds / n_pages:.2f} s per page ({n_pages} pages); value cells exact "
            f"{v_right}/{v_total} ({100 * v_right / max(v_total, 1):.2f}%), misread and not flagged: {unflagged}"
        )


if __name__ == "__main__":
    main()
