"""The one data-driven spider: every portal is a registry row, every family an adapter.

``scrapy crawl portal -a start_url=URL`` crawls one column; ``-a registry=FILE`` (optionally with
``-a site=ID,ID``) crawls the rows of a registry. The spider only routes: adapters read pages,
middlewares talk to the store, the pipeline writes it. Everything a request needs to know travels in
``request.meta["nianbao"]``, so nothing about the crawl's progress lives on the spider.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import scrapy
from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, IgnoreRequest, ResponseDataLossError
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.request import request_from_dict
from twisted.python.failure import Failure

from archive.registry import Portal, load_registry, portal_for_url
from archive.store import Outcome, utcnow
from crawler import default_registry_path
from crawler.browser import LOADED_META, REFUSED_HEADER, context_name
from crawler.guards import BLOCKED, CHALLENGE, REDIRECT, classify, truncated_file
from crawler.http import filename_from_disposition, headers_to_dict
from crawler.items import DOCUMENT_KINDS, FetchRecord
from crawler.middlewares import META_KEY, NOT_MODIFIED, RENDERED, STORED
from crawler.platforms import detect_family, platform_for
from crawler.platforms.base import FILE_SUFFIXES, AttachmentLink, ReportLink, filename_from_url, is_annual_report_title
from crawler.policy import Refused

# Provenance keys carried from request to request.
PROVENANCE = ("portal_id", "family", "listing_url", "parent_url", "title", "listed_date")
# JavaScript shells followed in a row for one report page before the chain counts as a loop.
MAX_SHELL_HOPS = 5


def job_args(start_url: str | None, registry: str | None, sites: Iterable[str], family: str = "auto") -> dict[str, Any]:
    """The arguments that make a crawl the same job (``nianbao crawl`` names its JOBDIR after them)."""
    return {"spider": PortalSpider.name, "start_url": start_url, "registry": registry,
            "site": sorted(set(sites)), "family": family}


class PortalSpider(scrapy.Spider):
    name = "portal"

    def __init__(
        self,
        start_url: str | None = None,
        registry: str | None = None,
        site: str | None = None,
        family: str = "auto",
        *args: Any,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        if start_url:
            portals = [portal_for_url(start_url, family)]
        else:
            portals = load_registry(registry or default_registry_path())
        wanted = {s.strip() for s in (site or "").split(",") if s.strip()}
        unknown = wanted - {p.site_id for p in portals}
        if unknown:
            raise ValueError(f"unknown site ids {sorted(unknown)}")
        self.portals: list[Portal] = [p for p in portals if p.active and (not wanted or p.site_id in wanted)]
        # What identifies this crawl for resuming: the same arguments make the same job.
        self.job_args = job_args(start_url, registry, wanted, family)

    # -- requests --------------------------------------------------------------------------------------

    @property
    def browser_enabled(self) -> bool:
        return self.settings.getbool("NIANBAO_BROWSER")

    async def start(self) -> AsyncIterator[Request]:
        for portal in self.portals:
            yield self._request(
                portal.start_url,
                kind="listing",
                provenance={"portal_id": portal.site_id, "family": portal.family},
                callback=self.parse_listing,
                browser=platform_for(portal.family).needs_browser and self.browser_enabled,
                dont_filter=True,
            )

    def _request(
        self,
        url: str,
        *,
        kind: str,
        provenance: dict[str, Any],
        callback: Any,
        method: str = "GET",
        body: str | None = None,
        headers: tuple[tuple[str, str], ...] | dict[str, str] = (),
        browser: bool = False,
        dont_filter: bool = False,
        logical_url: str | None = None,
        **extra: Any,
    ) -> Request:
        info = {key: provenance.get(key) for key in PROVENANCE}
        # The URL the store keys the fetch by: the link as found, even when a shell sent us elsewhere.
        info.update(kind=kind, url=logical_url or url, **extra)
        meta: dict[str, Any] = {META_KEY: info}
        if browser and kind != "attachment":
            # One browser context per portal: its own cookies, and its own proxy under the policy.
            meta.update(playwright=True, handle_httpstatus_all=True,
                        playwright_context=context_name(str(info["portal_id"])))
            # A list built by scripts (or a challenge that reloads the page) is done when the network
            # settles; a report page reached after a passed challenge is done when it has loaded.
            settle = kind != "page" or bool(extra.get("retrying"))
            meta["playwright_page_goto_kwargs"] = {"wait_until": "networkidle" if settle else "load"}
        return Request(
            url,
            method=method,
            body=body,
            headers=dict(headers),
            callback=callback,
            errback=self.on_error,
            meta=meta,
            dont_filter=dont_filter,
        )

    def _document_request(self, report: ReportLink, response: Response, family: str, browser: bool) -> Request:
        info = response.meta[META_KEY]
        provenance = {
            "portal_id": info["portal_id"],
            "family": family,
            "listing_url": listing_key(response),
            "title": report.title,
            "listed_date": report.date,
        }
        kind = "attachment" if report.is_file else "page"
        return self._request(
            report.url,
            kind=kind,
            provenance=provenance,
            callback=self.parse_document,
            browser=browser,
            challenged=info.get("challenged", False),
            dont_filter=report.url == info["url"],  # the start page was itself the report
        )

    def sitemap_request(self, url: str, then: Request) -> Request:
        """A sitemap robots.txt names, read before the portal's start page (``then``) by an incremental
        crawl, which takes its ``<lastmod>`` dates as the site's own change signal."""
        info = then.meta[META_KEY]
        return self._request(url, kind="sitemap", provenance={"portal_id": info["portal_id"], "family": info["family"]},
                             callback=self.parse_sitemap, dont_filter=True, then=then.to_dict(spider=self))

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        """Record the sitemap (``crawler.incremental`` reads its dates), then go on to the start page."""
        yield self._record(response)
        yield request_from_dict(response.meta[META_KEY]["then"], spider=self)

    def _attachment_request(self, link: AttachmentLink, parent: dict[str, Any]) -> Request:
        provenance = {**parent, "parent_url": parent["url"]}
        return self._request(link.url, kind="attachment", provenance=provenance, callback=self.parse_document,
                             link_name=link.name)

    # -- callbacks -------------------------------------------------------------------------------------

    def parse_listing(self, response: Response) -> Iterator[Any]:
        """A listing page or list API reply: record it, then follow its reports and further pages."""
        info = response.meta[META_KEY]
        guarded = list(self._guard(response))
        if guarded:
            yield from guarded
            return
        declared = info.get("family") or "auto"
        family = detect_family(response) if declared == "auto" else declared
        platform = platform_for(family)
        in_browser = rendered(response)
        if platform.needs_browser and not in_browser:
            yield from self._to_browser(response, f"the {family} family builds its list in JavaScript")
            return
        listing = platform.parse_listing(response)
        start = info.get("listing_url") is None
        if not listing.reports and start:
            # A registry row may point at a report itself (PORTALS.md §9 "(detail)" rows).
            detail = platform.parse_detail(response)
            if is_annual_report_title(detail.title):
                listing.reports.append(ReportLink(info["url"], detail.title or "", detail.date))
        reason = None
        if family == "generic" and not listing.reports and not listing.next and not listing.paged:
            # A column the generic adapter has never seen may build its list in a script: render it once.
            if not in_browser and self.browser_enabled:
                yield from self._to_browser(response, "no report link or further page in the static page")
                return
            reason = "no report link or further page" + (" even in the browser" if in_browser else "; browser disabled")
            if start:  # nothing to walk at all: the portal cannot be crawled this way
                yield self._record(response, outcome=Outcome.FAILED, reason=f"the generic adapter found {reason}",
                                   family=family)
                return
        yield self._record(response, family=family, reason=reason)
        # A portal that needed the browser to pass a challenge needs it for every page.
        browser = bool(info.get("challenged")) and self.browser_enabled
        for report in listing.reports:
            yield self._document_request(report, response, family, browser)
            parent = {**info, "family": family, "url": report.url, "listing_url": listing_key(response),
                      "title": report.title, "listed_date": report.date}
            for link in report.attachments:
                yield self._attachment_request(link, parent)
        for page in listing.next:
            # Under "auto" every listing page is recognised on its own: a tree's navigation pages
            # often carry none of the markers its list pages do.
            provenance = {"portal_id": info["portal_id"], "family": declared, "listing_url": listing_key(response)}
            yield self._request(
                page.url,
                kind=page.kind,
                provenance=provenance,
                callback=self.parse_listing,
                method=page.method,
                body=page.body,
                headers=page.headers,
                browser=(page.browser or browser or platform.needs_browser) and self.browser_enabled,
                challenged=info.get("challenged", False),
                pager=page.pager,
                logical_url=post_key(page.url, page.body) if page.method == "POST" else None,
            )

    def parse_document(self, response: Response) -> Iterator[Any]:
        """A report page or attachment: record it; a report page also yields its attachments."""
        info = response.meta[META_KEY]
        if info["kind"] == "page":
            guarded = list(self._guard(response))
            if guarded:
                yield from guarded
                return
        cut = truncated_file(response.body) if info["kind"] == "attachment" else None
        if cut:
            # Kept as evidence, but not as a document version a later crawl would trust and revalidate.
            yield self._record(response, outcome=Outcome.FAILED, reason=cut)
            return
        yield self._record(response)
        if info["kind"] != "page" or not isinstance(response, TextResponse):
            return
        detail = platform_for(info.get("family")).parse_detail(response)
        for link in detail.attachments:
            yield self._attachment_request(link, info)

    def _guard(self, response: Response) -> Iterator[Any]:
        """Block pages, JS challenges and redirect shells, handled before any adapter reads the page."""
        info = response.meta[META_KEY]
        in_browser = rendered(response)
        verdict = classify(response)
        if verdict.kind == BLOCKED:
            yield self._record(response, outcome=Outcome.BLOCKED, reason=verdict.evidence)
        elif verdict.kind == CHALLENGE:
            if in_browser:
                reason = f"{verdict.evidence}; the browser did not pass it"
                yield self._record(response, outcome=Outcome.BLOCKED, reason=reason)
            elif not self.browser_enabled:
                yield self._record(response, outcome=Outcome.BLOCKED, reason=f"{verdict.evidence}; browser disabled")
            else:
                yield self._record(response, outcome=Outcome.BLOCKED, reason=f"{verdict.evidence}; retried in the browser")
                yield self._retry_in_browser(response, challenged=True)
        elif verdict.kind == REDIRECT and verdict.location:
            provenance = {key: info.get(key) for key in PROVENANCE}
            if info["kind"] in DOCUMENT_KINDS:
                hops = info.get("shell_hops", 0) + 1
                if hops > MAX_SHELL_HOPS:
                    yield self._record(response, outcome=Outcome.FAILED, reason=f"JavaScript redirect loop ({hops} shells)")
                    return
                # Like an HTTP redirect: the document is the one at the shell's target, kept under the link.
                # It continues an admitted request, so the duplicate filter must not drop it unrecorded.
                yield self._request(verdict.location, kind=info["kind"], provenance=provenance,
                                    callback=self.parse_document, browser=in_browser, dont_filter=True,
                                    challenged=info.get("challenged", False), logical_url=info["url"],
                                    shell_hops=hops)
                return
            yield self._record(response, reason=f"{verdict.evidence} to {verdict.location}")
            yield self._request(verdict.location, kind=info["kind"], provenance=provenance, callback=self.parse_listing,
                                browser=in_browser, challenged=info.get("challenged", False))
        elif in_browser and response.headers.get(REFUSED_HEADER):
            # The browser's proxy refused where a redirect or a script led the page.
            reason = response.headers.get(REFUSED_HEADER).decode("latin-1")
            yield self._record(response, outcome=Outcome.REFUSED, reason=f"in the browser: {reason}")
        elif in_browser and response.status >= 400 and not info.get("challenged"):
            # After a challenge the browser reports the challenge's status beside the page it
            # reached; any other error status in the browser is a real failure.
            yield self._record(response, outcome=Outcome.FAILED, reason=f"HTTP {response.status} in the browser")

    def _to_browser(self, response: Response, why: str) -> Iterator[Any]:
        if not self.browser_enabled:
            yield self._record(response, outcome=Outcome.FAILED, reason=f"{why}; browser disabled")
            return
        yield self._record(response, reason=f"{why}; re-read in the browser")
        yield self._retry_in_browser(response)

    def _retry_in_browser(self, response: Response, challenged: bool = False) -> Request:
        info = response.meta[META_KEY]
        provenance = {key: info.get(key) for key in PROVENANCE}
        callback = self.parse_listing if info["kind"] in ("listing", "api") else self.parse_document
        return self._request(info["url"], kind=info["kind"], provenance=provenance, callback=callback,
                             browser=True, dont_filter=True, challenged=challenged or info.get("challenged", False),
                             retrying=True)

    # -- records ---------------------------------------------------------------------------------------

    def _record(
        self,
        response: Response,
        *,
        outcome: Outcome | None = None,
        reason: str | None = None,
        family: str | None = None,
    ) -> FetchRecord:
        info = response.meta[META_KEY]
        replayed = NOT_MODIFIED in response.flags or STORED in response.flags
        loaded = response.meta.get(LOADED_META) if response.meta.get("playwright") else None
        if RENDERED in response.flags:
            # The stored rendering, replayed: it loaded nothing but the page, or it would not be.
            reason, loaded = reason or "304: the page is unchanged, so is its rendering (not rendered again)", []
        if outcome is None and NOT_MODIFIED in response.flags:
            outcome, reason = Outcome.NOT_MODIFIED, reason or "304: unchanged since the stored copy"
        elif outcome is None and STORED in response.flags:
            outcome, reason = Outcome.UNCHANGED, reason or "already stored; no validators, not requested again"
        if reason is None and response.meta.get("playwright"):
            reason = "rendered in the browser"
        filename = None
        if info["kind"] == "attachment":
            name = info.get("link_name") or ""
            filename = (
                filename_from_disposition(response.headers.get("Content-Disposition"))
                or (name if name.lower().endswith(FILE_SUFFIXES) else None)
                or filename_from_url(response.url)
            )
        return FetchRecord(
            **{key: info.get(key) for key in PROVENANCE if key != "family"},
            family=family or info.get("family"),
            kind=info["kind"],
            url=info["url"],
            final_url=response.url,
            method=response.request.method if response.request is not None else "GET",
            status=response.status,
            outcome=outcome,
            reason=reason,
            fetched_at=utcnow(),
            elapsed_ms=_latency_ms(response.meta),
            headers=headers_to_dict(response.headers),
            request_headers=headers_to_dict(response.request.headers) if response.request is not None else {},
            request_body=response.request.body if response.request is not None else b"",
            body=response.body,
            replayed=replayed,
            filename=filename,
            loaded=loaded,
        )

    def on_error(self, failure: Failure) -> Iterator[Any]:
        """Every failed request becomes a record with its reason; challenge pages may go to the browser.
        A sitemap that failed leaves its portal's start page to be asked all the same."""
        yield from self._failed(failure)
        info = failure.request.meta[META_KEY]
        if info["kind"] == "sitemap":
            yield request_from_dict(info["then"], spider=self)

    def _failed(self, failure: Failure) -> Iterator[Any]:
        request: Request = failure.request
        info = request.meta[META_KEY]
        if failure.check(HttpError):
            response: Response = failure.value.response
            if info["kind"] in ("listing", "api", "page"):
                guarded = list(self._guard(response))
                if guarded:
                    yield from guarded
                    return
            yield self._record(response, outcome=Outcome.FAILED, reason=f"HTTP {response.status}")
            return
        outcome, reason = Outcome.FAILED, f"{failure.type.__name__}: {failure.getErrorMessage()}"
        if failure.check(Refused):
            outcome, reason = Outcome.REFUSED, failure.value.reason
        elif failure.check(IgnoreRequest) and "robots.txt" in failure.getErrorMessage():
            outcome, reason = Outcome.ROBOTS_DENIED, "Forbidden by robots.txt"
        elif failure.check(DownloadCancelledError) and "max" in failure.getErrorMessage().lower():
            outcome = Outcome.TOO_LARGE
        elif failure.check(IgnoreRequest) and "DOWNLOAD_MAXSIZE" in failure.getErrorMessage():
            outcome = Outcome.TOO_LARGE  # a compressed body that grows past the size cap (a gzip bomb)
        elif failure.check(DownloadTimeoutError):
            reason = f"timeout: {failure.getErrorMessage()}"
        elif failure.check(ResponseDataLossError):
            reason = "data loss: the connection closed before the body was complete"
        yield FetchRecord(
            **{key: info.get(key) for key in PROVENANCE},
            kind=info["kind"],
            url=info["url"],
            method=request.method,
            outcome=outcome,
            reason=reason,
            fetched_at=utcnow(),
            elapsed_ms=_latency_ms(request.meta),
            request_headers=headers_to_dict(request.headers),
        )


def post_key(url: str, body: str | None) -> str:
    """What the store and the schedule know a list API's POST page by: its URL and form, as a fragment
    (never sent), since one endpoint answers every page (chinatax ``page=N``)."""
    return f"{url.split('#', 1)[0]}#{body or ''}"


def listing_key(response: Response) -> str:
    """The listing a link was found on, as the store keys it: the URL answered, or a POST page's key."""
    info = response.meta[META_KEY]
    return info["url"] if response.request is not None and response.request.method == "POST" else response.url


def rendered(response: Response) -> bool:
    """A page as the browser built it: rendered now, or its stored rendering replayed after a 304."""
    return bool(response.meta.get("playwright")) or RENDERED in response.flags


def _latency_ms(meta: dict[str, Any]) -> float | None:
    latency = meta.get("download_latency")
    return round(latency * 1000, 1) if latency is not None else None
