"""Deterministic generator of annual-report records whose correct reading is known in advance.

Every test report the farm prints starts here, as a ``ReportSpec``: the organ, the year, the template,
every cell of TEMPLATE.md and the prose of sections 一, 五 and 六. A spec is valid (every 勾稽 rule of
``extract.checks.record_checks`` passes or cannot be checked) unless ``errors`` names rules that were
broken on purpose; then exactly those fail, so a test can demand that the parser's checks find exactly
them. The same seed always gives the same spec, so a failing case can be reproduced from its seed alone.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from extract.checks import record_checks
from extract.record import ActiveItem
from extract.templates import (
    SEC3_APPLICANT_COLUMNS,
    SEC4_COLUMNS,
    SEC4_GROUPS,
    cell_ids,
    get,
)

Value = int | float | None

# The hand-read records of the five sample reports, shipped beside their texts (package data).
GOLDEN_DIR = Path(__file__).resolve().parents[1] / "nianbao" / "samples"

LEVELS = ("community", "street", "township", "county", "district", "county_dept", "city_dept")


@dataclass
class ReportSpec:
    """One report as the farm means it: what a perfect parser must read back from any rendering."""

    organ: str
    year: int
    template: str  # "2021" or "2019"
    published_on: str | None  # ISO date under the signature
    active_total: int | None
    active_items: list[tuple[str, int]]
    urls: list[str]
    cells: dict[str, int | float | None]  # every cell id of extract.templates.cell_ids(template)
    texts: dict[str, str]  # "sec1" (prose incl. the 主动公开…其中… sentence), "sec5", "sec6"
    errors: list[str] = field(default_factory=list)  # rule names deliberately broken
    level: str = "community"
    seed: int | None = None

    def expected_failures(self) -> list[str]:
        """The rule names ``record_checks`` fails on this spec: equal to ``errors`` for farm specs."""
        return failed_rules(self.cells, self.template, self.active_total, self.active_items)


def failed_rules(
    cells: dict[str, Value], template: str, active_total: int | None, items: Iterable[tuple[str, int]]
) -> list[str]:
    """Names of the single-report rules that fail (ok=False), sorted."""
    active = [ActiveItem(category, count) for category, count in items]
    return sorted(c.rule for c in record_checks(cells, template, active_total, active) if c.ok is False)


# Names ------------------------------------------------------------------------------------------------

_CITIES = ("铜陵", "安庆", "池州", "宣城", "平顶山", "南阳", "赣州", "遵义", "咸阳", "济宁", "广州", "武汉")
_DISTRICTS = ("铜官", "义安", "狮子山", "海珠", "硚口", "鼓楼", "城关", "东湖", "新华", "西湖", "金水")
_COUNTIES = ("枞阳", "鲁山", "兴仁", "富县", "会昌", "嘉祥", "宿松", "临泉", "叶县", "潜山", "寿县")
_TOWNS = ("金社", "太平", "石桥", "新集", "白云", "马店", "横埠", "钱桥", "瓦埠", "张集", "梁园")
_STREETS = ("琴台", "人民", "东风", "解放", "新华", "北关", "南湖", "滨江", "长江路", "幸福")
_COMMUNITIES = ("鹤山", "人民", "常青花园", "幸福里", "光明", "和平", "阳光", "五松", "西湖", "翠湖", "丰收")
_DEPARTMENTS = (
    "人力资源和社会保障局",
    "生态环境局",
    "自然资源和规划局",
    "市场监督管理局",
    "教育局",
    "卫生健康委员会",
    "民政局",
    "财政局",
    "住房和城乡建设局",
    "农业农村局",
    "交通运输局",
    "应急管理局",
    "医疗保障局",
    "退役军人事务局",
)
_DOMAINS = ("tlsgq", "zongyang", "lushan", "xingren", "fuxian", "huichang", "jiaxiang", "susong", "yexian")

_CATEGORIES = (
    "政策文件",
    "人事信息",
    "应急管理类",
    "财政资金",
    "社会救助类",
    "工作动态",
    "通知公告",
    "规划计划",
    "财政预决算",
    "民生类信息",
    "回应关切信息",
    "机构设置",
    "重点工作落实",
    "为民服务类",
)


def organ_name(rng: random.Random, level: str) -> str:
    """An organ name shaped like real ones at ``level`` (XX县XX镇人民政府, XX市XX区XX街道办事处…)."""
    city, district = rng.choice(_CITIES), rng.choice(_DISTRICTS)
    county = rng.choice(_COUNTIES).removesuffix("县")  # 叶县, 富县: the 县 belongs to the name
    if level == "community":
        name = rng.choice(_COMMUNITIES)
        return rng.choice(
            (
                f"{name}社区",
                f"{district}区{name}社区",
                f"{name}社区居民委员会",
                f"{city}市{district}区{rng.choice(_STREETS)}街道{name}社区",
            )
        )
    if level == "street":
        return rng.choice((f"{city}市{district}区{rng.choice(_STREETS)}街道办事处", f"{county}县{rng.choice(_STREETS)}街道办事处"))
    if level == "township":
        town = rng.choice(_TOWNS)
        return rng.choice((f"{county}县{town}镇人民政府", f"{town}镇", f"{county}县{town}乡人民政府", f"{town}镇人民政府"))
    if level == "county":
        return f"{county}县人民政府"
    if level == "district":
        return f"{city}市{district}区人民政府"
    if level == "county_dept":
        return f"{county}县{rng.choice(_DEPARTMENTS)}"
    if level == "city_dept":
        return f"{city}市{rng.choice(_DEPARTMENTS)}"
    raise ValueError(f"unknown level {level!r}: expected one of {', '.join(LEVELS)}")


# Numbers ----------------------------------------------------------------------------------------------

_BUSY = {"community": 0.0, "street": 0.3, "township": 0.3, "county": 1.0, "district": 1.0, "county_dept": 0.8, "city_dept": 1.0}


def _small(rng: random.Random, busy: float, high: int) -> int:
    """Mostly zero for quiet organs, up to ``high`` for busy ones."""
    if rng.random() > max(busy, 0.08):
        return 0
    return rng.randint(0, max(1, int(high * max(busy, 0.05))))


def _money(rng: random.Random, busy: float, high: float) -> int | float:
    """Money in 万元: 0 for most small organs, else printed with two decimals (read back as a float)."""
    if rng.random() > busy:
        return 0
    return round(rng.uniform(0.5, high), 2)


def _sec2(rng: random.Random, template: str, busy: float) -> dict[str, Value]:
    cells: dict[str, Value] = {}
    if template == "2021":
        for row, high in (("regulations", 3), ("normative_documents", 12)):
            issued = _small(rng, busy * (0.2 if row == "regulations" else 1), high)
            in_force = issued + _small(rng, busy * (0.2 if row == "regulations" else 1), high * 5)
            cells[f"sec2.{row}.issued"] = issued
            cells[f"sec2.{row}.repealed"] = min(_small(rng, busy, high // 2 + 1), in_force)
            cells[f"sec2.{row}.in_force"] = in_force
        cells["sec2.licensing.decisions"] = _small(rng, busy, 3000)
        cells["sec2.penalty.decisions"] = _small(rng, busy, 400)
        cells["sec2.coercion.decisions"] = _small(rng, busy, 40)
        cells["sec2.fees.amount_10k_yuan"] = _money(rng, busy * 0.5, 900.0)
        return cells
    for row, high in (("regulations", 3), ("normative_documents", 12)):
        made = _small(rng, busy * (0.2 if row == "regulations" else 1), high)
        cells[f"sec2.{row}.made"] = made
        cells[f"sec2.{row}.published"] = made
        cells[f"sec2.{row}.total_public"] = made + _small(rng, busy, high * 5)
    for row, high in (("licensing", 3000), ("other_services", 500), ("penalty", 400), ("coercion", 40)):
        cells[f"sec2.{row}.prev_year_items"] = _small(rng, busy, 80)
        cells[f"sec2.{row}.change"] = rng.choice((0, 0, 0, 1, 2, -1, -3)) if busy else 0
        cells[f"sec2.{row}.decisions"] = _small(rng, busy, high)
    cells["sec2.fees.prev_year_items"] = _small(rng, busy, 20)
    cells["sec2.fees.change"] = rng.choice((0, 0, 1, -1)) if busy else 0
    cells["sec2.procurement.items"] = _small(rng, busy, 30)
    cells["sec2.procurement.amount"] = _money(rng, busy * 0.6, 2500.0) if cells["sec2.procurement.items"] else 0
    return cells


_APPLICANT_SCALE = {
    "natural_person": 300,
    "commercial": 30,
    "research": 3,
    "social_welfare": 3,
    "legal_service": 10,
    "other_org": 5,
}
# Outcome rows that carry most real requests, and how much more often than the others.
_OUTCOME_WEIGHTS = {
    "granted": 12,
    "partially_granted": 3,
    "unavailable_not_held": 5,
    "not_processed_petition": 2,
    "other_misc": 2,
    "other_handling": 3,
    "not_processed_duplicate": 1,
    "unavailable_needs_creation": 1,
    "denied_third_party": 1,
    "denied_process_info": 1,
}


def _sec3(rng: random.Random, template: str, busy: float) -> dict[str, Value]:
    rows = [row.key for row in get(template).sec3]
    outcomes = [r for r in rows if r not in ("new_received", "carried_over", "total_processed", "carried_forward")]
    weights = [_OUTCOME_WEIGHTS.get(r, 0.15) for r in outcomes]
    grid: dict[tuple[str, str], int] = {}
    quiet = busy == 0.0
    for col in SEC3_APPLICANT_COLUMNS:
        if quiet:
            new = 1 if (col == "natural_person" and rng.random() < 0.2) else 0
        else:
            new = _small(rng, busy, _APPLICANT_SCALE[col])
        carried_over = rng.randint(0, new // 8) if new else 0
        carried_forward = rng.randint(0, (new + carried_over) // 8)
        processed = new + carried_over - carried_forward
        counts = dict.fromkeys(outcomes, 0)
        for row in rng.choices(outcomes, weights=weights, k=processed):
            counts[row] += 1
        grid.update({(r, col): n for r, n in counts.items()})
        grid[("new_received", col)] = new
        grid[("carried_over", col)] = carried_over
        grid[("total_processed", col)] = processed
        grid[("carried_forward", col)] = carried_forward
    cells: dict[str, Value] = {}
    for row in rows:
        for col in SEC3_APPLICANT_COLUMNS:
            cells[f"sec3.{row}.{col}"] = grid[(row, col)]
        cells[f"sec3.{row}.total"] = sum(grid[(row, col)] for col in SEC3_APPLICANT_COLUMNS)
    return cells


def _sec4(rng: random.Random, busy: float) -> dict[str, Value]:
    cells: dict[str, Value] = {}
    for group in SEC4_GROUPS:
        parts = [_small(rng, busy * 0.5, 6) for _ in SEC4_COLUMNS[:-1]]
        for col, n in zip(SEC4_COLUMNS[:-1], parts):
            cells[f"sec4.{group}.{col}"] = n
        cells[f"sec4.{group}.total"] = sum(parts)
    return cells


# Prose ------------------------------------------------------------------------------------------------


def _active_items(rng: random.Random, busy: float) -> tuple[int | None, list[tuple[str, int]]]:
    style = rng.random()
    if style < 0.1:
        return None, []
    scale = 40 + int(400 * busy)
    n = rng.randint(2, 7)
    cats = rng.sample(_CATEGORIES, n)
    if rng.random() < 0.4:
        cats = [f"{c}公开" if not c.endswith("类") else c for c in cats]
    if "其他信息" not in cats and rng.random() < 0.5:
        cats[-1] = "其他信息"
    items = [(c, rng.randint(0, scale)) for c in cats]
    total = sum(count for _, count in items)
    if style < 0.25:
        return total, []
    return total, items


def active_sentence(
    organ: str, year: int, total: int | None, items: Sequence[tuple[str, int]], variant: int
) -> str:
    """The 主动公开 sentence of section 一 in one of the phrasings real reports use."""
    if total is None:
        return f"{year}年，{organ}坚持以公开为常态、不公开为例外，及时发布各类政务信息。"
    sp = " " if (variant // 4) % 2 else ""
    if not items:
        return f"{year}年，通过政府网站、公告栏等多渠道，发布各类政务信息{sp}{total}{sp}条，涵盖政策法规、民生保障、财政资金等重点领域。"
    phrasing = variant % 4
    if phrasing == 0:
        listed = "，".join(f"{c}{sp}{n}{sp}条" for c, n in items)
        return f"{year}年，{organ}全年主动公开各类信息{sp}{total}{sp}条，其中{listed}。"
    if phrasing == 1:
        listed = "；".join(f"{c}{sp}{n}{sp}条" for c, n in items)
        return f"{year}年度，我单位通过门户网站主动公开信息{sp}{total}{sp}条：其中，{listed}。"
    if phrasing == 2:
        listed = "，".join(f"{c}{sp}{n}{sp}条" for c, n in items)
        return f"截至{year}年12月31日，{organ}在政府信息公开平台共主动公开政府信息{sp}{total}{sp}条，其中{listed}。"
    listed = "、".join(f"{c}{sp}{n}{sp}条" for c, n in items)
    return f"{year}年共主动公开政府信息{sp}{total}{sp}条。其中：{listed}。"


_FILLER = (
    "坚持以公开为常态、不公开为例外，围绕中心工作，把政府信息公开工作作为一项重要任务狠抓落实。",
    "严格落实信息发布审核制度，严把政治关、法律关、政策关、保密关、文字关，确保信息准确、合法合规。",
    "通过政府网站、政务新媒体、公告栏等多种渠道发布信息，方便群众及时了解政策和办事流程。",
    "围绕群众关心关注的社会救助、养老服务、惠民惠农资金发放等重点领域，及时准确公开相关信息。",
    "加强政策解读，采用图文解读、问答等形式，提高政策解读的针对性和可读性。",
    "健全政府信息公开工作机制，明确分管领导和专职人员，做到专事有专人、专人有专责。",
    "定期开展自查自纠，对发现的问题第一时间整改到位，保证信息公开工作规范运行。",
    "积极参加上级组织的政务公开业务培训，不断提升工作人员业务能力和水平。",
    "设立政务公开专区，提供政府信息查询、信息公开申请、办事咨询答复等一站式服务。",
    "主动接受社会监督，畅通意见建议渠道，认真听取群众对政务公开工作的意见和建议。",
)


def _side_channel(rng: random.Random | None, total: int | None) -> str:
    """Items published elsewhere (WeChat, Weibo), which are not the actively disclosed total (seed 002)."""
    if rng is None or total is None or rng.random() > 0.3:
        return ""
    return f"通过“{rng.choice(('政务', '发布', '之声'))}”微信公众号发布信息{rng.randint(5, 300)}条。"


def _filler(rng: random.Random | None, n: int) -> str:
    """A few sentences of the boilerplate every report carries, so rendered reports are real-sized."""
    if rng is None:
        return ""
    return "".join(rng.sample(_FILLER, n))


def sec1_text(
    organ: str,
    year: int,
    total: int | None,
    items: Sequence[tuple[str, int]],
    urls: Sequence[str],
    variant: int,
    rng: random.Random | None = None,
) -> str:
    """Section 一 as real reports write it: five sub-headings, the active sentence, the portal address."""
    where = "".join(f"可登录“{organ}政府信息公开平台（{u}）”查阅。" for u in urls)
    fill = lambda: _filler(rng, 3)  # noqa: E731 - fresh sentences for each sub-section
    paragraphs = [
        "（一）主动公开情况",
        active_sentence(organ, year, total, items, variant) + where + _side_channel(rng, total),
        *([fill()] if rng else []),
        "（二）依申请公开情况",
        f"{year}年度，严格按照《中华人民共和国政府信息公开条例》要求办理依申请公开事项，规范答复流程。" + fill(),
        "（三）政府信息管理情况",
        "明确专人负责信息发布和管理，严格落实审核制度，确保信息准确、合法合规。" + fill(),
        "（四）政府信息公开平台建设情况",
        "加强政府网站信息公开专栏建设，及时更新栏目内容，方便群众查阅。" + fill(),
        "（五）监督保障情况",
        "强化责任落实，定期开展自查，未发生责任追究情况。" + fill(),
    ]
    return "\n".join(paragraphs)


def sec5_text(rng: random.Random, year: int) -> str:
    return _filler(rng, 2) + "\n" + (
        f"{year}年，政府信息公开工作取得了一定成效，但仍存在一些不足：一是信息发布的及时性有待加强；"
        "二是公开内容与公众需求还存在一定差距。\n"
        f"{year + 1}年，将进一步规范公开工作，加大重点领域信息发布力度，加强业务培训。"
        + ("" if rng.random() < 0.5 else "\n同时完善监督考核机制，提升公开质量。")
    )


def sec6_text(rng: random.Random) -> str:
    if rng.random() < 0.4:
        return "无。"
    return (
        "按照《国务院办公厅关于印发〈政府信息公开信息处理费管理办法〉的通知》（国办函〔2020〕109号）"
        "规定的按件、按量收费标准，本年度没有产生信息公开处理费。"
    )


# Deliberate errors ------------------------------------------------------------------------------------

Perturbation = tuple[tuple[str, ...], frozenset[str]]  # cells raised by d, rules they break


@lru_cache(maxsize=None)
def _primitives(template: str) -> tuple[Perturbation, ...]:
    """Small additive mistakes and the exact set of rules each breaks.

    Rules are linear in the cells, so the rules a mistake breaks do not depend on the record it is made
    in: they are found once, by applying the mistake to an all-zero record. Section 三's rules are tied
    (the total column is the sum of the others), so most mistakes there break two rules at once, as real
    ones do: a wrong row total breaks that row and its column.
    """
    ids = cell_ids(template)
    zero = dict.fromkeys(ids, 0)
    rows = [row.key for row in get(template).sec3]
    candidates: list[tuple[str, ...]] = []
    for row in rows:
        candidates.append((f"sec3.{row}.total",))
        for col in SEC3_APPLICANT_COLUMNS:
            candidates.append((f"sec3.{row}.{col}",))
            candidates.append((f"sec3.{row}.{col}", f"sec3.{row}.total"))
    for group in SEC4_GROUPS:
        candidates.append((f"sec4.{group}.total",))
        candidates.append((f"sec4.{group}.upheld",))
    out: list[Perturbation] = []
    for cells in candidates:
        trial = dict(zero)
        for cell in cells:
            trial[cell] = 1
        out.append((cells, frozenset(failed_rules(trial, template, None, []))))
    return tuple(out)


def achievable_error_sets(template: str = "2021") -> list[frozenset[str]]:
    """Every minimal set of rules one mistake breaks; ``errors`` must be a disjoint union of these."""
    return sorted({rules for _, rules in _primitives(template)} | {frozenset({"sec1.active_items"})}, key=sorted)


def _cover(
    remaining: frozenset[str], template: str, rng: random.Random
) -> list[tuple[str, ...]] | None:
    """Mistakes whose broken rules exactly partition ``remaining`` (a small exact-cover search)."""
    if not remaining:
        return []
    first = min(remaining)
    options = [p for p in _primitives(template) if first in p[1] and p[1] <= remaining]
    rng.shuffle(options)
    for cells, rules in options:
        rest = _cover(remaining - rules, template, rng)
        if rest is not None:
            return [cells, *rest]
    return None


def _break(spec: ReportSpec, errors: Sequence[str], rng: random.Random) -> None:
    wanted = frozenset(errors)
    if "sec1.active_items" in wanted:
        if spec.active_total is None or not spec.active_items:
            raise ValueError("sec1.active_items can only be broken in a record that lists active items")
        spec.active_total += rng.randint(1, 9)
    plan = _cover(wanted - {"sec1.active_items"}, spec.template, rng)
    if plan is None:
        options = [sorted(s) for s in achievable_error_sets(spec.template) if s & wanted]
        raise ValueError(f"no mistake breaks exactly {sorted(wanted)}; sets that can be combined: {options[:8]}")
    for cells in plan:
        d = rng.randint(1, 3)
        for cell in cells:
            spec.cells[cell] = int(spec.cells[cell] or 0) + d


# Blanks -----------------------------------------------------------------------------------------------


def _blank(spec: ReportSpec, fraction: float, rng: random.Random) -> None:
    """Turn ``fraction`` of the cells into blanks (None), sparing every cell a broken rule needs."""
    if fraction <= 0:
        return
    active = [ActiveItem(c, n) for c, n in spec.active_items]
    protected = {
        cell
        for check in record_checks(spec.cells, spec.template, spec.active_total, active)
        if check.ok is False
        for cell in check.cells
    }
    candidates = [cell for cell in spec.cells if cell not in protected]
    for cell in rng.sample(candidates, round(len(candidates) * min(fraction, 1.0))):
        spec.cells[cell] = None


# Public API -------------------------------------------------------------------------------------------


def _level_for(rng: random.Random) -> str:
    return rng.choices(LEVELS, weights=(5, 3, 3, 1, 1, 3, 2))[0]


def make_record(
    seed: int,
    *,
    template: str = "2021",
    year: int | None = None,
    organ: str | None = None,
    level: str | None = None,
    errors: Sequence[str] = (),
    blanks: float = 0.0,
) -> ReportSpec:
    """A valid report record, the same for the same arguments.

    ``year`` defaults to 2024 for the 2021 template and to 2019 or 2020 for the 2019 template (the only
    years that template was used for). ``errors`` names rules of ``extract.checks`` to break: exactly
    those fail (see ``achievable_error_sets``). ``blanks`` is the fraction of cells printed blank, ``/``,
    ``—`` or ``无``: their value is None.
    """
    if template not in ("2021", "2019"):
        raise ValueError(f"unknown template {template!r}: expected 2021 or 2019")
    rng = random.Random(f"nianbao-farm:{seed}:{template}:{year}:{organ}:{level}")
    if year is None:
        year = 2024 if template == "2021" else rng.choice((2019, 2020))
    if template == "2019" and year not in (2019, 2020):
        raise ValueError(f"the 2019 template was used for reports on 2019 and 2020 only, not {year}")
    if template == "2021" and year < 2021:
        raise ValueError(f"the 2021 template is used for reports on 2021 onwards, not {year}")
    level = level or _level_for(rng)
    if level not in _BUSY:
        raise ValueError(f"unknown level {level!r}: expected one of {', '.join(LEVELS)}")
    busy = _BUSY[level]
    organ = organ or organ_name(rng, level)
    cells: dict[str, Value] = {**_sec2(rng, template, busy), **_sec3(rng, template, busy), **_sec4(rng, busy)}
    cells = {cell: cells[cell] for cell in cell_ids(template)}
    total, items = _active_items(rng, busy)
    if "sec1.active_items" in errors and not items:
        total, items = 30, [("政策文件", 10), ("工作动态", 20)]
    urls = [f"http://www.{rng.choice(_DOMAINS)}.gov.cn/zwgk/zfxxgknb/"] if rng.random() < 0.6 else []
    published = f"{year + 1}-01-{rng.randint(10, 31):02d}" if rng.random() < 0.85 else None
    spec = ReportSpec(
        organ=organ,
        year=year,
        template=template,
        published_on=published,
        active_total=total,
        active_items=items,
        urls=urls,
        cells=cells,
        texts={},
        errors=[],
        level=level,
        seed=seed,
    )
    if errors:
        _break(spec, errors, rng)
    _blank(spec, blanks, rng)
    spec.texts = {
        "sec1": sec1_text(organ, year, spec.active_total, spec.active_items, urls, rng.randrange(8), rng),
        "sec5": sec5_text(rng, year),
        "sec6": sec6_text(rng),
    }
    spec.errors = spec.expected_failures()
    if spec.errors != sorted(set(errors)):
        raise AssertionError(f"seed {seed}: meant to break {sorted(set(errors))}, broke {spec.errors}")
    return spec


def seed_from_golden(path: Path) -> ReportSpec:
    """A spec read from a hand-written golden file (nianbao/samples/seed_00N.json)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    items = [(item["category"], item["count"]) for item in data["active_items"]]
    spec = ReportSpec(
        organ=data["organ"],
        year=data["year"],
        template=data["template"],
        published_on=data["published_on"],
        active_total=data["active_total"],
        active_items=items,
        urls=list(data["urls"]),
        cells=dict(data["cells"]),
        texts={},
        level="community",
        seed=None,
    )
    rng = random.Random(path.name)
    spec.texts = {
        "sec1": sec1_text(spec.organ, spec.year, spec.active_total, items, spec.urls, 0),
        "sec5": sec5_text(rng, spec.year),
        "sec6": sec6_text(rng),
    }
    spec.errors = spec.expected_failures()
    return spec


def seed_records() -> list[ReportSpec]:
    """The five seeds of ../shared/seeds/ as specs, from their hand-written golden files."""
    return [seed_from_golden(path) for path in sorted(GOLDEN_DIR.glob("seed_*.json"))]


def corpus_specs() -> list[ReportSpec]:
    """A fixed, varied set of specs: both templates, every level, blanks and deliberate mistakes."""
    specs: list[ReportSpec] = []
    error_sets = [
        ("sec4.total.review",),
        ("sec1.active_items",),
        ("sec3.outcomes.total", "sec3.row_total.granted"),
        ("sec3.balance.natural_person", "sec3.balance.total"),
        ("sec3.balance.total", "sec3.row_total.carried_forward"),
        ("sec4.total.litigation_direct", "sec3.outcomes.commercial", "sec3.outcomes.total"),
    ]
    for i in range(48):
        template = "2019" if i % 4 == 3 else "2021"
        level = LEVELS[i % len(LEVELS)]
        errors = error_sets[(i // 5) % len(error_sets)] if i % 5 == 4 else ()
        blanks = (0.0, 0.0, 0.05, 0.0, 0.15)[i % 5] if not errors else 0.0
        specs.append(make_record(1000 + i, template=template, level=level, errors=errors, blanks=blanks))
    for i, template in enumerate(("2021", "2019", "2021", "2019")):
        specs.insert(7 + 11 * i, blank_first_cells(make_record(2000 + i, template=template, level="city_dept")))
    return specs


def blank_first_cells(spec: ReportSpec) -> ReportSpec:
    """The first value of every table row left blank: where a blank is easiest to lose (row starts)."""
    firsts = {}
    for cell in spec.cells:
        firsts.setdefault(cell.rsplit(".", 1)[0], cell)
    firsts["sec4"] = "sec4.review.upheld"
    for cell in firsts.values():
        spec.cells[cell] = None
    spec.errors = spec.expected_failures()
    return spec


# Years of one organ ----------------------------------------------------------------------------------

FIRST_YEAR = 2019


def chain_years(spec: ReportSpec) -> ReportSpec:
    """The spec with the numbers that tie one organ's consecutive reports together.

    Real reports carry requests over (carried_over of year Y is carried_forward of Y−1) and keep a
    running count of rules and normative documents in force; the cross-year checks test exactly that.
    The carried numbers and the in-force counts come from the organ's name and the year alone, so every
    report of the organ, whichever seed made the rest of it, agrees with its neighbours. New requests
    (and, when that is not enough, granted ones) absorb the difference, so the spec stays valid.
    """
    cells = dict(spec.cells)
    before, after = _carry(spec.organ, spec.year - 1), _carry(spec.organ, spec.year)
    for col in SEC3_APPLICANT_COLUMNS:
        processed = cells[f"sec3.total_processed.{col}"]
        new = processed + after[col] - before[col]
        if new < 0:
            cells[f"sec3.granted.{col}"] += -new
            cells[f"sec3.total_processed.{col}"] = processed - new
            new = 0
        cells[f"sec3.new_received.{col}"] = new
        cells[f"sec3.carried_over.{col}"] = before[col]
        cells[f"sec3.carried_forward.{col}"] = after[col]
    for row in ("new_received", "carried_over", "carried_forward", "granted", "total_processed"):
        cells[f"sec3.{row}.total"] = sum(cells[f"sec3.{row}.{col}"] for col in SEC3_APPLICANT_COLUMNS)
    if spec.template == "2021":
        for row in ("regulations", "normative_documents"):
            issued, repealed, in_force = _in_force(spec.organ, row, spec.year)
            cells[f"sec2.{row}.issued"] = issued
            cells[f"sec2.{row}.repealed"] = repealed
            cells[f"sec2.{row}.in_force"] = in_force
    return ReportSpec(**{**spec.__dict__, "cells": cells})


def _carry(organ: str, year: int) -> dict[str, int]:
    """Requests an organ carried into the next year: mostly none, now and then a few."""
    rng = random.Random(f"carry/{organ}/{year}")
    return {
        col: rng.choice((0, 0, 0, 1, 2, 3)) if col == "natural_person" else int(rng.random() < 0.1)
        for col in SEC3_APPLICANT_COLUMNS
    }


@lru_cache(maxsize=4096)
def _in_force(organ: str, row: str, year: int) -> tuple[int, int, int]:
    """(issued, repealed, in force) of an organ's rules or normative documents, as a running count."""
    rng = random.Random(f"sec2/{organ}/{row}/{year}")
    high = 2 if row == "regulations" else 6
    if year <= FIRST_YEAR:
        return 0, 0, rng.randint(0, high * 4)
    previous = _in_force(organ, row, year - 1)[2]
    issued = rng.randint(0, high)
    repealed = rng.randint(0, min(previous, high // 2 + 1))
    return issued, repealed, previous + issued - repealed
