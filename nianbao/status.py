"""``nianbao status --redis URL``: what the shared crawls and the extraction queue on a Redis server are doing.

Everything is read from Redis only (any machine that reaches the server can ask): per crawl, its
frontier, seen-set, workers with the age of their last heartbeat and what each holds, the store feed
not yet written, requests recovered from dead workers, and progress per portal; the hosts whose shared
slots have requests under way; the extraction queue, its workers and its runs. ``--json`` prints the
same as one JSON object, for monitoring.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import click
import redis
from rich.console import Console
from rich.table import Table

from archive import fanout
from crawler.shared.keys import CRAWLS, PREFIX, CrawlKeys


@dataclass
class WorkerState:
    id: str
    heartbeat_age_s: float
    holds: int


@dataclass
class CrawlState:
    name: str
    job: str
    args: dict[str, Any]
    run: str | None
    writer: str | None
    seeded: bool
    frontier: int
    seen: int
    feed: int
    recovered: int
    workers: list[WorkerState]
    portals: dict[str, dict[str, int]]


@dataclass
class ExtractionState:
    queued: int
    dead_lettered: int
    workers: list[WorkerState]
    runs: dict[str, int] = field(default_factory=dict)  # run → results not yet written


@dataclass
class Status:
    crawls: list[CrawlState]
    slots: dict[str, int]  # host → requests under way
    extraction: ExtractionState


def _now_ms(server: redis.Redis) -> int:
    seconds, micros = server.time()
    return seconds * 1000 + micros // 1000


def crawl_state(server: redis.Redis, name: str, now_ms: int) -> CrawlState:
    keys = CrawlKeys(name)
    session = {k.decode(): v.decode() for k, v in server.hgetall(keys.session).items()}
    workers = []
    for worker, beat in server.zrange(keys.workers, 0, -1, withscores=True):
        worker_id = worker.decode()
        workers.append(WorkerState(worker_id, round((now_ms - beat) / 1000, 1), server.hlen(keys.inflight(worker_id))))
    portals: dict[str, dict[str, int]] = {}
    for field_name, count in server.hgetall(keys.progress).items():
        portal, _, counter = field_name.decode().partition("|")
        portals.setdefault(portal, {})[counter] = int(count)
    return CrawlState(
        name=name, job=session.get("job", ""), args=json.loads(session.get("args", "{}")), run=session.get("run"),
        writer=session.get("writer"), seeded="seeded" in session, frontier=server.zcard(keys.frontier),
        seen=server.scard(keys.seen), feed=server.xlen(keys.feed) if server.exists(keys.feed) else 0,
        recovered=server.llen(keys.recovered), workers=workers, portals=dict(sorted(portals.items())))


def extraction_state(server: redis.Redis, now_ms: int) -> ExtractionState:
    base = f"{fanout.NAMESPACE}:{fanout.QUEUE}"
    workers = []
    for worker, beat in server.zrange(f"{fanout.NAMESPACE}:__heartbeats__", 0, -1, withscores=True):
        worker_id = worker.decode()
        holds = server.scard(f"{fanout.NAMESPACE}:__acks__.{worker_id}.{fanout.QUEUE}")
        workers.append(WorkerState(worker_id, round((now_ms - beat) / 1000, 1), holds))
    runs = {}
    for key in server.scan_iter(match=f"{fanout.PREFIX}:*:live"):
        job = key.decode().split(":")[-2]
        runs[job] = server.llen(fanout.results_key(job))
    return ExtractionState(queued=server.llen(base), dead_lettered=server.zcard(f"{base}.XQ"), workers=workers,
                           runs=runs)


def read_status(server: redis.Redis) -> Status:
    now_ms = _now_ms(server)
    crawls = [crawl_state(server, name.decode(), now_ms) for name in sorted(server.smembers(CRAWLS))]
    slots = {}
    for key in server.scan_iter(match=f"{PREFIX}:slot:*:leases"):
        under_way = server.zcount(key, now_ms, "+inf")
        if under_way:
            slots[key.decode()[len(f"{PREFIX}:slot:"):-len(":leases")]] = under_way
    return Status(crawls, dict(sorted(slots.items())), extraction_state(server, now_ms))


def _workers_table(title: str, workers: list[WorkerState], holds: str) -> Table:
    table = Table(title=title)
    for column in ("worker", "heartbeat (s ago)", holds):
        table.add_column(column, justify="left" if column == "worker" else "right")
    for worker in workers:
        table.add_row(worker.id, f"{worker.heartbeat_age_s:.1f}", str(worker.holds))
    return table


def print_status(status: Status, console: Console) -> None:
    if not status.crawls:
        console.print("No shared crawl open.")
    for crawl in status.crawls:
        console.print(f"[bold]Crawl {crawl.name}[/bold] {json.dumps(crawl.args, ensure_ascii=False)}: run "
                      f"{crawl.run or '-'} written by {crawl.writer or 'nobody yet'}; frontier {crawl.frontier}, "
                      f"seen {crawl.seen}, feed {crawl.feed} to write, {crawl.recovered} recovered from dead workers")
        console.print(_workers_table("Workers", crawl.workers, "requests held"))
        counters = sorted({counter for counts in crawl.portals.values() for counter in counts})
        table = Table(title="Progress per portal")
        table.add_column("portal")
        for counter in counters:
            table.add_column(counter, justify="right")
        for portal, counts in crawl.portals.items():
            table.add_row(portal, *(str(counts.get(counter, 0)) for counter in counters))
        console.print(table)
    if status.slots:
        console.print("Hosts with requests under way: " + ", ".join(f"{h} {n}" for h, n in status.slots.items()))
    extraction = status.extraction
    console.print(f"[bold]Extraction[/bold]: {extraction.queued} documents queued, {extraction.dead_lettered} "
                  f"dead-lettered, {len(extraction.runs)} runs waiting "
                  f"({sum(extraction.runs.values())} results not yet written)")
    if extraction.workers:
        console.print(_workers_table("Extraction workers", extraction.workers, "documents held"))


@click.command()
@click.option("--redis", "redis_url", required=True, envvar="NIANBAO_REDIS_URL", metavar="redis://HOST:PORT/DB",
              help="The Redis server of the shared crawls and extraction (env NIANBAO_REDIS_URL).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of tables.")
def status(redis_url: str, as_json: bool) -> None:
    """Show the shared crawls and the extraction queue on a Redis server: queues, workers, progress per portal.

    \b
    Example:
        nianbao status --redis redis://10.0.0.5:6379/0
        nianbao status --redis redis://10.0.0.5:6379/0 --json | jq .crawls[0].frontier
    """
    server = redis.Redis.from_url(redis_url, socket_connect_timeout=10, socket_timeout=30)
    try:
        current = read_status(server)
    except redis.RedisError as error:
        raise click.ClickException(f"cannot read Redis at {redis_url}: {error}") from error
    finally:
        server.close()
    if as_json:
        click.echo(json.dumps(asdict(current), ensure_ascii=False))
    else:
        print_status(current, Console())


commands = [status]
