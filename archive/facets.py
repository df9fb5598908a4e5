"""The indexes behind the site's facets: each default facet counted from one index, read in its order.

A Datasette table page counts each of its facets over the rows its filters select
(``select level, count(*) from (select * from reports where year = ?) group by level``). Read from an
index led by the facet's column, the count is one pass over that index in order; from any other index
SQLite first sorts every entry into a temporary b-tree, which at 20,000 reports cost the reports and
wide-table pages three times as much as the ordered pass. Each index also holds ``year`` and ``region``,
the filters people set, so a filtered page's facets are still read from an index alone, never from the
rows: an index on the facet column alone is what SQLite's planner then prefers, and it looks up every
row to test the filter (m003's lesson, below).

The migrations ``m003_compact`` and ``m006_facet_indexes`` (``archive.migrations``) call these; like
any migration, what they create is frozen here, and a later change is a new migration.
"""

from __future__ import annotations

from sqlite_utils import Database

# The tables whose pages facet by year, region, level, template and check status (issue 5's facets).
REPORT_TABLES = ("reports", "sec2", "sec3", "sec4")

# m003: every facet column in one index led by the column a page is most often filtered by.
_M003_INDEXES: dict[str, tuple[tuple[str, ...], ...]] = {
    **{
        table: (("year", "region", "level", "template", "check_status"),
                ("region", "year", "level", "template", "check_status"))
        for table in REPORT_TABLES
    },
    "coverage": (("status", "year", "region", "level", "expected_as"), ("year", "status", "region", "level", "expected_as")),
}

# m006: the facets m003 left to a sort, each led by its own column (index name -> table, columns).
_M006_INDEXES: dict[str, tuple[str, tuple[str, ...]]] = {
    **{f"idx_{table}_{column}_facets": (table, (column, "year", "region"))
       for table in REPORT_TABLES for column in ("level", "template", "check_status")},
    # Its regions in order, with the status, year and level a page filters by.
    "idx_coverage_region_facets": ("coverage", ("region", "status", "year", "level")),
    "idx_checks_status_rule": ("checks", ("status", "rule_id")),
}


def m003_facet_indexes(db: Database) -> None:
    """The facet indexes replace m001's single-column ones, which SQLite's planner preferred for the
    ``GROUP BY`` of a facet over the filter's equality, reading every row of the table to count a year's.

    The canned query of failing reports reads its own partial index, which the site's table pages
    (whose filters are bound parameters) can never be planned onto.
    """
    for table, indexes in _M003_INDEXES.items():
        for column in {column for columns in indexes for column in columns}:
            db.execute(f"DROP INDEX IF EXISTS idx_{table}_{column}")
        for columns in indexes:
            db.execute(f"CREATE INDEX idx_{table}_{columns[0]}_facets ON {table}({', '.join(columns)})")
    db.execute("CREATE INDEX idx_reports_failing ON reports(failed_checks DESC, organ, year) WHERE check_status = 'fail'")


def m006_facet_indexes(db: Database) -> None:
    """Level, template and check status led by their own column; coverage's regions; ``checks`` by
    status then rule, which a rule facet of the failing checks reads in order.

    The checks index costs nothing: an index of a ``WITHOUT ROWID`` table carries the primary key
    (document, rule) anyway, and now holds the rule in the order the facet wants.
    """
    db.execute("DROP INDEX IF EXISTS idx_checks_status")
    for name, (table, columns) in _M006_INDEXES.items():
        db.execute(f"CREATE INDEX {name} ON {table}({', '.join(columns)})")
