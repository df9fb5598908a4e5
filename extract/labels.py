"""Printed row labels to canonical row keys, forgiving of how real reports print them.

Labels arrive broken by spaces and line breaks (``自然 人``, ``三、本 年度 办理 结果``), with
numbering in any style (``1.``, ``1、``, ``（一）``, ``(一)``) or none, with misprints, and (Hubei and
others) with long explanations in brackets after the row's name. Each row is recognised by the words
its template (``extract.templates``) says only it contains, after whitespace and numbering are removed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from extract.templates import Signature, get
from extract.values import normalize

_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.,:：]|\(?[一二三四五六七八九十]+\)|\(?\d{1,2}\)|\d{1,2}[.、,:：)]|[①-⑩])+")
_QUOTES = str.maketrans("", "", "“”\"'‘’「」『』")
_BRACKETED = re.compile(r"\([^()]*\)?|<[^<>]*>?|《[^《》]*》?|\[[^\[\]]*\]?")
MAX_SEC2_LABEL = 20
MAX_SEC3_LABEL = 60


def clean_label(text: str) -> str:
    """Whitespace, quotes and leading numbering removed; full-width forms folded."""
    compact = normalize(text).translate(_QUOTES)
    return _NUMBERING.sub("", compact)


def without_notes(cleaned: str) -> str:
    """A label without its bracketed explanations: ``规章(设区的市…应提供相关数据)`` → ``规章``."""
    return _BRACKETED.sub("", cleaned)


@lru_cache(maxsize=8192)
def sec2_key(label: str, version: str) -> str | None:
    template = get(version)
    cleaned = without_notes(clean_label(label))
    for word, key in template.short_labels.items():
        if cleaned.startswith(word) and len(cleaned) <= len(word) + 2:
            return key  # 规章, 规章(件)
    return _match(cleaned, template.sec2_signatures, max_length=MAX_SEC2_LABEL)


@lru_cache(maxsize=8192)
def sec2_near_key(label: str, version: str) -> str | None:
    """The section 二 row an OCR-read label names with one character of its name misread (OCR's 行政处罚
    as 行政处避), where no row's words match exactly and only one row's name is that near. For OCR only,
    as ``sec3_near_key``."""
    key = sec2_key(label, version)
    if key is not None:
        return key
    cleaned = without_notes(clean_label(label))
    return _near_match(cleaned, get(version).sec2_signatures, max_length=MAX_SEC2_LABEL) if cleaned else None


@lru_cache(maxsize=8192)
def sec3_key(label: str, version: str) -> str | None:
    template = get(version)
    cleaned = clean_label(label)
    if not cleaned:
        return None
    key = _match(cleaned, template.sec3_signatures, max_length=MAX_SEC3_LABEL)
    if key:
        return key
    return template.exact_labels.get(cleaned) or template.exact_labels.get(without_notes(cleaned))


@lru_cache(maxsize=8192)
def sec3_near_key(label: str, version: str) -> str | None:
    """The section 三 row an OCR-read label names with one character of a signature word misread (OCR's
    查询 as 得询), where no signature names it exactly. For OCR only: text layers print the words they
    mean, and a run-together text label is cut by where signature words match exactly."""
    key = sec3_key(label, version)
    if key is not None:
        return key
    cleaned = clean_label(label)
    if not cleaned:
        return None
    key = _near_match(cleaned, get(version).sec3_signatures, max_length=MAX_SEC3_LABEL)
    return key if key is not None else _begun_key(cleaned, version)


# A label's first characters this many, the same as one template row's label's first and no other's.
_BEGUN = 8


def _begun_key(cleaned: str, version: str) -> str | None:
    """The section 三 row an OCR-read label names by its first words where its signature words were lost:
    a label wrapped beside its group's heading printed hard against it (``(六)其`` ``期不补正…`` read
    together as 斋他处理) still starts as its row's does (``申请人无正当理由``). Only where those first
    ``_BEGUN`` characters begin one row's label and the label names no row by its words."""
    if len(cleaned) < _BEGUN or rows_named(cleaned, version):
        return None
    keys = {row.key for row in get(version).sec3 if clean_label(row.label)[:_BEGUN] == cleaned[:_BEGUN]}
    return keys.pop() if len(keys) == 1 else None


def _match(cleaned: str, signatures: tuple[Signature, ...], *, max_length: int) -> str | None:
    if len(cleaned) > max_length:
        return None
    for key, required, forbidden in signatures:
        if all(word in cleaned for word in required) and not any(word in cleaned for word in forbidden):
            return key
    return None


# Signature words this long are told apart from every other row's by two characters or more, so one
# misread character (OCR's 查询 as 得询) still names the row.
_NEAR_WORD = 4


def _near_match(cleaned: str, signatures: tuple[Signature, ...], *, max_length: int) -> str | None:
    """The row a label names with one character of a signature word misread, where only one row's
    words come that near and none of its forbidden words is there."""
    if len(cleaned) > max_length:
        return None
    keys = {
        key
        for key, required, forbidden in signatures
        if not any(word in cleaned for word in forbidden)
        and all(len(word) >= _NEAR_WORD and _within_one(word, cleaned) for word in required)
    }
    return keys.pop() if len(keys) == 1 else None


def _within_one(word: str, text: str) -> bool:
    """Whether ``text`` holds ``word`` with at most one character replaced."""
    n = len(word)
    return any(sum(a != b for a, b in zip(word, text[i : i + n])) <= 1 for i in range(len(text) - n + 1))


@lru_cache(maxsize=8192)
def rows_named(label: str, version: str) -> frozenset[str]:
    """Every row (``sec2.<key>``, ``sec3.<key>``) whose signature words a label holds: more than one says
    the label is two rows' names met, or a fragment too short to tell rows apart."""
    template = get(version)
    cleaned = clean_label(label)
    named = set()
    for section, signatures, limit, text in (
        ("sec2", template.sec2_signatures, MAX_SEC2_LABEL, without_notes(cleaned)),
        ("sec3", template.sec3_signatures, MAX_SEC3_LABEL, cleaned),
    ):
        if text and len(text) <= limit:
            named |= {f"{section}.{key}" for key, required, forbidden in signatures
                      if all(word in text for word in required) and not any(word in text for word in forbidden)}
    return frozenset(named)


@lru_cache(maxsize=8192)
def rows_begun(label: str, version: str) -> frozenset[str]:
    """The rows (``sec2.<key>``, ``sec3.<key>``) whose template label a printed label begins (``2.其他法律行``
    of ``2.其他法律行政法规禁止公开``): the first half of a label a page break cut, its rest on the next page."""
    cleaned = without_notes(clean_label(label))
    if not cleaned:
        return frozenset()
    template = get(version)
    return frozenset(
        f"{section}.{row.key}"
        for section, rows in (("sec2", template.sec2), ("sec3", template.sec3))
        for row in rows
        if len(full := without_notes(clean_label(row.label))) > len(cleaned) and full.startswith(cleaned)
    )
