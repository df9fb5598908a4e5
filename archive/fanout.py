"""``nianbao extract --redis URL``: documents read by workers through Dramatiq on Redis, written here once.

Why Dramatiq: its Redis broker acknowledges a message only when the actor has finished, keeps every
message a worker took in that worker's own set, and puts them back in the queue when the worker's
heartbeat stops (the broker's maintenance), so a worker killed mid-document leaves the document to
another with no code of ours. RQ loses the job of a killed worker to its failed registry until someone
requeues it; Celery needs ``acks_late`` plus a visibility timeout and brings a much larger runtime.

The command (``fan_out``) sends one message per pending document (its blob's path in the shared
``DATA/store``, its file name, the parser version) and waits. Each worker (``nianbao extract-worker``,
``run_worker``) reads the blob from its own view of the shared directory, parses it in a killable child
(``Parser.current``) and pushes the record, pickled, onto the run's result list. The command writes the
results into the archive itself, in document order, so the archive has one writer and is row for row
what a single ``nianbao extract`` makes. A document read twice (a worker taken for dead that was only
slow) is written once. A run whose command died is abandoned: its key expires and workers skip its
messages; the next ``nianbao extract`` sends what is still pending.

The result list carries pickles: the Redis server of a shared deployment is trusted (scrapy-redis
pickles requests there too) and listens on a private network only (see docs/scale.md).
"""

from __future__ import annotations

import logging
import pickle
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import dramatiq
import redis
from dramatiq.brokers.redis import MAINTENANCE_SCALE, RedisBroker

from archive.extract_stage import Parser, read_document
from archive.paths import DataDir

logger = logging.getLogger(__name__)

QUEUE = "nianbao-extract"
NAMESPACE = "nianbao:dramatiq"
ACTOR = "nianbao_read_document"
PREFIX = "nianbao:extract"
# A worker beats every HEARTBEAT_S; one silent for HEARTBEAT_TIMEOUT_MS is dead and its documents go back.
HEARTBEAT_S = 2.0
HEARTBEAT_TIMEOUT_MS = 15_000
LIVE_TTL_S = 120  # a run's key outlives its command by this much; workers skip messages of dead runs


def live_key(job: str) -> str:
    return f"{PREFIX}:{job}:live"


def results_key(job: str) -> str:
    return f"{PREFIX}:{job}:results"


def make_broker(url: str, *, maintain: bool = False) -> RedisBroker:
    """The broker on ``url``. ``maintain``: every call also requeues dead workers' messages (the
    command polls with it, so recovery does not wait for the broker's one-in-a-thousand chance)."""
    client = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10, health_check_interval=30)
    try:
        client.ping()
    except redis.RedisError as error:
        raise RuntimeError(f"cannot reach Redis at {url}: {error}") from error
    return RedisBroker(client=client, namespace=NAMESPACE, heartbeat_timeout=HEARTBEAT_TIMEOUT_MS,
                       maintenance_chance=MAINTENANCE_SCALE if maintain else 1000)


def declare(broker: RedisBroker, data: DataDir | None, parser: Parser | None = None) -> dramatiq.Actor:
    """The one actor: read a document and push its outcome (``data`` and ``parser`` only on workers)."""
    server = broker.client

    def read(job: str, document_id: int, blob: str, filename: str | None, url: str, version: str) -> None:
        if not server.exists(live_key(job)):
            return  # the command that asked for it is gone; the next run sends it again
        assert data is not None and parser is not None, "a sender cannot read documents"
        if version != parser.version:
            outcome: tuple[Any, ...] = (document_id, parser.version, None,
                                        f"worker parser version {parser.version}, the command's {version}")
        else:
            record, error = read_document(data, {"blob": blob, "filename": filename, "url": url}, parser)
            outcome = (document_id, parser.version, record, error)
        server.rpush(results_key(job), pickle.dumps(outcome))
        server.expire(results_key(job), LIVE_TTL_S * 10)

    # The isolated parse has its own time limit; Dramatiq's only backs it up.
    limit_ms = int((_extraction_timeout() + 120) * 1000)
    return dramatiq.Actor(read, broker=broker, actor_name=ACTOR, queue_name=QUEUE, priority=0,
                          options={"max_retries": 3, "time_limit": limit_ms})


def _extraction_timeout() -> float:
    from extract.convert.limits import Limits

    return Limits.resolve(None).extraction_timeout


class VersionMismatch(RuntimeError):
    """A worker runs another parser version: its records must not be written under this one's."""


def fan_out(url: str, version: str, *, wait_note_s: float = 30.0):
    """A ``Fanout`` for ``run_extract``: the documents go to workers on ``url``, outcomes come back."""

    def run(documents: list[dict]) -> Iterator[tuple[dict, Any, str | None]]:
        if not documents:
            return
        broker = make_broker(url, maintain=True)
        actor = declare(broker, None)
        server = broker.client
        job = uuid.uuid4().hex
        server.set(live_key(job), "1", ex=LIVE_TTL_S)
        try:
            for doc in documents:
                actor.send(job, doc["id"], doc["blob"], doc["filename"], doc["url"], version)
            logger.info("Sent %d documents to the workers on %s (run %s)", len(documents), url, job[:8])
            yield from _collect(broker, job, documents, version, wait_note_s)
        finally:
            server.delete(live_key(job), results_key(job))
            broker.close()

    return run


def _collect(broker: RedisBroker, job: str, documents: list[dict], version: str,
             wait_note_s: float) -> Iterator[tuple[dict, Any, str | None]]:
    """Outcomes in document order (a result that arrives early waits in memory for those before it)."""
    server = broker.client
    order = [doc["id"] for doc in documents]
    by_id = {doc["id"]: doc for doc in documents}
    rank = {document_id: index for index, document_id in enumerate(order)}
    waiting: dict[int, tuple[Any, str | None]] = {}
    said = time.monotonic()
    position = 0
    while position < len(order):
        server.expire(live_key(job), LIVE_TTL_S)
        broker.do_qsize(QUEUE)  # our heartbeat, and maintenance: dead workers' documents back in the queue
        reply = server.blpop([results_key(job)], timeout=1)
        if reply is None:
            if time.monotonic() - said > wait_note_s:
                logger.warning("Waiting for extraction workers (nianbao extract-worker --redis): %d of %d "
                               "documents read", position + len(waiting), len(order))
                said = time.monotonic()
            continue
        said = time.monotonic()  # workers are at it: the note is for when none answers
        document_id, worker_version, record, error = pickle.loads(reply[1])
        if document_id not in rank or document_id in waiting or rank[document_id] < position:
            continue  # read twice: the first outcome was kept
        if worker_version != version:
            raise VersionMismatch(error)
        waiting[document_id] = (record, error)
        while position < len(order) and order[position] in waiting:
            document_id = order[position]
            yield (by_id[document_id], *waiting.pop(document_id))
            position += 1


def run_worker(url: str, data: DataDir, *, stop: threading.Event | None = None) -> None:
    """One extraction worker (one document at a time) until SIGTERM or SIGINT."""
    broker = make_broker(url)
    declare(broker, data, Parser.current())
    worker = dramatiq.Worker(broker, queues={QUEUE}, worker_threads=1)
    worker.queue_prefetch = 1  # a document waits in the queue for any worker, not in this one's cache
    stop = stop or threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    worker.start()
    logger.info("Extraction worker on %s reading %s", url, data.store)
    try:
        while not stop.wait(HEARTBEAT_S):
            try:
                broker.do_qsize(QUEUE)  # the heartbeat, even while the one thread parses a long document
            except redis.RedisError as error:
                logger.error("Heartbeat to Redis failed: %s", error)
    finally:
        # What is under way is left to the broker: unacknowledged, it goes back when the heartbeat stops.
        worker.stop(timeout=5_000)
        broker.close()
