"""Report-level fields read from the prose: the organ, the year, the signature date, URLs, section 一's totals."""

from __future__ import annotations

import re
from collections import Counter

from extract.record import ActiveItem

_YEAR = r"((?:19|20)\d{2})"
_CN_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ISO_DATE = re.compile(r"((?:19|20)\d{2})[-./](\d{1,2})[-./](\d{1,2})")
_TITLE = re.compile(
    r"^(?:#+\s*)?(?P<organ>[^\d#]*?)\s*(?:关于)?\s*(?P<year>(?:19|20)\d{2})\s*年度?\s*(?P<organ2>[^\d]*?)\s*(?:政\s*[府务]\s*)?信\s*息\s*公\s*开"
)
_TITLE_YEAR_AFTER = re.compile(
    r"^(?:#+\s*)?(?P<organ>[^\d#（(]{2,40}?)\s*政\s*[府务]\s*信\s*息\s*公\s*开\s*(?:工\s*作\s*)?年\s*度\s*报\s*告"
    r"\s*[（(]\s*(?P<year>(?:19|20)\d{2})\s*年?度?\s*[)）]"
)
_FIELD_LABEL = re.compile(r"^\s*(?:名称|标题|题名|文件名称)\s*[：:]\s*")
_ORGAN_CHARS = r"[\u4e00-\u9fff（）()]"
_SELF_NAMED = re.compile(
    r"(?:现公布|公布|现将|编制|特编制|发布)\s*(?P<organ>" + _ORGAN_CHARS + r"{2,30}?)\s*(?:19|20)\d{2}\s*年度?\s*(?:政[府务])?信息公开"
)
_CONTACT = re.compile(r"(?:请与|请联系|联系单位[：:]?)\s*(?P<organ>" + _ORGAN_CHARS + r"{2,30}?)\s*(?:联系|[（(，,。；])")
_SUBJECT = re.compile(
    r"(?:^|[，,。；;：:\n]|(?:19|20)\d{2}\s*年度?[，,]?)\s*(?P<organ>[\u4e00-\u9fff]{2,24}?"
    r"(?:人民政府|办事处|委员会|管理局|政务服务办|办公室|局|署|厅|委|办|中心|政府|街道|镇|乡))"
    r"(?=认真|坚持|深入|进一步|严格|全面|积极|围绕|紧紧|高度|不断|始终|继续|结合|按照|依法|在)"
)
_SITE_SUFFIX = re.compile(r"(?:政府信息公开|信息公开|政务公开|门户网站|网站|官网|平台)+$")
_BOOK_TITLE = re.compile(r"《[^《》]{0,80}》")
_PRONOUN = re.compile(r"^(?:我|本|全)(?:局|办|委|单位|机关|镇|乡|街道|区|县|市|厅|署|院|中心|部门|办公室)?$")
_NAME = re.compile(_ORGAN_CHARS + r"{2,30}")
_NOT_NAME = re.compile(r"^(?:根据|关于|按照|依据|本报告|本年度|现将|为|对)|报告|条例|通知|要求|情况")
_BARE_PLACE = re.compile(r"(?:乡|镇|街道|苏木)$")
_PUBLISHER = re.compile(r"发布机构\s*[：:]\s*([\u4e00-\u9fff（）()]{2,40})")
_ORGAN_SUFFIX = re.compile(
    r"[\u4e00-\u9fff]{2,18}?(?:社区管理办公室|街道办事处|办事处|人民政府|管理委员会|委员会|管理局|局|厅|办公室|中心|社区|街道|镇|乡)"
    r"(?=[在围绕收到高度根据认真坚持严格结合全面紧]|[，。、的])"
)
_URL = re.compile(r"https?://[^\s<>\"'（）()“”，。；、]+", re.I)
_BARE_DOMAIN = re.compile(r"(?<![\w./-])(?:[a-z0-9-]+\.)+gov\.cn(?:/[^\s<>\"'（）()“”，。；、]*)?", re.I)
_ACTIVE_TOTAL = (
    re.compile(r"主动公开[^。；]{0,20}?(?:信息|文件)[^\d。；]{0,6}?(\d[\d,]*)\s*条"),
    re.compile(r"(?:发布|公开)(?:各类)?(?:政务|政府)?信息(?:共计|共|合计|累计)?\s*(\d[\d,]*)\s*条"),
)
_ITEM_COUNT = re.compile(r"(\d[\d,]*)条")
_ITEM_SEPARATORS = re.compile(r"[，,；;：:]")


def find_organ(head: list[str], text: str, closing_lines: list[str], meta: dict[str, str] | None = None) -> str | None:
    """The organ as the report names itself.

    In order: the title (also a title broken over two lines, the organ alone on the first), the report
    naming itself in its preamble (``现公布X2019年…年度报告``, ``编制X…``), the signature, ``发布机构``,
    the contact sentence (``请与X联系``), the subject of a sentence (``2022年，X认真贯彻…``), the page's
    ``SiteName``. ``我局``/``我办``/``我单位`` are resolved from the later sources. A fuller form of the
    name the text also prints (``揭阳市榕城区新兴街道办事处`` for ``榕城区新兴街道办事处``,
    ``X乡人民政府`` for ``X乡``) is preferred.
    """
    meta = meta or {}
    text = _BOOK_TITLE.sub(lambda m: " " * len(m.group(0)), text[:6000])  # a cited report is another report
    self_named = [_clean_organ(m.group("organ")) for m in _SELF_NAMED.finditer(text[:4000])]

    def named():  # in order of authority; the later sources are read only when the earlier are silent
        yield _title_organ(head)
        yield from self_named
        signature = signature_block(closing_lines)
        yield signature[0] if signature else None
        yield from (_clean_organ(m.group(1)) for m in _PUBLISHER.finditer(text[:3000]))
        yield from (_clean_organ(m.group("organ")) for m in _CONTACT.finditer(text))
        yield from (_clean_organ(m.group("organ")) for m in _SUBJECT.finditer(text))
        yield _clean_organ(_SITE_SUFFIX.sub("", meta.get("SiteName", "")))

    organ = next((name for name in named() if name and _plausible(name) and not _PRONOUN.match(name)), None)
    if organ is None:
        counts = Counter(_ORGAN_SUFFIX.findall(text))
        organ, count = counts.most_common(1)[0] if counts else (None, 0)
        return organ if count >= 2 else None
    return _fuller(organ, [n for n in self_named if n and _plausible(n)], text)


def _title_organ(head: list[str]) -> str | None:
    """The organ of the title line, or the short line above a title that starts with its year."""
    lines = [line.strip() for line in head[:12] if line.strip()]
    for index, line in enumerate(lines):
        match = _title_match(line)
        if not match:
            continue
        organ = _clean_organ(match.group("organ") or match.groupdict().get("organ2"))
        if organ and _plausible(organ):
            return organ
        if index and not organ and _plausible(_clean_organ(lines[index - 1]) or ""):
            return _clean_organ(lines[index - 1])
    return None


def _plausible(name: str) -> bool:
    """A name, not a sentence: 2–30 characters of Chinese (brackets allowed), no verb of the preamble."""
    return bool(_NAME.fullmatch(name)) and not _NOT_NAME.search(name)


def _fuller(organ: str, others: list[str], text: str) -> str:
    """The fullest form of ``organ`` the report prints: a longer self-naming that contains it, or the
    place's 人民政府 when ``organ`` is a bare place name and the text names that government alone."""
    longer = [name for name in others if organ in name and len(name) > len(organ) and not name.startswith(organ)]
    if longer:
        organ = max(longer, key=len)
    if _BARE_PLACE.search(organ) and re.search(re.escape(organ) + r"人民政府(?![\u4e00-\u9fff])", text):
        organ = f"{organ}人民政府"  # named on its own, not inside 某镇人民政府信息公开网站
    return organ


def signature_block(closing_lines: list[str]) -> tuple[str | None, str | None] | None:
    """``(organ, iso_date)`` from the last lines when they are a signature: a short name over a date."""
    lines = [line.strip() for line in closing_lines if line.strip()]
    if not lines:
        return None
    date = _date_line(lines[-1])
    if date is None:
        return None
    organ = None
    if len(lines) >= 2 and len(lines[-2]) <= 30 and not _date_line(lines[-2]) and "。" not in lines[-2]:
        organ = _clean_organ(lines[-2])
    return organ, date


def find_published_on(closing_lines: list[str]) -> str | None:
    block = signature_block(closing_lines)
    return block[1] if block else None


_YEAR_PATTERNS = tuple(
    re.compile(p)
    for p in (
        r"统计(?:期限|时限|期间|时间|区间)[^\d]{0,6}" + _YEAR + r"\s*年",
        _YEAR + r"\s*年\s*1\s*月\s*1\s*日(?:起)?\s*(?:至|到|-|—)",
        r"现将\s*(?:[^\d，。]{0,20}?)" + _YEAR + r"\s*年度?",
        r"截[至止]\s*" + _YEAR + r"\s*年\s*12\s*月\s*31",
        _YEAR + r"\s*年度?\s*政[府务]信息公开(?:工作)?(?:年度报告|年报|报告)",
    )
)


def find_year(head: list[str], text: str, published_on: str | None) -> int | None:
    """The year reported on (not the year published): the title, then the statistics period and the
    preamble's own words; a report cited in 《》 is another year's report."""
    for line in head[:12]:
        match = _title_match(line.strip())
        if match:
            return int(match.group("year"))
    text = _BOOK_TITLE.sub(" ", text)
    for pattern in _YEAR_PATTERNS:
        match = pattern.search(text)
        if match:
            return int(match.group(1))
    if published_on:
        return int(published_on[:4]) - 1
    years = Counter(int(y) for y in re.findall(_YEAR + r"\s*年", text[:5000]))
    return years.most_common(1)[0][0] if years else None


def find_urls(text: str) -> list[str]:
    """Portal addresses the report mentions, as printed, in order of first mention."""
    found: list[str] = []
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(".,;:>）)】]")
        if url not in found:
            found.append(url)
    rest = _URL.sub(" ", text)
    for match in _BARE_DOMAIN.finditer(rest):
        url = match.group(0).rstrip(".,;:>）)】]")
        if url not in found:
            found.append(url)
    return found


def find_active(sec1: str) -> tuple[int | None, list[ActiveItem]]:
    """``主动公开各类信息496条，其中政策文件公开13条…``: the total and its listed categories."""
    text = sec1.replace("\n", "")
    for pattern in _ACTIVE_TOTAL:
        match = pattern.search(text)
        if match:
            break
    else:
        return None, []
    total = int(match.group(1).replace(",", ""))
    rest = text[match.end() :]
    sentence_end = rest.find("。")
    sentence = rest if sentence_end < 0 else rest[:sentence_end]
    if "其中" not in sentence and sentence_end >= 0:
        following = rest[sentence_end + 1 :].lstrip()
        if following.startswith("其中"):
            end = following.find("。")
            sentence = following if end < 0 else following[:end]
    if "其中" not in sentence:
        return total, []
    sentence = re.sub(r"\s+", "", sentence[sentence.index("其中") + 2 :])
    items: list[ActiveItem] = []
    start = 0
    for count in _ITEM_COUNT.finditer(sentence):
        category = sentence[start : count.start()].lstrip("，,；;：:、")
        start = count.end()
        if category and not _ITEM_SEPARATORS.search(category):
            items.append(ActiveItem(category, int(count.group(1).replace(",", ""))))
    return total, items


def _title_match(line: str) -> re.Match[str] | None:
    """A report title: ``X2024年政府信息公开工作年度报告`` or ``X政府信息公开工作年度报告（2024年）``."""
    line = _FIELD_LABEL.sub("", line.strip())
    compact = re.sub(r"\s+", "", line)
    if len(compact) > 60 or "信息公开" not in compact or "报" not in compact or "。" in compact:
        return None
    return _TITLE.match(line) or _TITLE_YEAR_AFTER.match(line)


def _date_line(line: str) -> str | None:
    compact = line.strip()
    for pattern in (_CN_DATE, _ISO_DATE):
        match = pattern.fullmatch(compact) or pattern.fullmatch(re.sub(r"\s+", "", compact))
        if match:
            year, month, day = (int(g) for g in match.groups())
            if 1 <= month <= 12 and 1 <= day <= 31:
                return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def _clean_organ(value: str | None) -> str | None:
    if not value:
        return None
    organ = re.sub(r"\s+", "", value).strip("#*：:，,。 ")
    organ = re.sub(r"^(?:关于|附件\d*[:：]?)", "", organ)
    if organ.endswith("人民"):
        organ += "政府"  # 某某县人民政府信息公开…: the organ's 政府 doubles as the report's
    return organ or None
