"""The generated test corpus: every layout × both templates × every encoding, each with its answer.

Tests and the parse benchmark read the same corpus, so a throughput figure is measured on exactly the
reports whose readings the tests prove right. Records come from ``farm.records.corpus_specs`` (blank and
``/`` cells, deliberate mistakes); each case is the bytes a portal would serve plus the expected record.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from farm.records import ReportSpec, corpus_specs
from farm.render import HTML_LAYOUTS, TEXT_LAYOUTS, encode, expected

# (encoding, declare the charset in the page, CRLF line ends): text files carry no declaration; files
# saved on Windows end lines with CRLF, and Notepad's UTF-8 starts with a BOM.
Encoding = tuple[str, bool, bool]
TEXT_ENCODINGS: tuple[Encoding, ...] = (
    ("utf-8", False, False),
    ("utf-8-sig", False, True),
    ("gb18030", False, True),
    ("utf-16", False, True),
)
HTML_ENCODINGS: tuple[Encoding, ...] = (("utf-8", True, False), ("gbk", True, False), ("gbk", False, True))


@dataclass(frozen=True)
class Case:
    """One generated report file and what a faithful parser reads from it."""

    id: str
    kind: str  # text or html
    layout: str
    encoding: str
    declared: bool
    crlf: bool
    spec: ReportSpec
    expected: ReportSpec
    data: bytes
    filename: str


def _encoding_label(encoding: str, declared: bool, crlf: bool, kind: str) -> str:
    label = encoding if kind == "text" or declared else f"{encoding}-undeclared"
    return f"{label}-crlf" if crlf else label


@lru_cache(maxsize=1)
def corpus_cases() -> tuple[Case, ...]:
    """Every (layout, template, encoding) combination once, each on a different record."""
    specs = corpus_specs()
    by_template = {t: [s for s in specs if s.template == t] for t in ("2021", "2019")}
    used = dict.fromkeys(by_template, 0)
    cases: list[Case] = []
    for kind, layouts, encodings, suffix in (
        ("text", TEXT_LAYOUTS, TEXT_ENCODINGS, "txt"),
        ("html", HTML_LAYOUTS, HTML_ENCODINGS, "html"),
    ):
        for layout, render in layouts.items():
            for template in ("2021", "2019"):
                for encoding, declared, crlf in encodings:
                    pool = by_template[template]
                    spec = pool[used[template] % len(pool)]
                    used[template] += 1
                    label = _encoding_label(encoding, declared, crlf, kind)
                    cases.append(
                        Case(
                            id=f"{kind}-{layout}-{template}-{label}-s{spec.seed}",
                            kind=kind,
                            layout=layout,
                            encoding=encoding,
                            declared=declared,
                            crlf=crlf,
                            spec=spec,
                            expected=expected(spec, layout),
                            data=encode(render(spec), encoding, declare=declared, crlf=crlf),
                            filename=f"report-{spec.seed}.{suffix}",
                        )
                    )
    return tuple(cases)
