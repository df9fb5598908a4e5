"""Platform adapters, one per CMS family, and detection of a page's family from the page itself."""

from __future__ import annotations

from scrapy.http import Response, TextResponse

from crawler.platforms.anhui_column import AnhuiColumn
from crawler.platforms.anhui_openness import AnhuiOpenness
from crawler.platforms.base import Platform
from crawler.platforms.chinatax import Chinatax
from crawler.platforms.generic import Generic, JsOnly
from crawler.platforms.gkmlpt import Gkmlpt
from crawler.platforms.govcn import Govcn
from crawler.platforms.hanweb import Hanweb
from crawler.platforms.hanweb_jpaas import HanwebJpaas
from crawler.platforms.hanweb_xxgk import HanwebXxgk
from crawler.platforms.trs import Trs

PLATFORMS: dict[str, Platform] = {cls.name: cls() for cls in (
    Trs, Hanweb, HanwebJpaas, HanwebXxgk, Gkmlpt, AnhuiOpenness, AnhuiColumn, Chinatax, Govcn, JsOnly, Generic,
)}

# Most specific markers first: a gkmlpt or openness page may also carry TRS-looking links, JPaaS and
# xxgk pages carry Hanweb's /art/ links, and gov.cn pages TRS's pager.
DETECTION_ORDER: tuple[type[Platform], ...] = (
    Gkmlpt, AnhuiOpenness, AnhuiColumn, HanwebXxgk, HanwebJpaas, Chinatax, Hanweb, Govcn, Trs,
)


def detect_family(response: Response) -> str:
    """The family a page belongs to, from its meta tags, script markers and URL shapes; else generic."""
    if isinstance(response, TextResponse):
        for cls in DETECTION_ORDER:
            if cls.detect(response):
                return cls.name
    return Generic.name


def platform_for(family: str | None) -> Platform:
    return PLATFORMS.get(family or "generic", PLATFORMS["generic"])
