"""``nianbao serve``: Datasette on the newest snapshot, read-only, with the site's metadata, pages and plugins.

The two files (``archive.fts``: the research database and the texts) are opened immutable (``-i``):
read-only, no locking, and the "Download SQLite DB" links shown, with table counts taken from the
snapshot's ``inspect.json`` instead of counted at start-up. They are passed by their stable, relative
names (``nianbao.db`` and ``nianbao-texts.db`` in ``DATA/snapshots/``), so page URLs survive new
snapshots and ``/-/databases.json`` shows no server path; the ``nianbao_fts`` plugin attaches the texts
to the archive's connections. Every dated snapshot folder is mounted at ``/snapshots/`` for /downloads,
and the site's CSS and JavaScript at ``/assets/``.

``datasette_args`` is the one description of the server: the command runs it, and the tests start it
the same way (in process through ``make_datasette``, or ``nianbao serve`` itself for the browser and
server tests). The site's bounds are its ``nianbao_guard`` plugin (``archive/guard``).
"""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from archive.fts import texts_path
from archive.metadata import METADATA_PATH
from archive.snapshot import STABLE_NAME, TEXTS_STABLE_NAME, latest_folder
from archive.paths import DataDir

SITE = Path(__file__).resolve().parent / "site"
TEMPLATES = SITE / "templates"
PLUGINS = SITE / "plugins"
ASSETS = SITE / "static"  # the site's CSS and JavaScript, at /assets/

# A public, read-only site on a small machine (see ../shared/PUBLISHING.md §2). The guard (archive/guard)
# lets at most two query-carrying requests run at once, so the third SQL thread is always there for
# plain pages. CSV exports and streams end with Datasette's own note at max_csv_mb, which counts
# characters: Chinese text is three bytes a character, so 1 M characters stays under the guard's 4 MB cap.
SETTINGS: dict[str, int | bool] = {
    "sql_time_limit_ms": 3000,
    "facet_time_limit_ms": 1000,
    "max_returned_rows": 2000,
    "num_sql_threads": 3,
    "max_csv_mb": 1,
    "default_cache_ttl": 600,
    "truncate_cells_html": 300,
    "suggest_facets": False,  # the wide tables would run one facet query per column on every page
    "allow_download": True,
    "default_page_size": 50,
}


class NoSnapshot(Exception):
    """There is nothing to serve yet."""


def served_file(data: DataDir) -> Path:
    link = data.snapshots / STABLE_NAME
    if not link.exists():
        raise NoSnapshot(f"no snapshot in {data.snapshots}: run `nianbao snapshot` first")
    return link


def datasette_args(data: DataDir, host: str, port: int) -> list[str]:
    """The ``datasette serve`` arguments, to be run with ``cwd=data.snapshots``."""
    served_file(data)
    args = ["serve", "-i", STABLE_NAME]
    if (data.snapshots / TEXTS_STABLE_NAME).exists():
        args += ["-i", TEXTS_STABLE_NAME]
    args += [
        "-m",
        str(METADATA_PATH),
        "--template-dir",
        str(TEMPLATES),
        "--plugins-dir",
        str(PLUGINS),
        "--static",
        f"snapshots:{data.snapshots}",
        "--static",
        f"assets:{ASSETS}",
        "-h",
        host,
        "-p",
        str(port),
        "--cors",
    ]
    folder = latest_folder(data.snapshots)
    if folder and (folder / "inspect.json").exists():
        args += ["--inspect-file", str(folder / "inspect.json")]
    for name, value in SETTINGS.items():
        args += ["--setting", name, str(value).lower() if isinstance(value, bool) else str(value)]
    return args


def serve(data: DataDir, host: str, port: int, *, trusted_proxies: Sequence[str] = ()) -> int:
    """Run Datasette until it is stopped (SIGINT or SIGTERM, to this process or to Datasette).

    ``trusted_proxies`` are the addresses (or networks) of reverse proxies whose ``X-Forwarded-For``
    names the client; by default nobody's is believed, so a visitor cannot pick the address its rate
    limits are counted under. uvicorn reads them from ``FORWARDED_ALLOW_IPS``.
    """
    command = [sys.executable, "-m", "datasette", *datasette_args(data, host, port)]
    env = {**os.environ, "NIANBAO_DATA": str(data.root), "FORWARDED_ALLOW_IPS": ",".join(trusted_proxies)}
    return run_service(command, cwd=data.snapshots, env=env)


def run_service(command: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
                stop_timeout: float = 10.0) -> int:
    """Run a server in a child process until it exits or this process is interrupted; return its status.

    The child gets its own session, so a terminal's Ctrl-C reaches it once, through us: an interrupt
    (KeyboardInterrupt, which SIGTERM raises too where the command asks for it) is passed on as
    SIGTERM, the child gets ``stop_timeout`` seconds to close its connections, then SIGKILL. The child
    never outlives us with our output pipe open, so whoever waits on that pipe is never left hanging.
    """
    child = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True)
    try:
        return child.wait()
    except KeyboardInterrupt:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=stop_timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        return 0
    finally:
        if child.poll() is None:  # any other exception: never leave the server behind
            child.kill()
            child.wait()


def make_datasette(data: DataDir, *, db_file: Path | None = None, metadata: dict | None = None):
    """The same site in process, for tests and benchmarks (``await ds.client.get(path)``).

    ``db_file`` serves another file than the newest snapshot (its ``inspect.json`` beside it, if any);
    ``metadata`` replaces metadata.yml's dict (the benchmark switches the rate limits off with it).
    """
    from datasette.app import Datasette

    if db_file is None:
        db_file = served_file(data)
        folder = latest_folder(data.snapshots)
        inspect_file = folder / "inspect.json" if folder else None
        texts_file = data.snapshots / TEXTS_STABLE_NAME
    else:
        inspect_file = db_file.parent / "inspect.json"
        texts_file = texts_path(db_file)
    inspect = json.loads(inspect_file.read_text()) if inspect_file and inspect_file.exists() else None
    metadata = copy.deepcopy(metadata or yaml.safe_load(METADATA_PATH.read_text(encoding="utf-8")))
    metadata["plugins"]["nianbao-site"] = {"data_dir": str(data.root)}  # what NIANBAO_DATA says for `serve`
    return Datasette(
        immutables=[str(db_file)] + ([str(texts_file)] if texts_file.exists() else []),
        metadata=metadata,
        template_dir=str(TEMPLATES),
        plugins_dir=str(PLUGINS),
        static_mounts=[("snapshots", str(data.snapshots)), ("assets", str(ASSETS))],
        settings=SETTINGS,
        inspect_data=inspect,
        cors=True,
    )
