"""The site's guard: what keeps a public Datasette up whatever its visitors send.

A public, read-only archive is attacked by its ordinary URLs: one ``?sql=`` can ask SQLite for a 1 GB
value, forty slow queries can fill every SQL thread, a loop over ``_where=`` can run for ever, and a
not-found page must not cost more than a page. The guard bounds each of these where it arises:

- ``sqlite``: every connection Datasette opens has a value length limit, an SQL length limit, a
  process-wide SQLite heap limit and a budget of bytes one statement may return (``prepare_connection``);
- ``middleware``: an ASGI wrapper (``asgi_wrapper``) that admits only GET, HEAD and OPTIONS, rate-limits
  every client by its real address, bounds each client's concurrency and seconds of query work, keeps
  SQL threads free for plain pages, gives every request a deadline and caps every response's size;
- ``errors``: plain, cheap error pages (``handle_exception``) in place of Datasette's default, which
  prints a traceback with every local variable for each 404 and fails outright outside an ``except``.

The numbers are ``GuardConfig``'s; ``archive/metadata.py`` writes them into ``metadata.yml`` under the
plugin ``nianbao-guard``, and ``archive/site/plugins/nianbao_guard.py`` wires the three into Datasette.
"""

from archive.guard.config import GuardConfig

__all__ = ["GuardConfig"]
