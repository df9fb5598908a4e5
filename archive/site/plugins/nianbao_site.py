"""Template variables for the site's custom pages: the snapshots on disk, for /downloads.

Snapshots are listed from their ``manifest.json`` files under ``DATA/snapshots/``, so the page shows
every dated file with its size and SHA-256, the current one included, whose hash cannot be inside the
database it describes. The data directory comes from this plugin's configuration (``nianbao-site``:
``data_dir``, which metadata.yml reads from ``NIANBAO_DATA``, set by ``nianbao serve``).
"""

from datasette import hookimpl

from archive.snapshot import list_snapshots
from archive.paths import DataDir


@hookimpl
def extra_template_vars(template, datasette):
    if template != "pages/downloads.html":
        return {}
    config = datasette.plugin_config("nianbao-site") or {}
    return {"snapshot_files": list_snapshots(DataDir.resolve(config.get("data_dir")).snapshots)}
