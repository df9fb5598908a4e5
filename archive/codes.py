"""The integer ids that ``cells`` and ``checks`` hold instead of repeating cell ids and rule names.

A report has about 200 cells and 50 check results; written out, ``sec3.not_processed_duplicate.total``
and its like made up most of the archive's bytes, once in the row and again in every index. The
names live once in ``items`` and ``rules``; ``cell_values`` and ``check_results`` show them joined.
Ids are assigned on first sight and never change, so they are stable across rebuilds and snapshots.
"""

from __future__ import annotations

import sqlite_utils


def rule_group(rule: str) -> str:
    """``sec3.balance.total`` -> ``sec3.balance``: the rule without its column or row."""
    return rule.rsplit(".", 1)[0] if rule.count(".") > 1 else rule


class Codes:
    """Cell id -> ``items.id`` and rule name -> ``rules.id``, read once and extended as new names appear."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.items: dict[str, int] = dict(db.execute("SELECT cell_id, id FROM items").fetchall())
        self.rules: dict[str, int] = dict(db.execute("SELECT rule, id FROM rules").fetchall())

    def item(self, cell_id: str) -> int:
        """The id of a cell id; one the item table does not know yet (a newer parser's) is added bare."""
        found = self.items.get(cell_id)
        if found is None:
            parts = (cell_id.split(".") + [None, None, None])[:3]
            found = self.db.execute(
                "INSERT INTO items (cell_id, section, row_key, column_key) VALUES (?, ?, ?, ?)", [cell_id, *parts]
            ).lastrowid
            self.items[cell_id] = found
        return found

    def rule(self, rule: str, *, cross_year: bool) -> int:
        found = self.rules.get(rule)
        if found is None:
            found = self.db.execute(
                "INSERT INTO rules (rule, rule_group, cross_year) VALUES (?, ?, ?)",
                [rule, rule_group(rule), int(cross_year)],
            ).lastrowid
            self.rules[rule] = found
        return found
