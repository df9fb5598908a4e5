"""The site's own pages and files: /downloads' template variables, and the right types for snapshot files.

Snapshots are listed from their ``manifest.json`` files under ``DATA/snapshots/``, so /downloads shows
every dated file with its size and SHA-256, the current one included, whose hash cannot be inside the
database it describes, and each snapshot's citation as written into it. The data directory comes from
this plugin's configuration (``nianbao-site``: ``data_dir``, which metadata.yml reads from
``NIANBAO_DATA``, set by ``nianbao serve``).

Datasette serves ``/snapshots/`` with Python's ``mimetypes``, which knows neither SQLite nor Parquet
files and would call them ``text/plain``; their registered types are added here, once, at import.
"""

import mimetypes

from datasette import hookimpl

from archive.paths import DataDir
from archive.snapshot import list_snapshots

MEDIA_TYPES = {
    ".db": "application/vnd.sqlite3",
    ".parquet": "application/vnd.apache.parquet",
    ".bib": "application/x-bibtex",
    ".md": "text/markdown",
}
for suffix, media_type in MEDIA_TYPES.items():
    mimetypes.add_type(media_type, suffix)


@hookimpl
def extra_template_vars(template, datasette):
    if template != "pages/downloads.html":
        return {}
    config = datasette.plugin_config("nianbao-site") or {}
    snapshots = DataDir.resolve(config.get("data_dir")).snapshots
    listed = list_snapshots(snapshots)
    for manifest in listed:
        cited = snapshots / manifest["date"] / "CITATION.txt"
        manifest["citation_text"] = cited.read_text(encoding="utf-8").strip() if cited.exists() else None
    return {"snapshot_files": listed}
