"""Ranked full-text search over the texts file, fast on common words, with snippets and hints.

A word such as 公开 or 复议 is in nearly every report, and ranking every match (bm25 reads each
match's positions) costs time in proportion to the archive. So the search ranks a bounded set of
candidates: the newest ``CANDIDATES`` documents that match (FTS5 walks its index by rowid, newest
first, and stops there), scored by bm25 with the title weighted above the text. A rarer word has fewer
matches than that, and all of them are ranked. Scores are shown relative to the best hit (100), since
bm25's raw values for a word in most documents are all near zero.

FTS5's own ``snippet()`` and ``highlight()`` re-read the indexed text and cannot work on a contentless
bigram index, so excerpts are cut here from the stored text of the page of hits, by functions called
inside the query (only the excerpts leave SQLite, never whole reports): the window with the most
matches, HTML-escaped, each match in ``<mark>``.

Queries are never an error: words and ``"quoted phrases"`` as Datasette reads them, an unclosed quote
closed, punctuation dropped; a query that leaves nothing to search, or a single Chinese character (the
index holds pairs of characters), gets a hint instead of an empty page.
"""

from __future__ import annotations

import html
import re
import sqlite3
from dataclasses import dataclass, field
from functools import lru_cache

from archive.fts import SCHEMA, bigram_query, query_phrases

CANDIDATES = 1000
PAGE_SIZE = 20
TITLE_WEIGHT = 10.0  # bm25 column weights: the title (organ and year) counts ten times the text
SNIPPET_CHARS = 160

_CJK_CHAR = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SEARCHABLE = re.compile(r"\w")

RANKED_SQL = f"""WITH candidates AS (
    SELECT rowid AS id, bm25(texts_bigram_fts, {TITLE_WEIGHT}, 1.0) AS score
    FROM {SCHEMA}.texts_bigram_fts WHERE texts_bigram_fts MATCH :match
    ORDER BY rowid DESC LIMIT {CANDIDATES})
SELECT id, score, (SELECT min(score) FROM candidates) AS best, (SELECT count(*) FROM candidates) AS found
FROM candidates ORDER BY score, id DESC LIMIT :limit OFFSET :offset"""


@dataclass
class Hit:
    document_id: int
    report_id: int | None
    organ: str | None
    year: int | None
    title: str | None
    url: str | None
    relevance: float  # 100 = the best hit
    mentions: int  # how many times the words occur in the text
    snippet: str  # HTML: escaped text, matches in <mark>


@dataclass
class Results:
    query: str
    page: int
    hits: list[Hit] = field(default_factory=list)
    found: int = 0  # matches among the candidates
    capped: bool = False  # more documents match than were ranked
    hints: list[str] = field(default_factory=list)
    searched: bool = False  # the query held something to search for, and it was run

    @property
    def pages(self) -> int:
        return max(1, -(-self.found // PAGE_SIZE))


def phrases(query: str) -> list[str]:
    """The words and phrases to search for and to mark, with what the index cannot match removed."""
    return [phrase for phrase in query_phrases(query) if _SEARCHABLE.search(phrase)]


def hints(query: str) -> list[str]:
    """What to tell the person searching about their query (Chinese first)."""
    found = []
    if query.count('"') % 2:
        found.append("引号不成对，已自动补全。 An unclosed quote was closed.")
    words = phrases(query)
    if not words:
        found.append("请输入要检索的词，如“复议”“信息处理费”。 Type a word to search for, such as 复议.")
    elif any(len(word) == 1 and _CJK_CHAR.match(word) for word in words):
        found.append(
            "单个汉字无法检索：索引按相邻两字编排，请至少输入两个字，如“复议”而非“复”。"
            " A single Chinese character cannot be searched: type two or more, such as 复议."
        )
    return found


def search(conn: sqlite3.Connection, query: str, page: int = 1) -> Results:
    """One page of ranked hits for ``query``; ``conn`` has the texts file attached as ``nianbao_texts``."""
    page = max(1, page)
    results = Results(query=query, page=page, hints=hints(query))
    words = phrases(query)
    if not words or any(len(word) == 1 and _CJK_CHAR.match(word) for word in words):
        return results
    results.searched = True
    rows = conn.execute(
        RANKED_SQL, {"match": bigram_query(" ".join(f'"{word}"' for word in words)), "limit": PAGE_SIZE,
                     "offset": (page - 1) * PAGE_SIZE},
    ).fetchall()
    if not rows:
        return results
    results.found = rows[0][3]
    results.capped = results.found >= CANDIDATES
    if results.capped:
        results.hints.append(
            f"匹配的文件超过 {CANDIDATES} 份，只对最新的 {CANDIDATES} 份排序；加一个词可缩小范围。"
            f" More than {CANDIDATES} documents match: the newest {CANDIDATES} are ranked; add a word to narrow it."
        )
    ids = [row[0] for row in rows]
    _register(conn)
    found = {
        row[0]: row
        for row in conn.execute(
            f"""SELECT id, report_id, organ, year, title, url, nianbao_mentions(text, :q), nianbao_snippet_html(text, :q)
                FROM {SCHEMA}.full_texts WHERE id IN ({', '.join(f':id{i}' for i in range(len(ids)))})""",
            {"q": query, **{f"id{i}": doc_id for i, doc_id in enumerate(ids)}},
        )
    }
    for doc_id, score, best, _ in rows:
        _, report_id, organ, year, title, url, mentions, excerpt = found[doc_id]
        relevance = round(100 * score / best, 1) if best else 100.0
        results.hits.append(Hit(doc_id, report_id, organ, year, title, url, relevance, mentions, excerpt))
    return results


def _register(conn: sqlite3.Connection) -> None:
    """The snippet and the count are made where the text is, so only they leave SQLite, not whole reports."""
    conn.create_function("nianbao_mentions", 2, lambda text, q: count(text or "", phrases(q or "")), deterministic=True)
    conn.create_function("nianbao_snippet_html", 2, lambda text, q: snippet(text or "", phrases(q or "")), deterministic=True)


@lru_cache(maxsize=256)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """Matches any of the words, longest first, ignoring case and the spaces the index ignores."""
    parts = sorted({word.strip() for word in words if word.strip()}, key=len, reverse=True)
    return re.compile("|".join(r"\s*".join(map(re.escape, part.split())) for part in parts), re.IGNORECASE)


def count(text: str, words: list[str]) -> int:
    return sum(1 for _ in _pattern(tuple(words)).finditer(text)) if words else 0


def snippet(text: str, words: list[str], width: int = SNIPPET_CHARS, mark: tuple[str, str] = ("<mark>", "</mark>")) -> str:
    """The ``width`` characters of ``text`` with the most matches, escaped, each match wrapped in ``mark``."""
    matches = list(_pattern(tuple(words)).finditer(text)) if words else []
    if not matches:
        return html.escape(" ".join(text[:width].split()))
    best_start, best_count, last = matches[0].start(), 0, 0
    for first, match in enumerate(matches):  # a window opening at each match; ``last`` only moves forward
        while last < len(matches) and matches[last].end() <= match.start() + width:
            last += 1
        if last - first > best_count:
            best_start, best_count = match.start(), last - first
    start = max(0, best_start - width // 4)
    end = min(len(text), start + width)
    out, position = [], start
    for match in matches:
        if match.start() < start or match.end() > end:
            continue
        out += [html.escape(text[position : match.start()]), mark[0], html.escape(match.group(0)), mark[1]]
        position = match.end()
    out.append(html.escape(text[position:end]))
    body = " ".join("".join(out).split())
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


def plain_snippet(text: str | None, query: str | None) -> str:
    """The snippet as plain text, matches in 【】: for the canned query, whose cells are shown escaped."""
    return html.unescape(snippet(text or "", phrases(query or ""), mark=("【", "】")))
