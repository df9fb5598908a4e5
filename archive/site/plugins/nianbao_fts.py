"""Re-registers Datasette's ``escape_fts`` so every search on the site goes through the bigram index.

Datasette wraps a search box query as ``... match escape_fts(:search)``. Chinese has no spaces, so an
FTS index needs the text and the query cut the same way: ``archive.fts.bigram_query`` turns 行政复议 into
the phrase ``"行政 政复 复议"`` that ``texts_bigram_fts`` holds. ``trylast`` makes this registration run
after Datasette's own, so it is the one SQLite keeps. The override is instance-wide: every FTS table the
site searches must hold bigrams (``texts`` names ``texts_bigram_fts`` as its ``fts_table``).
"""

from datasette import hookimpl

from archive.fts import bigram_query


@hookimpl(trylast=True)
def prepare_connection(conn):
    conn.create_function("escape_fts", 1, bigram_query, deterministic=True)
