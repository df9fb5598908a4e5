"""The archive's schema as an ordered list of sqlite-utils migrations, recorded in ``_sqlite_migrations``.

Migrations, not ``CREATE TABLE IF NOT EXISTS`` scattered through the code, because a snapshot people
download must say exactly which schema it has (``PRAGMA user_version`` = the number of migrations
applied) and an old archive must be upgraded in place, not rebuilt from the store.

Tables are written as SQL so that the column types are the ones researchers see in ``.schema``:
numbers are ``NUMERIC`` so that 12 stays an integer and 3.5 (万元) stays a decimal.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from archive import facets, fts, rates, summary
from archive.site_tables import M004_SITE_TABLES, M009_EDITION_ORDER
from archive.wide import WIDE_TABLES

migrations = Migrations("nianbao.archive")

# The dimension columns every wide table carries, so that Datasette can facet on its own columns.
_FACET_COLUMNS = """
    report_id INTEGER PRIMARY KEY REFERENCES reports(id),
    organ_id INTEGER REFERENCES organs(id),
    organ TEXT,
    region TEXT,
    level TEXT,
    year INTEGER,
    template TEXT,
    check_status TEXT,
    document_id INTEGER REFERENCES documents(id)"""


def _wide_table(name: str, columns: list[str]) -> str:
    body = ",\n    ".join(f"{column} NUMERIC" for column in columns)
    return f"CREATE TABLE {name} ({_FACET_COLUMNS},\n    {body}\n)"


@migrations()
def m001_initial(db: Database) -> None:
    db.executescript(
        """
CREATE TABLE portals (
    site_id TEXT PRIMARY KEY,
    name TEXT,
    organ TEXT,
    region TEXT,
    level TEXT,
    start_url TEXT,
    family TEXT,
    status TEXT,
    source TEXT,
    notes TEXT
);
CREATE TABLE organs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    region TEXT,
    level TEXT,
    deadline TEXT,
    portal_id TEXT REFERENCES portals(site_id),
    source TEXT
);
CREATE UNIQUE INDEX idx_organs_name ON organs(name);
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    organ_id INTEGER NOT NULL REFERENCES organs(id),
    year INTEGER NOT NULL,
    organ TEXT,
    region TEXT,
    level TEXT,
    template TEXT,
    title TEXT,
    published_on TEXT,
    source_url TEXT,
    primary_document_id INTEGER REFERENCES documents(id),
    editions INTEGER,
    documents INTEGER,
    first_seen TEXT,
    check_status TEXT,
    failed_checks INTEGER,
    active_total INTEGER
);
CREATE UNIQUE INDEX idx_reports_organ_year ON reports(organ_id, year);
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    report_id INTEGER REFERENCES reports(id),
    edition INTEGER,
    url TEXT NOT NULL,
    version INTEGER,
    kind TEXT,
    format TEXT,
    content_type TEXT,
    filename TEXT,
    title TEXT,
    listed_date TEXT,
    first_seen TEXT,
    last_seen TEXT,
    gone_on TEXT,
    size INTEGER,
    portal_id TEXT REFERENCES portals(site_id),
    parent_url TEXT,
    listing_url TEXT,
    sha256 TEXT,
    blob TEXT
);
CREATE INDEX idx_documents_url ON documents(url, version);
CREATE TABLE fetches (
    id INTEGER PRIMARY KEY,
    run_id INTEGER,
    portal_id TEXT REFERENCES portals(site_id),
    kind TEXT,
    url TEXT,
    final_url TEXT,
    status INTEGER,
    outcome TEXT,
    reason TEXT,
    fetched_at TEXT,
    size INTEGER,
    content_type TEXT,
    sha256 TEXT
);
CREATE INDEX idx_fetches_portal ON fetches(portal_id, outcome);
CREATE TABLE extractions (
    document_id INTEGER PRIMARY KEY REFERENCES documents(id),
    parser_version TEXT NOT NULL,
    extracted_at TEXT,
    status TEXT NOT NULL,
    error TEXT,
    organ TEXT,
    year INTEGER,
    template TEXT,
    published_on TEXT,
    active_total INTEGER,
    source_format TEXT,
    cells INTEGER,
    warnings TEXT
);
CREATE TABLE items (
    cell_id TEXT PRIMARY KEY,
    section TEXT,
    row_key TEXT,
    column_key TEXT,
    label_zh TEXT,
    label_en TEXT,
    unit TEXT,
    templates TEXT,
    sort_order INTEGER
);
CREATE TABLE cells (
    document_id INTEGER NOT NULL REFERENCES documents(id),
    cell_id TEXT NOT NULL REFERENCES items(cell_id),
    report_id INTEGER REFERENCES reports(id),
    value NUMERIC,
    raw TEXT,
    page INTEGER,
    table_index INTEGER,
    row_index INTEGER,
    col_index INTEGER,
    ocr INTEGER,
    ocr_confidence REAL,
    PRIMARY KEY (document_id, cell_id)
) WITHOUT ROWID;
CREATE INDEX idx_cells_report ON cells(report_id, cell_id);
CREATE TABLE checks (
    document_id INTEGER NOT NULL REFERENCES documents(id),
    rule TEXT NOT NULL,
    report_id INTEGER REFERENCES reports(id),
    organ_id INTEGER REFERENCES organs(id),
    region TEXT,
    level TEXT,
    year INTEGER,
    rule_group TEXT,
    cross_year INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    expected NUMERIC,
    actual NUMERIC,
    cells TEXT,
    PRIMARY KEY (document_id, rule)
) WITHOUT ROWID;
CREATE INDEX idx_checks_report ON checks(report_id, status);
CREATE INDEX idx_checks_status ON checks(status, rule_group);
CREATE INDEX idx_checks_cross_year ON checks(report_id) WHERE cross_year = 1;
CREATE TABLE texts (
    id INTEGER PRIMARY KEY REFERENCES documents(id),
    report_id INTEGER REFERENCES reports(id),
    organ TEXT,
    year INTEGER,
    title TEXT,
    url TEXT,
    text TEXT
);
CREATE TABLE coverage (
    organ_id INTEGER NOT NULL REFERENCES organs(id),
    year INTEGER NOT NULL,
    organ TEXT,
    region TEXT,
    level TEXT,
    portal_id TEXT REFERENCES portals(site_id),
    status TEXT NOT NULL,
    report_id INTEGER REFERENCES reports(id),
    published_on TEXT,
    deadline TEXT,
    evidence TEXT,
    evidence_url TEXT,
    PRIMARY KEY (organ_id, year)
);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    command TEXT,
    args TEXT,
    started_at TEXT,
    finished_at TEXT,
    status TEXT,
    parser_version TEXT,
    git_commit TEXT,
    stats TEXT
);
CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY,
    date TEXT NOT NULL UNIQUE,
    file TEXT,
    created_at TEXT,
    schema_version INTEGER,
    parser_version TEXT,
    git_commit TEXT,
    bytes INTEGER,
    sha256 TEXT,
    row_counts TEXT,
    coverage TEXT,
    changes TEXT
);
"""
    )
    for name, columns in WIDE_TABLES.items():
        db.execute(_wide_table(name, list(columns)))
    for table in ("reports", "coverage", "sec2", "sec3", "sec4"):
        for column in ("year", "region", "level"):
            db[table].create_index([column], find_unique_name=True)
    db["reports"].create_index(["check_status"], find_unique_name=True)
    db["coverage"].create_index(["status"], find_unique_name=True)
    db["organs"].create_index(["region"], find_unique_name=True)
    db["organs"].create_index(["level"], find_unique_name=True)
    db["documents"].create_index(["report_id"], find_unique_name=True)
    db["documents"].create_index(["sha256"], find_unique_name=True)
    # Full text: the trigram index lives in the file and works in any SQLite 3.34+; the bigram one is
    # filled by archive.fts alongside it (see that module for why both exist).
    db["texts"].enable_fts(["text"], tokenize="trigram", create_triggers=True)
    db.execute("CREATE VIRTUAL TABLE texts_bigram_fts USING fts5(bigrams, tokenize='unicode61', content='')")


@migrations()
def m002_organ_identity(db: Database) -> None:
    """One organ, one identity: its key, kind and region code; reports and coverage carry them too.

    ``organs.name`` stops being unique (two counties each have a 太平镇人民政府); ``organs.key`` is the
    identity every spelling of one organ shares (``archive.regions``).
    """
    db.execute("DROP INDEX IF EXISTS idx_organs_name")
    for column in ("key", "kind", "region_code", "division", "names", "warnings"):
        db["organs"].add_column(column, str)
    db.execute("CREATE UNIQUE INDEX idx_organs_key ON organs(key)")
    db["organs"].create_index(["name"], find_unique_name=True)
    db["portals"].add_column("region_code", str)
    for table in ("reports", "coverage"):
        db[table].add_column("region_code", str)
        db[table].add_column("kind", str)
        db[table].create_index(["region_code"], find_unique_name=True)
    db["organs"].create_index(["region_code"], find_unique_name=True)
    db["coverage"].add_column("expected_as", str)
    db.execute(
        """CREATE VIEW coverage_summary AS
           SELECT region, level, year,
                  count(*) AS expected,
                  sum(status IN ('found', 'late')) AS published,
                  sum(status = 'found') AS on_time,
                  sum(status = 'late') AS late,
                  sum(status = 'missing') AS missing,
                  sum(status = 'unreachable') AS unreachable,
                  sum(status IN ('not_checked', 'not_due')) AS not_judged,
                  round(100.0 * sum(status IN ('found', 'late'))
                        / nullif(sum(status IN ('found', 'late', 'missing', 'unreachable')), 0), 1) AS share_found,
                  round(100.0 * sum(status = 'found') / nullif(sum(status IN ('found', 'late')), 0), 1) AS share_on_time
           FROM coverage GROUP BY region, level, year"""
    )
    db.execute(
        """CREATE VIEW organ_years AS
           SELECT c.organ_id, c.organ, c.region_code, c.region, c.level, c.kind, c.year, c.status,
                  c.deadline, c.published_on, c.report_id, r.template, r.editions, r.documents,
                  r.active_total, s.new_received_total, s.carried_over_total, s.carried_forward_total,
                  r.check_status,
                  (SELECT sum(k.status = 'fail') FROM checks k
                   WHERE k.report_id = c.report_id AND k.cross_year = 1) AS cross_year_failed,
                  c.evidence_url
           FROM coverage c
           LEFT JOIN reports r ON r.id = c.report_id
           LEFT JOIN sec3 s ON s.report_id = c.report_id
           ORDER BY c.organ_id, c.year"""
    )


@migrations()
def m003_compact(db: Database) -> None:
    """A small research database: ids instead of repeated text, texts in their own file, summaries.

    ``cells`` and ``checks`` are most of the archive's rows (about 200 and 50 a report); each repeated
    its cell id or rule name, in the row and again in every index. They now refer to ``items.id`` and
    ``rules.id``, and the views ``cell_values`` and ``check_results`` show them with their names. The
    texts and their search index move to the texts file (``archive.fts``), which ``apply`` attaches
    first. Copies of organ, region, level and year leave ``checks`` (its report has them).
    ``totals`` holds sums by region and year for the charts and canned queries.
    """
    db.execute("PRAGMA legacy_alter_table=ON")  # views name the old tables while they are swapped
    db.executescript(
        """
CREATE TABLE items_new (
    id INTEGER PRIMARY KEY,
    cell_id TEXT NOT NULL UNIQUE,
    section TEXT,
    row_key TEXT,
    column_key TEXT,
    label_zh TEXT,
    label_en TEXT,
    unit TEXT,
    templates TEXT,
    sort_order INTEGER
);
INSERT INTO items_new (cell_id, section, row_key, column_key, label_zh, label_en, unit, templates, sort_order)
    SELECT cell_id, section, row_key, column_key, label_zh, label_en, unit, templates, sort_order
    FROM items ORDER BY sort_order, cell_id;
INSERT OR IGNORE INTO items_new (cell_id) SELECT DISTINCT cell_id FROM cells ORDER BY cell_id;
DROP TABLE items;
ALTER TABLE items_new RENAME TO items;

CREATE TABLE cells_new (
    document_id INTEGER NOT NULL REFERENCES documents(id),
    item_id INTEGER NOT NULL REFERENCES items(id),
    report_id INTEGER REFERENCES reports(id),
    value NUMERIC,
    raw TEXT,
    page INTEGER,
    table_index INTEGER,
    row_index INTEGER,
    col_index INTEGER,
    ocr INTEGER,
    ocr_confidence REAL,
    PRIMARY KEY (document_id, item_id)
) WITHOUT ROWID;
INSERT INTO cells_new
    SELECT c.document_id, i.id, c.report_id, c.value, c.raw, c.page, c.table_index, c.row_index, c.col_index,
           c.ocr, c.ocr_confidence
    FROM cells c JOIN items i ON i.cell_id = c.cell_id;
DROP TABLE cells;
ALTER TABLE cells_new RENAME TO cells;
CREATE INDEX idx_cells_report ON cells(report_id);

CREATE TABLE rules (
    id INTEGER PRIMARY KEY,
    rule TEXT NOT NULL UNIQUE,
    rule_group TEXT,
    cross_year INTEGER NOT NULL DEFAULT 0
);
INSERT INTO rules (rule, rule_group, cross_year)
    SELECT rule, min(rule_group), max(cross_year) FROM checks GROUP BY rule ORDER BY rule;
CREATE TABLE checks_new (
    document_id INTEGER NOT NULL REFERENCES documents(id),
    rule_id INTEGER NOT NULL REFERENCES rules(id),
    report_id INTEGER REFERENCES reports(id),
    cross_year INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    expected NUMERIC,
    actual NUMERIC,
    cells TEXT,
    PRIMARY KEY (document_id, rule_id)
) WITHOUT ROWID;
INSERT INTO checks_new
    SELECT c.document_id, r.id, c.report_id, c.cross_year, c.status, c.expected, c.actual, c.cells
    FROM checks c JOIN rules r ON r.rule = c.rule;
DROP TABLE checks;
ALTER TABLE checks_new RENAME TO checks;
CREATE INDEX idx_checks_report ON checks(report_id, status, cross_year);
CREATE INDEX idx_checks_status ON checks(status);

CREATE VIEW cell_values AS
    SELECT c.report_id, c.document_id, i.cell_id, i.label_zh, c.value, i.unit, c.raw,
           c.page, c.table_index, c.row_index, c.col_index, c.ocr, c.ocr_confidence
    FROM cells c JOIN items i ON i.id = c.item_id;
CREATE VIEW check_results AS
    SELECT k.report_id, k.document_id, r.rule, r.rule_group, k.cross_year, k.status,
           k.expected, k.actual, k.cells
    FROM checks k JOIN rules r ON r.id = k.rule_id;
"""
    )
    db.execute("PRAGMA legacy_alter_table=OFF")
    _move_texts(db)
    columns = [column for name in ("sec3", "sec4") for column in WIDE_TABLES[name]]
    body = ",\n    ".join(f"{column} NUMERIC" for column in columns)
    db.execute(
        f"""CREATE TABLE totals (
    region TEXT,
    year INTEGER,
    reports INTEGER,
    {body},
    PRIMARY KEY (region, year)
)"""
    )
    facets.m003_facet_indexes(db)


def _move_texts(db: Database) -> None:
    """Texts of an archive made before m003 go to the texts file; the old indexes are dropped."""
    if "texts" not in db.table_names():
        return
    rows = db.execute(f"SELECT {', '.join(fts.TEXT_COLUMNS)} FROM main.texts ORDER BY id")
    while batch := rows.fetchmany(1000):
        fts.add_texts(db, batch)
    for table in ("texts_fts", "texts_bigram_fts", "texts"):
        db.execute(f"DROP TABLE IF EXISTS main.{table}")


@migrations()
def m004_site_tables(db: Database) -> None:
    """What the site's pages read, built once per run instead of on every request.

    ``editions``: every published state of a report (first seen, corrected, silently changed, gone),
    for the report page's history and the Atom feed. ``rates`` and ``rate_rules``: derived rates
    (公开率 …) per report with percentiles among peers, for ranking and the heat table.
    ``warc_records``: where each body's WARC record is, so the site can serve it without scanning files.
    """
    db.executescript(M004_SITE_TABLES)


@migrations()
def m005_run_portals(db: Database) -> None:
    """What each run found on each portal, the scheduler's visit history. Archives the pipeline wrote
    before this migration have it already (the pipeline made it, with this schema): ``IF NOT EXISTS``."""
    db.executescript(
        """
CREATE TABLE IF NOT EXISTS run_portals (
    run_id INTEGER,
    site_id TEXT,
    status TEXT,
    found INTEGER,
    new INTEGER,
    changed INTEGER,
    gone INTEGER,
    failed INTEGER,
    blocked INTEGER,
    fetched INTEGER,
    robots INTEGER,
    reasons TEXT,
    visited_at TEXT,
    PRIMARY KEY (run_id, site_id)
);
CREATE INDEX IF NOT EXISTS idx_run_portals_site_id_visited_at ON run_portals(site_id, visited_at);
"""
    )


@migrations()
def m006_facet_indexes(db: Database) -> None:
    """Every default facet of the report tables read in the order of an index (``archive.facets``)."""
    facets.m006_facet_indexes(db)


@migrations()
def m007_region_summary(db: Database) -> None:
    """The home page's figures per province, written by the build (``archive.summary``)."""
    db.executescript(summary.M007_REGION_SUMMARY)


@migrations()
def m008_rate_summary(db: Database) -> None:
    """The rates counted and pooled per rate, year, province and level, written by the build
    (``archive.rates``); the rates indexed by the ranking page's filters, in percent order."""
    db.executescript(rates.M008_RATE_SUMMARY)


@migrations()
def m009_edition_order(db: Database) -> None:
    """The newest editions read in their full order from an index (``archive.site_tables``)."""
    db.executescript(M009_EDITION_ORDER)


def apply(db: Database) -> int:
    """Bring a database up to the current schema; ``PRAGMA user_version`` becomes the count applied.

    The texts file (``archive.fts``) is attached and migrated first: the archive's own migrations may
    move rows into it.
    """
    fts.attach(db)
    migrations.apply(db)
    version = len(migrations.applied(db))
    db.execute(f"PRAGMA user_version = {version}")
    return version
