"""Which portals a world holds: their families, hostile habits, unit types and the seed reports they carry.

A plan is data, so the small (test) and full (benchmark, first-run) worlds differ only here. Habit names
are documented in ``HABITS``; each is implemented in ``farm.habits`` or by the portal's family module.
"""

from __future__ import annotations

from dataclasses import dataclass, field

HABITS: dict[str, str] = {
    "https_redirect": "plain-HTTP port answers 301 to the same path on a TLS port (self-signed cert)",
    "gbk": "pages encoded GBK, Content-Type without charset (charset only in a <meta>)",
    "page_stub": "index_N past the last page answers a ~300-byte near-empty stub",
    "meta_refresh": "index_N past the last page answers a meta-refresh to ./",
    "js_shell": "street columns are ~160-byte location.replace shells pointing at the real list",
    "robots_partial": "robots.txt disallows one leaf column (its reports are not to be crawled)",
    "robots_deny_all": "robots.txt says Disallow: / (the whole portal is off limits)",
    "ruishu_412": "HTML pages answer 412 with a $_ts script until a browser has run it (sets a cookie, reloads)",
    "jsl_challenge": "HTML pages answer 521 with a 加速乐 go({...}) script until a browser ran it (files are not challenged)",
    "block_page": "every request answers 403 with a 知道创宇云防御 block page",
    "transient_5xx": "some listing pages answer 503 + Retry-After for their first two requests",
    "retry_after_429": "the first list-API call answers 429 + Retry-After",
    "broken_report": "one report's detail page answers 500 forever",
    "slow": "one detail page in three answers after a delay (World.slow_seconds; habits.is_slow)",
    "shtml": "TRS pages end in .shtml (index.shtml, index_N.shtml, tYYYYMMDD_ID.shtml)",
    "gkmlpt_one_page": "the gkmlpt list API answers everything on page 1 and 404 from page 2",
    "hanweb_page_only": "dataproxy.jsp ignores startrecord/endrecord and honours only page + perpage",
    "gbk_filename_only": "one downfile attachment sends only a raw-GBK Content-Disposition filename",
    "download_redirect": "one downfile attachment answers 302 to /attach/0/<hex>.pdf",
    "js_list": "street columns build their rows in an inline script: the static page holds no report link",
    "bad_day": "a report per fault of farm.faults (5xx, 429, redirect loop, gzip bomb, slow, cut and "
               "mis-sized bodies), a link to a host that does not resolve, a burst of 503s retries get through",
    "hostile_links": "listings, a report page and the list script point at file://, private, link-local and "
                     "metadata addresses, other domains and schemes, directly, by 302 and by JavaScript",
}

SEEDS = (
    # file, organ, year, unit
    ("000_c8abd84ebfae36d4.txt", "鹤山社区", 2024, "community"),
    ("001_cbca3d1802e0d238.txt", "人民社区", 2023, "community"),
    ("002_76ac588e40fcc707.txt", "常青花园社区管理办公室", 2024, "community"),
    ("003_0f3a33c0f799f345.txt", "金社镇", 2024, "township"),
    ("004_9e3c2a2e151c9139.txt", "鲁山县琴台街道办事处", 2024, "street"),
)


@dataclass(frozen=True)
class PortalPlan:
    site_id: str
    family: str
    region: int
    units: tuple[str, ...]
    habits: frozenset[str] = frozenset()
    seeds: tuple[int, ...] = ()
    registry_family: str | None = None
    level: str = "county"
    params: dict[str, str] = field(default_factory=dict)
    # At most this many report attachments, one of them at most rendered by LibreOffice (PDF/DOC/WPS; the
    # others become DOCX, the rest of the reports HTML): a portal adds a family to crawl without adding
    # minutes to a cold farm's first rendering.
    files: int | None = None
    # Another portal (site_id) whose address this portal's reports name as their disclosure platform.
    cites: str | None = None


def _p(site_id: str, family: str, region: int, units: str, habits: str = "", seeds: tuple[int, ...] = (),
       registry_family: str | None = None, params: dict[str, str] | None = None, *,
       files: int | None = None, cites: str | None = None) -> PortalPlan:
    return PortalPlan(site_id, family, region, tuple(units.split()), frozenset(habits.split()), seeds,
                      registry_family, params=params or {}, files=files, cites=cites)


SMALL = (
    _p("trs-https", "trs", 0, "government department township street", "https_redirect page_stub robots_partial"),
    _p("trs-gbk", "trs", 8, "department street", "gbk meta_refresh js_shell transient_5xx broken_report", (4,)),
    _p("hanweb", "hanweb", 3, "department township",
       "retry_after_429 download_redirect gbk_filename_only", (3,)),
    _p("gkmlpt", "gkmlpt", 2, "department street"),
    _p("openness", "anhui_openness", 0, "community township", "slow", (0, 1, 2)),
    _p("jsonly", "js_only", 5, "department township"),
    _p("ruishu", "trs", 9, "department", "ruishu_412"),
    _p("blocked", "trs", 10, "department", "block_page"),
    _p("robots-denied", "hanweb", 11, "department", "robots_deny_all"),
    _p("jpaas", "hanweb_jpaas", 16, "department street", files=3),
    _p("xxgk", "hanweb_xxgk", 17, "government township", files=3),
    _p("ah-column", "anhui_column", 18, "department", files=3),
    _p("chinatax", "chinatax", 19, "department", files=3),
    _p("govcn", "govcn", 20, "government department", files=3, cites="county-static"),
    _p("county-static", "snowflake", 21, "township street", "js_list", registry_family="generic", files=3),
)

FULL = SMALL + (
    _p("trs-city", "trs", 12, "government department township street", "page_stub", registry_family="auto",
       params={"trs_list": "mva"}),
    _p("trs-county", "trs", 14, "department township", "shtml", params={"trs_list": "mohrss"}),
    _p("hanweb-city", "hanweb", 15, "government department street community", "hanweb_page_only",
       registry_family="auto"),
    _p("gkmlpt-panyu", "gkmlpt", 7, "government department township street", "gkmlpt_one_page"),
    _p("vsb-county", "vsb", 4, "department township street", registry_family="auto"),
    _p("openness-xuan", "anhui_openness", 6, "department township community", "jsl_challenge"),
    _p("jsonly-2", "js_only", 13, "department street"),
)

# A county government whose one annual-report column holds every year from 2011 (the free-form reports
# of the 2008 regulations until 2018, then the 2019 and 2021 templates), as real TRS portals keep them.
YEARS = (_p("trs-years", "trs", 1, "government", params={"years": "2011-2025"}),)

# The same report published twice, planted with known ground truth (``World.reports()[i].same_as``):
# (case, portal of the original, portal of the copy, year, unit type). ``reissue``: a corrected version
# (new numbers) on a new page of the same column, a month later; ``mirror``: the same report, with the
# same numbers and files, on the county's other platform too.
DUPLICATES = (
    ("reissue", "trs-https", "trs-https", 2024, "township"),
    ("mirror", "trs-https", "openness", 2023, "township"),
)

# The bad day (World(..., faults=True), ``nianbao farm serve --faults``): farm/faults.py.
FAULTS = (
    _p("faults", "trs", 1, "government department township street", "bad_day"),
    _p("hostile", "trs", 12, "department", "hostile_links"),
    _p("hostile-js", "js_only", 13, "department", "hostile_links"),
)

# Per world size: the years on the tree, how many organs per unit type, listing page size, and whether
# .wps attachments occur (full world only, so the small world's file types stay pdf/doc/docx).
SIZES: dict[str, dict] = {
    "small": {"years": (2020, 2023, 2024), "organs": {"government": 1, "department": 3, "township": 2,
              "street": 2, "community": 2}, "page_size": 2, "gkmlpt_page": 10, "plans": SMALL,
              "slow_seconds": 0.3, "wps": False},
    "full": {"years": (2019, 2020, 2021, 2022, 2023, 2024), "organs": {"government": 1, "department": 12,
             "township": 5, "street": 5, "community": 6}, "page_size": 8, "gkmlpt_page": 100, "plans": FULL,
             "slow_seconds": 1.0, "wps": True},
    "years": {"years": (2024,), "organs": {"government": 1}, "page_size": 4, "gkmlpt_page": 10, "plans": YEARS,
              "slow_seconds": 0.3, "wps": False},
}
