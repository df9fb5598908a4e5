"""The full-text database: report texts and their Chinese search index, in a file of their own.

The archive is two SQLite files. ``nianbao.db`` is the research database (reports, numbers, checks,
coverage, provenance: a few KiB a report); ``nianbao-texts.db`` beside it holds every extracted text
and its search index, several times that. A researcher comparing two counties takes the first only;
the site serves both and attaches the second to the first as ``nianbao_texts``, so one SQL query can
join ``reports`` to ``nianbao_texts.texts``. Texts are written before the rows that refer to them, in
their own transaction, so a crash between the two leaves a document to be extracted again, never
marked extracted without its text.

FTS5 has no Chinese word splitter, so ``texts_bigram_fts`` (contentless, ``unicode61``) indexes the
title and the text with every run of Chinese characters rewritten as overlapping bigrams
(信息公开 -> ``信息 息公 公开``). Every word of two or more characters is then a phrase of bigram
tokens, and a query must be rewritten the same way: 复议 -> ``"复议"``, 行政复议 -> ``"行政 政复 复议"``
(:func:`bigram_query`; on the site, the ``nianbao_fts`` plugin re-registers Datasette's ``escape_fts``
as it). Two-character words, the commonest in Chinese, are single tokens: their posting lists are read
without positions, which is what keeps common-word searches fast.

Why not a trigram index as well, or a tokenizer extension? A trigram index cannot find two-character
words, and cost more to build than everything else in a report's rows together; a snapshot opened
without a tokenizer extension fails with "no such tokenizer". Plain FTS5 keeps the files usable in any
tool; ``text LIKE '%复议%'`` works too, without the index.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import sqlite_utils
from sqlite_utils.migrations import Migrations

if TYPE_CHECKING:
    from archive.scope import Scope

SCHEMA = "nianbao_texts"  # the name the texts file is attached under, in the archive and on the site
TEXT_COLUMNS = ("id", "report_id", "organ", "year", "title", "url", "text")  # a text row as the loader makes it
LISTED_COLUMNS = TEXT_COLUMNS[:-1]  # what ``texts`` holds: all but the body, which is in ``text_bodies``

# CJK Unified Ideographs with extension A and the compatibility block: the characters reports are written in.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_SPLIT = re.compile(f"([{_CJK}]+)")
_QUERY_TERMS = re.compile(r'"([^"]*)"|(\S+)')

migrations = Migrations("nianbao.texts")


def _t001_sql(prefix: str) -> str:
    """The texts file as t001 created it: frozen, as a migration is."""
    return f"""
CREATE TABLE {prefix}texts (
    id INTEGER PRIMARY KEY,
    report_id INTEGER,
    organ TEXT,
    year INTEGER,
    title TEXT,
    url TEXT,
    text TEXT
);
CREATE INDEX {prefix}idx_texts_report ON texts(report_id);
CREATE VIRTUAL TABLE {prefix}texts_bigram_fts USING fts5(title, bigrams, tokenize='unicode61', content='');
"""


def _t002_sql(prefix: str) -> str:
    """``texts`` without its body, which moves to ``text_bodies``; ``full_texts`` joins them again."""
    return f"""
CREATE TABLE {prefix}text_bodies (
    id INTEGER PRIMARY KEY REFERENCES texts(id),
    text TEXT
);
INSERT INTO {prefix}text_bodies (id, text) SELECT id, text FROM {prefix}texts;
CREATE TABLE {prefix}texts_listed (
    id INTEGER PRIMARY KEY,
    report_id INTEGER,
    organ TEXT,
    year INTEGER,
    title TEXT,
    url TEXT
);
INSERT INTO {prefix}texts_listed SELECT id, report_id, organ, year, title, url FROM {prefix}texts;
DROP TABLE {prefix}texts;
ALTER TABLE {prefix}texts_listed RENAME TO texts;
CREATE INDEX {prefix}idx_texts_report ON texts(report_id);
CREATE VIEW {prefix}full_texts AS
    SELECT t.id, t.report_id, t.organ, t.year, t.title, t.url, b.text
    FROM texts t LEFT JOIN text_bodies b ON b.id = t.id;
"""


@migrations()
def t001_initial(db: sqlite_utils.Database) -> None:
    db.executescript(_t001_sql(""))


@migrations()
def t002_narrow_texts(db: sqlite_utils.Database) -> None:
    """The bodies leave ``texts`` for ``text_bodies``.

    ``texts`` is the search index's content table and the site's texts table page: a search for a
    common word looks up every match's row to count them, and with the body in the row (a few KiB,
    spilling onto overflow pages) that lookup read the whole text of every match. Narrow, its rows
    are a few dozen bytes, hundreds to a page. ``full_texts`` shows both as the one table it was.
    """
    db.executescript(_t002_sql(""))


def texts_path(archive_path: Path) -> Path:
    """``nianbao.db`` -> ``nianbao-texts.db``, ``nianbao-2026-01-31.db`` -> ``nianbao-texts-2026-01-31.db``."""
    stem = archive_path.stem
    prefix, dash, rest = stem.partition("-")
    name = f"{prefix}-texts-{rest}" if dash else f"{stem}-texts"
    return archive_path.with_name(name + archive_path.suffix)


def attach(db: sqlite_utils.Database) -> None:
    """Open (migrating) the texts file beside ``db``'s file and attach it as ``nianbao_texts``.

    An in-memory archive gets an in-memory texts database, so code and tests never need to ask which.
    """
    attached = {row[1]: row[2] for row in db.execute("PRAGMA database_list")}
    if SCHEMA in attached:
        return
    main = attached.get("main") or ""
    if not main:
        db.execute(f"ATTACH DATABASE ':memory:' AS {SCHEMA}")
        db.conn.executescript(_t001_sql(f"{SCHEMA}.") + _t002_sql(f"{SCHEMA}."))
        return
    path = texts_path(Path(main))
    texts = sqlite_utils.Database(path)
    texts.execute("PRAGMA journal_mode=WAL")
    migrations.apply(texts)
    texts.close()
    db.execute(f"ATTACH DATABASE ? AS {SCHEMA}", [str(path)])
    db.execute(f"PRAGMA {SCHEMA}.synchronous=NORMAL")


def _bigram_run(run: str) -> str:
    return " ".join(map(operator.add, run, run[1:])) if len(run) > 1 else run


def bigrams(text: str) -> str:
    """Text with every Chinese run replaced by its bigrams, other words left for unicode61 to split."""
    parts = _CJK_SPLIT.split(text)
    for i in range(1, len(parts), 2):  # split() with a group puts the runs at the odd positions
        parts[i] = f" {_bigram_run(parts[i])} "
    return "".join(parts)


def query_phrases(query: str) -> list[str]:
    """A user's search words: split on spaces, ``"quoted phrases"`` kept together, an unclosed quote closed."""
    if query.count('"') % 2:
        query += '"'
    return [quoted or word for quoted, word in _QUERY_TERMS.findall(query) if (quoted or word).strip()]


def bigram_query(query: str) -> str:
    """A user's search words as an FTS5 query on ``texts_bigram_fts``: every word a quoted phrase, ANDed.

    Mirrors Datasette's ``escape_fts`` (words split on spaces, ``"quoted phrases"`` kept together, no
    operators) so it can replace it. Nothing searchable (``"`` alone, punctuation) gives ``""``, a
    query that matches nothing, rather than an FTS5 syntax error.
    """
    phrases = []
    for phrase in query_phrases(query):
        tokens = bigrams(phrase).replace('"', " ").split()
        if tokens:
            phrases.append('"' + " ".join(tokens) + '"')
    return " ".join(phrases) or '""'


def add_texts(db: sqlite_utils.Database, rows: Sequence[tuple]) -> None:
    """Insert text rows (``TEXT_COLUMNS`` order) into ``texts`` and ``text_bodies`` and index them; the
    caller holds the transaction."""
    if not rows:
        return
    marks = ", ".join("?" for _ in LISTED_COLUMNS)
    db.conn.executemany(f"INSERT INTO {SCHEMA}.texts ({', '.join(LISTED_COLUMNS)}) VALUES ({marks})",
                        [row[:-1] for row in rows])
    db.conn.executemany(f"INSERT INTO {SCHEMA}.text_bodies (id, text) VALUES (?, ?)", [(row[0], row[-1]) for row in rows])
    db.conn.executemany(
        f"INSERT INTO {SCHEMA}.texts_bigram_fts (rowid, title, bigrams) VALUES (?, ?, ?)",
        [(row[0], bigrams(row[4] or ""), bigrams(row[6] or "")) for row in rows],
    )


def remove_texts(db: sqlite_utils.Database, document_ids: Iterable[int]) -> None:
    """Take documents' texts out of ``texts`` and the index.

    The index is contentless (it would otherwise store the text a second time, rewritten), so a row is
    removed with FTS5's ``'delete'`` command and the very tokens it was indexed with: ``bigrams()`` of
    the title and text still in ``texts``. Should ``bigrams()`` ever change, run :func:`rebuild_index`
    first.
    """
    ids = list(document_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        old = db.execute(f"SELECT id, title, text FROM {SCHEMA}.full_texts WHERE id IN ({marks})", chunk).fetchall()
        db.conn.executemany(
            f"INSERT INTO {SCHEMA}.texts_bigram_fts (texts_bigram_fts, rowid, title, bigrams) VALUES ('delete', ?, ?, ?)",
            [(doc_id, bigrams(title or ""), bigrams(text or "")) for doc_id, title, text in old],
        )
        db.execute(f"DELETE FROM {SCHEMA}.text_bodies WHERE id IN ({marks})", chunk)
        db.execute(f"DELETE FROM {SCHEMA}.texts WHERE id IN ({marks})", chunk)


def rebuild_index(db: sqlite_utils.Database) -> None:
    """Re-index every text from scratch: for a changed ``bigrams()`` or a suspected stale index."""
    with db.atomic():
        db.execute(f"INSERT INTO {SCHEMA}.texts_bigram_fts (texts_bigram_fts) VALUES ('delete-all')")
        rows = db.execute(f"SELECT id, title, text FROM {SCHEMA}.full_texts")
        while batch := rows.fetchmany(1000):
            db.conn.executemany(
                f"INSERT INTO {SCHEMA}.texts_bigram_fts (rowid, title, bigrams) VALUES (?, ?, ?)",
                [(doc_id, bigrams(title or ""), bigrams(text or "")) for doc_id, title, text in batch],
            )


def sync_report_columns(db: sqlite_utils.Database, scope: "Scope") -> None:
    """Copy each text's report, with its organ and year, from the archive where they changed.

    Search results show the report's organ and year; a text whose document belongs to no report keeps
    the organ and year its parser read. Only texts of the scope's reports are looked at.
    """
    db.execute(
        f"""UPDATE {SCHEMA}.texts SET report_id = r.id, organ = r.organ, year = r.year
            FROM main.documents d JOIN main.reports r ON r.id = d.report_id
            WHERE d.id = texts.id AND {scope.where('r.id')}
              AND (texts.report_id IS NOT r.id OR texts.organ IS NOT r.organ OR texts.year IS NOT r.year)"""
    )
    db.execute(
        f"""UPDATE {SCHEMA}.texts SET report_id = NULL
            WHERE {scope.where('report_id')} AND NOT EXISTS
                (SELECT 1 FROM main.documents d WHERE d.id = texts.id AND d.report_id IS NOT NULL)"""
    )


def optimize(db: sqlite_utils.Database) -> None:
    """Merge the index's b-trees into one: done before a snapshot so the published file is compact and fast."""
    db.execute(f"INSERT INTO {SCHEMA}.texts_bigram_fts (texts_bigram_fts) VALUES ('optimize')")
