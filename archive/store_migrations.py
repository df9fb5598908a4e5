"""The schema of ``DATA/store/store.db`` as an ordered list of sqlite-utils migrations.

The same mechanism as the archive's (``archive/migrations.py``), recorded in the same
``_sqlite_migrations`` table under its own set name, so a store written by any earlier version is
upgraded in place the first time it is opened, and nobody keeps a list of columns added later.

Stores made before the migrations existed have no ``_sqlite_migrations`` table but already hold some
or all of the tables, so the first two migrations create only what is missing: run against such a
store they bring it to exactly the schema a new store gets. Later migrations may assume the schema
the earlier ones left.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("nianbao.store")


@migrations()
def m001_initial(db: Database) -> None:
    """``runs`` (one per crawl), ``fetches`` (one per request), ``documents`` (one per version at a URL)."""
    tables = set(db.table_names())
    if "runs" not in tables:
        db["runs"].create(
            {
                "id": int,
                "started_at": str,
                "finished_at": str,
                "spider": str,
                "args": str,  # JSON
                "status": str,  # running, finished, interrupted
                "stats": str,  # JSON: Scrapy stats and our counters
                "warc_file": str,
            },
            pk="id",
        )
    if "fetches" not in tables:
        db["fetches"].create(
            {
                "id": int,
                "run_id": int,
                "portal_id": str,
                "kind": str,  # robots, listing, page, attachment, api
                "url": str,
                "final_url": str,
                "listing_url": str,
                "method": str,
                "title": str,
                "listed_date": str,
                "status": int,  # HTTP status, null when no response
                "outcome": str,  # one of archive.store.Outcome
                "reason": str,
                "fetched_at": str,
                "elapsed_ms": float,
                "size": int,
                "sha256": str,
                "content_type": str,
                "content_disposition": str,
                "filename": str,
                "etag": str,
                "last_modified": str,
                "headers": str,  # JSON
            },
            pk="id",
            foreign_keys=[("run_id", "runs", "id")],
        )
        db["fetches"].create_index(["url"])
        db["fetches"].create_index(["run_id", "outcome"])
    if "documents" not in tables:
        db["documents"].create(
            {
                "id": int,
                "url": str,
                "version": int,
                "sha256": str,
                "portal_id": str,
                "kind": str,
                "parent_url": str,
                "listing_url": str,
                "title": str,
                "listed_date": str,
                "filename": str,
                "content_type": str,
                "size": int,
                "first_seen": str,
                "last_seen": str,
                "gone_on": str,
                "fetch_id": int,
            },
            pk="id",
            foreign_keys=[("fetch_id", "fetches", "id")],
        )
        db["documents"].create_index(["url", "version"], unique=True)
        db["documents"].create_index(["sha256"])


@migrations()
def m002_jobs_and_families(db: Database) -> None:
    """Runs know their job (spider + arguments) and the run they resume; fetches their parent and family.

    Stores of the last version without migrations may have these already (they were added by hand
    then), so each is added only when missing.
    """
    for table, columns in (
        ("runs", {"job": str, "resumes": int}),
        ("fetches", {"parent_url": str, "family": str}),
    ):
        present = db[table].columns_dict
        for name, kind in columns.items():
            if name not in present:
                db[table].add_column(name, kind)
    db["fetches"].create_index(["portal_id", "run_id"], index_name="fetches_portal", if_not_exists=True)


@migrations()
def m003_crawl_schedule(db: Database) -> None:
    """The incremental crawl's state (``archive/schedule.py``): ``schedule`` (when each URL is next due,
    and its subtree), ``skips`` (what each run left out, per portal) and ``robots`` (each host's last
    robots.txt answer, reused for a day)."""
    db["schedule"].create(
        {
            "url": str,  # the spider's logical URL, as fetches.url
            "portal_id": str,
            "kind": str,  # listing, api, page, attachment
            "parent_url": str,  # the listing (or report page) that links it
            "checked_at": str,  # the last answer
            "changed_at": str,  # the last answer with a body not seen before at this URL
            "next_check": str,  # when this URL itself is due
            "due_at": str,  # the earliest next_check in its subtree: when its parent must be read
        },
        pk="url",
        if_not_exists=True,
    )
    db["schedule"].create_index(["portal_id"], if_not_exists=True)
    db["skips"].create(
        {"run_id": int, "portal_id": str, "what": str, "count": int},
        pk=("run_id", "portal_id", "what"),
        foreign_keys=[("run_id", "runs", "id")],
        if_not_exists=True,
    )
    db["robots"].create(
        {"url": str, "status": int, "sha256": str, "headers": str, "fetched_at": str},
        pk="url",
        if_not_exists=True,
    )


@migrations()
def m004_rendered_loads(db: Database) -> None:
    """``fetches.loaded``: for a page the browser rendered, what else it loaded (a JSON list of the
    scripts, XHR and frames its scripts asked for; ``[]`` when nothing), null for a page read without
    the browser. A re-crawl may then tell an unchanged rendering by a conditional GET of the page alone
    (``crawler.middlewares.StoreRevalidationMiddleware``), and knows when it cannot."""
    if "loaded" not in db["fetches"].columns_dict:
        db["fetches"].add_column("loaded", str)


def apply(db: Database) -> None:
    """Bring the store up to the current schema, one process at a time.

    The crawler's child process and the pipeline around it may open a new store together: the write
    lock is taken before looking at what is pending, so the second one finds nothing left to do.
    """
    if not migrations.pending(db):
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        migrations.apply(db)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
