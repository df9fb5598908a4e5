"""Hanweb columns longer than the first group of rows: the rest come by POST to dataproxy.jsp."""

from __future__ import annotations

from pathlib import Path

import pytest

from farm.server import FarmServer
from farm.world import World
from tests.crawler.helpers import documents, nianbao_crawl, write_registry

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("crawler-farm")]


def test_dataproxy_pages_and_429(tmp_path: Path) -> None:
    world = World(seed=4, size="small")
    world.portals["hanweb"].page_size = 1  # 3 rows on a column's first page, the rest through the API
    with FarmServer(world) as farm:
        registry = write_registry(farm, tmp_path / "portals.csv")
        mark = farm.log.mark()
        nianbao_crawl(tmp_path, "--registry", str(registry), "--site", "hanweb", "--no-browser")
        requests = [e for e in farm.log.entries_since(mark) if e.path.startswith("/module/web/jpage/dataproxy.jsp")]
    assert {e.method for e in requests} == {"POST"}
    assert [e.status for e in requests][0] == 429  # the first call is refused with Retry-After
    assert sum(e.status == 200 for e in requests) >= 2
    assert documents(tmp_path)["hanweb"] == world.expected_paths("hanweb")["hanweb"]
