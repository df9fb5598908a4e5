"""Reports of 2008–2018, before the 2019 template: free-form prose under the old six headings.

Their spec is a ``ReportSpec`` with template "2008" and no cells: the organ, the year, the date under
the signature and prose whose numbers (items disclosed, requests, fees) are counts in sentences, never
table cells. The old headings are numbered differently from today's (四 is 收费及减免, 五 复议/诉讼),
and some reports say that nothing happened in words only. A faithful parser reads organ, year and date,
keeps the text, and fills no cell.
"""

from __future__ import annotations

import html
import random

from farm.records import ReportSpec

OLD_HEADINGS = (
    "一、概述",
    "二、主动公开政府信息情况",
    "三、政府信息公开申请的办理情况",
    "四、政府信息公开收费及减免情况",
    "五、因政府信息公开申请行政复议、提起行政诉讼情况",
    "六、政府信息公开工作存在的主要问题及改进情况",
)
# How titles of the time read: the 2008 regulations called it 政府信息公开工作年度报告, many wrote less.
OLD_TITLES = (
    "{organ}{year}年政府信息公开工作年度报告",
    "{organ}{year}年度信息公开工作报告",
    "{organ}{year}年度政府信息公开工作报告",
)


def make_freeform(seed: int, *, year: int, organ: str) -> ReportSpec:
    """A free-form report of ``year`` (2008–2018), the same for the same arguments."""
    if not 2008 <= year <= 2018:
        raise ValueError(f"free-form reports are for 2008–2018, not {year}")
    rng = random.Random(f"nianbao-farm-2008:{seed}:{year}:{organ}")
    items, requests = rng.randint(10, 900), rng.choice((0, 0, rng.randint(1, 12)))
    requests_text = (
        "年内，本机关未收到公民、法人和其他组织提出的政府信息公开申请。" if requests == 0
        else f"全年共受理政府信息公开申请{requests}件，均已按期答复。"
    )
    sec1 = (
        f"{year}年，{organ}认真贯彻《中华人民共和国政府信息公开条例》，完善政府信息公开工作机制，"
        f"明确分管领导和具体工作人员，将政府信息公开工作纳入年度目标考核。"
    )
    texts = {
        "sec1": sec1,
        "sec2": f"{year}年，通过门户网站主动公开政府信息{items}条，内容涵盖机构职能、政策法规、规划计划、财政预决算等。",
        "sec3": requests_text,
        "sec4": "年内未收取任何政府信息公开费用，无减免情况。",
        "sec5": "年内未发生因政府信息公开申请提起行政复议、行政诉讼的情况。",
        "sec6": "主要问题是公开内容不够全面，更新不够及时。下一步将加强培训，规范公开流程。",
    }
    published = f"{year + 1}-{rng.randint(1, 3):02d}-{rng.randint(1, 28):02d}"
    return ReportSpec(organ=organ, year=year, template="2008", published_on=published, active_total=items,
                      active_items=[], urls=[], cells={}, texts=texts, seed=seed, level="county")


def freeform_paragraphs(spec: ReportSpec, title: str | None = None) -> list[str]:
    """The report's lines in reading order: title, the six old sections, the signature."""
    y, m, d = (int(part) for part in (spec.published_on or "").split("-"))
    lines = [title or OLD_TITLES[0].format(organ=spec.organ, year=spec.year),
             f"根据《中华人民共和国政府信息公开条例》规定，现公布{spec.organ}{spec.year}年政府信息公开工作年度报告。"]
    for heading, key in zip(OLD_HEADINGS, ("sec1", "sec2", "sec3", "sec4", "sec5", "sec6")):
        lines += [heading, spec.texts[key]]
    return lines + [spec.organ, f"{y}年{m}月{d}日"]


def render_freeform_html(spec: ReportSpec, title: str | None = None) -> str:
    """The report body as a portal's page shows it: one <p> a line."""
    return "\n".join(f"<p>{html.escape(line)}</p>" for line in freeform_paragraphs(spec, title))


def render_freeform_text(spec: ReportSpec, title: str | None = None) -> str:
    return "\n".join(freeform_paragraphs(spec, title)) + "\n"
