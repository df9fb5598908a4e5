"""Wires ``archive.guard`` into Datasette: connection limits, the ASGI guard and plain error pages.

Its configuration is the ``nianbao-guard`` plugin block of ``metadata.yml`` (``archive.guard.GuardConfig``).

Two process-wide settings are made here because they must be in place before anything else runs:

- Datasette's default ``handle_exception`` plugin is unregistered at start-up. Datasette awaits every
  ``handle_exception`` implementation, whichever answered, so leaving it would still print its
  traceback with locals for every 404; ``handle_exception`` below answers every exception instead.
- uvicorn trusts ``X-Forwarded-For`` from 127.0.0.1 unless ``FORWARDED_ALLOW_IPS`` says otherwise, so
  any client on the machine could pose as any address and escape the rate limits. Datasette imports
  this file before it configures uvicorn; the default set here (trust nobody) holds for every way the
  site is started, and ``nianbao serve --trusted-proxy`` sets the variable explicitly.
"""

import os

from datasette import hookimpl
from datasette.plugins import pm
from datasette.utils.asgi import Response

from archive.guard.config import GuardConfig
from archive.guard.errors import error_for, wants_json
from archive.guard.middleware import GuardMiddleware
from archive.guard.sqlite import bound_connection

PLUGIN = "nianbao-guard"
DATASETTE_DEFAULT_HANDLER = "datasette.handle_exception"

os.environ.setdefault("FORWARDED_ALLOW_IPS", "")


def _config(datasette) -> GuardConfig:
    return GuardConfig.from_plugin_config(datasette.plugin_config(PLUGIN))


@hookimpl
def startup(datasette):
    _config(datasette)  # a mistyped setting stops the server at start-up, not at the first request
    if pm.has_plugin(DATASETTE_DEFAULT_HANDLER):
        pm.unregister(name=DATASETTE_DEFAULT_HANDLER)


@hookimpl
def prepare_connection(conn, database, datasette):
    bound_connection(conn, _config(datasette))


@hookimpl
def asgi_wrapper(datasette):
    config = _config(datasette)

    def wrap(app):
        return GuardMiddleware(app, config, cors=datasette.cors, sql_seconds=datasette.setting("sql_time_limit_ms") / 1000)

    return wrap


@hookimpl
def handle_exception(datasette, request, exception):
    error = error_for(exception, request.method, request.path)
    body, content_type = error.body(as_json=wants_json(request.path))
    return Response(body, status=error.status, headers=error.header_map(cors=datasette.cors), content_type=content_type)
