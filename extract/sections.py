"""Finding the six sections of a report by their headings, whatever numbering style they carry.

Headings come as ``一、总体情况``, ``## 二、主动公开政府信息情况``, ``（三）…``, or lose their numbers
altogether; a heading is a short line carrying the words only that section's title has. Row labels
such as ``四、结转下年度继续办理`` or ``三、本年度办理结果`` are not headings.
"""

from __future__ import annotations

import re
from functools import lru_cache

from extract.values import normalize

SECTIONS = ("sec1", "sec2", "sec3", "sec4", "sec5", "sec6")
MAX_HEADING_LENGTH = 32
_MARKDOWN = re.compile(r"^#+")


@lru_cache(maxsize=8192)
def heading_section(text: str) -> str | None:
    """The section a line opens, or None when it is not a section heading."""
    if len(text) > 4 * MAX_HEADING_LENGTH:
        return None
    compact = _MARKDOWN.sub("", normalize(text))
    if not compact or len(compact) > MAX_HEADING_LENGTH or re.search(r"\d{2,}", compact):
        return None
    if "总体情况" in compact and "公开" not in compact.replace("政府信息公开", ""):
        return "sec1"
    if "主动公开政府信息情况" in compact or compact.endswith("主动公开政府信息"):
        return "sec2"
    if "收到和处理" in compact and "申请" in compact:
        return "sec3"
    if "复议" in compact and "行政诉讼" in compact:  # 行政法复议 and other slips still open section 四
        return "sec4"
    if "存在的主要问题" in compact or ("主要问题" in compact and "改进" in compact):
        return "sec5"
    if "其他需要报告" in compact:
        return "sec6"
    return None
