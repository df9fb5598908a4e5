"""The farm's data model: portals, their column trees, the articles in them and their attachments.

Plain dataclasses shared by the world (which creates and mutates them) and the families (which give
them URLs and markup). Paths are filled in by each family's ``layout`` so that a URL scheme lives in
one module only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

REPORT = "report"

# Unit types of the year → unit type → report tree: key, the Chinese label portals print, path slug.
UNIT_TYPES: dict[str, tuple[str, str]] = {
    "government": ("本级", "bj"),
    "department": ("部门", "bmnb"),
    "township": ("乡镇", "xz"),
    "street": ("街道", "jdnb"),
    "community": ("社区", "sqnb"),
}

# Kinds of articles that sit beside the reports but are not annual reports.
NON_REPORT_KINDS = ("work_plan", "guide", "statistics", "final_accounts", "notice", "catalogue")


@dataclass
class Attachment:
    """One downloadable file of an article. ``filename`` is the human name the portal shows or sends."""

    att_id: int
    fmt: str
    filename: str
    token: str
    path: str = ""
    redirect: bool = False
    gbk_only_name: bool = False
    fault: str = ""  # farm.faults.FILE_FAULTS: how this file fails on a bad day


@dataclass
class Article:
    """One item of a listing: an annual report (``kind == "report"``) or an unrelated article."""

    article_id: int
    site_id: str
    title: str
    published: date
    year: int
    unit: str
    organ: str
    kind: str
    inline: bool
    attachments: list[Attachment]
    spec_seed: int
    template: str
    modified: datetime
    seed_file: str | None = None
    version: int = 1
    removed: bool = False
    broken: bool = False
    path: str = ""
    column_key: str = ""
    # The disclosure platform address the report names in section 一 (a portal of the farm, by its
    # domain), when its portal's plan ``cites`` another: how reports lead discovery to new portals.
    platform_url: str | None = None
    same_as: int | None = None  # a planted duplicate: the article whose report this one also carries
    fault: str = ""  # farm.faults: a page fault, "file" (an attachment's), or "dns_failure" (an extra link)

    @property
    def is_report(self) -> bool:
        return self.kind == REPORT

    @property
    def level_label(self) -> str:
        return UNIT_TYPES[self.unit][0]


@dataclass
class Column:
    """A leaf of the tree (one year × one unit type), or the year and root nodes above it."""

    key: str
    title: str
    col_id: int
    year: int | None = None
    unit: str | None = None
    path: str = ""
    list_path: str = ""
    children: list[str] = field(default_factory=list)
    article_ids: list[int] = field(default_factory=list)
    shell: bool = False
    robots_denied: bool = False


@dataclass
class Portal:
    """One organ's disclosure portal, served on its own port."""

    site_id: str
    name: str
    organ: str
    region: str
    level: str
    family: str
    registry_family: str
    habits: frozenset[str]
    page_size: int
    domain: str
    root_key: str = "root"
    columns: dict[str, Column] = field(default_factory=dict)
    articles: dict[int, Article] = field(default_factory=dict)
    start_path: str = "/"
    robots_txt: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    routes: dict[str, tuple[str, object]] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """What a polite crawler can achieve here: ``ok``, ``blocked``, ``robots_denied`` or ``browser``."""
        if "block_page" in self.habits:
            return "blocked"
        if "robots_deny_all" in self.habits:
            return "robots_denied"
        if {"ruishu_412", "jsl_challenge"} & self.habits or self.family == "js_only":
            return "browser"
        return "ok"

    def listed(self, column: Column) -> list[Article]:
        """The column's live articles, newest first, as the listing pages show them."""
        items = [self.articles[i] for i in column.article_ids if not self.articles[i].removed]
        return sorted(items, key=lambda a: (a.published, a.article_id), reverse=True)

    def leaf_columns(self) -> list[Column]:
        return [c for c in self.columns.values() if c.unit is not None]
