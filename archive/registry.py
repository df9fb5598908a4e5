"""The portal registry: one CSV row per disclosure column to crawl.

Per-portal differences live here as data, not as one spider per site: there are thousands of portals
and most of them differ only in their start URL and CMS family.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from urllib.parse import urlsplit

FIELDS = ["site_id", "name", "organ", "region", "level", "region_code", "start_url", "family", "status", "source",
          "notes", "aliases", "allowed_domains"]
# Columns that configure the crawler's reach (crawler/policy.py): kept in the registry, not published.
CRAWL_ONLY = ("aliases", "allowed_domains")

# Families a registry row may name; ``auto`` asks the spider to detect it from the first page.
FAMILIES = (
    "auto", "trs", "hanweb", "hanweb_jpaas", "hanweb_xxgk", "gkmlpt", "anhui_openness", "anhui_column", "chinatax",
    "govcn", "js_only", "generic",
)
STATUSES = ("active", "disabled", "candidate")  # candidate: named in a report, not yet walked


@dataclass(frozen=True)
class Portal:
    """One column to crawl. ``site_id`` is the stable slug every fetch and document row refers to."""

    site_id: str
    start_url: str
    name: str = ""
    organ: str = ""
    region: str = ""
    level: str = ""  # central, provincial, prefecture, county, township, community (archive.regions)
    region_code: str = ""  # GB/T 2260 (6 digits) or NBS (9/12) code of the organ's division
    family: str = "auto"
    status: str = "active"
    source: str = ""
    notes: str = ""
    # The crawler's reach (crawler.policy): other host names of this portal, and the domains its
    # attachments may come from (space-separated; empty means the crawl's default, *.gov.cn).
    aliases: str = ""
    allowed_domains: str = ""

    def __post_init__(self) -> None:
        if not self.site_id:
            raise ValueError(f"registry row for {self.start_url!r} has no site_id")
        if urlsplit(self.start_url).scheme not in ("http", "https"):
            raise ValueError(f"{self.site_id}: start_url {self.start_url!r} is not an http(s) URL")
        if self.family not in FAMILIES:
            raise ValueError(f"{self.site_id}: unknown family {self.family!r}; known: {', '.join(FAMILIES)}")
        if self.status not in STATUSES:
            raise ValueError(f"{self.site_id}: unknown status {self.status!r}; known: {', '.join(STATUSES)}")

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def alias_hosts(self) -> tuple[str, ...]:
        """Host names of ``aliases``, written as names, host:port or URLs."""
        names = (urlsplit(a if "//" in a else f"//{a}").hostname for a in self.aliases.replace(",", " ").split())
        return tuple(name for name in names if name)

    @property
    def domain_list(self) -> tuple[str, ...]:
        return tuple(d.strip(".") for d in self.allowed_domains.replace(",", " ").split())


def site_id_for_url(url: str) -> str:
    """A stable slug for a bare start URL, so ``--start-url`` crawls get provenance like registry rows."""
    parts = urlsplit(url)
    host = re.sub(r"[^a-z0-9]+", "_", parts.hostname or "site").strip("_")
    digest = hashlib.sha1(url.encode()).hexdigest()[:8]
    return f"{host}_{parts.port}_{digest}" if parts.port else f"{host}_{digest}"


def portal_for_url(url: str, family: str = "auto") -> Portal:
    return Portal(site_id=site_id_for_url(url), start_url=url, family=family, source="start_url")


def load_registry(path: str | Path) -> list[Portal]:
    """Read a registry CSV; unknown columns are an error so a typo cannot silently drop data."""
    with Path(path).open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        unknown = set(reader.fieldnames or []) - set(FIELDS)
        if unknown:
            raise ValueError(f"{path}: unknown registry columns {sorted(unknown)}; expected {FIELDS}")
        portals = []
        for row in reader:
            values = {k: (v or "").strip() for k, v in row.items() if k}
            values["family"] = values.get("family") or "auto"
            values["status"] = values.get("status") or "active"
            portals.append(Portal(**values))
    seen: set[str] = set()
    for portal in portals:
        if portal.site_id in seen:
            raise ValueError(f"{path}: duplicate site_id {portal.site_id!r}")
        seen.add(portal.site_id)
    return portals


def save_registry(portals: list[Portal], path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        for portal in portals:
            row = asdict(portal)
            writer.writerow({f.name: row[f.name] for f in fields(Portal) if f.name in FIELDS})

