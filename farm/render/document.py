"""The parts of a report every layout shares: title, preamble, section headings, prose, signature.

A layout decides how tables are printed; this module decides what surrounds them, in the spellings
real reports use (``一、``/``## 二、``, ``（一）``/``(一)``/``（3）``, a date as ``2025年1月21日``). Choices
are drawn from a random generator seeded by the spec and the layout, so a rendering is reproducible.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from farm.records import ReportSpec

SECTION_TITLES = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)
_CN = "一二三四五六七八九十"
_SUBHEAD = re.compile(r"^（([一二三四五六七八九十])）")


def rng_for(spec: ReportSpec, layout: str) -> random.Random:
    """The same choices for the same spec and layout, different ones across layouts."""
    return random.Random(f"render:{spec.seed}:{spec.organ}:{spec.year}:{layout}")


@dataclass(frozen=True)
class ProseStyle:
    """How the text around the tables is spelled in one report."""

    markdown: bool = False  # ## 二、 headings, # title
    subheads: str = "full"  # full （一）, half (一) , arabic （1）, misprint: （3） for （三） only
    spaced_numbers: bool = False  # 鹤山社区 2024 年…
    page_break_in_sentence: bool = False  # the active sentence broken by a lost line (seed 003)
    titled: bool = True  # False: no title line; the preamble names the organ and year (seed 001)
    period: bool = False  # the preamble states the reporting period, two dates that are not the signature's


def prose_style(rng: random.Random, *, markdown: bool | None = None) -> ProseStyle:
    return ProseStyle(
        markdown=rng.random() < 0.4 if markdown is None else markdown,
        subheads=rng.choice(("full", "full", "half", "arabic", "misprint")),
        spaced_numbers=rng.random() < 0.4,
        page_break_in_sentence=rng.random() < 0.25,
        titled=rng.random() < 0.85,
        period=rng.random() < 0.4,
    )


def title(spec: ReportSpec, style: ProseStyle) -> str:
    """The title line, or nothing for reports that open with the preamble (seed 001)."""
    if not style.titled:
        return ""
    sp = " " if style.spaced_numbers else ""
    text = f"{spec.organ}{sp}{spec.year}{sp}年政府信息公开工作年度报告"
    return f"# {text}" if style.markdown else text


def preamble(spec: ReportSpec, style: ProseStyle | None = None) -> str:
    notice = "国办公开办函〔2021〕30号" if spec.template == "2021" else "国办公开办函〔2019〕60号"
    text = (
        "根据《中华人民共和国政府信息公开条例》（国务院令第711号）和《国务院办公厅政府信息与政务公开办公室"
        f"关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（{notice}）要求，编制本年度报告。"
    )
    if style is not None and not style.titled:
        text += f"现结合工作实际，编制{spec.organ}{spec.year}年度政府信息公开工作年度报告。"
    if style is not None and style.period:
        y = spec.year
        text += f"本报告中所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。"
    return text


def heading(index: int, style: ProseStyle) -> str:
    """Section heading ``index`` (0-based); markdown reports vary the level as converters do."""
    text = SECTION_TITLES[index]
    if not style.markdown:
        return text
    level = ("##", "##", "###", "####", "##", "####")[index]
    return f"{level} {text}"


def subhead(line: str, style: ProseStyle) -> str:
    """Restyle a ``（一）`` sub-heading of section 一."""
    m = _SUBHEAD.match(line)
    if not m:
        return line
    n = _CN.index(m.group(1)) + 1
    rest = line[m.end() :]
    if style.subheads == "half":
        return f"({m.group(1)}) {rest}"
    if style.subheads == "arabic":
        return f"（{n}）{rest}"
    if style.subheads == "misprint" and n >= 3:
        return f"（{n}） {rest}"
    return line


def _break_sentence(line: str, rng: random.Random) -> list[str]:
    """A page break inside the active sentence: the line ends mid-sentence, a blank line, the rest."""
    start = line.find("其中") + 2
    end = line.find("。", start)
    spots = [
        i
        for i in range(start + 1, end)
        if not (line[i - 1].isdigit() and line[i].isdigit()) and line[i] not in "，。；：" and line[i - 1] not in "，；："
    ]
    if not spots:
        return [line]
    cut = rng.choice(spots)
    return [line[:cut], "", line[cut:]]


def sec1_lines(spec: ReportSpec, style: ProseStyle, rng: random.Random) -> list[str]:
    lines: list[str] = []
    for line in spec.texts.get("sec1", "").split("\n"):
        if style.page_break_in_sentence and "其中" in line and "主动公开" in line:
            lines += _break_sentence(line, rng)
        else:
            lines.append(subhead(line, style))
    return lines


def date_text(iso: str, rng: random.Random) -> str:
    y, m, d = (int(p) for p in iso.split("-"))
    return rng.choice((f"{y}年{m}月{d}日", f"{y}年{m:02d}月{d:02d}日", f"{y}年{m}月{d}日"))


def signature(spec: ReportSpec, rng: random.Random) -> list[str]:
    lines = [spec.organ]
    if spec.published_on:
        lines.append(date_text(spec.published_on, rng))
    return lines
