"""What every platform adapter shares: the data its pure hooks return, and the page tests they all use.

An adapter never fetches. ``parse_listing`` turns a listing response into report links plus the next
listing requests; ``parse_detail`` turns a report page into its attachments. The spider does the
fetching, so adapters can be tested on saved HTML alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar
from urllib.parse import unquote, urlsplit

from parsel import Selector
from scrapy.http import Response, TextResponse

# -- the data adapters return -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportLink:
    """A report found on a listing: a report page, or a file linked straight from the listing."""

    url: str
    title: str
    date: str | None = None
    # Attachments already known from the listing (gkmlpt's JSON carries them); fetched by plain HTTP.
    attachments: tuple["AttachmentLink", ...] = ()

    @property
    def is_file(self) -> bool:
        return looks_like_file(self.url)


@dataclass(frozen=True)
class AttachmentLink:
    url: str
    name: str | None = None


@dataclass(frozen=True)
class PageRequest:
    """A further listing page (``listing``) or list API call (``api``) the spider should make."""

    url: str
    kind: str = "listing"
    method: str = "GET"
    body: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    browser: bool = False


@dataclass
class Listing:
    reports: list[ReportLink] = field(default_factory=list)
    next: list[PageRequest] = field(default_factory=list)
    # The page carries a pager: a list its static HTML shows, so holding no report (a last page of
    # other articles) is its answer, not a sign of a list only a browser would build.
    paged: bool = False


@dataclass
class Detail:
    title: str | None = None
    date: str | None = None
    attachments: list[AttachmentLink] = field(default_factory=list)


# -- what an annual report looks like --------------------------------------------------------------------

_YEAR = r"(?:19|20)\d{2}|[〇零一二][〇零一二三四五六七八九]{3}"
# The 2008 regulations' reports were often titled 「…2011年度信息公开工作报告」: no 年度报告 in one word.
_REPORT_RE = re.compile(
    r"信息公开.{0,12}?(?:年度报告|年报)|(?:公开|信息)年报|政务公开.{0,8}?年度报告|年度.{0,20}?信息公开(?:工作)?报告"
)
_YEAR_RE = re.compile(_YEAR)
# Titles that mention the report but are something else: plans, guides, notices about reports.
_NOT_REPORT_RE = re.compile(r"工作要点|指南|目录|报表|通知|解读|征集|意见|计划|方案|统计表")


def is_annual_report_title(title: str | None) -> bool:
    """True for titles like 「XX局2023年政府信息公开工作年度报告」 and 「2022年信息公开年报」."""
    if not title:
        return False
    text = re.sub(r"\s+", "", title)
    return bool(_REPORT_RE.search(text) and _YEAR_RE.search(text) and not _NOT_REPORT_RE.search(text))


# A node of the year → unit type → report tree is named by a year, a unit type, the column's own name,
# or a mix ("2023年", "乡镇（街道）", "2023年部门年报", "政府信息公开年报"). Matched on the whole name, so an
# article that merely mentions a year ("2023年政务公开工作要点") is not taken for a column.
_TREE_NODE_RE = re.compile(
    r"(?:(?:19|20)\d{2}年?度?)?"
    r"(?:本级|区?县?市?政府|政府部门|部门|区直|市直|县直|单位|乡镇街道|乡镇|街道|社区|镇|乡|村)*"
    r"(?:政府|政务)?(?:信息)?(?:公开)?(?:工作)?(?:年报|年度报告|报告)?"
)


def is_tree_node(name: str | None) -> bool:
    """True for the names of year and unit-type columns of an annual-report tree."""
    text = re.sub(r"[\s（）()、·]+", "", name or "")
    return bool(text) and bool(_TREE_NODE_RE.fullmatch(text))


FILE_SUFFIXES = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".ofd", ".zip", ".rar", ".txt", ".odt")
_DOWNLOAD_RE = re.compile(r"downfile\.jsp|/download\b|[?&]file(?:name|Url)=|/attachment/|/attach/", re.I)


def looks_like_file(url: str) -> bool:
    """A download rather than a page: by suffix (``P0…pdf``) or by a download endpoint's shape."""
    parts = urlsplit(url)
    return parts.path.lower().endswith(FILE_SUFFIXES) or bool(_DOWNLOAD_RE.search(parts.path + "?" + parts.query))


# -- reading pages ---------------------------------------------------------------------------------------


def clean(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def meta(response: Response, name: str) -> str | None:
    if not isinstance(response, TextResponse):
        return None
    value = response.xpath(f"//meta[@name={name!r} or @name={name.lower()!r}]/@content").get()
    return clean(value) or None


_DATE_RE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def find_date(text: str | None) -> str | None:
    """The first date in ``text`` as ``YYYY-MM-DD``; listings write 2024/01/15, 2024-1-5 or 2024年1月5日."""
    match = _DATE_RE.search(text or "")
    if not match:
        return None
    year, month, day = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def anchor_title(anchor: Selector) -> str:
    """An anchor's full title: the ``title`` attribute when present (listings truncate the text)."""
    return clean(anchor.attrib.get("title")) or clean(" ".join(anchor.css("::text").getall()))


def report_links(response: TextResponse, anchors: list[Selector]) -> list[ReportLink]:
    """Annual reports among ``anchors``, each with the date written beside it in its row."""
    found: dict[str, ReportLink] = {}
    for anchor in anchors:
        href = anchor.attrib.get("href", "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        title = anchor_title(anchor)
        if not is_annual_report_title(title):
            continue
        url = response.urljoin(href)
        row_text = " ".join(anchor.xpath("./ancestor-or-self::*[self::li or self::tr][1]//text()").getall())
        date = find_date(row_text) or find_date(" ".join(anchor.xpath("following-sibling::*[1]//text()").getall()))
        found.setdefault(url, ReportLink(url=url, title=title, date=date))
    return list(found.values())


def attachment_links(response: TextResponse) -> list[AttachmentLink]:
    """File links on a report page: its attachments, wherever the template puts them (in the body,
    in a 附件 block below it)."""
    found: dict[str, AttachmentLink] = {}
    for anchor in response.css("a[href]"):
        href = anchor.attrib["href"].strip()
        if href.startswith(("javascript:", "#", "mailto:")):
            continue
        url = response.urljoin(href)
        if looks_like_file(url):
            found.setdefault(url, AttachmentLink(url=url, name=anchor_title(anchor) or None))
    return list(found.values())


def pager_links(response: TextResponse) -> list[str]:
    """下一页 links; 尾页 alone is not followed, pages in between come through 下一页 one by one."""
    urls = []
    for anchor in response.xpath("//a[contains(normalize-space(.), '下一页') or contains(@title, '下一页')]"):
        href = anchor.attrib.get("href", "").strip()
        if href and not href.startswith(("javascript:", "#")):
            urls.append(response.urljoin(href))
    return urls


def has_pager(response: TextResponse) -> bool:
    """A pager on the page: a ``createPageHTML`` call or 上一页/下一页/尾页 links (首页 is also a menu's
    "home page", so it says nothing)."""
    if _PAGER_RE.search(response.text):
        return True
    labels = " or ".join(f"contains(normalize-space(.), '{label}')" for label in ("上一页", "下一页", "尾页"))
    return any(not a.attrib.get("href", "").strip().startswith(("javascript:", "#"))
               for a in response.xpath(f"//a[@href][{labels}]"))


# createPageHTML(countPage, currentIndex, "index", "html") and the variant with the pager element's id
# first: createPageHTML('page_div', countPage, currentIndex, 'xxx_list', 'shtml', total) (PORTALS.md §1).
_PAGER_RE = re.compile(
    r"createPageHTML\(\s*(?:['\"][\w-]+['\"]\s*,\s*)?(\d+)\s*,\s*(\d+)\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
_COUNT_RE = re.compile(r"var\s+countPage\s*=\s*(\d+)")


def script_pages(text: str, base_url: str) -> list[str]:
    """Every further page of a listing, read off its ``createPageHTML`` call on the first page only.

    Sites count from 0 (TRS: page 2 is ``name_1``; the first page says current 0) or from 1 (page 2 is
    ``name_2``; the first page says current 1). A page whose own name is ``name_N`` is a later page
    and pages no further, so each page is asked for once."""
    match = _PAGER_RE.search(text)
    if not match:
        return []
    count, current, name, ext = int(match.group(1)), int(match.group(2)), match.group(3), match.group(4)
    declared = _COUNT_RE.search(text)
    if declared:
        count = max(count, int(declared.group(1)))
    folder, _, leaf = base_url.split("?", 1)[0].rpartition("/")
    later = re.fullmatch(rf"{re.escape(name)}_(\d+)\.{re.escape(ext)}", leaf)
    if current > 1 or (later and int(later.group(1)) >= 1):
        return []
    return [f"{folder}/{name}_{n}.{ext}" for n in range(current + 1, count + current)]


def requested_url(response: Response) -> str:
    """The URL as the spider asked for it: the downloader drops ``#fragment`` (gkmlpt needs it) and a
    redirect changes ``response.url``."""
    info = response.meta.get("nianbao") if response.request is not None else None
    return (info or {}).get("url") or response.url


def generic_detail(response: Response) -> Detail:
    """Title and date from the national meta tags (§0), falling back to the first heading."""
    if not isinstance(response, TextResponse):
        return Detail()
    title = meta(response, "ArticleTitle") or clean(response.css("h1 ::text, h2 ::text").get()) or None
    date = find_date(meta(response, "PubDate") or "") or find_date(" ".join(response.css("body ::text").getall()[:200]))
    return Detail(title=title, date=date, attachments=attachment_links(response))


# -- the platform base ---------------------------------------------------------------------------------------


class Platform:
    """One CMS family. Subclasses override the hooks; ``detect`` says whether a page is theirs."""

    name: ClassVar[str] = "base"
    # A family whose lists exist only after JavaScript runs: its listing pages go through the browser.
    needs_browser: ClassVar[bool] = False

    @classmethod
    def detect(cls, response: TextResponse) -> bool:
        return False

    def parse_listing(self, response: Response) -> Listing:
        raise NotImplementedError

    def parse_detail(self, response: Response) -> Detail:
        return generic_detail(response)


def filename_from_url(url: str) -> str | None:
    """The last path segment, or a ``fileName=`` query value, percent-decoded."""
    parts = urlsplit(url)
    for pair in parts.query.split("&"):
        key, _, value = pair.partition("=")
        if key.lower() in ("filename", "file_name", "name") and value:
            return unquote(value).rsplit("/", 1)[-1]
    segment = unquote(parts.path.rsplit("/", 1)[-1])
    return segment or None
