"""Same seed, same farm, in any process: pages and their validators do not depend on hash seeds
(report bodies are kept in the farm's disk cache, so a restarted farm serves the same bytes)."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import hashlib
from farm.families import FAMILIES
from farm.http import Request
from farm.world import World

world, digest = World(0, "small"), hashlib.sha256()
for portal in world.portals.values():
    family = FAMILIES[portal.family]
    paths = [c.path.split("#")[0] for c in portal.columns.values()] + [portal.start_path.split("#")[0]]
    paths += [article.path for article in portal.articles.values()]
    for path in paths:
        answer = family.handle(portal, Request("GET", path, {}, {}))
        if answer is not None:
            digest.update(path.encode() + answer.payload() + (answer.etag or "").encode())
    digest.update((portal.robots_txt or "").encode())
print(digest.hexdigest())
"""


def test_pages_do_not_depend_on_the_hash_seed():
    digests = set()
    for hash_seed in ("1", "2"):
        done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": hash_seed})
        digests.add(done.stdout.strip())
    assert len(digests) == 1
