"""Archive benchmark: build an archive of N synthetic reports, then time the site's pages and queries on it.

Rows are synthesised directly (records made by ``farm.records``, not parsed) and loaded with the
archive's own loader (``archive.extract_stage``), then reports, cross-year checks, wide tables and
coverage are rebuilt as ``nianbao extract`` does. Prints the build time per stage, the database size per
report, and p50/p95 latency of the main pages and canned queries through Datasette's in-process client.

    .venv/bin/python benchmarks/archive_bench.py                 # 100,000 reports (several minutes)
    .venv/bin/python benchmarks/archive_bench.py --reports 5000  # a quick look
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import random
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from archive import coverage, reports
from archive.db import open_archive
from archive.extract_stage import replace_document_rows
from archive.items import rebuild_items
from archive.metadata import METADATA_PATH, build_metadata
from archive.organs import upsert_registry_organ
from archive.serve import make_datasette
from archive.snapshot import write_inspect
from extract.checks import record_checks
from extract.record import ActiveItem, CellSource, Record
from farm.records import make_record
from farm.render.text import TEXT_LAYOUTS
from archive.paths import DataDir

REGIONS = ("北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省",
           "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区",
           "海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省", "青海省",
           "宁夏回族自治区", "新疆维吾尔自治区")
LEVELS = (("county", "人民政府"), ("county", "教育局"), ("city", "生态环境局"), ("district", "人民政府"),
          ("township", "镇人民政府"), ("county", "市场监督管理局"))
YEARS = (2021, 2022, 2023, 2024)
BASES = 200


def base_records() -> list[tuple[Record, str]]:
    """A few hundred valid records with their texts; reports reuse them under other organs' names."""
    out = []
    for seed in range(BASES):
        spec = make_record(seed, year=2023, blanks=0.02 if seed % 5 == 0 else 0.0)
        text = TEXT_LAYOUTS["tsv_gaps"](spec)
        items = [ActiveItem(category, count) for category, count in spec.active_items]
        record = Record(
            organ=spec.organ, year=spec.year, template=spec.template, published_on=spec.published_on,
            active_total=spec.active_total, active_items=items, urls=spec.urls, cells=dict(spec.cells),
            raw={cell: "" if value is None else str(value) for cell, value in spec.cells.items()},
            checks=record_checks(spec.cells, spec.template, spec.active_total, items), warnings=[],
            texts=spec.texts, sources={cell: CellSource(page=1, table=2, row=i, col=3) for i, cell in enumerate(spec.cells)},
            source_format="html", text=text,
        )
        out.append((record, text))
    return out


class Timings(dict):
    """Stage name -> seconds, printed as each stage ends (a 100,000-report build takes a while)."""

    def __setitem__(self, name: str, seconds: float) -> None:
        super().__setitem__(name, seconds)
        print(f"  {name:<45} {seconds:8.1f} s", flush=True)


def build(data: DataDir, n_reports: int, *, rebuild_only: bool = False) -> dict[str, float]:
    timings = Timings()
    if rebuild_only:
        return derive(open_archive(data.archive_db), timings)
    rng = random.Random(2026)
    start = time.perf_counter()
    bases = base_records()
    timings["make base records"] = time.perf_counter() - start

    db = open_archive(data.archive_db)
    rebuild_items(db)
    n_organs = n_reports // len(YEARS)
    start = time.perf_counter()
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
    timings["organs, portals, documents"] = time.perf_counter() - start

    start = time.perf_counter()
    portal_rows = {row["site_id"]: row for row in portals}
    with db.atomic():
        for doc in documents:
            record, _ = bases[rng.randrange(len(bases))]
            organ = organs[(doc["id"] - 1) // len(YEARS)]
            record.organ, record.year = organ["name"], int(doc["url"].rsplit("/", 2)[1])
            replace_document_rows(db, doc, record, None, "bench", portal_rows[doc["portal_id"]])
    timings["load documents (cells, checks, texts, FTS)"] = time.perf_counter() - start
    return derive(db, timings)


def derive(db, timings: Timings) -> Timings:
    """What ``nianbao extract`` does after loading documents, timed stage by stage."""
    for name, step in (("reports, cross-year checks, wide tables", reports.rebuild), ("coverage", coverage.rebuild)):
        start = time.perf_counter()
        step(db)
        timings[name] = time.perf_counter() - start
    start = time.perf_counter()
    db.execute("ANALYZE")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    timings["analyze"] = time.perf_counter() - start
    return timings


def latency(data: DataDir, repeats: int) -> dict[str, tuple[float, float, int | None]]:
    """p50 and p95 seconds per page, and the HTTP status of a page that failed (time limit: 400)."""
    write_inspect(data.archive_db, data.archive_db.parent)
    metadata = copy.deepcopy(yaml.safe_load(METADATA_PATH.read_text(encoding="utf-8")))
    # One client making thousands of requests: the guard's rate limits off, its other bounds kept.
    metadata["plugins"]["nianbao-guard"].update(requests_per_minute=0, queries_per_minute=0, work_seconds_per_minute=0)
    ds = make_datasette(data, db_file=data.archive_db, metadata=metadata)
    charts = build_metadata()["plugins"]["datasette-dashboards"]["trends"]["charts"]
    db = open_archive(data.archive_db)
    report = str(db.execute("SELECT id FROM reports ORDER BY id LIMIT 1 OFFSET ?", [db["reports"].count // 2]).fetchone()[0])
    organ = db.execute("SELECT organ FROM reports WHERE id = ?", [report]).fetchone()[0]
    paths = {
        "home /": ("/", {}),
        "reports table": ("/nianbao/reports", {}),
        "reports year=2023": ("/nianbao/reports", {"year": "2023"}),
        "sec3 table (facets)": ("/nianbao/sec3", {}),
        "sec3 region+year, sorted": ("/nianbao/sec3", {"region": "河南省", "year": "2024", "_sort_desc": "new_received_total"}),
        "cells of one report": ("/nianbao/cells", {"report_id": report}),
        "checks failing": ("/nianbao/checks", {"status": "fail"}),
        "coverage missing": ("/nianbao/coverage", {"status": "missing"}),
        "report page /report/<id>": (f"/report/{report}", {}),
        "dashboard page": ("/-/dashboards/trends", {}),
        "query organ_over_time": ("/nianbao/organ_over_time.json", {"organ": organ}),
        "query sums_do_not_add_up": ("/nianbao/sums_do_not_add_up.json", {}),
        "query refusal_reasons": ("/nianbao/refusal_reasons.json", {}),
        "query search 复议": ("/nianbao/search.json", {"q": "复议"}),
        "query search 信息处理费": ("/nianbao/search.json", {"q": "信息处理费"}),
        "table search 公开": ("/nianbao/texts.json", {"_search": "公开"}),
    }
    for slug, chart in charts.items():
        paths[f"chart {slug}"] = ("/nianbao.json", {"sql": chart["query"].replace("[[ AND region = :region ]]", "")})

    failed: dict[str, int] = {}

    async def run() -> dict[str, tuple[float, float]]:
        out = {}
        for name, (path, params) in paths.items():
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                response = await ds.client.get(path, params=params or None)
                times.append(time.perf_counter() - start)
                if response.status_code != 200:  # a time-out is a result too: report it, go on
                    failed[name] = response.status_code
                    break
            times.sort()
            out[name] = (statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))])
        return out

    results = asyncio.run(run())
    return {name: (*figures, failed.get(name)) for name, figures in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--data", type=Path, help="build here (default: a temporary directory)")
    parser.add_argument("--rebuild-only", action="store_true", help="reuse the archive in --data: rebuild and measure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="archive-bench-") as tmp:
        data = DataDir.resolve(args.data or Path(tmp) / "data").ensure()
        print(f"building an archive of {args.reports:,} synthetic reports", flush=True)
        start = time.perf_counter()
        build(data, args.reports, rebuild_only=args.rebuild_only)
        total = time.perf_counter() - start
        db = open_archive(data.archive_db)
        n_reports = db["reports"].count
        size = data.archive_db.stat().st_size
        print(f"archive of {n_reports:,} reports, {db['cells'].count:,} cells, {db['checks'].count:,} checks")
        print(f"  {'total build':<45} {total:8.1f} s  ({total / n_reports * 1000:.2f} ms per report)")
        print(f"size {size / 2**20:,.0f} MiB, {size / n_reports / 1024:.1f} KiB per report")
        print(f"latency over {args.repeats} requests each (in-process client), p50 / p95 in ms:")
        for name, (p50, p95, status) in latency(data, args.repeats).items():
            note = f"  HTTP {status} (over the SQL time limit)" if status else ""
            print(f"  {name:<45} {p50 * 1000:8.1f} {p95 * 1000:8.1f}{note}")


if __name__ == "__main__":
    main()
