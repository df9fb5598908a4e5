"""The guard's numbers, in one dataclass: defaults sized for a public site on a small machine.

``metadata.yml`` carries them under the plugin ``nianbao-guard`` (generated from these defaults by
``archive/metadata.py``), so a deployment changes them in one place, and the benchmark and the tests
change them by replacing the plugin's configuration. A rate of 0 turns that limit off.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

MIB = 1024 * 1024


@dataclass(frozen=True)
class GuardConfig:
    # -- per client (one IPv4 address, or one IPv6 /64) ----------------------------------------------
    # Every dynamic request: pages, JSON, not-found pages. A person clicking through the site makes a
    # few dozen a minute; a page's static files (CSS, JavaScript, snapshot files) are not counted.
    requests_per_minute: int = 600
    # Requests carrying a query string, whatever its parameters: ?sql=, _where=, _search=, /search?q=,
    # facets, sorting, paging. A dashboard view makes six (five charts and its filter), so 120 a minute
    # is twenty views, while a loop over any parameter shape meets 429 within its first two hundred.
    queries_per_minute: int = 120
    # Seconds of query work a client may use per minute, counted while its queries hold a query slot.
    # Queries stop at Datasette's sql_time_limit_ms (3 s), so a client sending only the slowest ones
    # gets about ten a minute before it waits.
    work_seconds_per_minute: float = 30.0
    concurrent_per_client: int = 2  # requests of one client running at once; the rest wait in line
    queued_per_client: int = 8  # waiting beyond that: 429 (a dashboard's six requests fit)

    # -- all clients together ------------------------------------------------------------------------
    # Query-carrying requests running at once. With num_sql_threads = 3 (archive/serve.py), one SQL
    # thread is always left for plain pages, however many slow queries arrive.
    query_slots: int = 2
    # A query-carrying request may run past heavy_query_seconds only while it holds one of heavy_slots;
    # if none is free it is stopped there (503). Its client is then "slow" for heavy_for_seconds and
    # takes a heavy slot before its queries start. At most one slow query thus runs at a time, holding
    # one of the machine's two cores, and other visitors' queries keep the second query slot.
    heavy_slots: int = 1
    heavy_query_seconds: float = 1.0
    heavy_for_seconds: float = 60.0
    slot_wait_seconds: float = 5.0  # a query waits this long for a slot, then 503 with Retry-After
    request_seconds: float = 20.0  # no request runs longer (many facets or a long CSV stream)
    max_response_bytes: int = 4 * MIB  # every dynamic response; CSV streams stop at max_csv_mb first
    max_clients: int = 50_000  # clients remembered; the least recently seen are forgotten first

    # -- SQLite, on every connection Datasette opens ---------------------------------------------------
    # The longest value (SQLITE_LIMIT_LENGTH): far above any stored text (a report's whole text is tens
    # of KB), far below what zeroblob(), printf() or group_concat() could otherwise build in one step.
    max_value_bytes: int = 2 * MIB
    max_sql_bytes: int = 64 * 1024  # SQLITE_LIMIT_SQL_LENGTH; canned queries are under 2 KB
    # Bytes of values one statement may hand to Python (rows accumulate in memory before a response is
    # built): a page of 2,000 rows of the wide tables is well under it.
    max_result_bytes: int = 4 * MIB
    # PRAGMA hard_heap_limit: all of SQLite's memory in the site's process. A row of many large
    # columns is expanded inside SQLite before Python sees it; this is what bounds that. The site's own
    # needs are its page caches (2 MB a connection, a dozen connections) and sorts that spill to disk.
    sqlite_heap_bytes: int = 128 * MIB

    # Paths served from files, never limited nor capped (the snapshot downloads are large on purpose).
    # /assets/ is the site's own CSS and JavaScript (archive/serve.py).
    static_prefixes: tuple[str, ...] = field(
        default=("/-/static/", "/-/static-plugins/", "/snapshots/", "/assets/"))
    # Dynamic paths whose responses are files streamed from disk: counted as requests, never capped.
    uncapped_paths: tuple[str, ...] = field(default=())
    # The same for every path under these: the archived originals and their WARC records (a report's PDF
    # may be tens of MB), each found by one indexed query.
    uncapped_prefixes: tuple[str, ...] = field(default=())

    @classmethod
    def from_plugin_config(cls, config: dict[str, Any] | None) -> "GuardConfig":
        """The configuration ``metadata.yml`` gives; unknown keys are an error, not silently ignored."""
        config = dict(config or {})
        known = {item.name for item in fields(cls)}
        unknown = sorted(set(config) - known)
        if unknown:
            raise ValueError(f"nianbao-guard: unknown setting(s) {', '.join(unknown)}")
        for name in ("static_prefixes", "uncapped_paths", "uncapped_prefixes"):
            if name in config:
                config[name] = tuple(config[name])
        return cls(**config)

    def to_plugin_config(self) -> dict[str, Any]:
        """What ``metadata.yml`` says: plain YAML types."""
        return {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}
