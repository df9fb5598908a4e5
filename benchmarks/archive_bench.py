"""Archive benchmark: build an archive of N synthetic reports, then time the site's pages and queries on it.

Rows are synthesised directly (records made by ``farm.records``, not parsed) and written by the
archive's own loader (``archive.load``, a bulk load as ``nianbao extract`` does for a first build),
then reports, cross-year checks, wide tables, totals and coverage are rebuilt. The two files are
copied as a snapshot copies them (``VACUUM INTO``, ``ANALYZE``) and served as the site serves them;
pages and queries are timed through Datasette's in-process client. Last, 1% of the documents are read
again and the archive rebuilt incrementally, beside the time of a full rebuild.

Each figure of issue 15 is printed beside its target, and beside a baseline measured in the same run
(the machine's raw SQLite insert speed for the build; a trivial Datasette page for latency), since the
machine is shared and its speed varies from run to run.

    .venv/bin/python benchmarks/archive_bench.py --reports 20000   # the size issue 15's targets are set at
    .venv/bin/python benchmarks/archive_bench.py                   # 100,000 reports (a long while)
    .venv/bin/python benchmarks/archive_bench.py --data DIR --reuse  # the site again on DIR's archive, upgraded
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import dataclasses
import multiprocessing
import random
import re
import sqlite3
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

from archive import coverage, editions, fts, rates, reports, summary
from archive.db import open_archive
from archive.items import rebuild_items
from archive.load import Loader
from archive.metadata import METADATA_PATH, build_metadata
from archive.organs import upsert_registry_organ
from archive.paths import DataDir
from archive.serve import make_datasette
from archive.snapshot import write_inspect
from extract.checks import record_checks
from extract.record import ActiveItem, CellSource, Record
from farm.records import make_record
from farm.render.text import TEXT_LAYOUTS

REGIONS = ("北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省",
           "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区",
           "海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省", "青海省",
           "宁夏回族自治区", "新疆维吾尔自治区")
LEVELS = (("county", "人民政府"), ("county", "教育局"), ("city", "生态环境局"), ("district", "人民政府"),
          ("township", "镇人民政府"), ("county", "市场监督管理局"))
YEARS = (2021, 2022, 2023, 2024)
BASES = 200
TARGET_MS_PER_REPORT = 3.0
TARGET_KIB_PER_REPORT = 15.0
TARGET_P95_MS = 100.0


def base_records() -> list[Record]:
    """A few hundred valid records with their texts; reports reuse them under other organs' names."""
    out = []
    for seed in range(BASES):
        spec = make_record(seed, year=2023, blanks=0.02 if seed % 5 == 0 else 0.0)
        items = [ActiveItem(category, count) for category, count in spec.active_items]
        out.append(Record(
            organ=spec.organ, year=spec.year, template=spec.template, published_on=spec.published_on,
            active_total=spec.active_total, active_items=items, urls=spec.urls, cells=dict(spec.cells),
            raw={cell: "" if value is None else str(value) for cell, value in spec.cells.items()},
            checks=record_checks(spec.cells, spec.template, spec.active_total, items), warnings=[],
            texts=spec.texts, sources={cell: CellSource(page=1, table=2, row=i, col=3) for i, cell in enumerate(spec.cells)},
            source_format="html", text=TEXT_LAYOUTS["tsv_gaps"](spec),
        ))
    return out


class Timings(dict):
    """Stage name -> seconds, printed as each stage ends (a 100,000-report build takes a while)."""

    def __setitem__(self, name: str, seconds: float) -> None:
        super().__setitem__(name, seconds)
        print(f"  {name:<48} {seconds:8.1f} s", flush=True)


def registry(db, n_organs: int) -> list[dict]:
    """Portals, organs, one listing fetch per portal (one in fifty failed), four documents per organ."""
    portals, organs = [], []
    for i in range(n_organs):
        region = REGIONS[i % len(REGIONS)]
        level, suffix = LEVELS[i % len(LEVELS)]
        name = f"{region}第{i}{suffix}"
        portals.append({"site_id": f"p{i}", "name": f"{name} 年报", "organ": name, "region": region, "level": level,
                        "start_url": f"http://p{i}.gov.cn/", "family": "trs", "status": "active", "source": "bench"})
    db["portals"].insert_all(portals, batch_size=5000)
    with db.atomic():
        for portal in portals:  # through the archive's own API, so reports find their organ by its identity
            organs.append({"name": portal["organ"], "id": upsert_registry_organ(db, portal)})
    db["fetches"].insert_all(
        ({"portal_id": f"p{i}", "kind": "listing", "url": f"http://p{i}.gov.cn/", "status": 200,
          "outcome": "downloaded" if i % 50 else "failed", "fetched_at": "2025-06-01T00:00:00"} for i in range(n_organs)),
        batch_size=5000,
    )
    documents = []
    for i in range(n_organs):
        for year in YEARS:
            doc_id = len(documents) + 1
            documents.append({"id": doc_id, "url": f"http://p{i}.gov.cn/{year}/report.html", "version": 1, "kind": "page",
                              "title": f"{organs[i]['name']}{year}年政府信息公开工作年度报告", "portal_id": f"p{i}",
                              "first_seen": f"{year + 1}-02-01T00:00:00", "last_seen": "2025-06-01T00:00:00",
                              "sha256": f"{doc_id:064x}", "blob": f"blobs/{doc_id}", "size": 10_000})
    db["documents"].insert_all(documents, batch_size=5000)
    return documents


def load(db, documents: list[dict], bases: list[Record], rng: random.Random, *, bulk: bool) -> set[int]:
    """Each document read as one of the base records, under its own organ and year; returns touched reports."""
    portals = {row["site_id"]: row for row in db["portals"].rows}
    names = {site_id: portal["organ"] for site_id, portal in portals.items()}
    with Loader(db, "bench", portals, bulk=bulk) as loader:
        for doc in documents:
            year = int(doc["url"].rsplit("/", 2)[1])
            record = dataclasses.replace(bases[rng.randrange(len(bases))], organ=names[doc["portal_id"]], year=year)
            loader.add(doc, record, None)
    return loader.touched_reports


def rebuild(db) -> Timings:
    """Everything after the load: reports, checks, wide tables, totals, editions, rates, coverage."""
    timings = Timings()
    for name, step in (("reports, cross-year checks, wide tables, totals", reports.rebuild),
                       ("editions", editions.rebuild), ("derived rates and percentiles", rates.rebuild),
                       ("coverage", coverage.rebuild), ("home page summary", summary.rebuild)):
        start = time.perf_counter()
        step(db)
        timings[name] = time.perf_counter() - start
    return timings


def build(data: DataDir, n_reports: int) -> tuple[Timings, list[dict]]:
    timings = Timings()
    rng = random.Random(2026)
    start = time.perf_counter()
    bases = base_records()
    timings["make base records (not part of the build)"] = time.perf_counter() - start
    db = open_archive(data.archive_db)
    rebuild_items(db)
    build_start = time.perf_counter()
    documents = registry(db, n_reports // len(YEARS))
    timings["organs, portals, documents"] = time.perf_counter() - build_start
    start = time.perf_counter()
    load(db, documents, bases, rng, bulk=True)
    timings["load documents (cells, checks, texts, index)"] = time.perf_counter() - start
    timings.update(rebuild(db))
    start = time.perf_counter()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute(f"PRAGMA {fts.SCHEMA}.wal_checkpoint(TRUNCATE)")
    timings["checkpoint"] = time.perf_counter() - start
    timings["archive build"] = time.perf_counter() - build_start
    return timings, documents


def floor_ms_per_report(data: DataDir, n_reports: int) -> float:
    """The machine's raw speed now: the same number of cell rows by executemany into a bare table."""
    path = data.root / "floor.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE cells (document_id, item_id, report_id, value, raw, page, t, r, c, ocr, conf, "
                 "PRIMARY KEY (document_id, item_id)) WITHOUT ROWID")
    cells = [(doc, item, doc, item, str(item), 1, 2, item, 3, 0, None) for doc in range(1, 51) for item in range(200)]
    start = time.perf_counter()
    for batch in range(n_reports // 50):
        rows = [(doc + 50 * batch, *rest) for doc, *rest in cells]
        with conn:
            conn.executemany("INSERT INTO cells VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    elapsed = time.perf_counter() - start
    conn.close()
    path.unlink()
    return elapsed / n_reports * 1000


def snapshot_copy(data: DataDir, folder: Path) -> tuple[Path, Path, float]:
    """The two files as a snapshot writes them: VACUUM INTO, ANALYZE, a rollback journal; and the time taken."""
    folder.mkdir(exist_ok=True)
    start = time.perf_counter()
    db = open_archive(data.archive_db)
    fts.optimize(db)
    main, texts = folder / "nianbao.db", folder / "nianbao-texts.db"
    db.execute("VACUUM INTO ?", [str(main)])
    db.execute(f"VACUUM {fts.SCHEMA} INTO ?", [str(texts)])
    for path in (main, texts):
        conn = sqlite3.connect(path)
        conn.execute("ANALYZE")
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.close()
    write_inspect({"nianbao": main, "nianbao-texts": texts}, folder)
    return main, texts, time.perf_counter() - start


def latency(data: DataDir, served: Path, repeats: int) -> dict[str, tuple[float, float, float, int | None]]:
    """p50 and p95 seconds per page, median CPU seconds, and the HTTP status of a page that failed.

    CPU time (the process's, all threads: one request runs at a time) is what the page costs whatever
    else the machine is doing; wall time is what a visitor waits.
    """
    metadata = copy.deepcopy(yaml.safe_load(METADATA_PATH.read_text(encoding="utf-8")))
    # One client making thousands of requests: the guard's rate limits off, its other bounds kept.
    metadata["plugins"]["nianbao-guard"].update(requests_per_minute=0, queries_per_minute=0, work_seconds_per_minute=0)
    ds = make_datasette(data, db_file=served, metadata=metadata)
    charts = build_metadata()["plugins"]["datasette-dashboards"]["trends"]["charts"]
    db = sqlite3.connect(served)
    n_reports = db.execute("SELECT count(*) FROM reports").fetchone()[0]
    report, organ, organ_id, region, level = db.execute(
        "SELECT id, organ, organ_id, region, level FROM reports ORDER BY id LIMIT 1 OFFSET ?", [n_reports // 2]
    ).fetchone()
    other_report, other_organ = db.execute("SELECT id, organ_id FROM reports WHERE organ_id != ? LIMIT 1",
                                           [organ_id]).fetchone()
    paths = {
        "baseline: /-/versions.json": ("/-/versions.json", {}),
        "home /": ("/", {}),
        "reports table": ("/nianbao/reports", {}),
        "reports year=2023": ("/nianbao/reports", {"year": "2023"}),
        "sec3 table (facets)": ("/nianbao/sec3", {}),
        "sec3 region+year, sorted": ("/nianbao/sec3", {"region": "河南省", "year": "2024", "_sort_desc": "new_received_total"}),
        "cells of one report": ("/nianbao/cells", {"report_id": str(report)}),
        "cell_values of one report": ("/nianbao/cell_values", {"report_id": str(report)}),
        "checks failing": ("/nianbao/checks", {"status": "fail"}),
        "coverage missing": ("/nianbao/coverage", {"status": "missing"}),
        "report page /report/<id>": (f"/report/{report}", {}),
        "organ page /organ/<id>": (f"/organ/{organ_id}", {}),
        "compare two reports": ("/compare", {"a": str(other_report), "b": str(report)}),
        "compare two organs": ("/compare", {"organ": [str(other_organ), str(organ_id)]}),
        "rank disclosure (latest year)": ("/rank", {"rate": "disclosure"}),
        "rank level + region, page 2": ("/rank", {"rate": "review_correction", "level": level, "region": region,
                                                  "page": "2"}),
        "rank page 40": ("/rank", {"rate": "disclosure", "page": "40"}),
        "heat table": ("/heat", {"rate": "disclosure"}),
        "editions list": ("/editions", {}),
        "Atom feed": ("/feed.atom", {}),
        "Atom feed, one region": ("/feed.atom", {"region": region}),
        "dashboard page": ("/-/dashboards/trends", {}),
        "query organ_over_time": ("/nianbao/organ_over_time.json", {"organ": organ}),
        "query sums_do_not_add_up": ("/nianbao/sums_do_not_add_up.json", {}),
        "query refusal_reasons": ("/nianbao/refusal_reasons.json", {}),
        "query search 复议": ("/nianbao/search.json", {"q": "复议"}),
        "query search 信息处理费": ("/nianbao/search.json", {"q": "信息处理费"}),
        "search page 复议": ("/search", {"q": "复议"}),
        "search page 公开, page 3": ("/search", {"q": "公开", "page": "3"}),
        "search page 信息处理费": ("/search", {"q": "信息处理费"}),
        "table search 公开": ("/nianbao-texts/texts.json", {"_search": "公开"}),
    }
    for slug, chart in charts.items():
        paths[f"chart {slug}"] = ("/nianbao.json", {"sql": re.sub(r"\[\[.*?\]\]", "", chart["query"])})
    failed: dict[str, int] = {}

    async def run() -> dict[str, tuple[float, float, float]]:
        out = {}
        for name, (path, params) in paths.items():
            times, cpu = [], []
            for _ in range(repeats):
                start, start_cpu = time.perf_counter(), time.process_time()
                response = await ds.client.get(path, params=params or None)
                times.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
                if response.status_code != 200:  # a time-out is a result too: report it, go on
                    failed[name] = response.status_code
                    break
            times.sort()
            out[name] = (statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))],
                         statistics.median(cpu))
        return out

    results = asyncio.run(run())
    return {name: (*figures, failed.get(name)) for name, figures in results.items()}


def incremental(data: DataDir, documents: list[dict], share: float) -> tuple[int, float, float]:
    """Read ``share`` of the documents again (changed numbers) and rebuild only their reports; then a
    full rebuild of the same archive, for comparison. Returns (documents, incremental s, full s)."""
    rng = random.Random(7)
    bases = base_records()
    changed = rng.sample(documents, max(1, int(len(documents) * share)))
    db = open_archive(data.archive_db)
    start = time.perf_counter()
    touched = load(db, changed, bases, rng, bulk=False)
    reports.rebuild(db, touched)
    for whole in (editions.rebuild, rates.rebuild, coverage.rebuild, summary.rebuild):  # nianbao extract: whole
        whole(db)
    partial = time.perf_counter() - start
    start = time.perf_counter()
    reports.rebuild(db)
    for whole in (editions.rebuild, rates.rebuild, coverage.rebuild, summary.rebuild):
        whole(db)
    return len(changed), partial, time.perf_counter() - start


def latency_in_own_process(data: DataDir, served: Path, repeats: int) -> dict[str, tuple[float, float, float, int | None]]:
    """``latency`` in a fresh process, as ``nianbao serve`` runs the site: the guard's SQLite heap limit
    (128 MB) holds for the whole process, so the memory the build left would fail every page, and the
    limit, once set, would stop a rebuild after it."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(latency, data, served, repeats).result()


def verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "OVER"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--data", type=Path, help="build here and keep it, with the served copies in snapshot/ "
                        "(default: a temporary directory)")
    parser.add_argument("--reuse", action="store_true", help="no build: upgrade the archive an earlier run left in "
                        "--data to the current schema, rebuild what the site reads, copy it again and time the site "
                        "(a change to the schema or the site, measured on the same rows)")
    args = parser.parse_args()
    if args.reuse:
        if not args.data:
            parser.error("--reuse needs --data")
        reuse(DataDir.resolve(args.data), args.repeats)
        return
    with tempfile.TemporaryDirectory(prefix="archive-bench-") as tmp:
        data = DataDir.resolve(args.data or Path(tmp) / "data").ensure()
        if data.archive_db.exists():
            raise SystemExit(f"{data.archive_db} exists: give an empty --data directory")
        print(f"building an archive of {args.reports:,} synthetic reports", flush=True)
        cpu_start = time.process_time()
        timings, documents = build(data, args.reports)
        build_cpu = time.process_time() - cpu_start - timings["make base records (not part of the build)"]
        n_reports = open_archive(data.archive_db)["reports"].count
        floor = floor_ms_per_report(data, n_reports)
        main_file, texts_file, copy_seconds = snapshot_copy(data, data.root / "snapshot")
        print(f"  {'snapshot copy of both files (not part of the build)':<48} {copy_seconds:8.1f} s")
        count, partial, full = incremental(data, documents, 0.01)
        results = latency_in_own_process(data, main_file, args.repeats)
        ms = timings["archive build"] / n_reports * 1000
        cpu_ms = build_cpu / n_reports * 1000
        kib = main_file.stat().st_size / n_reports / 1024
        print(f"\narchive of {n_reports:,} reports; issue 15's figures (targets at 20,000 reports and above):")
        print(f"  {'figure':<44} {'measured':>12} {'target':>12}   baseline in the same run")
        print(f"  {'archive build, ms per report':<44} {ms:12.2f} {TARGET_MS_PER_REPORT:12.1f} {verdict(ms, TARGET_MS_PER_REPORT):>4}  "
              f"raw SQLite insert of the cells alone: {floor:.2f} ms per report; CPU {cpu_ms:.2f} ms per report")
        print(f"  {'nianbao.db, KiB per report':<44} {kib:12.1f} {TARGET_KIB_PER_REPORT:12.1f} {verdict(kib, TARGET_KIB_PER_REPORT):>4}  "
              f"{main_file.stat().st_size / 2**20:,.0f} MiB; nianbao-texts.db "
              f"{texts_file.stat().st_size / n_reports / 1024:.1f} KiB per report")
        print(f"  {'incremental rebuild, ' + format(count, ',') + ' documents changed':<44} {partial:10.1f} s "
              f"{'':>12}       full rebuild of the same archive: {full:.1f} s")
        print_latency(results, args.repeats)


def print_latency(results: dict[str, tuple[float, float, float, int | None]], repeats: int) -> None:
    print(f"  p50 / p95 over {repeats} requests each (in-process client), ms; then CPU ms (median):")
    for name, (p50, p95, cpu, status) in results.items():
        note = f"  HTTP {status}" if status else ""
        judged = "FAIL" if status else verdict(p95 * 1000, TARGET_P95_MS)  # an error page is fast, not ok
        target = f"{'':12} {'':>4}" if name.startswith("baseline") else f"{TARGET_P95_MS:12.0f} {judged:>4}"
        print(f"  {name:<44} {p50 * 1000:5.1f} / {p95 * 1000:5.1f} {target}  CPU {cpu * 1000:6.1f}{note}")


def reuse(data: DataDir, repeats: int) -> None:
    """The site timed again on an archive an earlier run built: migrated, rebuilt, copied as a snapshot."""
    if not data.archive_db.exists():
        raise SystemExit(f"no archive in {data.root}: build one first with --data")
    print(f"upgrading and rebuilding {data.archive_db}", flush=True)
    start = time.perf_counter()
    db = open_archive(data.archive_db)
    Timings()["migrations"] = time.perf_counter() - start
    rebuild(db)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute(f"PRAGMA {fts.SCHEMA}.wal_checkpoint(TRUNCATE)")
    db.close()
    for old in ("nianbao.db", "nianbao-texts.db"):  # VACUUM INTO writes only a new file
        (data.root / "snapshot" / old).unlink(missing_ok=True)
    main_file, texts_file, copy_seconds = snapshot_copy(data, data.root / "snapshot")
    print(f"  {'snapshot copy of both files':<48} {copy_seconds:8.1f} s")
    n_reports = sqlite3.connect(main_file).execute("SELECT count(*) FROM reports").fetchone()[0]
    print(f"\narchive of {n_reports:,} reports, {main_file.stat().st_size / n_reports / 1024:.1f} KiB per report "
          f"(nianbao-texts.db {texts_file.stat().st_size / n_reports / 1024:.1f} KiB)")
    print_latency(latency_in_own_process(data, main_file, repeats), repeats)



if __name__ == "__main__":
    main()
