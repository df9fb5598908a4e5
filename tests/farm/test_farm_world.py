"""The World is deterministic, holds every family, both templates, seeds, non-reports and registry rows."""

from __future__ import annotations

from archive.registry import FAMILIES
from farm.world import World

SMALL_FAMILIES = {"trs", "hanweb", "hanweb_jpaas", "hanweb_xxgk", "gkmlpt", "anhui_openness", "anhui_column",
                  "chinatax", "govcn", "js_only", "snowflake"}


def test_same_seed_same_world():
    first, second = World(3, "small"), World(3, "small")
    assert [(t.site_id, t.page_path, t.title) for t in first.reports()] == \
           [(t.site_id, t.page_path, t.title) for t in second.reports()]
    assert [t.title for t in World(4, "small").reports()] != [t.title for t in first.reports()]


def test_world_shape():
    world = World(0, "small")
    families = {p.family for p in world.portals.values()}
    assert families == SMALL_FAMILIES
    reports = world.reports()
    assert {t.template for t in reports} == {"2019", "2021"}
    assert {"html", "pdf", "docx", "doc"} <= {f for t in reports for f in t.formats}
    assert any(t.inline and t.attachment_paths for t in reports), "some reports are both HTML and a file"
    assert {t.level for t in reports} >= {"department", "township", "street", "community", "government"}
    assert len({t.seed_file for t in reports if t.seed_file}) == 5
    assert {n.kind for n in world.non_reports()} >= {"work_plan", "guide", "statistics"}
    assert all(t.spec is not None and t.spec.year == t.year for t in reports if not t.seed_file)


def test_statuses_and_crawlable_reports():
    world = World(0, "small")
    assert world.portal_status("blocked") == "blocked"
    assert world.portal_status("robots-denied") == "robots_denied"
    assert world.portal_status("jsonly") == "browser"
    reasons = {t.reason for t in world.reports()}
    assert reasons == {"", "blocked", "robots_denied", "server_error"}
    expected = world.expected_paths()
    assert expected["blocked"] == set() and expected["robots-denied"] == set()
    assert expected["trs-https"] and expected["hanweb"]


def test_registry_rows():
    world = World(0, "small")
    rows = world.registry_rows({s: f"http://127.0.0.1:{9000 + i}/" for i, s in enumerate(world.portals)})
    assert [r["site_id"] for r in rows] == list(world.portals)
    assert set(rows[0]) == {"site_id", "name", "organ", "region", "level", "start_url", "family", "status",
                            "source", "notes"}
    assert {r["family"] for r in rows} <= set(FAMILIES), "every row is one the crawler's registry accepts"
    # The farm's unseen CMS is registered generic, as the shipped rows whose CMS nobody could name.
    assert {r["site_id"]: r["family"] for r in rows}["county-static"] == "generic"
    assert rows[0]["start_url"].startswith("http://127.0.0.1:9000/")


def test_full_world_is_bigger():
    full = World(0, "full")
    assert len(full.portals) > len(World(0, "small").portals)
    assert {t.year for t in full.reports()} == set(range(2019, 2025))
    assert "wps" in {f for t in full.reports() for f in t.formats}
    assert "auto" in {r["family"] for r in full.registry_rows({s: "http://x/" for s in full.portals})}
