"""A portal column holding every year from 2011 to 2025 is archived whole: the free-form reports of the
2008 regulations (2011–2018) as template "2008" reports with organ, year, date and text but no cells, the
later years in their templates with their cells. The truth is the farm's world (its specs), not the parser."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.fts import SCHEMA, texts_path
from farm.server import FarmServer
from farm.world import World
from nianbao.cli import cli
from tests.crawler.helpers import nianbao_crawl, write_registry

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("crawler-farm")]


def test_a_column_of_2011_to_2025_reports_is_archived_every_year(tmp_path: Path) -> None:
    with FarmServer(World(seed=0, size="years")) as farm:
        truth = {t.year: t for t in farm.world.reports(crawlable_only=True)}
        registry = write_registry(farm, tmp_path / "portals.csv")
        nianbao_crawl(tmp_path, "--registry", str(registry), "--no-browser")
    assert sorted(truth) == list(range(2011, 2026))
    result = CliRunner().invoke(cli, ["--data", str(tmp_path), "extract"])
    assert result.exit_code == 0, result.output

    archive = tmp_path / "nianbao.db"
    with sqlite3.connect(archive) as db:
        # The texts live in nianbao-texts.db beside the archive, attached as the site attaches them.
        db.execute(f"ATTACH DATABASE ? AS {SCHEMA}", [str(texts_path(archive))])
        reports = {year: (organ, template, published) for year, organ, template, published in db.execute(
            "SELECT year, organ, template, published_on FROM reports")}
        cells = dict(db.execute(
            "SELECT r.year, count(c.value) FROM reports r LEFT JOIN cells c ON c.document_id = r.primary_document_id"
            " GROUP BY r.year"))
        searchable = {year for (year,) in db.execute(f"SELECT year FROM {SCHEMA}.full_texts WHERE text LIKE '%政府信息公开%'")}
    assert sorted(reports) == list(range(2011, 2026)), f"years archived: {sorted(reports)}"
    for year, report in truth.items():
        organ, template, published = reports[year]
        assert template == report.template, year
        assert organ == report.organ, year
        if report.template == "2008":
            assert published == report.spec.published_on, year
            assert cells[year] == 0, f"{year}: a free-form report has no cells"
    assert {year for year, t in truth.items() if t.template == "2008"} <= searchable
