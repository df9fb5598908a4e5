"""The site's side of ``archive.fts``: the texts file attached to the archive, and Chinese search functions.

``prepare_connection`` runs for every connection Datasette opens. On the archive's (``nianbao``) it
attaches the texts file (``nianbao-texts``, served beside it) read-only as ``nianbao_texts``, so canned
queries join ``reports`` to ``nianbao_texts.texts`` in one statement. On every connection it
re-registers Datasette's ``escape_fts`` as ``archive.fts.bigram_query``: Datasette wraps a search box
query as ``... match escape_fts(:search)``, and Chinese has no spaces, so the query must be cut into
bigrams as the index was (行政复议 -> ``"行政 政复 复议"``). ``trylast`` makes this registration run
after Datasette's own, so it is the one SQLite keeps. ``nianbao_snippet(text, q)`` gives a plain-text
excerpt with the matches in 【】 for the canned search.
"""

from pathlib import Path

from datasette import hookimpl

from archive.fts import SCHEMA, bigram_query
from archive.paths import ARCHIVE_NAME, TEXTS_NAME
from archive.search import plain_snippet


@hookimpl(trylast=True)
def prepare_connection(conn, database, datasette):
    conn.create_function("escape_fts", 1, bigram_query, deterministic=True)
    conn.create_function("nianbao_snippet", 2, plain_snippet, deterministic=True)
    texts = datasette.databases.get(TEXTS_NAME)
    if database == ARCHIVE_NAME and texts is not None and texts.path:
        attached = {row[1] for row in conn.execute("PRAGMA database_list")}
        if SCHEMA not in attached:
            mode = "immutable=1" if texts.is_mutable is False else "mode=ro"
            conn.execute(f"ATTACH DATABASE ? AS {SCHEMA}", [f"{Path(texts.path).resolve().as_uri()}?{mode}"])
