"""Issue 14: the small farm crawled by workers sharing one real Redis, against one process's crawl of it.

Two ``nianbao crawl --redis`` workers start; a third joins late; one of the first two is killed with SIGKILL
while it holds requests, and a fourth replaces it. The store they fill must hold the same documents, byte for byte,
as the session's single-process crawl (``first_crawl``), and the archive extracted from it the same
reports and cells (``first_archive``). The farm's access log says the rest: no attachment downloaded
twice except the ones the killed worker had under way, and never more requests under way at once to the
farm's host than one process allows (``CONCURRENT_REQUESTS_PER_DOMAIN``). The archive is then extracted
by ``nianbao extract --redis`` and extraction workers, one of them killed mid-document.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import pytest
import redis
from click.testing import CliRunner

from archive.paths import DataDir
from crawler.cli import PARTIAL
from farm.accesslog import AccessEntry
from farm.server import FarmServer
from nianbao.cli import cli
from tests.crawler.helpers import FAST, Crawl
from tests.redis_server import redis_server

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("crawler-farm"), pytest.mark.timeout(900)]

LIMIT = 2  # CONCURRENT_REQUESTS_PER_DOMAIN of every worker: all farm portals are on one host, 127.0.0.1
OPTIONS = [item for setting in (*FAST, f"CONCURRENT_REQUESTS_PER_DOMAIN={LIMIT}", "NIANBAO_REDIS_WORKER_TIMEOUT=3")
           for item in ("-s", setting)]
JOIN_AFTER, KILL_AFTER = 40, 100  # farm requests of the shared crawl before the third worker joins / the kill
DEADLINE = 600.0


@dataclass
class SharedCrawl:
    data: Path
    requests: list[AccessEntry]
    recovered: set[str] = field(default_factory=set)  # URLs put back in the frontier after the kill
    status: dict = field(default_factory=dict)  # ``nianbao status --json`` once three workers were in
    logs: list[Path] = field(default_factory=list)


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory):
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


def _worker(data: Path, registry: Path, url: str, log: Path) -> subprocess.Popen:
    """A ``nianbao crawl --redis`` worker in its own process group (the wrapper and its Scrapy child)."""
    command = [sys.executable, "-c", "from nianbao.cli import main; main()", "--data", str(data), "crawl",
               "--registry", str(registry), "--redis", url, *OPTIONS]
    return subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)


def _workers_key(client: redis.Redis) -> str:
    return next((key.decode() for key in client.scan_iter(match="nianbao:crawl:*:workers")), "none")


def _status(url: str) -> dict:
    result = CliRunner().invoke(cli, ["status", "--redis", url, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _held_by(client: redis.Redis, group: int) -> int:
    """Requests held in Redis by the worker whose Scrapy process is in process group ``group``."""
    held = 0
    for key in client.scan_iter(match="nianbao:crawl:*:inflight:*"):
        pid = int(key.decode().rsplit(":", 3)[-2])
        try:
            if os.getpgid(pid) == group:
                held += client.hlen(key)
        except ProcessLookupError:
            continue
    return held


@pytest.fixture(scope="module")
def shared_crawl(first_crawl: Crawl, farm: FarmServer, registry: Path, redis_url: str,
                 tmp_path_factory: pytest.TempPathFactory) -> SharedCrawl:
    data = tmp_path_factory.mktemp("shared") / "data"
    logs = tmp_path_factory.mktemp("shared-logs")
    client = redis.Redis.from_url(redis_url)
    farm.reset_habits()  # the single crawl met the farm's 503s and 429 too
    mark = farm.log.mark()
    crawl = SharedCrawl(data, [])
    workers: dict[str, subprocess.Popen] = {}

    def start(name: str) -> None:
        crawl.logs.append(logs / f"{name}.log")
        workers[name] = _worker(data, registry, redis_url, crawl.logs[-1])

    start("a")
    start("b")
    killed = ""  # the name of the worker killed
    deadline = time.monotonic() + DEADLINE
    try:
        while any(worker.poll() is None for worker in workers.values()):
            assert time.monotonic() < deadline, "the shared crawl did not finish"
            seen = len(farm.log.entries_since(mark))
            if "c" not in workers and seen >= JOIN_AFTER:
                start("c")
            elif "c" in workers and not crawl.status and client.zcard(_workers_key(client)) >= 3:
                crawl.status = _status(redis_url)
            holding = [name for name in ("a", "b") if not killed and seen >= KILL_AFTER
                       and workers[name].poll() is None and _held_by(client, workers[name].pid)]
            if holding:  # a first worker holding requests: killed, and replaced
                killed = holding[0]
                os.killpg(workers[killed].pid, signal.SIGKILL)
                workers[killed].wait(timeout=30)
                start("d")
            for key in client.scan_iter(match="nianbao:crawl:*:recovered"):
                crawl.recovered.update(url.decode() for url in client.lrange(key, 0, -1))
            time.sleep(0.1)
    finally:
        for worker in workers.values():
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=30)
        client.close()
    assert killed, ("the crawl ended before a worker could be killed mid-crawl: "
                    + " | ".join(f"{path.name}: {path.read_text(errors='replace')[-1500:]}" for path in crawl.logs))
    for name, worker in workers.items():
        if name != killed:  # exit 1, as the single crawl's: the small world has portals that block or fail
            assert worker.returncode == PARTIAL, (logs / f"{name}.log").read_text(errors="replace")[-3000:]
    crawl.requests = farm.log.entries_since(mark)
    return crawl


def _documents(data: Path) -> set[tuple]:
    with sqlite3.connect(data / "store" / "store.db") as db:
        return set(db.execute("select portal_id, kind, url, version, sha256, title, listed_date, filename"
                              " from documents"))


def test_same_documents_as_one_process(shared_crawl: SharedCrawl, first_crawl: Crawl) -> None:
    single = _documents(first_crawl.data)
    assert single, "the single crawl stored documents"
    assert _documents(shared_crawl.data) == single


def test_every_worker_obeys_robots_txt(shared_crawl: SharedCrawl, farm: FarmServer) -> None:
    """What each portal's robots.txt (the farm's spec, read by the standard library's parser) disallows
    is never asked for, whichever worker read robots.txt and whether from the host or from Redis."""
    parsers: dict[str, RobotFileParser] = {}
    for site_id, portal in farm.world.portals.items():
        if portal.robots_txt:
            parsers[site_id] = RobotFileParser()
            parsers[site_id].parse(portal.robots_txt.splitlines())
    asked = [e for e in shared_crawl.requests if e.site_id in parsers and e.path != "/robots.txt"]
    denied = [f"{e.site_id} {e.path}" for e in asked if not parsers[e.site_id].can_fetch("nianbao", e.path)]
    assert not denied, denied
    assert any(e.site_id == "robots-denied" and e.path == "/robots.txt" for e in shared_crawl.requests)


def test_one_session_written_once_and_finished(shared_crawl: SharedCrawl) -> None:
    with sqlite3.connect(shared_crawl.data / "store" / "store.db") as db:
        runs = db.execute("select id, status, resumes from runs order by id").fetchall()
        doubles = db.execute("select url, kind, fetched_at from fetches group by url, kind, fetched_at"
                             " having count(*) > 1").fetchall()
    # One run, or (when the killed worker was the store's writer) its run closed as interrupted and
    # resumed by the next writer's, as a single crawl resumes after a crash.
    assert runs in ([(1, "finished", None)], [(1, "interrupted", None), (2, "finished", 1)])
    assert doubles == []


def test_status_shows_workers_and_progress_per_portal(shared_crawl: SharedCrawl, registry: Path) -> None:
    status = shared_crawl.status
    assert status, "nianbao status was read while three workers crawled"
    (crawl,) = status["crawls"]
    assert crawl["seeded"] and crawl["run"] and crawl["seen"] >= 1
    assert len(crawl["workers"]) >= 3
    assert all(worker["heartbeat_age_s"] < 30 for worker in crawl["workers"])
    sites = {line.split(",", 1)[0] for line in registry.read_text(encoding="utf-8").splitlines()[1:]}
    assert set(crawl["portals"]) <= sites | {"-"}
    for counts in crawl["portals"].values():
        assert counts.get("ended", 0) <= counts.get("scheduled", 0)


def test_status_of_an_idle_server(redis_url: str) -> None:
    result = CliRunner().invoke(cli, ["status", "--redis", redis_url])
    assert result.exit_code == 0, result.output
    assert "No shared crawl open." in result.output
    assert "Extraction: 0 documents queued" in result.output


def test_killed_worker_requests_recovered(shared_crawl: SharedCrawl) -> None:
    assert shared_crawl.recovered, "the killed worker held requests: they went back to the frontier"


def test_no_attachment_downloaded_twice(shared_crawl: SharedCrawl) -> None:
    with sqlite3.connect(shared_crawl.data / "store" / "store.db") as db:
        attachments = {(portal, urlsplit(url).path) for portal, url in
                       db.execute("select portal_id, url from documents where kind = 'attachment'")}
    downloads = Counter((entry.site_id, entry.path) for entry in shared_crawl.requests
                        if entry.method == "GET" and entry.status == 200 and (entry.site_id, entry.path) in attachments)
    assert downloads, "the shared crawl downloaded attachments"
    recovered = {urlsplit(url).path for url in shared_crawl.recovered}
    twice = {key for key, count in downloads.items() if count > 1}
    # A download the killed worker had under way is made again (as one process does after a crash).
    assert {path for _, path in twice} <= recovered, sorted(twice)


def _moment(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def test_per_host_concurrency_within_one_process_limit(shared_crawl: SharedCrawl) -> None:
    # All farm portals are on 127.0.0.1: Scrapy's per-domain slot is the whole farm. Ends sort before
    # starts at the same millisecond (the log's resolution), so back-to-back requests do not overlap.
    events = sorted([(_moment(entry.started), 1) for entry in shared_crawl.requests if entry.started]
                    + [(_moment(entry.time), -1) for entry in shared_crawl.requests if entry.started])
    under_way = peak = 0
    for _, step in events:
        under_way += step
        peak = max(peak, under_way)
    assert 1 <= peak <= LIMIT


def _cells(root: DataDir) -> dict[tuple, set[tuple]]:
    with sqlite3.connect(root.archive_db) as db:
        rows = db.execute("select r.organ, r.year, d.url, i.cell_id, c.value from cells c"
                          " join items i on i.id = c.item_id join reports r on r.id = c.report_id"
                          " join documents d on d.id = c.document_id")
        out: dict[tuple, set[tuple]] = {}
        for organ, year, url, cell_id, value in rows:
            out.setdefault((organ, year), set()).add((url, cell_id, value))
    return out


def _nianbao(data: Path, *args: str, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-c", "from nianbao.cli import main; main()", "--data", str(data), *args]
    return subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)


def _stop(process: subprocess.Popen) -> int:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        return process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        return process.wait(timeout=30)


def test_same_reports_and_cells_as_one_process(shared_crawl: SharedCrawl, first_archive: DataDir, registry: Path,
                                               redis_url: str, tmp_path: Path) -> None:
    """``nianbao extract --redis`` on the shared crawl's store: one worker killed while it holds a document,
    two others finish; the archive has the same reports and cells as the single crawl's."""
    root = shared_crawl.data
    shutil.copy(registry, root / "portals.csv")
    client = redis.Redis.from_url(redis_url)
    first = _nianbao(root, "extract-worker", "--redis", redis_url, log=tmp_path / "first.log")
    command = _nianbao(root, "extract", "--redis", redis_url, log=tmp_path / "extract.log")
    others: list[subprocess.Popen] = []
    deadline = time.monotonic() + DEADLINE
    try:
        while not others:
            assert command.poll() is None, (tmp_path / "extract.log").read_text()
            assert time.monotonic() < deadline, "the first worker never took a document"
            held = [key for key in client.scan_iter(match="nianbao:dramatiq:__acks__.*") if client.scard(key)]
            if held:  # only the first worker consumes so far: it holds a document
                os.killpg(first.pid, signal.SIGKILL)
                first.wait(timeout=30)
                others = [_nianbao(root, "extract-worker", "--redis", redis_url, log=tmp_path / f"w{i}.log")
                          for i in range(2)]
            time.sleep(0.05)
        assert command.wait(timeout=DEADLINE) == 0, (tmp_path / "extract.log").read_text()
    finally:
        for process in (command, *others):
            _stop(process)
        client.close()
    shared, single = _cells(DataDir.resolve(root)), _cells(first_archive)
    assert single, "the single crawl's archive has cells"
    assert shared.keys() == single.keys()
    for report, cells in single.items():
        assert shared[report] == cells, report


def test_second_shared_crawl_is_incremental(shared_crawl: SharedCrawl, farm: FarmServer, registry: Path,
                                            redis_url: str, tmp_path: Path) -> None:
    """Issue 15's bar for a shared crawl, as test_crawl_farm sets it for one process: a worker re-crawling
    the unchanged farm into a copy of the shared store reads the schedule, the known documents and the
    robots.txt answers the writer published from the store, so it asks at most a tenth of the first
    session's requests, downloads no document, asks no robots.txt again, and its skips are recorded."""
    data = tmp_path / "data"
    shutil.copytree(shared_crawl.data, data)
    farm.reset_habits()
    mark = farm.log.mark()
    log = tmp_path / "worker.log"
    worker = _worker(data, registry, redis_url, log)
    try:
        assert worker.wait(timeout=DEADLINE) == PARTIAL, log.read_text(errors="replace")[-3000:]
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
    requests = farm.log.entries_since(mark)
    document_paths = set().union(*farm.world.expected_paths().values())
    assert [e.path for e in requests if e.path in document_paths and e.status == 200] == []
    assert len(requests) <= len(shared_crawl.requests) / 10, (len(requests), len(shared_crawl.requests))
    assert all(e.status in (301, 302) for e in requests if e.path == "/robots.txt")
    with sqlite3.connect(data / "store" / "store.db") as db:
        run, status = db.execute("select id, status from runs order by id desc limit 1").fetchone()
        skipped = dict(db.execute("select what, sum(count) from skips where run_id = ? group by what", [run]))
        scheduled = db.execute("select count(*) from schedule").fetchone()[0]
    assert status == "finished"
    assert skipped.get("documents", 0) > 0 and skipped.get("columns", 0) > 0, skipped
    assert scheduled > 0
