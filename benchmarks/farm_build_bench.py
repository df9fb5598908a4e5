"""Cold build of the farm: how long a fresh machine (empty render cache) takes to render a world's pages
and files, split by portal group, each group measured in the same run into its own empty cache.

    .venv/bin/python benchmarks/farm_build_bench.py [--size small] [--seed 0]

The baseline group is the portals the small world held before issue 17 (trs-https … robots-denied); the
other group is the portals issue 17 added (jpaas … county-static), which keep three files each, one
of them at most rendered by LibreOffice. What a cold CI machine pays before the farm answers every
request at once is the sum. Results print as a table and go to benchmarks/results/farm_build_bench.json.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from farm import content
from farm.world import OFFICE_FORMATS, World

RESULTS = Path(__file__).with_name("results")
BEFORE_ISSUE_17 = ("trs-https", "trs-gbk", "hanweb", "gkmlpt", "openness", "jsonly", "ruishu", "blocked",
                   "robots-denied")


def cold_build(world: World, sites: list[str]) -> dict[str, float]:
    """Render every body and file of ``sites`` into a fresh, empty cache; the time and what was made."""
    articles = [a for site in sites for a in world.portals[site].articles.values()]
    files = [f for a in articles if a.is_report for f in a.attachments]
    with tempfile.TemporaryDirectory(prefix="nianbao-cold-") as cache:
        previous = os.environ.get("NIANBAO_RENDER_CACHE")
        os.environ["NIANBAO_RENDER_CACHE"] = cache
        try:
            started = time.perf_counter()
            content.prewarm(articles)
            for article in articles:  # DOCX files render lazily; a crawl asks for each report's once
                for attachment in article.attachments if article.is_report else ():
                    if attachment.fmt not in OFFICE_FORMATS:
                        content.attachment_bytes(article, attachment)
            seconds = time.perf_counter() - started
        finally:
            if previous is None:
                os.environ.pop("NIANBAO_RENDER_CACHE", None)
            else:
                os.environ["NIANBAO_RENDER_CACHE"] = previous
    return {"portals": len(sites), "articles": len(articles), "files": len(files),
            "office_files": sum(f.fmt in OFFICE_FORMATS for f in files), "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="small", choices=["small", "full"])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    world = World(args.seed, args.size, slow_seconds=0)
    before = [site for site in world.portals if site in BEFORE_ISSUE_17]
    added = [site for site in world.portals if site not in BEFORE_ISSUE_17]
    results = {"before issue 17 (baseline)": cold_build(world, before), "added by issue 17": cold_build(world, added)}
    total = {key: sum(r[key] for r in results.values()) for key in ("portals", "articles", "files", "office_files", "seconds")}
    results["whole world"] = total

    table = Table(title=f"cold farm build ({args.size} world, seed {args.seed}, empty render cache)")
    for column in ("portals", "", "articles", "files", "PDF/DOC/WPS", "seconds"):
        table.add_column(column or "group", justify="right")
    for name, row in results.items():
        table.add_row(str(row["portals"]), name, str(row["articles"]), str(row["files"]), str(row["office_files"]),
                      f"{row['seconds']:.1f}")
    Console().print(table)
    base = results["before issue 17 (baseline)"]["seconds"]
    Console().print(f"the added portals cost {results['added by issue 17']['seconds'] / base:.0%} of the baseline's time")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "farm_build_bench.json").write_text(json.dumps({"size": args.size, "seed": args.seed, **results}, indent=2))


if __name__ == "__main__":
    main()
