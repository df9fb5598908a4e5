"""The ``items`` table: what every canonical cell id means, in Chinese and English, with its unit.

It is the label table of ``cells.cell_id``, so Datasette shows 行政复议 · 总计 beside
``sec4.review.total`` and researchers never need TEMPLATE.md to read the long table.
"""

from __future__ import annotations

from functools import cache

import sqlite_utils

from extract.templates import TABLE_TEMPLATES, cell_ids, cell_label


def unit(cell_id: str) -> tuple[str, str]:
    """The unit of a cell, in Chinese and English: counts, except the two money columns of section 二."""
    if cell_id.endswith(".amount_10k_yuan"):
        return "万元", "10,000 yuan"
    if cell_id == "sec2.procurement.amount":
        return "原文单位", "unit as printed"
    return "件", "count"


@cache
def item_rows() -> dict[str, dict]:
    """Every cell id of both templates, labelled; a cell in both keeps the 2021 label and order."""
    rows: dict[str, dict] = {}
    for template in TABLE_TEMPLATES:
        for order, cell_id in enumerate(cell_ids(template)):
            if cell_id in rows:
                rows[cell_id]["templates"] += f",{template}"
                continue
            section, row_key, column = cell_id.split(".")
            rows[cell_id] = {
                "cell_id": cell_id,
                "section": {"sec2": "二", "sec3": "三", "sec4": "四"}[section],
                "row_key": row_key,
                "column_key": column,
                "label_zh": cell_label(cell_id, template),
                "label_en": f"{row_key.replace('_', ' ')} · {column.replace('_', ' ')}",
                "unit": unit(cell_id)[0],
                "templates": template,
                "sort_order": order + (0 if template == "2021" else 1000),
            }
    return rows


def describe(cell_id: str) -> str:
    """A column description for a wide table: ``行政复议 · 总计（件）/ review · total (count); 模板 2021,2019``."""
    item = item_rows()[cell_id]
    zh_unit, en_unit = unit(cell_id)
    return f"{item['label_zh']}（{zh_unit}）/ {item['label_en']} ({en_unit}); 模板 template {item['templates']}"


_ITEM_COLUMNS = ("cell_id", "section", "row_key", "column_key", "label_zh", "label_en", "unit", "templates", "sort_order")


def rebuild_items(db: sqlite_utils.Database) -> None:
    """Every known cell id, labelled; a new one gets the next id, an existing one keeps its id."""
    updates = ", ".join(f"{column} = excluded.{column}" for column in _ITEM_COLUMNS[1:])
    with db.atomic():
        db.conn.executemany(
            f"""INSERT INTO items ({', '.join(_ITEM_COLUMNS)}) VALUES ({', '.join('?' for _ in _ITEM_COLUMNS)})
                ON CONFLICT (cell_id) DO UPDATE SET {updates}""",
            [tuple(row[column] for column in _ITEM_COLUMNS) for row in item_rows().values()],
        )
