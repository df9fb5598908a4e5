"""TRS WCM (PORTALS.md §1): static ``index.html``/``index_N.html`` pages counted by ``createPageHTML``,
``./YYYYMM/tYYYYMMDD_ID.html`` details. Its listings are read as the generic adapter reads any static
column (report titles, the pager script, the tree's own columns); what is TRS's own is how it is known."""

from __future__ import annotations

import re
from typing import ClassVar

from scrapy.http import TextResponse

from crawler.platforms.generic import Generic

_DETAIL_RE = re.compile(r"""href=["'][^"']*/t\d{8}_\d+\.s?html?""")


class Trs(Generic):
    name: ClassVar[str] = "trs"

    @classmethod
    def detect(cls, response: TextResponse) -> bool:
        text = response.text
        return "createPageHTML" in text or bool(_DETAIL_RE.search(text)) or "TRS_Editor" in text
