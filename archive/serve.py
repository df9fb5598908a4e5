"""``nianbao serve``: Datasette on the newest snapshot, read-only, with the site's metadata, pages and plugins.

The file is opened immutable (``-i``): read-only, no locking, and the "Download SQLite DB" link shown,
with its table counts taken from the snapshot's ``inspect.json`` instead of counted at start-up. It is
passed by its stable, relative name (``nianbao.db`` in ``DATA/snapshots/``), so page URLs survive new
snapshots and ``/-/databases.json`` shows no server path. Every dated snapshot folder is mounted at
``/snapshots/`` for /downloads, and the site's CSS and JavaScript at ``/assets/``.

``datasette_args`` is the one description of the server: the command runs it, and the tests start it
the same way (in process through ``make_datasette``, or as a subprocess for the browser test).
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from archive.metadata import METADATA_PATH
from archive.snapshot import STABLE_NAME, latest_folder
from archive.paths import DataDir

SITE = Path(__file__).resolve().parent / "site"
TEMPLATES = SITE / "templates"
PLUGINS = SITE / "plugins"
ASSETS = SITE / "static"  # the site's CSS and JavaScript, at /assets/

# A public, read-only site on a small machine (see ../shared/PUBLISHING.md §2).
SETTINGS: dict[str, int | bool] = {
    "sql_time_limit_ms": 3000,
    "facet_time_limit_ms": 1000,
    "max_returned_rows": 2000,
    "num_sql_threads": 2,
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
    args = [
        "serve",
        "-i",
        STABLE_NAME,
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


def serve(data: DataDir, host: str, port: int) -> int:
    """Run Datasette in the foreground until it is stopped; returns its exit code."""
    command = [sys.executable, "-m", "datasette", *datasette_args(data, host, port)]
    env = {**os.environ, "NIANBAO_DATA": str(data.root)}
    return subprocess.call(command, cwd=data.snapshots, env=env)


def make_datasette(data: DataDir, *, db_file: Path | None = None, metadata: dict | None = None):
    """The same site in process, for tests and benchmarks (``await ds.client.get(path)``).

    ``db_file`` serves another file than the newest snapshot (its ``inspect.json`` beside it, if any);
    ``metadata`` replaces metadata.yml's dict (the benchmark switches the rate limit off with it).
    """
    from datasette.app import Datasette

    if db_file is None:
        db_file = served_file(data)
        folder = latest_folder(data.snapshots)
        inspect_file = folder / "inspect.json" if folder else None
    else:
        inspect_file = db_file.parent / "inspect.json"
    inspect = json.loads(inspect_file.read_text()) if inspect_file and inspect_file.exists() else None
    metadata = copy.deepcopy(metadata or yaml.safe_load(METADATA_PATH.read_text(encoding="utf-8")))
    metadata["plugins"]["nianbao-site"] = {"data_dir": str(data.root)}  # what NIANBAO_DATA says for `serve`
    return Datasette(
        immutables=[str(db_file)],
        metadata=metadata,
        template_dir=str(TEMPLATES),
        plugins_dir=str(PLUGINS),
        static_mounts=[("snapshots", str(data.snapshots)), ("assets", str(ASSETS))],
        settings=SETTINGS,
        inspect_data=inspect,
        cors=True,
    )
