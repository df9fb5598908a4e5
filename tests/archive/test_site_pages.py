"""The site's own pages, through Datasette's in-process client on the test world's snapshot.

Expected numbers come from the world's specs (what the farm rendered) and the store's rows, never
from the page code; HTML is read with lxml as a browser would see it.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
import sqlite3
import xml.etree.ElementTree as ET

import lxml.html
import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.blobs import BlobStore
from archive.serve import make_datasette

ATOM = "{http://www.w3.org/2005/Atom}"
ORGAN = {"a": "铜陵市生态环境局", "b": "枞阳县人民政府", "c": "鲁山县教育局"}


def _db(world) -> sqlite3.Connection:
    return sqlite3.connect(world.data.archive_db)


def _report(world, key: str, year: int) -> int:
    return _db(world).execute("SELECT id FROM reports WHERE organ = ? AND year = ?", [ORGAN[key], year]).fetchone()[0]


def _html(site, path: str, **params) -> lxml.html.HtmlElement:
    response = site.get(path, **params)
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return lxml.html.fromstring(response.text)


def test_home_states_the_report_count_and_links_the_feeds(site, world):
    page = _html(site, "/")
    count = _db(world).execute("SELECT count(*) FROM reports").fetchone()[0]
    assert page.get_element_by_id("report-count").text_content() == str(count)
    feed = page.xpath("//head/link[@rel='alternate'][@type='application/atom+xml']")
    assert [link.get("href") for link in feed] == ["/feed.atom"]
    regions = {link.get("href") for link in page.xpath("//a[starts-with(@href, '/feed.atom?region=')]")}
    assert regions == {"/feed.atom?region=%E5%AE%89%E5%BE%BD%E7%9C%81", "/feed.atom?region=%E6%B2%B3%E5%8D%97%E7%9C%81"}
    assert "政府信息公开工作年度报告数据库" in page.findtext(".//h1")


def test_feed_parses_with_an_entry_per_published_state(site, world):
    response = site.get("/feed.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    entries = root.findall(f"{ATOM}entry")
    # Six reports first seen, and the corrected re-issue of 枞阳县人民政府 2024.
    assert len(entries) == 7 and len({entry.findtext(f"{ATOM}id") for entry in entries}) == 7
    corrected = [entry for entry in entries if "更正" in entry.findtext(f"{ATOM}title")]
    rid = _report(world, "b", 2024)
    assert len(corrected) == 1
    assert corrected[0].find(f"{ATOM}link").get("href") == f"http://localhost/report/{rid}"
    granted = (world.first_edition[("b", 2024)].cells["sec3.granted.total"], world.specs[("b", 2024)].cells["sec3.granted.total"])
    assert f"{granted[0]} → {granted[1]}" in corrected[0].findtext(f"{ATOM}content")
    updated = [entry.findtext(f"{ATOM}updated") for entry in entries]
    assert updated == sorted(updated, reverse=True)
    henan = ET.fromstring(site.get("/feed.atom", region="河南省").content).findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in henan] == ["鲁山县教育局 2024年度报告：首次发现"]
    nowhere = site.get("/feed.atom", region="没有这个省")
    assert nowhere.status_code == 200 and ET.fromstring(nowhere.content).findall(f"{ATOM}entry") == []


def test_every_reports_table_row_links_its_report_page(site):
    page = _html(site, "/nianbao/reports")
    rows = page.xpath("//table[contains(@class, 'rows-and-columns')]/tbody/tr")
    assert len(rows) == 6
    for row in rows:
        rid = row.xpath("./td[contains(@class, 'type-pk')]//a")[0].text_content()
        assert row.xpath(f".//a[@href='/report/{rid}']"), rid


def test_tables_and_queries_that_name_a_report_link_it(site, world):
    for path in ("/nianbao/sec3", "/nianbao/checks", "/nianbao/coverage", "/nianbao/rates", "/nianbao/editions",
                 "/nianbao/organ_years"):
        links = _html(site, path).xpath("//table[contains(@class, 'rows-and-columns')]//a[starts-with(@href, '/report/')]")
        assert links, path
    query = _html(site, "/nianbao/sums_do_not_add_up")
    assert query.xpath("//a[starts-with(@href, '/report/')]")
    organs = _html(site, "/nianbao/reports").xpath("//td[contains(@class, 'col-organ_id')]/a")
    assert {link.get("href") for link in organs} == {f"/organ/{row[0]}" for row in _db(world).execute(
        "SELECT DISTINCT organ_id FROM reports")}


def test_every_report_page_links_the_original_bytes_and_the_previous_year(site, world):
    db = _db(world)
    reports = db.execute("""SELECT r.id, r.organ_id, r.year, d.sha256 FROM reports r
                            JOIN documents d ON d.id = r.primary_document_id""").fetchall()
    years = {(organ, year): rid for rid, organ, year, _ in reports}
    for rid, organ, year, primary_sha in reports:
        page = _html(site, f"/report/{rid}")
        links = [a.get("href") for a in page.xpath("//a[contains(@class, 'original-link')]")]
        assert f"/original/{primary_sha}" in links, rid
        assert hashlib.sha256(site.get(f"/original/{primary_sha}").content).hexdigest() == primary_sha
        previous = page.xpath("//a[@rel='prev']/@href")
        assert previous == ([f"/report/{years[(organ, year - 1)]}"] if (organ, year - 1) in years else []), rid
    a2023 = _html(site, f"/report/{_report(world, 'a', 2023)}")
    assert a2023.xpath("//a[@rel='next']/@href") == [f"/report/{_report(world, 'a', 2024)}"]


def test_report_page_shows_every_section_and_the_full_grid_with_raw_text_and_positions(site, world):
    rid = _report(world, "a", 2023)
    spec = world.specs[("a", 2023)]
    page = _html(site, f"/report/{rid}")
    headings = [h.text_content() for h in page.xpath("//h2")]
    for heading in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                    "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况"):
        assert heading in headings, heading
    assert page.xpath("//h2[@id='sec1']/following-sibling::div[@class='prose']")[0].text_content().strip()
    for cell_id, value in spec.cells.items():
        if not cell_id.startswith(("sec3.", "sec4.")):
            continue
        td = page.get_element_by_id(f"cell-{cell_id}")
        assert td.text_content().startswith(str(value)), cell_id
        assert f"原文「{value}」" in td.get("title") and "行" in td.get("title"), cell_id
    sec3 = page.xpath("//table[contains(@class, 'sec3')]")[0]
    applicants = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    assert [th.text_content() for th in sec3.xpath(".//thead/tr/th")] == ["项目 Item", "自然人", "法人或其他组织", "总计",
                                                                          *applicants[1:6]]
    assert "（三）不予公开" in sec3.text_content()  # the group headings of the printed table


def test_report_page_explains_its_checks(site, world):
    rid = _report(world, "a", 2024)
    text = _html(site, f"/report/{rid}").text_content()
    assert "跨年度：本年「上年结转」= 上一年度报告的「结转下年度继续办理」（总计）" in text
    before, now = world.specs[("a", 2023)].cells, world.specs[("a", 2024)].cells
    assert f"应为 expected {before['sec3.carried_forward.total']}，报告为 reported {now['sec3.carried_over.total']}" in text


def test_report_page_shows_what_the_corrected_edition_changed(site, world):
    rid = _report(world, "b", 2024)
    page = _html(site, f"/report/{rid}")
    changes = page.xpath("//table[contains(@class, 'cell-changes')]/tbody/tr")
    first, second = world.first_edition[("b", 2024)].cells, world.specs[("b", 2024)].cells
    expected = {(cell, str(first[cell]), str(second[cell])) for cell in first if first[cell] != second[cell]}
    db = _db(world)
    labels = dict(db.execute("SELECT cell_id, label_zh FROM items"))
    shown = {(row.xpath("./th")[0].text_content(), row.xpath("./td")[0].text_content(), row.xpath("./td")[1].text_content())
             for row in changes}
    assert shown == {(labels[cell], a, b) for cell, a, b in expected}
    assert page.xpath("//div[@class='diff']/div[@class='add']")  # the text differs where the numbers do


def test_report_without_a_template_table_says_why(world_copy):
    db = sqlite3.connect(world_copy.data.archive_db)
    rid = db.execute("SELECT id FROM reports WHERE organ = ? AND year = 2022", [ORGAN["a"]]).fetchone()[0]
    db.execute("UPDATE reports SET template = '2008' WHERE id = ?", [rid])
    db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the site opens the file immutable: no WAL is read
    ds = make_datasette(world_copy.data, db_file=world_copy.data.archive_db)
    text = asyncio.run(ds.client.get(f"/report/{rid}")).text
    assert "为什么没有表格" in text and "国务院令第492号" in text
    assert 'class="grid sec3"' not in text


def test_organ_page_puts_the_years_side_by_side(site, world):
    organ_id = _db(world).execute("SELECT organ_id FROM reports WHERE organ = ?", [ORGAN["a"]]).fetchone()[0]
    page = _html(site, f"/organ/{organ_id}")
    table = page.xpath("//table[contains(@class, 'years')]")[0]
    assert [a.text_content() for a in table.xpath(".//thead//a")] == ["2022", "2023", "2024"]
    row = next(tr for tr in table.xpath(".//tbody/tr") if tr.xpath("./th")[0].text_content().startswith("一、本年新收") and
               tr.xpath("./th")[0].text_content().endswith("总计"))
    values = [world.specs[("a", year)].cells["sec3.new_received.total"] for year in (2022, 2023, 2024)]
    cells = [td.text_content() for td in row.xpath("./td")]
    assert cells[0] == str(values[0])  # the first year has nothing to change from
    for index in (1, 2):
        difference = values[index] - values[index - 1]
        change = row.xpath("./td")[index].xpath("./span[contains(@class, 'change')]")[0].text_content()
        assert cells[index].startswith(str(values[index])), index
        assert change.startswith(f"{'+' if difference > 0 else ''}{difference}"), (index, change)
    text = page.text_content()
    assert "跨年度：本年「上年结转」" in text and "2024" in text
    shas = {sha for (sha,) in _db(world).execute(
        "SELECT d.sha256 FROM documents d JOIN reports r ON r.id = d.report_id WHERE r.organ_id = ?", [organ_id])}
    assert {a.get("href").removeprefix("/original/") for a in page.xpath("//ul[@class='documents']//a")} == shas
    assert '"timeUnit": "utcyear"' in page.get_element_by_id("organ-chart-spec").text


def test_compare_two_reports_marks_every_difference(site, world):
    a, b = _report(world, "a", 2023), _report(world, "a", 2024)
    page = _html(site, "/compare", a=str(a), b=str(b))
    before, after = world.specs[("a", 2023)].cells, world.specs[("a", 2024)].cells
    differing = {cell for cell in before if before[cell] != after[cell]}
    assert page.xpath("//strong[@class='difference-count']")[0].text_content() == str(len(differing))
    marked = page.xpath("//table[contains(@class, 'pair')]//tr[@class='differs']")
    assert len(marked) >= len(differing)  # the derived rates that differ are marked too


def test_compare_two_organs_and_find_one_by_name(site, world):
    db = _db(world)
    a, b = (db.execute("SELECT organ_id FROM reports WHERE organ = ?", [ORGAN[key]]).fetchone()[0] for key in "ab")
    page = _html(site, f"/compare?organ={a}&organ={b}")
    assert "本年新收申请" in page.text_content()
    rows = page.xpath("//h2[contains(., '本年新收申请')]/following-sibling::div[1]//tbody/tr")
    assert [tr.xpath("./th")[0].text_content() for tr in rows] == ["2022", "2023", "2024"]
    found = _html(site, "/compare", organ=str(a), **{"with": "枞阳"})
    candidates = [link.get("href") for link in found.xpath("//ul[@class='candidates']//a")]
    assert candidates[0] == f"/compare?organ={a}&organ={b}"  # the organ with reports first, its townships after
    assert all("枞阳" in link.text_content() for link in found.xpath("//ul[@class='candidates']//a"))


def test_ranking_orders_by_the_rate_and_shows_its_rule(site, world):
    page = _html(site, "/rank", rate="disclosure", year="2024")
    rates = {}
    for key in "abc":
        cells = world.specs[(key, 2024)].cells
        rates[ORGAN[key]] = 100 * (cells["sec3.granted.total"] + cells["sec3.partially_granted.total"]) / cells["sec3.total_processed.total"]
    order = [a.text_content() for a in page.xpath("//table[contains(@class, 'ranking')]//td[2]/a")]
    assert order == sorted(rates, key=rates.get, reverse=True)
    assert "（予以公开 + 部分公开）÷ 本年度办理结果总计" in page.text_content()
    assert "分母不少于 10 件才参与排名" in page.text_content()
    ascending = _html(site, "/rank", rate="disclosure", year="2024", order="asc")
    assert [a.text_content() for a in ascending.xpath("//table[contains(@class, 'ranking')]//td[2]/a")] == order[::-1]
    county = _html(site, "/rank", rate="disclosure", year="2024", level="county")
    assert {a.text_content() for a in county.xpath("//table[contains(@class, 'ranking')]//td[2]/a")} == {ORGAN["b"], ORGAN["c"]}


def test_heat_table_pools_each_province_and_year(site, world):
    page = _html(site, "/heat", rate="disclosure")
    assert [th.text_content() for th in page.xpath("//table[contains(@class, 'heat')]/thead//th")] == [
        "地区 Region", "2022", "2023", "2024"]
    row = next(tr for tr in page.xpath("//table[contains(@class, 'heat')]/tbody/tr") if tr.xpath("./th")[0].text_content() == "安徽省")
    cells = [world.specs[(key, 2024)].cells for key in "ab"]
    pooled = 100 * sum(c["sec3.granted.total"] + c["sec3.partially_granted.total"] for c in cells) / sum(
        c["sec3.total_processed.total"] for c in cells)
    assert row.xpath("./td")[2].text_content().startswith(f"{round(pooled, 1)}%")
    link = row.xpath("./td")[2].xpath(".//a")[0].get("href")
    assert link == "/rank?rate=disclosure&year=2024&region=%E5%AE%89%E5%BE%BD%E7%9C%81"


def test_editions_page_lists_the_changes(site, world):
    page = _html(site, "/editions", kind="corrected")
    rows = page.xpath("//table[contains(@class, 'grid')]/tbody/tr")
    assert len(rows) == 1 and ORGAN["b"] in rows[0].text_content()


def test_originals_are_served_only_for_documents_with_their_type(site, world_copy, world):
    db = _db(world)
    pdf_sha = db.execute("SELECT sha256 FROM documents WHERE url = ?", [world.pdf_url]).fetchone()[0]
    response = site.get(f"/original/{pdf_sha}")
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"].startswith('inline; filename="report.pdf"')
    assert hashlib.sha256(response.content).hexdigest() == pdf_sha
    html_sha = db.execute("SELECT sha256 FROM documents WHERE url = ?", [world.url("a", 2023)]).fetchone()[0]
    page = site.get(f"/original/{html_sha}")
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["content-security-policy"].startswith("sandbox;")
    # A blob the store holds but no document names is not served; neither is anything but a hash.
    stray = BlobStore(world.data.blobs).put(b"not a document of the archive")
    try:
        assert site.get(f"/original/{stray}").status_code == 404
    finally:
        BlobStore(world.data.blobs).path(stray).unlink()
    assert site.get("/original/..%2f..%2fstore.db").status_code != 200
    assert site.get("/original/" + "0" * 64).status_code == 404


def test_warc_record_route_serves_the_documents_record(site, world):
    db = _db(world)
    doc_id, sha, url = db.execute("SELECT id, sha256, url FROM documents WHERE url = ?", [world.pdf_url]).fetchone()
    response = site.get(f"/warc/{doc_id}.warc.gz")
    assert response.status_code == 200 and response.headers["content-type"] == "application/gzip"
    records = [(record.rec_type, record.rec_headers.get_header("WARC-Target-URI"), record.content_stream().read())
               for record in ArchiveIterator(io.BytesIO(response.content))]
    assert [kind for kind, _, _ in records] == ["response", "request"]
    assert records[0][1] == url and hashlib.sha256(records[0][2]).hexdigest() == sha
    assert site.get("/warc/999999.warc.gz").status_code == 404


@pytest.mark.parametrize(("path", "params", "status"), [
    ("/report/999999", {}, 404),
    ("/organ/999999", {}, 404),
    ("/rank", {"rate": "nope"}, 400),
    ("/rank", {"rate": "disclosure", "year": "abc"}, 400),
    ("/heat", {"rate": "nope"}, 400),
    ("/compare", {"a": "x", "b": "1"}, 400),
    ("/compare", {"a": "²", "b": "1"}, 400),
    ("/compare", {"organ": "1²"}, 400),
    ("/compare", {"a": "1", "b": "999999"}, 404),
    ("/compare", {"organ": "999999"}, 404),
    ("/rank", {"rate": "disclosure", "page": "999999"}, 200),
])
def test_bad_parameters_are_answered_plainly(site, path, params, status):
    assert site.get(path, **params).status_code == status


def test_dashboard_charts_are_on_a_time_axis_and_link_their_rows(site, world):
    from archive.metadata import build_metadata

    charts = build_metadata()["plugins"]["datasette-dashboards"]["trends"]["charts"]
    for name, chart in charts.items():
        sql = re.sub(r"\[\[.*?\]\]", "", chart["query"])
        rows = site.json("/nianbao.json", sql=sql, _shape="array")
        assert rows and all(row["href"].startswith("/nianbao/") for row in rows), name
        if name != "by_region":
            assert chart["display"]["encoding"]["x"]["type"] == "temporal"
            assert {row["year"] for row in rows} == {"2022", "2023", "2024"}
    # The province filter narrows every chart: 河南省 has one report, c's of 2024.
    filtered = charts["applications"]["query"].replace("[[", "").replace("]]", "")
    rows = site.json("/nianbao.json", sql=filtered, region="河南省", _shape="array")
    assert [(row["year"], row["n"]) for row in rows] == [("2024", world.specs[("c", 2024)].cells["sec3.new_received.total"])]
