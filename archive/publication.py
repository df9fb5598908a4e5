"""What a snapshot says about itself to the person who downloads it: README, data dictionary, citations.

The README's data dictionary is written from ``archive.dictionary``, the same column descriptions
the site shows from ``metadata.yml``, so the two cannot disagree. A snapshot is cited
by its stable URL: ``<site>/snapshots/<date>/``, a folder that is never overwritten. The site's address
comes from ``--site-url`` or ``NIANBAO_SITE_URL`` (what ``nianbao serve`` listens on by default
otherwise), and the citations carry the database file's SHA-256, so a reader can tell the file cited
from any other.
"""

from __future__ import annotations

import json
import os
from typing import Any

from archive.dictionary import DATABASE, TEXTS_DATABASE, TITLE, database_tables

SITE_URL_ENV = "NIANBAO_SITE_URL"
DEFAULT_SITE_URL = "http://127.0.0.1:8001"
AUTHOR = "nianbao"
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


def site_url(value: str | None = None) -> str:
    return (value or os.environ.get(SITE_URL_ENV) or DEFAULT_SITE_URL).rstrip("/")


def snapshot_url(base: str, date: str) -> str:
    return f"{base}/snapshots/{date}/"


def citation(manifest: dict[str, Any], base: str) -> dict[str, str]:
    """The snapshot's citation as plain text, BibTeX and CSL-JSON (file name -> content)."""
    date = manifest["date"]
    day = date.partition(".")[0]
    year, month, dom = (int(part) for part in day.split("-"))
    url = snapshot_url(base, date)
    digest = manifest["db_sha256"]
    note = f"{manifest['file']}, SHA-256 {digest}; {LICENCE}"
    title = f"{TITLE}, 快照 snapshot {date}"
    text = f"{AUTHOR}. {title} [数据集 dataset]. {day}. {url} ({note})\n"
    key = f"nianbao_{date.replace('-', '_').replace('.', '_')}"
    bibtex = (
        f"@misc{{{key},\n"
        f"  author = {{{{{AUTHOR}}}}},\n"
        f"  title = {{{{{title}}}}},\n"
        f"  year = {{{year}}},\n"
        f"  month = {{{month}}},\n"
        f"  version = {{{date}}},\n"
        f"  howpublished = {{\\url{{{url}}}}},\n"
        f"  url = {{{url}}},\n"
        f"  note = {{{note}}}\n"
        "}\n"
    )
    csl = [
        {
            "id": key,
            "type": "dataset",
            "title": title,
            "author": [{"literal": AUTHOR}],
            "issued": {"date-parts": [[year, month, dom]]},
            "version": date,
            "URL": url,
            "note": note,
            "license": LICENCE_URL,
        }
    ]
    return {
        "CITATION.txt": text,
        "citation.bib": bibtex,
        "citation.json": json.dumps(csl, ensure_ascii=False, indent=2) + "\n",
    }


def readme(manifest: dict[str, Any], base: str, exports: dict[str, str]) -> str:
    """README.md of a snapshot: what the files are, which to take, how to check and cite, every column.

    ``exports`` maps each exported name (``cell_values``) to the table or view of the dictionary it comes from.
    """
    date = manifest["date"]
    files = {f["name"]: f for f in manifest["files"]}
    db, texts = manifest["file"], manifest["texts_file"]
    lines = [
        f"# {TITLE}",
        "",
        f"快照 Snapshot {date} · 结构版本 schema {manifest['schema_version']} · 解析器 parser "
        f"{manifest['parser_version']} · 代码 commit {(manifest['git_commit'] or '')[:12]}",
        "",
        f"引用地址 Stable URL: {snapshot_url(base, date)} · 许可 Licence: {LICENCE} ({LICENCE_URL})",
        "",
        "## 下载哪个文件 / Which file to take",
        "",
        f"- `{db}` ({_size(files.get(db))}): 研究用小库：报告、机关、每个数值（含原文写法和位置）、勾稽检查、覆盖情况、"
        "文件出处。比较地区、机关、年度，用这一个。 The research database: reports, organs, every number with its "
        "raw text and position, checks, coverage and provenance. Take this one to compare places, organs and years.",
        f"- `{texts}` ({_size(files.get(texts))}): 全文库：每份文件的全文和检索索引。需要读全文或检索时再下载。"
        " The full texts and their search index; take it as well when you need the texts.",
        "- `csv/`, `parquet/`: 同样的表，给不用 SQLite 的人（CSV 为带 BOM 的 UTF-8，Excel 可直接打开）。"
        " The same tables for those who do not use SQLite (CSV is UTF-8 with a BOM, so Excel opens it).",
        "- `SHA256SUMS`: `sha256sum -c SHA256SUMS` 校验以上全部文件 / checks every file above.",
        "- `manifest.json`: 日期、版本、行数、覆盖情况、与上一快照相比的变化 / dates, versions, row counts, changes.",
        "- `CITATION.txt`, `citation.bib`, `citation.json` (CSL-JSON): 引用格式 / how to cite.",
        "",
        "## 同时查询两个文件 / Both files in one query",
        "",
        "```sql",
        f"ATTACH DATABASE '{texts}' AS nianbao_texts;",
        "SELECT r.organ, r.year, t.title FROM reports r JOIN nianbao_texts.texts t ON t.report_id = r.id",
        "WHERE t.id IN (SELECT rowid FROM nianbao_texts.texts_bigram_fts WHERE texts_bigram_fts MATCH '\"复议\"');",
        "```",
        "",
        "全文检索：汉字按相邻两字切分，查询词也须同样改写（“行政复议”写作 `'\"行政 政复 复议\"'`，两字词直接写）。"
        " Search: Chinese is indexed as overlapping bigrams; write a query the same way "
        "(行政复议 as `'\"行政 政复 复议\"'`; a two-character word as it is).",
        "",
        "## 数据字典 / Data dictionary",
        "",
    ]
    texts_tables = database_tables(TEXTS_DATABASE)
    for name, meta in {**database_tables(DATABASE), **texts_tables}.items():
        exported = [export for export, source in exports.items() if source == name]
        where = f"`{texts}`" if name in texts_tables else f"`{db}`"
        lines += [f"### `{name}`: {meta['title']}", "", meta["description"], ""]
        lines.append(f"在 In {where}" + (f"; 导出为 exported as {', '.join(f'`csv/{e}.csv`' for e in exported)}" if exported else "") + ".")
        lines += ["", "| 列 column | 说明 description |", "|---|---|"]
        lines += [f"| `{column}` | {text.replace('|', '/')} |" for column, text in meta["columns"].items()]
        lines.append("")
    return "\n".join(lines)


def _size(entry: dict[str, Any] | None) -> str:
    if not entry:
        return "?"
    size = entry["bytes"]
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1024
    return ""
