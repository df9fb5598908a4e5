"""Items the portal spider yields: one record per request it made, carrying where the URL was found.

Every request ends as exactly one ``FetchRecord`` (a downloaded page, a replayed unchanged one, or a
failure), so the store can log every fetch whatever its outcome. The provenance (portal, listing page,
title and date as listed) rides along because the report page itself often does not repeat it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from archive.store import DOCUMENT_KINDS, Outcome

# What a request was for. Pages and attachments become documents (the store's DOCUMENT_KINDS);
# listings and API calls do not; ``resource`` is what a page in the browser asked for (scripts, frames,
# XHR), recorded when the request policy (crawler.policy) refused it; ``sitemap`` a sitemap.xml robots.txt
# names, read by an incremental crawl as the site's own change signal (crawler.incremental).
KINDS = ("listing", "api", *DOCUMENT_KINDS, "resource", "sitemap")


@dataclass(kw_only=True)
class Provenance:
    """Where a URL came from: what the crawler knew before requesting it."""

    portal_id: str
    family: str | None = None
    listing_url: str | None = None  # the listing page the report was found on
    parent_url: str | None = None  # for an attachment: the report page that links it
    title: str | None = None  # as listed
    listed_date: str | None = None  # as listed


@dataclass(kw_only=True)
class FetchRecord(Provenance):
    """One request and what came of it."""

    kind: str
    url: str
    final_url: str | None = None
    method: str = "GET"
    status: int | None = None
    outcome: Outcome | None = None  # None: the store decides (downloaded or unchanged)
    reason: str | None = None
    fetched_at: str = ""
    elapsed_ms: float | None = None
    headers: dict[str, str] = field(default_factory=dict)
    request_headers: dict[str, str] = field(default_factory=dict)
    request_body: bytes = b""  # a list API's POST form, kept for the WARC request record
    body: bytes | None = None
    # True when the body came from the store (a 304 or an unvalidated known document), not the wire.
    replayed: bool = False
    filename: str | None = None  # the real name, from Content-Disposition, the URL or the anchor text
    # A rendering: what the browser loaded besides the page (scripts, XHR, frames); None when not rendered.
    loaded: list[str] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fetch kind {self.kind!r}")
        if self.outcome is not None:
            self.outcome = Outcome(self.outcome)  # a ValueError names an outcome the store does not know

