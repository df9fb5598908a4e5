"""Full-text search over report texts that works for Chinese, with and without Datasette.

Two FTS5 indexes cover the ``texts`` table (one row per extracted document):

``texts_fts`` (``tokenize='trigram'``, kept in step by triggers)
    Built into SQLite 3.34+, so a downloaded snapshot needs no extension. It finds any substring of
    three or more characters: ``select * from texts where id in (select rowid from texts_fts where
    texts_fts match '"信息处理费"')``. It cannot find two-character words such as 公开 or 复议: a
    trigram index has no token shorter than three characters.

``texts_bigram_fts`` (``tokenize='unicode61'``, contentless, rowid = ``texts.id``)
    The same text with every run of Chinese characters rewritten as overlapping bigrams
    (信息公开 -> ``信息 息公 公开``), so every word of two or more characters is a phrase of bigram
    tokens. A query must be rewritten the same way: 复议 -> ``"复议"``, 行政复议 -> ``"行政 政复 复议"``.
    In SQL on a snapshot: ``... where texts_bigram_fts match '"行政 政复 复议"'``; in Python,
    :func:`bigram_query`. On the site, the ``nianbao_fts`` plugin re-registers Datasette's
    ``escape_fts`` as :func:`bigram_query`, so the table search box, ``?_search=`` and
    ``datasette-search-all`` all go through the bigram index (``texts`` names it as its ``fts_table``).

Why not a Chinese tokenizer extension (jieba, simple, lindera)? A snapshot opened without the extension
fails with "no such tokenizer"; plain FTS5 keeps the files usable in any tool.
"""

from __future__ import annotations

import re

from sqlite_utils import Database

# CJK Unified Ideographs with extension A and the compatibility block: the characters reports are written in.
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_QUERY_TERMS = re.compile(r'"([^"]*)"|(\S+)')


def _bigram_run(run: str) -> str:
    if len(run) == 1:
        return run
    return " ".join(run[i : i + 2] for i in range(len(run) - 1))


def bigrams(text: str) -> str:
    """Text with every Chinese run replaced by its bigrams, other words left for unicode61 to split."""
    return _CJK_RUN.sub(lambda match: f" {_bigram_run(match.group(0))} ", text)


def bigram_query(query: str) -> str:
    """A user's search words as an FTS5 query on ``texts_bigram_fts``: every word a quoted phrase, ANDed.

    Mirrors Datasette's ``escape_fts`` (words split on spaces, ``"quoted phrases"`` kept together, no
    operators) so it can replace it.
    """
    if query.count('"') % 2:
        query += '"'
    phrases = []
    for quoted, word in _QUERY_TERMS.findall(query):
        tokens = bigrams(quoted or word).replace('"', " ").split()
        if tokens:
            phrases.append('"' + " ".join(tokens) + '"')
    return " ".join(phrases)


def index_text(db: Database, document_id: int, text: str) -> None:
    """Put one document's text into the bigram index (the trigram one follows ``texts`` by trigger)."""
    db.execute("INSERT INTO texts_bigram_fts (rowid, bigrams) VALUES (?, ?)", [document_id, bigrams(text)])


def remove_text(db: Database, document_id: int) -> None:
    """Take one document's text out of ``texts`` and both indexes.

    The bigram index is contentless (it would otherwise store three times the text), so a row is
    removed with FTS5's ``'delete'`` command and the very tokens it was indexed with: ``bigrams()`` of
    the text still in ``texts``. Should ``bigrams()`` ever change, rebuild with
    :func:`rebuild_bigram_index` first.
    """
    old = db.execute("SELECT text FROM texts WHERE id = ?", [document_id]).fetchone()
    if old is None:
        return
    db.execute(
        "INSERT INTO texts_bigram_fts (texts_bigram_fts, rowid, bigrams) VALUES ('delete', ?, ?)",
        [document_id, bigrams(old[0] or "")],
    )
    db.execute("DELETE FROM texts WHERE id = ?", [document_id])


def rebuild_bigram_index(db: Database) -> None:
    """Re-index every text from scratch: for a changed ``bigrams()`` or a suspected stale index."""
    with db.atomic():
        db.execute("INSERT INTO texts_bigram_fts (texts_bigram_fts) VALUES ('delete-all')")
        for document_id, text in db.execute("SELECT id, text FROM texts").fetchall():
            index_text(db, document_id, text or "")


def optimize(db: Database) -> None:
    """Merge the FTS b-trees: done before a snapshot so the published file is compact and fast."""
    for table in ("texts_fts", "texts_bigram_fts"):
        db.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
