"""How converters and authors spell the labels of the tables: broken words, numbering styles.

Real reports print ``自然人`` as ``自然 人`` or ``自然\n人``, ``（一）予以公开`` as ``(一) 予以公开``, and
``1.属于国家秘密`` as ``1、属于国家秘密``. Each function returns a map from the template's label to the
spelling one report uses; the table builders of ``farm.render.tables`` apply it.
"""

from __future__ import annotations

import random
import re

from extract.templates import get
from farm.render.tables import SEC3_GROUPS, SEC3_SOLO_LABELS

_BREAKABLE = (
    "自然人",
    "商业企业",
    "科研机构",
    "社会公益组织",
    "法律服务机构",
    "结果维持",
    "结果纠正",
    "其他结果",
    "尚未审结",
    "三、本年度办理结果",
)


def header_spelling(mode: str, rng: random.Random) -> dict[str, str]:
    """Header labels as converters break them: ``自然 人``, ``结 果 维 持``, ``商业\\n企业``."""
    out: dict[str, str] = {}
    for word in _BREAKABLE:
        if mode == "spaces":
            cut = rng.randint(1, len(word) - 1)
            out[word] = f"{word[:cut]} {word[cut:]}"
        elif mode == "chars":
            out[word] = " ".join(word)
        elif mode == "newline":
            cut = 2 if len(word) >= 4 else 1
            out[word] = f"{word[:cut]}\n{word[cut:]}"
    if mode == "chars":
        out["总计"] = "总 计"
    return out


MISPRINTS = {"repealed": "本年度止件数"}  # section 二's 本年废止件数 as seeds 000 and 004 print it


def label_spelling(rng: random.Random) -> dict[str, str]:
    """Row labels of section 三 numbered as real reports number them.

    ``（一）予以公开`` / ``(一) 予以公开``; ``1.属于国家秘密`` / ``1. 属于…`` / ``1、属于…``; the
    partial-disclosure note with half-width brackets and commas (seed 003); group labels broken by a
    space (``(三) 不予公 开``, seed 002).
    """
    paren = rng.choice(("full", "half", "half_space"))
    item = rng.choice(("1.", "1. ", "1、"))
    broken = rng.random() < 0.3
    labels = {r.label for t in ("2021", "2019") for r in get(t).sec3} | set(SEC3_SOLO_LABELS.values()) | {g for g, _ in SEC3_GROUPS}
    out: dict[str, str] = {}
    for label in sorted(labels):
        new = label
        if paren != "full":
            space = " " if paren == "half_space" else ""
            new = re.sub(r"^（([一二三四五六七])）", lambda m: f"({m.group(1)}){space}", new)
            new = new.replace("（区分处理的，只计这一情形，不计其他情形）", "(区分处理的, 只计这一情形, 不计其他情形)")
        new = re.sub(r"^(\d)\.", lambda m: m.group(1) + item[1:], new)
        if broken and label in {g for g, _ in SEC3_GROUPS}:
            new = new[:-1] + " " + new[-1]
        out[label] = new
    return out
