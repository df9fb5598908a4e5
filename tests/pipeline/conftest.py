"""Shared fixtures: a data directory, and a fake crawler that writes the store the way the real one does.

The fake crawler lets the runner's own logic (figures, exit codes, runs rows, interrupted runs,
discovery) be tested in milliseconds and apart from Scrapy; the end-to-end test uses the real one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pytest

from archive.paths import DataDir
from nianbao.pipeline import registry_file, stages
from nianbao.pipeline.stages import StageOutcome
from archive.store import BlobStore, open_store_db


@dataclass
class FakeWeb:
    """Portals as dicts of URL → body; a portal in ``failing`` answers every request with a 503."""

    pages: dict[str, dict[str, bytes]] = field(default_factory=dict)
    failing: set[str] = field(default_factory=set)
    crawls: list[list[str]] = field(default_factory=list)

    def crawl(
        self, data: DataDir, rows: list[dict[str, str]], progress: stages.Progress, **options: object
    ) -> StageOutcome:
        db = open_store_db(data)
        blobs = BlobStore(data.blobs)
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        run_id = db["runs"].insert({"started_at": now, "spider": "fake", "status": "finished"}).last_pk
        self.crawls.append([row["site_id"] for row in rows])
        for done, row in enumerate(rows):
            site = row["site_id"]
            progress(done, len(rows), site)
            if site in self.failing:
                db["fetches"].insert(
                    {"run_id": run_id, "portal_id": site, "kind": "listing", "url": row["start_url"], "status": 503,
                     "outcome": "failed", "reason": "HTTP 503", "fetched_at": now}
                )
                continue
            live = self.pages.get(site, {})
            for url, body in live.items():
                digest = blobs.put(body)
                last = db.execute(
                    "select version, sha256 from documents where url = ? order by version desc limit 1", [url]
                ).fetchone()
                fetch_id = db["fetches"].insert(
                    {"run_id": run_id, "portal_id": site, "kind": "page", "url": url, "status": 200,
                     "outcome": "unchanged" if last and last[1] == digest else "downloaded", "fetched_at": now,
                     "sha256": digest, "size": len(body)}
                ).last_pk
                if last and last[1] == digest:
                    continue
                db["documents"].insert(
                    {"url": url, "version": (last[0] + 1) if last else 1, "sha256": digest, "portal_id": site,
                     "kind": "page", "title": url.rsplit("/", 1)[-1], "filename": "report.txt", "size": len(body),
                     "first_seen": now, "last_seen": now, "fetch_id": fetch_id}
                )
            for (url,) in db.execute(
                "select distinct url from documents where portal_id = ? and gone_on is null", [site]
            ).fetchall():
                if url not in live:
                    db.execute("update documents set gone_on = ? where url = ? and gone_on is null", [now, url])
        db.conn.commit()
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
