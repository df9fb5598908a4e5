"""A portal named in a report is walked by the real crawler on the next run: ``nianbao run`` twice over
the farm's gov.cn portal, whose reports name another portal of the farm (a county CMS no adapter knows)
as their disclosure platform, by its ``www.….gov.cn`` address. The default discovery policy allows that
address; the crawl reaches it through the farm's proxy port, as it would reach the real site."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlite_utils

from archive.paths import DataDir
from farm.server import FarmServer
from farm.world import World
from nianbao.pipeline import registry_file
from nianbao.pipeline.demo import FARM_CRAWL_SETTINGS
from nianbao.pipeline.service import NIANBAO

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("pipeline-discovery")]

CITING, CITED = "govcn", "county-static"


@dataclass
class Walk:
    data: DataDir
    farm: FarmServer
    reports: list[dict]  # each run's JSON report
    registries: list[dict[str, dict[str, str]]]  # the registry after each run, by site_id
    cited_requests: list  # the farm's access-log entries for the cited portal, per run


def _run(data: DataDir, env: dict[str, str]) -> dict:
    argv = [*NIANBAO, "--data", str(data.root), "run", "--json", "--no-browser", "--no-snapshot"]
    for setting in FARM_CRAWL_SETTINGS:
        argv += ["--set", setting]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False, env=env)
    assert done.stdout.strip(), done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walk]:
    root = tmp_path_factory.mktemp("discovery-walk")
    data = DataDir(root / "data").ensure()
    with FarmServer(World(0, "small"), log_path=root / "access.jsonl") as farm:
        registry_file.write_rows(data.registry, [row for row in farm.registry_rows() if row["site_id"] == CITING])
        env = {**os.environ, "http_proxy": farm.admin_url, "no_proxy": "127.0.0.1,localhost"}
        walk = Walk(data, farm, [], [], [])
        for _ in range(2):
            mark = farm.log.mark()
            walk.reports.append(_run(data, env))
            walk.registries.append({row["site_id"]: row for row in registry_file.read_rows(data.registry)})
            walk.cited_requests.append([e for e in farm.log.entries_since(mark) if e.site_id == CITED])
        yield walk


def _address(walk: Walk) -> str:
    cited = walk.farm.world.portals[CITED]
    return f"http://{cited.domain}{cited.start_path}"


def test_first_run_adds_the_named_portal_as_a_candidate_without_visiting_it(walk: Walk) -> None:
    assert walk.reports[0]["candidates_added"] == 1
    (row,) = [row for row in walk.registries[0].values() if row["start_url"] == _address(walk)]
    assert (row["status"], row["family"]) == ("candidate", "auto")
    assert row["source"].startswith(walk.farm.base_urls[CITING].rstrip("/") + "/zhengce/")
    assert walk.cited_requests[0] == []


def test_second_run_walks_it_with_the_real_crawler_and_archives_its_reports(walk: Walk) -> None:
    (row,) = [row for row in walk.registries[1].values() if row["start_url"] == _address(walk)]
    assert (row["status"], row["family"]) == ("active", "generic")
    assert "family generic" in row["notes"]
    assert walk.cited_requests[1], "the crawler itself fetched the portal"
    assert all(entry.user_agent.startswith("nianbao") for entry in walk.cited_requests[1])
    # Without a browser, every report but those of the script-held street columns.
    cited = walk.farm.world.portals[CITED]
    host = f"http://{cited.domain}"
    expected = {host + path for truth in walk.farm.world.reports(CITED, crawlable_only=True)
                if truth.level != "street" for path in truth.paths}
    archive = sqlite_utils.Database(walk.data.archive_db)
    archived = {r["url"] for r in archive["documents"].rows_where("portal_id = ?", [row["site_id"]])}
    assert archived == expected
    assert archive.execute("select count(*) from portals where site_id = ?", [row["site_id"]]).fetchone() == (1,)
