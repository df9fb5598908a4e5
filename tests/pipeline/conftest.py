"""Shared fixtures: a data directory, and a fake crawler that writes the store the way the real one does.

The fake crawler lets the runner's own logic (figures, exit codes, runs rows, interrupted runs,
discovery) be tested in milliseconds and apart from Scrapy; the end-to-end test uses the real one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from archive.paths import DataDir
from archive.store import Outcome, StoreWriter
from nianbao.pipeline import registry_file, stages
from nianbao.pipeline.stages import StageOutcome


@dataclass
class FakeWeb:
    """Portals as dicts of URL → body; a portal in ``failing`` answers every request with a 503."""

    pages: dict[str, dict[str, bytes]] = field(default_factory=dict)
    failing: set[str] = field(default_factory=set)
    crawls: list[list[str]] = field(default_factory=list)

    def crawl(
        self, data: DataDir, rows: list[dict[str, str]], progress: stages.Progress, **options: object
    ) -> StageOutcome:
        """One finished crawl through the crawler's own writer: a listing per portal, then its pages."""
        store = StoreWriter(data)
        run = store.start_run("fake", {"crawl": len(self.crawls)}, job="fake")
        self.crawls.append([row["site_id"] for row in rows])
        try:
            for done, row in enumerate(rows):
                site = row["site_id"]
                progress(done, len(rows), site)
                listing = {"portal_id": site, "kind": "listing", "url": row["start_url"], "method": "GET"}
                if site in self.failing:
                    store.record(run.id, {**listing, "status": 503, "outcome": Outcome.FAILED, "reason": "HTTP 503"}, None)
                    continue
                live = self.pages.get(site, {})
                store.record(run.id, {**listing, "status": 200}, "\n".join(live).encode())
                for url, body in live.items():
                    page = {"portal_id": site, "kind": "page", "url": url, "method": "GET", "status": 200,
                            "title": url.rsplit("/", 1)[-1], "filename": "report.txt"}
                    store.record(run.id, page, body)
            store.finish_run(run.id, "finished", {})
            store.mark_gone(run.id)
        finally:
            store.close()
        return StageOutcome(counts={"portals": len(rows)})


@pytest.fixture
def data(tmp_path: Path) -> DataDir:
    return DataDir(tmp_path / "data").ensure()


@pytest.fixture
def samples() -> list[bytes]:
    return [path.read_bytes() for path in sorted(stages.SAMPLES_DIR.glob("*.txt"))]


@pytest.fixture
def fake_web(monkeypatch: pytest.MonkeyPatch, data: DataDir) -> FakeWeb:
    """Route the crawl stage to a ``FakeWeb`` and give the registry two portals on it."""
    web = FakeWeb()
    monkeypatch.setattr(stages, "crawl", web.crawl)
    registry_file.write_rows(
        data.registry,
        [
            {"site_id": "alpha", "name": "Alpha", "organ": "甲县人民政府", "level": "county",
             "start_url": "http://www.alpha.gov.cn/xxgk/", "family": "auto", "status": "active"},
            {"site_id": "beta", "name": "Beta", "organ": "乙市财政局", "level": "department",
             "start_url": "http://www.beta.gov.cn/xxgk/", "family": "auto", "status": "active"},
        ],
    )
    return web
