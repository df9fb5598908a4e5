"""The registry CSV: shipped rows, round trip, and errors that name the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.registry import FIELDS, Portal, load_registry, save_registry
from crawler import default_registry_path


def test_shipped_registry_has_the_real_columns_and_the_seed_portals() -> None:
    portals = load_registry(default_registry_path())
    urls = {p.start_url for p in portals}
    assert len(portals) >= 41
    assert "https://www.tltg.gov.cn/openness/OpennessContent/showList/1306/0/page_1.html" in urls
    assert "https://www.tltg.gov.cn/openness/OpennessContent/showList/1315/0/page_1.html" in urls
    assert "https://www.mohrss.gov.cn/xxgk2020/zfxxgknb/" in urls


def test_every_shipped_row_names_its_family() -> None:
    """No row is left to detection; a row on the generic adapter says why (its CMS is not one PORTALS.md
    describes with a list to call, or the row is a report page itself)."""
    portals = load_registry(default_registry_path())
    assert [p.site_id for p in portals if p.family == "auto"] == []
    for portal in portals:
        if portal.family == "generic":
            assert "generic adapter" in portal.notes or "detail page" in portal.notes, portal.site_id
    families = {p.site_id: p.family for p in portals}
    assert families["chinatax_gknb"] == "chinatax" and families["linxia_zfxxgknb_2024"] == "hanweb_jpaas"
    assert families["ah_public_1681"] == "anhui_column" and families["zoucheng_taiping_2024"] == "hanweb_xxgk"


def test_round_trip(tmp_path: Path) -> None:
    portals = [Portal(site_id="a", start_url="http://127.0.0.1:1/x/", name="甲", family="trs", notes="n")]
    save_registry(portals, tmp_path / "p.csv")
    assert (tmp_path / "p.csv").read_text(encoding="utf-8").splitlines()[0] == ",".join(FIELDS)
    assert load_registry(tmp_path / "p.csv") == portals


def test_bad_rows_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("site_id,start_url,family\na,http://x/,nosuch\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown family 'nosuch'"):
        load_registry(path)
    path.write_text("site_id,start_url,colour\na,http://x/,red\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown registry columns"):
        load_registry(path)
