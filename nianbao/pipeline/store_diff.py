"""What a crawl changed, measured from the document store itself, before and after.

The crawler owns how it walks portals; the store (``archive/store.py``) is the contract every stage
agrees on. Comparing the store before and after a crawl gives the run report's figures (new, changed,
gone, failed, blocked per portal) the same way whatever crawler produced them, and keeps them true
when a crawl is resumed after an interruption.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from archive.paths import DataDir
from archive.store import BLOCKED_OUTCOMES, FAILED_OUTCOMES, Outcome
from archive.store_reader import StoreMark, StoreReader

__all__ = ["PortalFigures", "StoreMark", "figures_since", "mark", "new_document_ids"]


@dataclass
class PortalFigures:
    """One portal's line in the run report."""

    site_id: str
    found: int = 0  # reports alive on the portal after this run (a page and its attachments count once)
    new: int = 0  # documents stored for the first time
    changed: int = 0  # new versions of documents already stored
    gone: int = 0  # documents that disappeared in this run
    failed: int = 0  # requests that failed (timeouts, 5xx, 4xx, too large)
    blocked: int = 0  # requests refused by a block page, challenge or robots.txt
    fetched: int = 0  # requests made in this run
    robots: int = 0  # of ``blocked``: URLs robots.txt told us not to fetch (our choice, not a failure)
    family: str | None = None  # the family the crawler used, when the store says so
    reasons: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """ok, partial (some requests failed or were blocked), failed or blocked (nothing could be read).

        URLs that robots.txt disallows are counted under ``blocked`` but are no failure: obeying
        robots.txt is our policy. A portal that disallows everything is ``blocked`` all the same.
        """
        if self.fetched and self.failed + self.blocked >= self.fetched:
            return "blocked" if self.blocked >= self.failed else "failed"
        if self.failed or self.blocked > self.robots:
            return "partial"
        return "ok"


def mark(data: DataDir) -> StoreMark:
    with StoreReader(data) as store:
        return store.mark()


def _report_count(rows: list[tuple[str, str, str | None]]) -> int:
    """Reports among live documents: each page, plus each attachment not linked from a live page."""
    pages = {url for url, kind, _ in rows if kind == "page"}
    return len(pages) + sum(1 for _, kind, parent in rows if kind != "page" and parent not in pages)


def figures_since(data: DataDir, before: StoreMark, portals: list[str]) -> dict[str, PortalFigures]:
    """Per-portal figures for everything the store gained after ``before`` (the named portals first)."""
    with StoreReader(data) as store:
        return _figures(store, before, portals)


def _figures(store: StoreReader, before: StoreMark, portals: list[str]) -> dict[str, PortalFigures]:
    result: dict[str, PortalFigures] = {site_id: PortalFigures(site_id) for site_id in portals}

    def get(site_id: str | None) -> PortalFigures:
        key = site_id or "?"
        return result.setdefault(key, PortalFigures(key))

    for doc in store.documents(after=before.document_id):
        figures = get(doc.portal_id)
        if doc.version == 1:
            figures.new += 1
        else:
            figures.changed += 1
    # Only a URL's latest version counts: an older version left behind by a change is not a removal.
    for doc in store.documents(latest_only=True, gone=True):
        if doc.id not in before.gone:
            get(doc.portal_id).gone += 1
    for site_id, outcome, count in store.outcome_counts(after=before.fetch_id):
        figures = get(site_id)
        figures.fetched += count
        if outcome in FAILED_OUTCOMES:
            figures.failed += count
        elif outcome in BLOCKED_OUTCOMES:
            figures.blocked += count
            figures.robots += count if outcome == Outcome.ROBOTS_DENIED else 0
    reasons: dict[str, set[str]] = defaultdict(set)
    for site_id, reason in store.problem_reasons(after=before.fetch_id):
        reasons[site_id or "?"].add(reason)
    for site_id, found in reasons.items():
        get(site_id).reasons = sorted(found)[:5]
    live: dict[str, list[tuple[str, str, str | None]]] = defaultdict(list)
    for doc in store.documents(latest_only=True, gone=False):
        live[doc.portal_id or "?"].append((doc.url, doc.kind, doc.parent_url))
    for site_id, rows in live.items():
        if site_id in result:
            result[site_id].found = _report_count(rows)
    return result


def new_document_ids(data: DataDir, before: StoreMark) -> list[int]:
    with StoreReader(data) as store:
        return [doc.id for doc in store.documents(after=before.document_id)]
