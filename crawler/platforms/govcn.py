"""The State Council's gov.cn columns (PORTALS.md §6): ``home.htm`` and ``home_N.htm`` pages counted by a
``createPageHTML('page-box', count, index, 'home', 'htm', total)`` call, rows linking
``/zhengce/…/content_N.htm`` pages whose body is ``#UCAP-CONTENT``. The listing is read as any static
column is; a column's folder address answers 403 on gov.cn, so only the addresses the pages print are
followed."""

from __future__ import annotations

import re
from typing import ClassVar

from scrapy.http import TextResponse

from crawler.platforms.generic import Generic

_MARKERS = re.compile(r"""UCAP-CONTENT|<meta\s+name=["']lanmu["']|createPageHTML\([^)]*['"]home['"]\s*,\s*['"]htm['"]""")


class Govcn(Generic):
    name: ClassVar[str] = "govcn"

    @classmethod
    def detect(cls, response: TextResponse) -> bool:
        return bool(_MARKERS.search(response.text[:100000]))
