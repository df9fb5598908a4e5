"""Where everything lives inside one data directory, so every command agrees on it.

The data directory comes from ``--data``, else ``NIANBAO_DATA``, else ``./data``. Stages talk to each
other only through what they leave here: the crawler fills ``store/``, extraction and archiving read
``store/`` and write ``nianbao.db``, publishing reads ``nianbao.db`` and writes ``snapshots/``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import click

ENV_VAR = "NIANBAO_DATA"
DEFAULT_DIR = "data"
# The archive's two files (``archive.fts`` says why two), also the names the site serves them under.
ARCHIVE_NAME = "nianbao"
TEXTS_NAME = "nianbao-texts"


@dataclass(frozen=True)
class DataDir:
    root: Path

    @classmethod
    def resolve(cls, value: str | os.PathLike[str] | None = None) -> "DataDir":
        chosen = value or os.environ.get(ENV_VAR) or DEFAULT_DIR
        return cls(Path(chosen).expanduser().resolve())

    @property
    def archive_db(self) -> Path:
        """The SQLite archive that Datasette publishes."""
        return self.root / f"{ARCHIVE_NAME}.db"

    @property
    def texts_db(self) -> Path:
        """The archive's texts and their search index (``archive.fts``), beside it."""
        return self.root / f"{TEXTS_NAME}.db"

    @property
    def store(self) -> Path:
        """The crawler's content-addressed store: blobs, fetch log, WARC files."""
        return self.root / "store"

    @property
    def store_db(self) -> Path:
        return self.store / "store.db"

    @property
    def blobs(self) -> Path:
        return self.store / "blobs"

    @property
    def warc(self) -> Path:
        return self.store / "warc"

    @property
    def snapshots(self) -> Path:
        return self.root / "snapshots"

    @property
    def registry(self) -> Path:
        """The portal registry a person can read, edit and version."""
        return self.root / "portals.csv"

    def ensure(self) -> "DataDir":
        for path in (self.root, self.store, self.blobs, self.warc, self.snapshots):
            path.mkdir(parents=True, exist_ok=True)
        return self


# The root ``nianbao`` group puts the chosen DataDir in the click context; commands receive it with this.
pass_data = click.make_pass_decorator(DataDir)
