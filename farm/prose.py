"""The words of a generated report: organ names shaped like real ones and the prose of sections 一, 五, 六.

Section 一's 主动公开 sentence carries numbers the parser must read (the total and its categories), in
the phrasings real reports use; the rest is the boilerplate every report carries, so that rendered
reports are real-sized and the parser meets the same noise around the numbers as in the wild.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

LEVELS = ("community", "street", "township", "county", "district", "county_dept", "city_dept")

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


def draw_active_items(rng: random.Random, busy: float) -> tuple[int | None, list[tuple[str, int]]]:
    """Section 一's total of actively disclosed items and its categories: either may be absent."""
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
