"""The site's own pages around Datasette: what each page shows, read from the archive.

Each page module turns one request's parameters into a plain dataclass from a ``sqlite3`` connection
to the served snapshot (``report``, ``organ``, ``compare``, ``ranking``, ``changes``, ``home``), and
``originals`` finds the stored bytes and WARC records documents name. The plugin
``site/plugins/nianbao_pages.py`` wires them to routes and renders ``site/templates/site/*.html``;
nothing here knows about HTTP, so every page can be tested on a snapshot file directly. Every query
is bounded: by a primary key or an index, with a ``LIMIT``, under Datasette's SQL time limit.
"""
