"""``nianbao crawl``'s exit status, from the per-portal summary of its run."""

from __future__ import annotations

import pytest

from crawler.cli import CLEAN, PARTIAL, STOPPED, RunSummary, exit_status


def row(**figures: int) -> dict:
    base = {"portal_id": "p", "reports_found": 3, "downloaded": 3, "unchanged": 0, "failed": 0, "blocked": 0,
            "robots": 0, "refused": 0, "listings_read": 2}
    return {**base, **figures}


@pytest.mark.parametrize(("rows", "status", "code"), [
    ([row()], "finished", CLEAN),
    ([row(refused=12)], "finished", CLEAN),  # refusing hostile links is the policy working, not a failure
    ([row(blocked=1, robots=1)], "finished", CLEAN),  # a column robots.txt disallows is our choice
    ([row(), row(portal_id="q", failed=1)], "finished", PARTIAL),
    ([row(blocked=1)], "finished", PARTIAL),  # a block page or challenge
    ([row(blocked=1, robots=1, listings_read=0)], "finished", PARTIAL),  # nothing of the portal could be read
    ([row(listings_read=0, refused=1)], "finished", PARTIAL),  # its start page is refused
    ([row()], "interrupted", STOPPED),
])
def test_exit_status(rows: list[dict], status: str, code: int) -> None:
    assert exit_status(RunSummary(1, status, rows)) == code
