"""``SharedCrawl``: one worker of a shared crawl, the extension every shared component reports to.

It joins (or opens) the crawl's session, beats a heartbeat from a thread of its own (Redis's clock, so
machines need not agree on the time), and on every beat puts back in the frontier the requests of
workers that stopped beating (``NIANBAO_REDIS_WORKER_TIMEOUT`` seconds). It ends each request it took
when the request's ``FetchRecord`` is scraped (``item_scraped``, as Scrapy's FeedExporter writes its
feeds): the body into the blob store, then the record onto the store feed and the receipt dropped in one
Redis script. On ``spider_idle`` it keeps the worker alive while other workers hold requests, and lets
it close when the session is over. Closing, it puts back whatever it still holds.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import uuid
from typing import Any

import redis
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Response
from twisted.internet import task
from twisted.python.failure import Failure

from archive.store import BlobStore
from crawler.items import DOCUMENT_KINDS, FetchRecord
from crawler.middlewares import store_for
from crawler.pipelines import job_key
from crawler.shared.feed import StoreFeedWriter, encode_record, store_is_local
from crawler.shared.frontier import RECEIPT, RECORDS, SharedQueue, pending, portal_of, progress_field, reap
from crawler.shared.keys import CRAWLS, CrawlKeys, crawl_name, worker_id
from crawler.shared.slots import HostSlots

logger = logging.getLogger(__name__)

# KEYS: workers. ARGV: worker. A heartbeat, stamped with Redis's own clock (milliseconds).
_BEAT = """
local now = redis.call('TIME')
redis.call('ZADD', KEYS[1], tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000), ARGV[1])
return 1
"""


def redis_client(url: str) -> redis.Redis:
    """A client for the crawl's Redis, failing fast with one line when the server is not there."""
    client = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10, retry_on_timeout=True,
                                  health_check_interval=30)
    try:
        client.ping()
    except redis.RedisError as error:
        raise NotConfigured(f"cannot reach Redis at {url}: {error}") from error
    return client


class SharedCrawl:
    """The worker: its id, the crawl's keys, what it holds, its heartbeat and (when it may) the store writer."""

    def __init__(self, crawler: Crawler, server: redis.Redis):
        settings = crawler.settings
        self.crawler = crawler
        self.server = server
        self.data = store_for(crawler)
        spider = crawler.spider
        self.job_args = dict(getattr(spider, "job_args", None) or {"spider": spider.name})
        self.job = job_key(self.job_args)
        self.keys = CrawlKeys(crawl_name(self.job, str(self.data.root)))
        self.worker = worker_id()
        self.timeout = settings.getfloat("NIANBAO_REDIS_WORKER_TIMEOUT", 30.0)
        self.blobs = BlobStore(self.data.blobs)
        self.queue: SharedQueue | None = None
        self.session: str | None = None
        self.held: dict[str, bytes] = {}  # token → frontier member, for what this worker took
        self.unsent: set[str] = set()  # tokens whose ending could not reach Redis
        self.stopping = threading.Event()
        self.heart: threading.Thread | None = None
        self.nudger: task.LoopingCall | None = None
        self.writer: StoreFeedWriter | None = None
        self.slots: HostSlots | None = None  # set by SharedSlotsDownloader
        may_write = settings.getbool("NIANBAO_STORE_WRITER", True)
        if may_write and not store_is_local(self.data.store):
            logger.warning("%s is on a network filesystem: this worker never writes store.db", self.data.store)
            may_write = False
        self.may_write = may_write
        self._beat = server.register_script(_BEAT)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SharedCrawl":
        url = crawler.settings.get("NIANBAO_REDIS_URL")
        if not url:
            raise NotConfigured("NIANBAO_REDIS_URL is not set")
        hub = cls(crawler, redis_client(url))
        crawler.signals.connect(hub.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(hub.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(hub.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(hub.spider_closed, signal=signals.spider_closed)
        return hub

    # -- what this worker holds -----------------------------------------------------------------------

    def attach(self, queue: SharedQueue) -> None:
        self.queue = queue

    def hold(self, token: str, member: bytes) -> None:
        self.held[token] = member

    def forget(self, token: str) -> None:
        self.held.pop(token, None)
        self.unsent.discard(token)

    def end(self, request: Request, record: str | None, fields: list[str]) -> None:
        """End a request this worker took: its record (if any) onto the feed, its receipt dropped.

        A callback that yielded several records ends its request with the last one scraped; the others
        only go onto the feed."""
        token = request.meta.get(RECEIPT)
        if token is None or self.queue is None:
            return
        remaining = int(request.meta.get(RECORDS, 1)) - 1 if record is not None else 0
        if remaining > 0:
            request.meta[RECORDS] = remaining
            self.queue.end("", b"", record, fields)
            return
        member = self.held.get(token, b"")
        fields = [*fields, progress_field(portal_of(request), "ended")]
        try:
            if not self.queue.end(token, member, record, fields):
                logger.warning("%s was put back in the frontier while under way here (was this worker taken "
                               "for dead?); it may be fetched twice", request.url)
        except redis.RedisError as error:
            logger.error("Could not end %s in Redis (%s); it goes back to the frontier", request.url, error)
            self.unsent.add(token)
            return
        self.forget(token)

    # -- the session ------------------------------------------------------------------------------------

    def spider_opened(self) -> None:
        candidate = uuid.uuid4().hex
        self.server.hsetnx(self.keys.session, "id", candidate)
        self.server.hsetnx(self.keys.session, "args", json.dumps(self.job_args, ensure_ascii=False, sort_keys=True))
        self.server.hsetnx(self.keys.session, "job", self.job)
        self.server.sadd(CRAWLS, self.keys.name)
        self.session = self.server.hget(self.keys.session, "id").decode()
        self.beat()
        logger.info("Worker %s joined shared crawl %s (session %s)%s", self.worker, self.keys.name,
                    self.session[:8], "; it may write the store" if self.may_write else "")
        self.heart = threading.Thread(target=self._heartbeat, name="nianbao-heartbeat", daemon=True)
        self.heart.start()
        if self.may_write:
            self.writer = StoreFeedWriter(self)
            self.writer.start()
        self.nudger = task.LoopingCall(self._nudge)
        self.nudger.start(0.5, now=False)

    def state(self) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.server.hgetall(self.keys.session).items()}

    def session_over(self, state: dict[str, str] | None = None) -> bool:
        state = self.state() if state is None else state
        return state.get("id") != self.session or state.get("done") == "1"

    async def wait_until_ready(self) -> bool:
        """Wait for the store writer to open the session's run; False if the session ended meanwhile."""
        said = 0.0
        while not self.stopping.is_set():
            state = self.state()
            if self.session_over(state):
                return False
            if state.get("ready") == "1":
                return True
            if time.monotonic() - said > 30:
                logger.info("Waiting for a store writer to open the session (a worker whose %s is on a local "
                            "disk)", self.data.store)
                said = time.monotonic()
            await asyncio.sleep(0.2)
        return False

    def beat(self) -> None:
        self._beat(keys=[self.keys.workers], args=[self.worker])

    def _heartbeat(self) -> None:
        interval = max(0.2, min(2.0, self.timeout / 5))
        while not self.stopping.wait(interval):
            try:
                self.beat()
                if self.slots is not None:
                    self.slots.renew()
                dead, moved = reap(self.server, self.keys, int(self.timeout * 1000), self.worker)
                if moved:
                    logger.warning("Put back %d requests of %d silent workers", moved, dead)
            except redis.RedisError as error:
                logger.error("Heartbeat to Redis failed: %s", error)

    def _nudge(self) -> None:
        """Scrapy polls an idle scheduler every 5 s; other workers fill the frontier at any time, so the
        engine is woken as soon as there is something to take (the one private call: its ``nextcall``)."""
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        if slot is None or self.queue is None or engine.needs_backout():
            return
        try:
            if len(self.queue):
                slot.nextcall.schedule()
        except redis.RedisError:
            return

    # -- signals ----------------------------------------------------------------------------------------

    def spider_idle(self) -> None:
        """Nothing under way here: stay while the crawl has work anywhere, leave when it is over."""
        self._settle_orphans()
        state = self.state()
        if self.session_over(state):
            return
        if state.get("seeded") is None or pending(self.server, self.keys) > 0:
            raise DontCloseSpider
        # The crawl's work is done. A worker that may write stays until the store has it all (it may have
        # to take the writer's place); the others have nothing left to give.
        if self.may_write:
            raise DontCloseSpider

    def _settle_orphans(self) -> None:
        """Receipts still held when nothing is under way: requests whose end could not be sent go back,
        any other ended without a record (a callback that failed), so the crawl can finish."""
        if not self.held or self.queue is None:
            return
        retry = [token for token in self.held if token in self.unsent]
        self.queue.requeue(retry)
        for token in [t for t in self.held if t not in self.unsent]:
            logger.warning("A request ended without a record: %s", self.held[token].split(b"\n", 1)[0].decode())
            self.queue.end(token, self.held[token], None, [])
        self.held.clear()
        self.unsent.clear()

    async def item_scraped(self, item: Any, response: Response | Failure) -> None:
        if not isinstance(item, FetchRecord):
            return
        request = response.request if isinstance(response, Response) else getattr(response, "request", None)
        if request is None:
            return
        blob: dict[str, Any] = {}
        if item.body is not None:
            try:
                blob = {"sha256": await asyncio.to_thread(self.blobs.put, item.body), "size": len(item.body)}
            except OSError as error:
                logger.error("Cannot store a body in %s: %s; stopping this worker", self.blobs.root, error)
                self.unsent.add(request.meta.get(RECEIPT, ""))
                await self.crawler.engine.close_spider_async(reason="store_error")
                return
        fields = [progress_field(item.portal_id, "records")]
        if item.kind in DOCUMENT_KINDS and item.body is not None:
            fields.append(progress_field(item.portal_id, "documents"))
        if item.outcome in ("failed", "blocked", "robots_denied", "too_large"):
            fields.append(progress_field(item.portal_id, item.outcome))
        self.end(request, encode_record(item, blob), fields)
        item.body = None

    def spider_closed(self, reason: str) -> None:
        self.stopping.set()
        if self.nudger is not None and self.nudger.running:
            self.nudger.stop()
        if self.writer is not None:
            self.writer.join(timeout=120)
        if self.heart is not None:
            self.heart.join(timeout=10)
        try:
            if self.queue is not None and self.held:
                moved = self.queue.requeue(list(self.held))
                logger.info("Put back the %d requests this worker still held", moved)
            self.server.zrem(self.keys.workers, self.worker)
        except redis.RedisError as error:
            logger.error("Could not leave the shared crawl cleanly (%s); the others will reap this worker", error)
        logger.info("Worker %s left shared crawl %s (%s)", self.worker, self.keys.name, reason)
