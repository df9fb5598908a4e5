"""The Atom feed of new and changed reports: one entry per published state (``editions``), newest first.

A report first seen, corrected, changed silently or removed from its portal is one entry, whose id is
stable (``tag:`` URI of the report and the state's sequence number), so a feed reader shows each change
once. ``/feed.atom`` has every province, ``/feed.atom?region=安徽省`` one. Written with feedgen.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from urllib.parse import urlencode

from feedgen.feed import FeedGenerator

from archive.site import changes
from archive.site_tables import EDITION_KINDS

ENTRIES = 100
TAG = "tag:nianbao.archive,2025"


def atom(conn: sqlite3.Connection, base_url: str, *, region: str | None = None) -> bytes:
    """The feed as bytes; ``base_url`` (``http://host``) makes every link absolute, as Atom requires."""
    entries = changes.recent(conn, region=region, limit=ENTRIES)
    feed = FeedGenerator()
    scope = f"（{region}）" if region else ""
    feed.id(f"{TAG}:feed" + (f":{region}" if region else ""))
    feed.title(f"政府信息公开工作年度报告：新增与改动{scope} / Annual reports: new and changed")
    feed.subtitle("每份报告首次发现、更正、静默改动或撤下各为一条。 One entry each time a report is first seen, "
                  "corrected, changed silently or removed.")
    query = "?" + urlencode({"region": region}) if region else ""
    feed.link(href=f"{base_url}/feed.atom{query}", rel="self", type="application/atom+xml")
    feed.link(href=f"{base_url}/editions{query}", rel="alternate", type="text/html")
    feed.language("zh-CN")
    feed.updated(_time(entries[0]["seen"]) if entries else datetime(2000, 1, 1, tzinfo=UTC))
    for row in reversed(entries):  # feedgen prepends: add oldest first so the newest comes first
        entry = feed.add_entry()
        entry.id(f"{TAG}:report:{row['report_id']}:state:{row['seq']}")
        kind = EDITION_KINDS.get(row["kind"], row["kind"]).split(" / ")[0]
        entry.title(f"{row['organ']} {row['year']}年度报告：{kind}")
        entry.link(href=f"{base_url}/report/{row['report_id']}", rel="alternate", type="text/html")
        entry.updated(_time(row["seen"]))
        entry.published(_time(row["seen"]))
        entry.category(term=row["kind"], label=EDITION_KINDS.get(row["kind"], row["kind"]))
        parts = [f"{row['region'] or ''} {row['organ']} {row['year']}年度 · {EDITION_KINDS.get(row['kind'], row['kind'])}",
                 f"网址 URL: {row['url']}"]
        if row["summary"]:
            parts.append(row["summary"])
        entry.content("\n".join(parts), type="text")
    return feed.atom_str(pretty=True)


def _time(value: str | None) -> datetime:
    """Stored times are UTC ISO strings, with or without an offset; a date alone is midnight UTC."""
    if not value:
        return datetime(2000, 1, 1, tzinfo=UTC)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
