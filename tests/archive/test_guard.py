"""The guard's parts on their own: buckets, client keys, SQLite limits and the ASGI middleware.

The middleware is driven with small ASGI apps whose behaviour each test states (a body of N bytes,
a stream, a slow answer), so what is expected follows from the test, not from the guard.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time

import pytest

from archive.guard.config import GuardConfig
from archive.guard.limits import Buckets, client_key
from archive.guard.middleware import GuardMiddleware
from archive.guard.sqlite import ResultTooLarge, bound_connection

pytestmark = pytest.mark.timeout(60)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_its_capacity_then_refills_evenly() -> None:
    clock = Clock()
    bucket = Buckets(60, period=60, clock=clock)
    assert [bucket.take("a") for _ in range(60)] == [0.0] * 60
    assert bucket.take("a") == pytest.approx(1.0)  # one token a second
    assert bucket.take("b") == 0.0  # another client has its own
    clock.now += 2.5
    assert bucket.take("a") == 0.0 and bucket.take("a") == 0.0 and bucket.take("a") > 0


def test_bucket_charged_afterwards_goes_into_bounded_debt() -> None:
    clock = Clock()
    work = Buckets(30, period=60, clock=clock)  # 30 s of work a minute: 0.5 s back per second
    assert work.wait("a") == 0.0
    work.charge("a", 100.0)  # one very long request: the debt stops at one bucket
    assert work.wait("a") == pytest.approx(60.0, abs=0.1)
    clock.now += 61
    assert work.wait("a") == 0.0


def test_bucket_zero_capacity_is_off_and_table_is_bounded() -> None:
    assert Buckets(0).take("a") == 0.0 and Buckets(0).wait("a") == 0.0
    bucket = Buckets(1, max_keys=3, clock=Clock())
    for key in "abcd":
        bucket.take(key)
    assert bucket.take("a") == 0.0, "the least recently seen client was forgotten, and starts full"
    assert bucket.take("d") > 0


@pytest.mark.parametrize(
    ("client", "key"),
    [
        (("203.0.113.9", 5), "203.0.113.9"),
        (("2001:db8:1:2:aaaa::1", 5), "2001:db8:1:2::/64"),
        (("2001:db8:1:2:bbbb::7", 5), "2001:db8:1:2::/64"),
        (("::ffff:198.51.100.4", 5), "198.51.100.4"),
        (None, "unknown"),
    ],
)
def test_client_key(client, key) -> None:
    assert client_key({"client": client}) == key


# -- SQLite -------------------------------------------------------------------------------------------


def _bounded(**settings) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    bound_connection(conn, GuardConfig(**settings))
    return conn


def test_value_length_limit_refuses_a_giant_blob() -> None:
    conn = _bounded()
    with pytest.raises(sqlite3.DataError, match="too big"):
        conn.execute("select zeroblob(50000000)").fetchall()
    assert len(conn.execute("select zeroblob(1000000)").fetchone()[0]) == 1_000_000


def test_result_budget_counts_each_statement_separately() -> None:
    conn = _bounded(max_result_bytes=10_000)
    rows = "with recursive n(i) as (select 1 union all select i + 1 from n limit {}) select printf('%.*c', 100, 'x') from n"
    assert len(conn.execute(rows.format(99)).fetchall()) == 99  # 9,900 bytes
    assert len(conn.execute(rows.format(99)).fetchall()) == 99  # a new statement, a new budget
    with pytest.raises(ResultTooLarge):
        conn.execute(rows.format(101)).fetchall()
    assert isinstance(conn.execute("select 1 as one").fetchone(), sqlite3.Row), "the connection's own rows"


def test_heap_limit_stops_a_row_of_many_large_columns() -> None:
    conn = _bounded(sqlite_heap_bytes=64 * 1024 * 1024, max_result_bytes=10**10)
    columns = ", ".join(["x"] * 200)  # 200 columns of 1 MB each, expanded inside SQLite
    with pytest.raises(MemoryError):
        conn.execute(f"with a(x) as (select zeroblob(1000000)) select {columns} from a").fetchall()
    assert conn.execute("select 1").fetchone()[0] == 1


# -- the middleware -------------------------------------------------------------------------------------


def _config(**changes) -> GuardConfig:
    """Generous defaults for these tests; each test tightens what it is about."""
    base = dict(requests_per_minute=0, queries_per_minute=0, work_seconds_per_minute=0, concurrent_per_client=4,
                queued_per_client=4, query_slots=4, slot_wait_seconds=5, request_seconds=10, max_response_bytes=1000)
    return GuardConfig(**{**base, **changes})


def body_app(size: int, *, chunks: int = 1, delay: float = 0.0):
    """An app answering 200 with ``size`` bytes in ``chunks`` parts, after ``delay`` seconds."""

    async def app(scope, receive, send):
        await asyncio.sleep(delay)
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        part = size // chunks
        for index in range(chunks):
            await send({"type": "http.response.body", "body": b"x" * part, "more_body": index < chunks - 1})

    return app


async def call(app, path: str = "/nianbao/reports", *, query: str = "", method: str = "GET",
               client: str = "192.0.2.1") -> tuple[int | None, dict[str, str], bytes, bool]:
    """(status, headers, body, complete) as a server would see them."""
    scope = {"type": "http", "method": method, "path": path, "query_string": query.encode(),
             "headers": [], "client": (client, 40000)}
    messages: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        messages.append(message)

    await app(scope, receive, send)
    start = next((m for m in messages if m["type"] == "http.response.start"), None)
    bodies = [m for m in messages if m["type"] == "http.response.body"]
    complete = bool(bodies) and not bodies[-1].get("more_body", False)
    headers = {k.decode(): v.decode() for k, v in start["headers"]} if start else {}
    return (start["status"] if start else None), headers, b"".join(m.get("body", b"") for m in bodies), complete


def test_only_reading_methods_reach_the_site() -> None:
    guard = GuardMiddleware(body_app(10), _config())
    for method in ("POST", "PUT", "DELETE", "PATCH", "PROPFIND"):
        status, headers, _, _ = asyncio.run(call(guard, "/nianbao/search", method=method))
        assert status == 405 and headers["allow"] == "GET, HEAD, OPTIONS"
    assert asyncio.run(call(guard, method="HEAD"))[0] == 200


def test_response_cap_refuses_a_large_answer_and_cuts_a_large_stream() -> None:
    status, _, body, _ = asyncio.run(call(GuardMiddleware(body_app(999), _config())))
    assert status == 200 and len(body) == 999
    status, _, body, complete = asyncio.run(call(GuardMiddleware(body_app(5000), _config())))
    assert status == 400 and b"too large" in body and len(body) < 1000 and complete
    status, _, body, complete = asyncio.run(call(GuardMiddleware(body_app(5000, chunks=10), _config())))
    assert status == 200 and len(body) == 1000 and not complete, "cut, and visibly incomplete"
    static = GuardMiddleware(body_app(5000), _config())
    assert len(asyncio.run(call(static, "/snapshots/2025-06-02/nianbao.db"))[2]) == 5000
    download = GuardMiddleware(body_app(5000), _config(uncapped_paths=("/nianbao.db",)))
    assert len(asyncio.run(call(download, "/nianbao.db"))[2]) == 5000


def test_deadline_answers_503() -> None:
    guard = GuardMiddleware(body_app(10, delay=5), _config(request_seconds=0.2))
    status, headers, _, _ = asyncio.run(call(guard))
    assert status == 503 and int(headers["retry-after"]) >= 1


def test_rate_limits_cover_every_query_shape_and_say_when_to_retry() -> None:
    guard = GuardMiddleware(body_app(10), _config(requests_per_minute=50, queries_per_minute=5))

    async def burst():
        shapes = ["sql=select+1", "_where=1", "_search=x", "q=x", "year=2024", "_facet=year", "_next=5"]
        return [await call(guard, query=shapes[i % len(shapes)]) for i in range(7)]

    statuses = [status for status, *_ in asyncio.run(burst())]
    assert statuses == [200] * 5 + [429] * 2
    status, headers, body, _ = asyncio.run(call(guard, query="x=1"))
    assert status == 429 and int(headers["retry-after"]) >= 1 and "Too many requests".encode() in body
    assert asyncio.run(call(guard, query="x=1", client="192.0.2.2"))[0] == 200, "keyed per client"
    assert asyncio.run(call(guard))[0] == 200, "plain pages count against the page limit only"


def test_query_work_is_budgeted_per_client() -> None:
    guard = GuardMiddleware(body_app(10, delay=0.3), _config(work_seconds_per_minute=0.5))

    async def three():
        return [(await call(guard, query="sql=slow"))[0] for _ in range(3)]

    assert asyncio.run(three()) == [200, 200, 429]  # 0.6 s of work spent against a budget of 0.5 s


def test_query_slots_are_shared_and_waiting_is_bounded() -> None:
    guard = GuardMiddleware(body_app(10, delay=1.0), _config(query_slots=2, slot_wait_seconds=0.3, heavy_query_seconds=5))

    async def together():
        clients = [f"192.0.2.{n}" for n in range(1, 5)]
        slow = [call(guard, query="sql=slow", client=client) for client in clients]
        plain = call(guard, client="192.0.2.9")
        results = await asyncio.gather(*slow, plain)
        return sorted(status for status, *_ in results[:4]), results[4][0]

    queries, page = asyncio.run(together())
    assert queries == [200, 200, 503, 503] and page == 200


def test_one_client_runs_few_at_once_and_queues_a_few_more() -> None:
    guard = GuardMiddleware(body_app(10, delay=0.2), _config(concurrent_per_client=1, queued_per_client=2))

    async def five():
        return sorted(status for status, *_ in await asyncio.gather(*(call(guard) for _ in range(5))))

    assert asyncio.run(five()) == [200, 200, 200, 429, 429]


def test_one_slow_query_at_a_time() -> None:
    """Past heavy_query_seconds a query needs the heavy slot; its client is then known slow."""
    config = _config(query_slots=2, heavy_slots=1, heavy_query_seconds=0.2, slot_wait_seconds=0.2)

    async def scenario():
        guard = GuardMiddleware(body_app(10, delay=0.4), config, sql_seconds=0.3)
        alone = [(await call(guard, query="sql=slow", client=c))[0] for c in ("192.0.2.1", "192.0.2.2")]
        # Both are known slow now: of two queries at once, one waits for the heavy slot, too long.
        known = sorted(s for s, *_ in await asyncio.gather(*(call(guard, query="sql=slow", client=c)
                                                             for c in ("192.0.2.1", "192.0.2.2"))))
        await asyncio.sleep(0.5)  # the refused one's slots are back
        # A new client's slow query, while a known one holds the heavy slot, is stopped at the mark.
        started = time.monotonic()
        slow, new = await asyncio.gather(call(guard, query="sql=slow", client="192.0.2.1"),
                                         call(guard, query="sql=slow", client="192.0.2.3"))
        stopped_after = time.monotonic() - started
        # A fast query of a new client runs beside a slow one.
        fast_guard = GuardMiddleware(body_app(10, delay=0.05), config)
        beside = await call(fast_guard, query="sql=fast", client="192.0.2.4")
        return alone, known, slow[0], new, stopped_after, beside[0]

    alone, known, slow, new, stopped_after, beside = asyncio.run(scenario())
    assert alone == [200, 200] and known == [200, 503]
    assert slow == 200 and new[0] == 503 and b"slow query" in new[2] and stopped_after < 0.45
    assert beside == 200
