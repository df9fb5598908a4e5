"""What an article says: its ReportSpec, its body as HTML, and its attachment files.

Specs come from ``farm.records.make_record``; bodies and files from the ``farm.render`` modules. Those
renderers (and LibreOffice behind PDF/DOC/WPS) are imported lazily, on the first request that needs
them, so that starting a farm stays instant; their outputs are kept in ``farm.filecache``.
"""

from __future__ import annotations

import html
import importlib
import io
import threading
from collections import defaultdict
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from farm import filecache
from farm.model import Article, Attachment

# farm.records levels for the unit types of the tree.
LEVELS = {"government": "county", "department": "county_dept", "township": "township", "street": "street",
          "community": "community"}
MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "wps": "application/vnd.ms-works",
    "html": "text/html",
}
# Renderer of each attachment format: (module, single-spec function, batch function, extra arguments).
RENDERERS = {
    "docx": ("farm.render.docx", "render_docx", None, ()),
    "pdf": ("farm.render.pdf", "render_pdf", "render_pdfs", ()),
    "doc": ("farm.render.doc", "render_doc", "render_docs", ("doc",)),
    "wps": ("farm.render.doc", "render_doc", "render_docs", ("wps",)),
}
# LibreOffice runs one at a time: concurrent runs on one profile fail, and the cache makes repeats cheap.
_office = threading.Lock()


def spec_for(article: Article) -> Any:
    """The report's ReportSpec (None for non-reports); a seed report's spec is its golden file, if any."""
    if not article.is_report:
        return None
    return _spec(article.spec_seed, article.template, article.year, article.organ, article.unit,
                 article.seed_file, article.platform_url)


@lru_cache(maxsize=4096)
def _spec(seed: int, template: str, year: int, organ: str, unit: str, seed_file: str | None,
          platform_url: str | None = None) -> Any:
    records = importlib.import_module("farm.records")
    if template == "2008":
        return importlib.import_module("farm.render.freeform").make_freeform(seed, year=year, organ=organ)
    if seed_file:
        golden = records.GOLDEN_DIR / f"seed_{seed_file[:3]}.json"
        return records.seed_from_golden(golden) if golden.exists() else None
    spec = records.chain_years(records.make_record(seed, template=template, year=year, organ=organ, level=LEVELS[unit]))
    return naming_platform(spec, platform_url) if platform_url else spec


def naming_platform(spec: Any, url: str) -> Any:
    """The spec with ``url`` as the one platform address its section 一 names: in place of the one it
    named, else in the paragraph on the platform (（四）政府信息公开平台建设情况)."""
    sec1 = spec.texts.get("sec1", "")
    for old in spec.urls:
        sec1 = sec1.replace(old, url)
    if not spec.urls:
        sentence = f"本机关政府信息公开平台网址：{url}。"
        anchor = "方便群众查阅。"
        sec1 = sec1.replace(anchor, anchor + sentence, 1) if anchor in sec1 else f"{sec1}\n{sentence}"
    return replace(spec, urls=[url], texts={**spec.texts, "sec1": sec1})


def seed_text(filename: str) -> str:
    """One of the five sample reports, as the converter printed it (package data of nianbao)."""
    return resources.files("nianbao.samples").joinpath(filename).read_text(encoding="utf-8")


def body_html(article: Article) -> str:
    """The HTML fragment that goes inside the detail page's body container (cached per version, since
    rendering a report's tables costs milliseconds and a crawl asks for each page more than once)."""
    key = (article.article_id, article.version, article.spec_seed, article.seed_file, article.inline,
           article.platform_url)
    cached = _bodies.get(key)
    if cached is None:
        if len(_bodies) > 20000:
            _bodies.clear()
        cached = _bodies[key] = _render_body(article)
    return cached


_bodies: dict[tuple, str] = {}


def _render_body(article: Article) -> str:
    if article.seed_file:
        return text_to_html(seed_text(article.seed_file))
    if not article.is_report:
        return _other_body(article)
    if not article.inline:
        return f"<p>{html.escape(article.title)}，详见附件。</p>"
    spec = spec_for(article)
    if spec.template == "2008":
        return _renderer("farm.render.freeform", "render_freeform_html")(spec, article.title)
    # Kept on disk like the files, so that a restarted farm serves the same bytes (and ETags).
    cached = filecache.get(spec, "body.html")
    if cached is None:
        cached = _renderer("farm.render.html", "render_body_html")(spec).encode("utf-8")
        filecache.put(spec, "body.html", cached)
    return cached.decode("utf-8")


def attachment_bytes(article: Article, attachment: Attachment) -> bytes:
    """The file's bytes, rendered on first request (PDF/DOC go through LibreOffice and are cached)."""
    data = _attachment_bytes(article, attachment)
    sizes[(attachment.att_id, article.version)] = len(data)
    return data


# Sizes of the files rendered so far, for list APIs that report a size (gkmlpt) without rendering.
sizes: dict[tuple[int, int], int] = {}


def _attachment_bytes(article: Article, attachment: Attachment) -> bytes:
    spec = spec_for(article)
    if spec is None:
        return _plain_docx(f"{article.title}\n\n{_other_text(article)}")
    data = filecache.get(spec, attachment.fmt)
    if data is None:
        module, name, _, extra = RENDERERS[attachment.fmt]
        if attachment.fmt == "docx":
            data = _renderer(module, name)(spec)
        else:
            with _office:
                data = _renderer(module, name)(spec, *extra)
        filecache.put(spec, attachment.fmt, data)
    return data


def prewarm(articles: list[Article]) -> int:
    """Render every page body and every PDF/DOC/WPS attachment of these articles (the files in a few
    LibreOffice batches), so that a later crawl or benchmark measures the farm, not the renderers.
    Returns the number of files rendered."""
    batches: dict[str, list[Any]] = defaultdict(list)
    for article in articles:
        body_html(article)
        spec = spec_for(article) if article.is_report and not article.removed else None
        for attachment in article.attachments if spec is not None else ():
            if filecache.get(spec, attachment.fmt) is not None:
                continue
            if RENDERERS[attachment.fmt][2]:
                batches[attachment.fmt].append(spec)
            else:
                attachment_bytes(article, attachment)
    done = 0
    for fmt, specs in batches.items():
        module, _, batch, extra = RENDERERS[fmt]
        for start in range(0, len(specs), 50):
            chunk = specs[start:start + 50]
            with _office:
                files = _renderer(module, batch)(chunk, *extra)
            for spec, data in zip(chunk, files):
                filecache.put(spec, fmt, data)
        done += len(specs)
    return done


def _renderer(module: str, name: str) -> Any:
    return getattr(importlib.import_module(module), name)


def text_to_html(text: str) -> str:
    """Converter-style text (tab-separated rows, markdown headings) as simple report HTML."""
    out: list[str] = []
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
            out.append(f'<table border="1" cellspacing="0">{body}</table>')
            rows.clear()

    for line in text.splitlines():
        if "\t" in line:
            rows.append(line.split("\t"))
            continue
        flush()
        stripped = line.strip().lstrip("#").strip()
        if stripped:
            tag = "h2" if line.lstrip().startswith("#") else "p"
            out.append(f"<{tag}>{html.escape(stripped)}</{tag}>")
    flush()
    return "\n".join(out)


def _other_text(article: Article) -> str:
    organ, year = article.organ, article.year
    return {
        "work_plan": f"为深入贯彻落实党中央、国务院关于全面推进政务公开工作的部署，结合{organ}实际，现将{year}年政务公开工作要点印发如下。",
        "guide": f"为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。{organ}负责本机关政府信息公开的日常工作。",
        "statistics": f"{organ}{year}年度统计年报已编制完成，现将主要统计指标公布如下：地区生产总值、固定资产投资、社会消费品零售总额。",
        "final_accounts": f"{organ}{year}年度部门决算报表包括收入支出决算总表、财政拨款收入支出决算表等。",
        "notice": f"各部门、各乡镇（街道）：请于{year + 1}年1月31日前完成本单位{year}年度政府信息公开工作年度报告的编制和发布工作。",
        "catalogue": f"{organ}{year}年政府信息公开目录，按主题分类编排，供公众查阅。",
    }[article.kind]


def _other_body(article: Article) -> str:
    return f"<p>{html.escape(_other_text(article))}</p>"


def _plain_docx(text: str) -> bytes:
    """A non-report's attachment: a plain Word file, one paragraph a line."""
    from docx import Document

    document = Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
