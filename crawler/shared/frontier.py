"""The shared frontier: scrapy-redis's scheduler and seen-set, with a receipt for every request taken.

scrapy-redis pops a request off the shared queue for good: a worker killed while the request is under
way loses it. Here a pop moves it, in one Lua script, into the worker's in-flight hash under a fresh
token (the receipt, carried in ``request.meta``). The request leaves that hash only when what ends it
has reached Redis, again in one script: the ``FetchRecord`` pushed onto the store feed (``end``), or
the request that replaces it (a retry or a redirect, ``enqueue``). A dead worker's in-flight requests
go back to the frontier (``requeue``, ``reap``). Every key a script touches is named in its ``KEYS``
except the in-flight hashes ``reap`` and ``pending`` walk (one Redis server, not a cluster).

Members of the frontier are ``url\\n`` followed by the pickled request (scrapy-redis's encoding), so
scripts can name what they move; scores are ``-priority``, as in scrapy-redis.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from crawler.middlewares import META_KEY
from crawler.shared.keys import CrawlKeys

logger = logging.getLogger(__name__)

# request.meta key of the receipt: the token under which the taking worker holds the request.
RECEIPT = "nianbao_receipt"
# request.meta key: how many records the request's callback yielded (the last one scraped ends it).
RECORDS = "nianbao_records"

# KEYS: frontier, inflight. ARGV: token. Moves the best request into the worker's in-flight hash.
_POP = """
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return false end
redis.call('ZREM', KEYS[1], top[1])
redis.call('HSET', KEYS[2], ARGV[1], top[2] .. '\\n' .. top[1])
return top[1]
"""

# KEYS: seen, frontier, inflight, progress. ARGV: fingerprint ('' = dont_filter), score, member,
# token ('' = none), progress field. Schedules a request unless seen; ends the request it replaces.
_ENQUEUE = """
local fresh = 1
if ARGV[1] ~= '' then fresh = redis.call('SADD', KEYS[1], ARGV[1]) end
if fresh == 1 then
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
  redis.call('HINCRBY', KEYS[4], ARGV[5], 1)
end
if ARGV[4] ~= '' then redis.call('HDEL', KEYS[3], ARGV[4]) end
return fresh
"""

# KEYS: inflight, frontier, feed, progress. ARGV: token, member, record JSON ('' = none), progress
# fields… Ends a request: its record onto the feed and the receipt dropped, together. A receipt already
# gone means the worker was taken for dead and the request requeued: that copy is withdrawn if still there.
_END = """
local held = redis.call('HDEL', KEYS[1], ARGV[1])
if held == 0 and ARGV[2] ~= '' then redis.call('ZREM', KEYS[2], ARGV[2]) end
if ARGV[3] ~= '' then redis.call('XADD', KEYS[3], '*', 'record', ARGV[3]) end
for i = 4, #ARGV do redis.call('HINCRBY', KEYS[4], ARGV[i], 1) end
return held
"""

# KEYS: inflight, frontier, recovered. ARGV: tokens… Puts held requests back in the frontier.
_REQUEUE = """
local moved = 0
for i = 1, #ARGV do
  local held = redis.call('HGET', KEYS[1], ARGV[i])
  if held then
    local cut = string.find(held, '\\n', 1, true)
    local member = string.sub(held, cut + 1)
    redis.call('ZADD', KEYS[2], string.sub(held, 1, cut - 1), member)
    redis.call('HDEL', KEYS[1], ARGV[i])
    redis.call('LPUSH', KEYS[3], string.sub(member, 1, string.find(member, '\\n', 1, true) - 1))
    moved = moved + 1
  end
end
return moved
"""

# KEYS: workers, frontier, recovered. ARGV: in-flight key prefix, timeout (ms), this worker.
# Workers whose heartbeat is older than the timeout are dead: their requests go back, they go.
_REAP = """
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
local moved = 0
for _, worker in ipairs(dead) do
  if worker ~= ARGV[3] then
    local key = ARGV[1] .. worker
    local held = redis.call('HVALS', key)
    for _, entry in ipairs(held) do
      local cut = string.find(entry, '\\n', 1, true)
      local member = string.sub(entry, cut + 1)
      redis.call('ZADD', KEYS[2], string.sub(entry, 1, cut - 1), member)
      redis.call('LPUSH', KEYS[3], string.sub(member, 1, string.find(member, '\\n', 1, true) - 1))
      moved = moved + 1
    end
    redis.call('DEL', key)
    redis.call('ZREM', KEYS[1], worker)
  end
end
return {#dead, moved}
"""

# KEYS: frontier, workers. ARGV: in-flight key prefix. Requests waiting plus requests held, at one instant.
_PENDING = """
local n = redis.call('ZCARD', KEYS[1])
for _, worker in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  n = n + redis.call('HLEN', ARGV[1] .. worker)
end
return n
"""

# KEYS: session, frontier, progress. ARGV: worker, then (score, member, progress field) triples.
# The start requests of a session, all or none, by the first worker to claim them.
_SEED = """
if redis.call('HSETNX', KEYS[1], 'seeded', ARGV[1]) == 0 then return 0 end
for i = 2, #ARGV, 3 do
  redis.call('ZADD', KEYS[2], ARGV[i], ARGV[i + 1])
  redis.call('HINCRBY', KEYS[3], ARGV[i + 2], 1)
end
return 1
"""


def progress_field(portal: str | None, counter: str) -> str:
    return f"{portal or '-'}|{counter}"


def portal_of(request: Request) -> str | None:
    info = request.meta.get(META_KEY) or {}
    return info.get("portal_id")


class SharedQueue(PriorityQueue):
    """scrapy-redis's priority queue, where taking a request leaves a receipt in the worker's in-flight hash."""

    def __init__(self, server: Any, spider: Any, keys: CrawlKeys, worker: str, serializer: Any = None):
        super().__init__(server, spider, keys.frontier, serializer)
        self.keys = keys
        self.worker = worker
        self.inflight = keys.inflight(worker)
        self._pop = server.register_script(_POP)
        self._enqueue = server.register_script(_ENQUEUE)
        self._end = server.register_script(_END)
        self._requeue = server.register_script(_REQUEUE)
        self._seed = server.register_script(_SEED)
        self._tokens = 0

    def member(self, request: Request) -> bytes:
        url = request.url.replace("\n", "%0A")
        return url.encode() + b"\n" + self._encode_request(request)

    def decode(self, member: bytes) -> Request:
        return self._decode_request(member.split(b"\n", 1)[1])

    def push(self, request: Request) -> None:
        self.enqueue(request, None, None)

    def enqueue(self, request: Request, fingerprint: str | None, token: str | None) -> bool:
        """Schedule ``request`` unless its fingerprint was seen; end the held request ``token`` it replaces."""
        return bool(self._enqueue(
            keys=[self.keys.seen, self.keys.frontier, self.inflight, self.keys.progress],
            args=[fingerprint or "", -request.priority, self.member(request), token or "",
                  progress_field(portal_of(request), "scheduled")],
        ))

    def take(self) -> tuple[str, bytes, Request] | None:
        """The best request, held under a new receipt: ``(token, member, request)``."""
        self._tokens += 1
        token = f"{self._tokens:x}"
        member = self._pop(keys=[self.keys.frontier, self.inflight], args=[token])
        if member is None:
            return None
        request = self.decode(member)
        request.meta[RECEIPT] = token
        return token, member, request

    def pop(self, timeout: int = 0) -> Request | None:
        taken = self.take()
        return taken[2] if taken else None

    def end(self, token: str, member: bytes, record: str | None, fields: list[str]) -> bool:
        """End a held request with its record (or none); False when it had been requeued meanwhile."""
        return bool(self._end(keys=[self.inflight, self.keys.frontier, self.keys.feed, self.keys.progress],
                              args=[token, member, record or "", *fields]))

    def requeue(self, tokens: list[str]) -> int:
        if not tokens:
            return 0
        return int(self._requeue(keys=[self.inflight, self.keys.frontier, self.keys.recovered], args=tokens))

    def seed(self, requests: list[Request]) -> bool:
        """Put a session's start requests in the frontier, all at once, unless another worker already did."""
        args: list[Any] = [self.worker]
        for request in requests:
            args += [-request.priority, self.member(request), progress_field(portal_of(request), "scheduled")]
        return bool(self._seed(keys=[self.keys.session, self.keys.frontier, self.keys.progress], args=args))


def reap(server: Any, keys: CrawlKeys, timeout_ms: int, me: str) -> tuple[int, int]:
    """Requeue the requests of workers silent for longer than the timeout; (workers reaped, requests moved)."""
    dead, moved = server.register_script(_REAP)(keys=[keys.workers, keys.frontier, keys.recovered],
                                               args=[keys.inflight_prefix, timeout_ms, me])
    return int(dead), int(moved)


def pending(server: Any, keys: CrawlKeys) -> int:
    """Requests in the frontier plus requests held by workers, read at one instant."""
    return int(server.register_script(_PENDING)(keys=[keys.frontier, keys.workers], args=[keys.inflight_prefix]))


class SharedScheduler(Scheduler):
    """scrapy-redis's ``Scheduler`` on the crawl's own keys, with receipts (``SharedQueue``).

    The frontier and the seen-set outlive any one worker (``SCHEDULER_PERSIST``); the crawl's writer
    deletes them when the session is over.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SharedScheduler":
        from crawler.shared.worker import SharedCrawl

        scheduler = super().from_crawler(crawler)
        hub = crawler.get_extension(SharedCrawl)
        if hub is None:
            raise RuntimeError("SharedScheduler needs the SharedCrawl extension (crawler.shared.addon)")
        scheduler.hub = hub
        return scheduler

    def open(self, spider: Any) -> None:
        self.spider = spider
        keys = self.hub.keys
        self.queue = SharedQueue(self.server, spider, keys, self.hub.worker, self.serializer)
        self.df = RFPDupeFilter(self.server, key=keys.seen, debug=spider.settings.getbool("DUPEFILTER_DEBUG"))
        self.hub.attach(self.queue)
        waiting = len(self.queue)
        if waiting:
            logger.info("Joining shared crawl %s: %d requests in the frontier", keys.name, waiting)

    def close(self, reason: str) -> None:
        """The frontier is shared: nothing is flushed when one worker leaves."""

    def enqueue_request(self, request: Request) -> bool:
        # A request carrying a receipt replaces the one it was made from (a retry, a redirect).
        token = request.meta.pop(RECEIPT, None)
        fingerprint = None if request.dont_filter else self.df.request_fingerprint(request)
        fresh = self.queue.enqueue(request, fingerprint, token)
        if token is not None:
            self.hub.forget(token)
        if not fresh:
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        taken = self.queue.take()
        if taken is None:
            return None
        token, member, request = taken
        self.hub.hold(token, member)
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return len(self.queue) > 0
