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
_PUBLISHER = re.compile(r"发布机构\s*[：:]\s*([\u4e00-\u9fff（）()]{2,40})")
_COMPILED = re.compile(r"编制(?P<organ>[\u4e00-\u9fff（）()]{2,40}?)\s*" + _YEAR + r"\s*年度?政[府务]信息公开")
_ORGAN_SUFFIX = re.compile(
    r"[\u4e00-\u9fff]{2,18}?(?:社区管理办公室|街道办事处|办事处|人民政府|管理委员会|委员会|管理局|局|厅|办公室|中心|社区|街道|镇|乡)"
    r"(?=[在围绕收到高度根据认真坚持严格结合全面紧]|[，。、的])"
)
_URL = re.compile(r"https?://[^\s<>\"'（）()“”，。；、]+", re.I)
_BARE_DOMAIN = re.compile(r"(?<![\w./-])(?:[a-z0-9-]+\.)+gov\.cn(?:/[^\s<>\"'（）()“”，。；、]*)?", re.I)
_ACTIVE_TOTAL = (
    re.compile(r"主动公开[^。；]{0,20}?(?:信息|文件)[^\d。；]{0,6}?(\d[\d,]*)\s*条"),
    re.compile(r"(?:发布|公开)(?:各类)?(?:政务|政府)?信息(?:共)?\s*(\d[\d,]*)\s*条"),
)
_ITEM_COUNT = re.compile(r"(\d[\d,]*)条")
_ITEM_SEPARATORS = re.compile(r"[，,；;：:]")


def find_organ(title_lines: list[str], text: str, closing_lines: list[str]) -> str | None:
    """The organ as it names itself: in the title, in ``编制…年度报告``, over the signature, or most named."""
    for line in title_lines:
        match = _title_match(line)
        if match:
            organ = _clean_organ(match.group("organ") or match.groupdict().get("organ2"))
            if organ:
                return organ
    match = _COMPILED.search(text)
    if match:
        return _clean_organ(match.group("organ"))
    signature = signature_block(closing_lines)
    if signature and signature[0]:
        return signature[0]
    match = _PUBLISHER.search(text[:3000])
    if match:
        return _clean_organ(match.group(1))
    counts = Counter(_ORGAN_SUFFIX.findall(text[:6000]))
    if counts:
        organ, count = counts.most_common(1)[0]
        if count >= 2:
            return organ
    return None


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


def find_year(title_lines: list[str], text: str, published_on: str | None) -> int | None:
    """The year reported on (not the year published)."""
    for line in title_lines:
        match = _title_match(line)
        if match:
            return int(match.group("year"))
    for pattern in (
        _YEAR + r"\s*年度?\s*政[府务]信息公开(?:工作)?(?:年度报告|年报)",
        r"统计期限为\s*" + _YEAR + r"\s*年",
        r"现将\s*" + _YEAR + r"\s*年度?",
        r"截至\s*" + _YEAR + r"\s*年\s*12\s*月\s*31",
        _YEAR + r"\s*年\s*1\s*月\s*1\s*日\s*至",
    ):
        match = re.search(pattern, text)
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
