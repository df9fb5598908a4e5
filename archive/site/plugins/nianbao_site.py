"""Template variables for the site's custom pages: the snapshots on disk, for /downloads.

Snapshots are listed from their ``manifest.json`` files under ``DATA/snapshots/`` (``NIANBAO_DATA``,
set by ``nianbao serve``), so the page shows every dated file with its size and SHA-256, the current
one included, whose hash cannot be inside the database it describes.
"""

from datasette import hookimpl

from archive.snapshot import list_snapshots
from nianbao.paths import DataDir


@hookimpl
def extra_template_vars(template):
    if template != "pages/downloads.html":
        return {}
    return {"snapshot_files": list_snapshots(DataDir.resolve().snapshots)}
