"""One module per CMS family: its URL space and its markup. ``FAMILIES`` maps registry names to them."""

from __future__ import annotations

from farm.families.anhui_column import AnhuiColumn
from farm.families.anhui_openness import AnhuiOpenness
from farm.families.base import Family
from farm.families.chinatax import Chinatax
from farm.families.gkmlpt import Gkmlpt
from farm.families.govcn import Govcn
from farm.families.hanweb import Hanweb
from farm.families.hanweb_jpaas import HanwebJpaas
from farm.families.hanweb_xxgk import HanwebXxgk
from farm.families.js_only import JsOnly
from farm.families.snowflake import Snowflake
from farm.families.trs import Trs
from farm.families.vsb import Vsb

FAMILIES: dict[str, Family] = {f.name: f for f in (
    Trs(), Hanweb(), HanwebJpaas(), HanwebXxgk(), Gkmlpt(), AnhuiOpenness(), AnhuiColumn(), Chinatax(), Govcn(),
    JsOnly(), Vsb(), Snowflake(),
)}
