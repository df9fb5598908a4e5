"""The farm's ground truth: which portals, organs and annual reports exist, built deterministically from a seed.

Tests crawl a running farm and compare what they found with ``World.reports()`` / ``World.expected_paths()``:
every report of a crawlable portal, and nothing listed by ``World.non_reports()``. Mutations
(``change_report``, ``remove_report``, ``add_report``) alter the live world the server reads, so an
end-to-end test can check versioning and "gone" handling between two crawls.
"""

from __future__ import annotations

import hashlib
import random
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from farm import content, faults, plans
from farm.families import FAMILIES
from farm.model import NON_REPORT_KINDS, REPORT, UNIT_TYPES, Article, Attachment, Column, Portal
from farm.names import DEPARTMENTS, NON_REPORT_TITLES, PLACE_STEMS, REGIONS, REPORT_TITLES
from farm.render.freeform import OLD_TITLES



@dataclass(frozen=True)
class ReportTruth:
    """One annual report as the farm holds it: where it lives and what it says (``spec``)."""

    site_id: str
    article_id: int
    organ: str
    year: int
    level: str
    level_label: str
    title: str
    template: str
    page_path: str
    attachment_paths: tuple[str, ...]
    formats: tuple[str, ...]
    inline: bool
    version: int
    crawlable: bool
    reason: str
    seed_file: str | None = None
    spec: Any = field(default=None, compare=False, repr=False)
    same_as: int | None = None  # planted duplicate: the article id of the report it carries again
    # On a bad day (farm.faults): (path, or URL with {port}, fault) a crawl must end as recorded failures.
    faults: tuple[tuple[str, str], ...] = ()

    @property
    def paths(self) -> tuple[str, ...]:
        """Every URL path a complete crawl downloads for this report: its page, then its attachments."""
        return (self.page_path, *self.attachment_paths)


@dataclass(frozen=True)
class NonReportTruth:
    """An article listed beside the reports that a crawler must not take for one."""

    site_id: str
    article_id: int
    kind: str
    title: str
    page_path: str
    attachment_paths: tuple[str, ...]


class World:
    """All portals of one farm. ``size`` is ``small`` (tests) or ``full`` (bundled default, benchmarks)."""

    def __init__(self, seed: int = 0, size: str = "small", *, slow_seconds: float | None = None,
                 faults: bool = False):
        if size not in plans.SIZES:
            raise ValueError(f"size must be one of {sorted(plans.SIZES)}")
        self.seed = seed
        self.size = size
        self.faults = faults
        self.config = plans.SIZES[size]
        self.slow_seconds = self.config["slow_seconds"] if slow_seconds is None else slow_seconds
        self.lock = threading.RLock()
        self.generation = 0
        self._ids: set[int] = set()
        self.portals: dict[str, Portal] = {}
        for plan in self.config["plans"] + (plans.FAULTS if faults else ()):
            self.portals[plan.site_id] = self._build_portal(plan)
        for plan in self.config["plans"]:
            if plan.cites:
                self._cite(self.portals[plan.site_id], self.portals[plan.cites])
        for case in plans.DUPLICATES:
            if {case[1], case[2]} <= set(self.portals):  # worlds without those portals plant none
                self._plant_duplicate(*case)

    # -- construction ---------------------------------------------------------------------------------

    def _new_id(self, rng: random.Random, low: int, high: int) -> int:
        while True:
            value = rng.randrange(low, high)
            if value not in self._ids:
                self._ids.add(value)
                return value

    def _build_portal(self, plan: plans.PortalPlan) -> Portal:
        rng = random.Random(f"{self.seed}/{plan.site_id}")
        region, province = REGIONS[plan.region % len(REGIONS)]
        family = FAMILIES[plan.family]
        portal = Portal(
            site_id=plan.site_id, name=f"{region}人民政府信息公开", organ=f"{region}人民政府",
            region=f"{province}{region}", level=plan.level,  # a 区 is a county-level division too
            family=plan.family,
            registry_family=plan.registry_family or plan.family, habits=plan.habits,
            page_size=self.config["gkmlpt_page"] if plan.family == "gkmlpt" else self.config["page_size"],
            domain=f"www.{plan.site_id.replace('-', '')}.gov.cn", params=dict(plan.params),
        )
        portal.columns["root"] = Column("root", "政府信息公开工作年度报告", self._new_id(rng, 1000, 99999))
        organs = self._organs(rng, region, plan.units)
        for year in _years(plan) or self.config["years"]:
            ykey = str(year)
            portal.columns[ykey] = Column(ykey, f"{year}年", self._new_id(rng, 1000, 99999), year=year)
            portal.columns["root"].children.append(ykey)
            for unit in plan.units:
                key = f"{year}/{unit}"
                column = Column(key, f"{year}年{UNIT_TYPES[unit][0]}年报", self._new_id(rng, 1000, 99999),
                                year=year, unit=unit, shell=unit == "street" and "js_shell" in plan.habits)
                portal.columns[key] = column
                portal.columns[ykey].children.append(key)
                for organ in organs[unit]:
                    if rng.random() < 0.1 and unit != "government":
                        continue
                    self._add(portal, rng, column, organ, REPORT)
                for _ in range(rng.choice((0, 1, 1, 2))):
                    self._add(portal, rng, column, rng.choice(organs[unit]), rng.choice(NON_REPORT_KINDS))
        for index in plan.seeds:
            self._add_seed(portal, rng, index)
        if plan.files is not None:
            _limit_files(portal, plan.files)
        self._apply_article_habits(portal, rng)
        family.layout(portal)
        portal.robots_txt = self._robots(portal, rng)
        return portal

    @staticmethod
    def _cite(portal: Portal, cited: Portal) -> None:
        """Every generated report of ``portal`` names ``cited`` (by its domain) as its disclosure platform,
        as township reports name their county's portal: a crawl of ``portal`` leads discovery to ``cited``."""
        url = f"http://{cited.domain}{cited.start_path}"
        for article in portal.articles.values():
            if article.is_report and article.seed_file is None:
                article.platform_url = url

    def _organs(self, rng: random.Random, region: str, units: tuple[str, ...]) -> dict[str, list[str]]:
        counts = self.config["organs"]
        stems = rng.sample(PLACE_STEMS, len(PLACE_STEMS))
        out: dict[str, list[str]] = {}
        for unit in units:
            n = counts[unit]
            if unit == "government":
                out[unit] = [f"{region}人民政府"]
            elif unit == "department":
                out[unit] = [f"{region[:-1]}{d}" if d.endswith("分局") else f"{region}{d}"
                             for d in rng.sample(DEPARTMENTS, n)]
            elif unit == "township":
                out[unit] = [f"{stems.pop()}{rng.choice('镇镇乡')}人民政府" for _ in range(n)]
            elif unit == "street":
                out[unit] = [f"{stems.pop()}街道办事处" for _ in range(n)]
            else:
                out[unit] = [f"{stems.pop()}社区居民委员会" for _ in range(n)]
        return out

    def _add(self, portal: Portal, rng: random.Random, column: Column, organ: str, kind: str,
             *, published: date | None = None, modified: datetime | None = None) -> Article:
        year = column.year or 2024
        short = organ.removesuffix("人民政府") if column.unit == "township" else organ
        if kind == REPORT and year <= 2018:  # free-form, inline, titled as reports of the time were
            title = rng.choice(OLD_TITLES).format(organ=short, year=year)
            published = published or date(year + 1, 2, 1) + timedelta(days=rng.randrange(0, 60))
            inline, formats = True, []
        elif kind == REPORT:
            title = rng.choice(REPORT_TITLES).format(organ=short, year=year)
            published = published or date(year + 1, 1, 5) + timedelta(days=rng.randrange(0, 80))
            roll = rng.random()
            inline = roll < 0.7
            formats = (["pdf"] if 0.55 <= roll < 0.82 else ["docx"] if 0.82 <= roll < 0.92
                       else ["doc"] if 0.92 <= roll < 0.97 else [self._wps_or_doc()] if roll >= 0.97 else [])
        else:
            title = NON_REPORT_TITLES[kind].format(organ=short, year=year)
            published = published or date(year, 1, 10) + timedelta(days=rng.randrange(0, 300))
            inline = True
            formats = ["docx"] if rng.random() < 0.25 else []
        article_id = self._new_id(rng, 1_000_000, 9_999_999)
        attachments = [self._attachment(rng, title, fmt) for fmt in formats]
        template = "2008" if year <= 2018 else "2019" if year <= 2020 else "2021"
        article = Article(article_id, portal.site_id, title, published, year, column.unit or "government",
                          organ, kind, inline, attachments, rng.randrange(1 << 30), template,
                          modified or datetime(published.year, published.month, published.day, 9, 30,
                                               tzinfo=timezone.utc), column_key=column.key)
        portal.articles[article_id] = article
        column.article_ids.append(article_id)
        return article

    def _wps_or_doc(self) -> str:
        return "wps" if self.config["wps"] else "doc"

    def _attachment(self, rng: random.Random, title: str, fmt: str) -> Attachment:
        att_id = self._new_id(rng, 1_000_000, 9_999_999)
        token = hashlib.md5(f"{self.seed}/{att_id}".encode()).hexdigest()
        return Attachment(att_id, fmt, f"{title}.{fmt}", token)

    def _add_seed(self, portal: Portal, rng: random.Random, index: int) -> None:
        filename, organ, year, unit = plans.SEEDS[index]
        column = portal.columns.get(f"{year}/{unit}")
        if column is None:
            raise ValueError(f"{portal.site_id} has no column for seed {filename}")
        article = self._add(portal, rng, column, organ, REPORT)
        article.title = f"{organ}{year}年政府信息公开工作年度报告"
        article.inline, article.attachments, article.seed_file = True, [], filename

    def _apply_article_habits(self, portal: Portal, rng: random.Random) -> None:
        reports = [a for a in portal.articles.values() if a.is_report and a.seed_file is None]
        if "broken_report" in portal.habits and reports:
            rng.choice([a for a in reports if a.inline] or reports).broken = True
        # PDFs first: the redirected download of PORTALS.md is a /attach/0/….pdf.
        with_files = sorted((a for a in reports if a.attachments), key=lambda a: a.attachments[0].fmt != "pdf")
        if "download_redirect" in portal.habits and with_files:
            with_files[0].attachments[0].redirect = True
        if "gbk_filename_only" in portal.habits and len(with_files) > 1:
            with_files[1].attachments[0].gbk_only_name = True
        if "robots_partial" in portal.habits:
            leaves = [c for c in portal.leaf_columns() if any(portal.articles[i].is_report for i in c.article_ids)]
            rng.choice(leaves).robots_denied = True
        if "bad_day" in portal.habits:
            faults.assign(portal, reports, lambda title: self._attachment(rng, title, "pdf"))

    def _plant_duplicate(self, case: str, source: str, target: str, year: int, unit: str) -> None:
        """Publish one report of ``source`` again on ``target`` (see ``plans.DUPLICATES``): the archive must
        end with one report for both, the copy's numbers winning when it is a correction."""
        rng = random.Random(f"{self.seed}/{case}")
        original_portal, portal = self.portals[source], self.portals[target]
        column = portal.columns[f"{year}/{unit}"]
        allowed = [a for a in original_portal.articles.values()
                   if a.is_report and a.seed_file is None and a.same_as is None and not a.broken and a.year == year
                   and a.unit == unit and not original_portal.columns[a.column_key].robots_denied
                   and all(b.same_as != a.article_id for p in self.portals.values() for b in p.articles.values())]
        # One with files if there is one: the copy then repeats the page-and-attachment case too.
        original = rng.choice(sorted([a for a in allowed if a.attachments] or allowed, key=lambda a: a.article_id))
        later = case == "reissue"
        copy = self._add(portal, rng, column, original.organ, REPORT,
                         published=original.published + timedelta(days=30 if later else 0))
        copy.title = f"{original.title}（更正）" if later else original.title
        copy.inline = original.inline
        copy.attachments = [self._attachment(rng, copy.title, a.fmt) for a in original.attachments]
        copy.template, copy.same_as = original.template, original.article_id
        if not later:
            copy.spec_seed = original.spec_seed
        FAMILIES[portal.family].layout(portal)

    def _robots(self, portal: Portal, rng: random.Random) -> str | None:
        if "robots_deny_all" in portal.habits:
            return "User-agent: *\nDisallow: /\n"
        lines = ["User-agent: *", "Disallow: /e/class/", "Disallow: /d/"]
        for column in portal.columns.values():
            if column.robots_denied:
                lines.append(f"Disallow: {column.path}")
        if len(lines) == 3 and rng.random() < 0.5:
            return None
        return "\n".join(lines) + "\n"

    # -- ground truth ---------------------------------------------------------------------------------

    def _truth(self, portal: Portal, article: Article) -> ReportTruth:
        column = portal.columns[article.column_key]
        reason = ("robots_denied" if portal.status == "robots_denied" or column.robots_denied
                  else "blocked" if portal.status == "blocked" else "server_error" if article.broken
                  else article.fault if article.fault in faults.PAGE_FAULTS else "")
        return ReportTruth(
            site_id=portal.site_id, article_id=article.article_id, organ=article.organ, year=article.year,
            level=article.unit, level_label=article.level_label, title=article.title, template=article.template,
            page_path=article.path, attachment_paths=tuple(a.path for a in article.attachments if not a.fault),
            formats=(("html",) if article.inline else ()) + tuple(a.fmt for a in article.attachments),
            inline=article.inline, version=article.version, crawlable=not reason, reason=reason,
            seed_file=article.seed_file, spec=content.spec_for(article), same_as=article.same_as,
            faults=faults.fault_paths(portal, article),
        )

    def reports(self, site_id: str | None = None, *, crawlable_only: bool = False) -> list[ReportTruth]:
        """Every live annual report (of one portal, if given); ``crawlable_only`` drops those a polite
        crawler cannot or must not reach (blocked portal, robots.txt, a page that always answers 500)."""
        with self.lock:
            out = [self._truth(p, a) for p in self._portals(site_id) for a in p.articles.values()
                   if a.is_report and not a.removed]
        return [t for t in out if t.crawlable or not crawlable_only]

    def non_reports(self, site_id: str | None = None) -> list[NonReportTruth]:
        with self.lock:
            return [NonReportTruth(p.site_id, a.article_id, a.kind, a.title, a.path,
                                   tuple(x.path for x in a.attachments))
                    for p in self._portals(site_id) for a in p.articles.values()
                    if not a.is_report and not a.removed]

    def expected_paths(self, site_id: str | None = None) -> dict[str, set[str]]:
        """Per portal, the URL paths a complete, polite crawl downloads: report pages and attachments."""
        out: dict[str, set[str]] = {p.site_id: set() for p in self._portals(site_id)}
        for truth in self.reports(site_id, crawlable_only=True):
            out[truth.site_id].update(truth.paths)
        return out

    def expected_urls(self, base_urls: dict[str, str]) -> set[str]:
        """``expected_paths`` as absolute URLs on the given bases (``FarmServer.base_urls``; pass
        ``tls_urls`` merged in to get the final https URLs of a portal that redirects)."""
        return {base_urls[site].rstrip("/") + path for site, paths in self.expected_paths().items() for path in paths}

    def portal_status(self, site_id: str) -> str:
        return self.portals[site_id].status

    def registry_rows(self, base_urls: dict[str, str]) -> list[dict[str, str]]:
        """The farm's portals as rows of the crawler's registry CSV."""
        rows = []
        for portal in self.portals.values():
            base = base_urls[portal.site_id].rstrip("/")
            rows.append({
                "site_id": portal.site_id, "name": portal.name, "organ": portal.organ, "region": portal.region,
                "level": portal.level, "start_url": base + portal.start_path, "family": portal.registry_family,
                "status": "active", "source": f"farm seed={self.seed} size={self.size}",
                "notes": " ".join(sorted(portal.habits)),
            })
        return rows

    def _portals(self, site_id: str | None) -> list[Portal]:
        return [self.portals[site_id]] if site_id else list(self.portals.values())

    def article(self, article_id: int) -> Article:
        for portal in self.portals.values():
            if article_id in portal.articles:
                return portal.articles[article_id]
        raise KeyError(article_id)

    # -- mutations ------------------------------------------------------------------------------------

    def change_report(self, article_id: int) -> ReportTruth:
        """Publish a new version of a report at the same URLs (new content, new ETag/Last-Modified)."""
        with self.lock:
            article = self.article(article_id)
            article.version += 1
            article.spec_seed = random.Random(f"{article.spec_seed}/{article.version}").randrange(1 << 30)
            article.seed_file = None
            article.modified = _now()
            self.generation += 1
            return self._truth(self.portals[article.site_id], article)

    def remove_report(self, article_id: int) -> None:
        """Take a report down: its page and files answer 404 and listings no longer show it."""
        with self.lock:
            article = self.article(article_id)
            article.removed = True
            article.modified = _now()
            self.generation += 1

    def add_report(self, site_id: str, column_key: str | None = None, organ: str | None = None,
                   formats: tuple[str, ...] = ()) -> ReportTruth:
        """Publish a new report (at the head of its column's listing); returns its truth."""
        with self.lock:
            portal = self.portals[site_id]
            rng = random.Random(f"{self.seed}/{site_id}/add/{self.generation}")
            column = portal.columns[column_key] if column_key else sorted(
                portal.leaf_columns(), key=lambda c: (c.year or 0, c.key))[-1]
            organ = organ or f"{rng.choice(PLACE_STEMS)}新区管理委员会"
            newest = max((a.published for a in portal.listed(column)), default=date(2025, 1, 10))
            article = self._add(portal, rng, column, organ, REPORT, published=newest + timedelta(days=1),
                                modified=_now())
            article.inline = not formats
            article.attachments = [self._attachment(rng, article.title, f) for f in formats]
            FAMILIES[portal.family].layout(portal)
            self.generation += 1
            return self._truth(portal, article)


def _years(plan: plans.PortalPlan) -> tuple[int, ...]:
    """The years a plan's column holds, when it says (``years=2011-2025``)."""
    if "years" not in plan.params:
        return ()
    first, last = (int(part) for part in plan.params["years"].split("-"))
    return tuple(range(first, last + 1))


OFFICE_FORMATS = ("pdf", "doc", "wps")


def _limit_files(portal: Portal, limit: int) -> None:
    """Keep the first ``limit`` report attachments (by article id), at most one of them a PDF/DOC/WPS
    (LibreOffice takes seconds a file on a cold cache; python-docx milliseconds): the other office
    files become DOCX, and reports left with no file are HTML pages."""
    kept, office = 0, False
    for article in sorted((a for a in portal.articles.values() if a.is_report), key=lambda a: a.article_id):
        chosen = []
        for attachment in article.attachments:
            if kept == limit:
                break
            if attachment.fmt in OFFICE_FORMATS:
                if office:
                    attachment.fmt, attachment.filename = "docx", f"{article.title}.docx"
                office = office or attachment.fmt in OFFICE_FORMATS
            chosen.append(attachment)
            kept += 1
        article.attachments = chosen
        article.inline = article.inline or not chosen


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)
