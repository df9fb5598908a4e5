"""A small, fully known world of stored documents for the archive's tests.

Five organs of a portal registry, their reports rendered by the farm (HTML pages, a real PDF attached
to one of them, a corrected re-issue, an unreadable file) and put into a store exactly as the crawler
would: blobs by SHA-256 and ``documents`` rows, with ``fetches`` rows for a portal that failed and one
that was reached but had nothing. Consecutive years of an organ are made consistent across years
(carried_over(Y) = carried_forward(Y−1), section 二's in_force balance) except one pair, where the
cross-year rule is broken on purpose.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

from crawler.items import FetchRecord
from crawler.pipelines import WarcLog
from farm.records import ReportSpec, make_record
from farm.render.html import HTML_LAYOUTS
from farm.render.pdf import render_pdf
from extract.templates import SEC3_APPLICANT_COLUMNS
from archive.paths import DataDir
from archive.blobs import BlobStore
from archive.store import open_store_db

AS_OF = "2025-06-01T08:00:00"
WARC_FILE = "nianbao-run00001-20250601T080000Z.warc.gz"


@dataclass(frozen=True)
class Organ:
    site_id: str
    name: str
    region: str
    level: str
    farm_level: str


ORGANS = {
    "a": Organ("tl_sthj", "铜陵市生态环境局", "安徽省", "city", "city_dept"),
    "b": Organ("zy_gov", "枞阳县人民政府", "安徽省", "county", "county"),
    "c": Organ("ls_jyj", "鲁山县教育局", "河南省", "county", "county_dept"),
    "d": Organ("ns_gov", "南山县人民政府", "河南省", "county", "county"),  # portal unreachable
    "e": Organ("xj_zrzy", "新集镇人民政府", "河南省", "township", "township"),  # reached, nothing found
}


@dataclass
class World:
    data: DataDir
    specs: dict[tuple[str, int], ReportSpec] = field(default_factory=dict)  # (organ key, year) -> as published last
    first_edition: dict[tuple[str, int], ReportSpec] = field(default_factory=dict)
    planted: tuple[str, int] = ("a", 2024)  # carried_over.natural_person of this report breaks the cross-year rule
    broken_url: str = ""
    pdf_url: str = ""

    def url(self, key: str, year: int, suffix: str = "html") -> str:
        return f"http://www.{ORGANS[key].site_id}.gov.cn/zfxxgknb/{year}/report.{suffix}"


def chain(previous: ReportSpec, current: ReportSpec) -> None:
    """Make ``current`` agree with ``previous`` across years while keeping every single-report rule true."""
    cells, before = current.cells, previous.cells
    for col in SEC3_APPLICANT_COLUMNS:
        over = before[f"sec3.carried_forward.{col}"]
        processed, forward = cells[f"sec3.total_processed.{col}"], cells[f"sec3.carried_forward.{col}"]
        new = processed + forward - over
        if new < 0:
            forward, new = over - processed, 0
        cells[f"sec3.carried_over.{col}"] = over
        cells[f"sec3.new_received.{col}"] = new
        cells[f"sec3.carried_forward.{col}"] = forward
    for row in ("carried_over", "new_received", "carried_forward"):
        cells[f"sec3.{row}.total"] = sum(cells[f"sec3.{row}.{col}"] for col in SEC3_APPLICANT_COLUMNS)
    for row in ("regulations", "normative_documents"):
        issued, repealed = cells[f"sec2.{row}.issued"], cells[f"sec2.{row}.repealed"]
        if before[f"sec2.{row}.in_force"] + issued - repealed < 0:
            cells[f"sec2.{row}.repealed"] = repealed = 0
        cells[f"sec2.{row}.in_force"] = before[f"sec2.{row}.in_force"] + issued - repealed
    assert current.expected_failures() == current.errors, current.expected_failures()


def break_cross_year(spec: ReportSpec) -> None:
    """carried_over and carried_forward both one higher: the report still balances, the years do not."""
    for row in ("carried_over", "carried_forward"):
        for col in ("natural_person", "total"):
            spec.cells[f"sec3.{row}.{col}"] += 1
    assert spec.expected_failures() == spec.errors


def _spec(key: str, year: int, seed: int, *, published_on: str, errors: tuple[str, ...] = ()) -> ReportSpec:
    organ = ORGANS[key]
    spec = make_record(seed, year=year, organ=organ.name, level=organ.farm_level, errors=errors)
    spec.published_on = published_on
    return spec


def build_world(data: DataDir) -> World:
    """Write the registry and the store of the world into ``data``."""
    data.ensure()
    world = World(data)
    _write_registry(data)
    specs = {
        ("a", 2022): _spec("a", 2022, 1, published_on="2023-01-18"),
        ("a", 2023): _spec("a", 2023, 2, published_on="2024-01-25"),
        ("a", 2024): _spec("a", 2024, 3, published_on="2025-02-15"),  # late: departments by 31 January
        ("b", 2023): _spec("b", 2023, 4, published_on="2024-03-20"),  # on time: county government, 31 March
        ("b", 2024): _spec("b", 2024, 5, published_on="2025-03-10"),
        ("c", 2024): _spec("c", 2024, 6, published_on="2025-01-20", errors=("sec4.total.review",)),
    }
    chain(specs[("a", 2022)], specs[("a", 2023)])
    chain(specs[("a", 2023)], specs[("a", 2024)])
    break_cross_year(specs[("a", 2024)])
    chain(specs[("b", 2023)], specs[("b", 2024)])
    world.specs = specs

    page = HTML_LAYOUTS["trs_table"]
    # One finished crawl run whose WARC file holds every body, as the crawler's store pipeline writes it.
    run_id = open_store_db(data)["runs"].insert({"started_at": AS_OF, "finished_at": AS_OF, "spider": "portal",
                                                 "status": "finished", "job": "tests", "warc_file": WARC_FILE}).last_pk
    data.warc.mkdir(parents=True, exist_ok=True)
    warc = WarcLog((data.warc / WARC_FILE).open("wb"))

    def put(key: str, url: str, body: bytes, **options) -> None:
        store_document(data, key, url, body, warc=warc, run_id=run_id, **options)

    for (key, year), spec in specs.items():
        if (key, year) == ("b", 2024):
            continue
        put(key, world.url(key, year), page(spec).encode(), year=year, seen=f"{year + 1}-04-01T00:00:00")
    # An HTML page and its PDF are one report.
    world.pdf_url = world.url("a", 2022, "pdf")
    put("a", world.pdf_url, render_pdf(specs[("a", 2022)]), kind="attachment", parent=world.url("a", 2022),
        filename="report.pdf", content_type="application/pdf", year=2022, seen="2023-04-01T00:00:00")
    # A corrected re-issue at the same URL: version 2 with one number changed (and balanced again).
    first = _spec("b", 2024, 5, published_on="2025-03-10")
    chain(specs[("b", 2023)], first)
    for row in ("granted", "total_processed", "new_received"):
        for col in ("natural_person", "total"):
            first.cells[f"sec3.{row}.{col}"] += 2
    assert first.expected_failures() == []
    world.first_edition[("b", 2024)] = first
    put("b", world.url("b", 2024), page(first).encode(), year=2024, seen="2025-03-12T00:00:00")
    put("b", world.url("b", 2024), page(specs[("b", 2024)]).encode(), version=2, year=2024,
        seen="2025-03-20T00:00:00")
    # A file the parser cannot read: its failure is recorded, the rest go on.
    world.broken_url = world.url("c", 2024, "doc")
    put("c", world.broken_url, b"", kind="attachment", parent=world.url("c", 2024), filename="report.doc",
        content_type="application/msword", year=2024, seen="2025-04-01T00:00:00")
    warc.close()
    # Portal d never answered; portal e answered and listed nothing.
    store = open_store_db(data)
    for when, outcome, reason in (("2025-02-01T00:00:00", "failed", "timeout"), ("2025-05-01T00:00:00", "blocked", "HTTP 412")):
        store["fetches"].insert({"portal_id": ORGANS["d"].site_id, "kind": "listing", "url": f"http://www.{ORGANS['d'].site_id}.gov.cn/",
                                 "outcome": outcome, "reason": reason, "fetched_at": when})
    store["fetches"].insert({"portal_id": ORGANS["e"].site_id, "kind": "listing", "url": f"http://www.{ORGANS['e'].site_id}.gov.cn/",
                             "status": 200, "outcome": "downloaded", "fetched_at": AS_OF})
    return world


def store_document(data: DataDir, key: str, url: str, body: bytes, *, version: int = 1, kind: str = "page",
                   parent: str | None = None, filename: str | None = None, content_type: str = "text/html",
                   seen: str = "2025-04-01T00:00:00", year: int | None = None, warc: WarcLog | None = None,
                   run_id: int | None = None) -> None:
    """Put a fetched document into the store as the crawler does: its body by SHA-256, a fetch and a version
    (and, in a crawl run's WARC file, its record)."""
    store = open_store_db(data)
    sha = BlobStore(data.blobs).put(body)
    if warc is not None:
        warc.write(FetchRecord(portal_id=ORGANS[key].site_id, kind=kind, url=url, status=200, body=body,
                               fetched_at=f"{seen}+00:00", headers={"Content-Type": content_type}))
    fetch_id = store["fetches"].insert(
        {"run_id": run_id, "portal_id": ORGANS[key].site_id, "kind": kind, "url": url, "final_url": url, "status": 200,
         "outcome": "downloaded", "fetched_at": seen, "size": len(body), "sha256": sha,
         "content_type": content_type}
    ).last_pk
    store["documents"].insert(
        {"url": url, "version": version, "sha256": sha, "portal_id": ORGANS[key].site_id, "kind": kind,
         "parent_url": parent, "listing_url": f"http://www.{ORGANS[key].site_id}.gov.cn/zfxxgknb/",
         "title": f"{ORGANS[key].name}{year}年政府信息公开工作年度报告" if year else None,
         "listed_date": None, "filename": filename, "content_type": content_type, "size": len(body),
         "first_seen": seen, "last_seen": AS_OF, "gone_on": None, "fetch_id": fetch_id}
    )


def _write_registry(data: DataDir) -> None:
    with data.registry.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["site_id", "name", "organ", "region", "level", "start_url", "family", "status", "source", "notes"])
        for organ in ORGANS.values():
            writer.writerow([organ.site_id, f"{organ.name} 年报", organ.name, organ.region, organ.level,
                             f"http://www.{organ.site_id}.gov.cn/zfxxgknb/", "trs", "active", "tests", ""])
