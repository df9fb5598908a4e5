"""A crawl shared by many workers through Redis: ``nianbao crawl --redis redis://HOST:PORT/DB``.

Every worker runs the same ``portal`` spider; what one process keeps in memory or in its JOBDIR lives
in Redis instead, under keys named after the crawl's job (``keys.py``):

- the frontier and the seen-set: scrapy-redis's scheduler and ``RFPDupeFilter``, with a receipt for
  every request a worker takes (``frontier.py``): the request stays in that worker's in-flight hash
  until the ``FetchRecord`` that ends it is in Redis, so a worker killed with SIGKILL loses nothing;
  the others put its requests back in the frontier once its heartbeat stops (``worker.py``);
- the start: the first worker of a session seeds the start requests, all at once (``spidermw.py``);
  later workers join, and each exits when the frontier is empty and no worker holds a request;
- politeness per host across workers: a lease per request in a per-host sorted set, never more than
  the single process's concurrency and never a shorter delay than its slot's (``slots.py``);
- the store: bodies go to the content-addressed ``DATA/store/blobs`` (one directory, shared);
  the records go to a Redis stream that one writer at a time (a lease) turns into ``store.db`` rows
  and WARC records (``feed.py``): SQLite is only ever written by one process, on its own disk;
- conditional re-fetch, robots.txt and the incremental crawl: the writer publishes each URL's last body
  and validators, the robots.txt answers of the last day and the schedule to Redis, where every worker's
  revalidation and incremental middlewares read them (``view.py``): the same policy as one process.

``addon.py`` is the settings profile that wires these in when ``NIANBAO_REDIS_URL`` is set; without it
the single-process crawl is unchanged.
"""
