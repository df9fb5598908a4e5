"""The report templates as data, one module per version: ``v2021``, ``v2019`` and the free-form ``v2008``.

Every canonical cell id of ../shared/TEMPLATE.md, the labels and the words that recognise rows, columns
and sections, the markers that tell the templates apart and the 勾稽 rules live here; the parser, the
checks, the archive and the farm's renderers read them from this package.
"""

from __future__ import annotations

from functools import cache

from extract.templates import v2008, v2019, v2021
from extract.templates.base import Row, Signature, SumRule, Template
from extract.templates.common import (
    SEC3_APPLICANT_COLUMNS,
    SEC3_COLUMNS,
    SEC4_CELLS,
    SEC4_COLUMNS,
    SEC4_GROUPS,
    SECTION_HEADINGS,
)

TEMPLATES: dict[str, Template] = {t.version: t for t in (v2021.TEMPLATE, v2019.TEMPLATE, v2008.TEMPLATE)}
# The templates with tables, newest first: the ones a report's cells can belong to.
TABLE_TEMPLATES: tuple[str, ...] = ("2021", "2019")


def get(version: str) -> Template:
    """The template of a version; a clear error for anything else."""
    try:
        return TEMPLATES[version]
    except KeyError:
        raise ValueError(f"unknown template {version!r}: expected one of {', '.join(TEMPLATES)}") from None


def for_year(year: int) -> Template:
    """The template a report on ``year`` is written in."""
    for template in TEMPLATES.values():
        if template.first_year <= year and (template.last_year is None or year <= template.last_year):
            return template
    return v2008.TEMPLATE


def cell_ids(version: str) -> list[str]:
    """Every cell id of one template, in the order the report prints them (none for "2008")."""
    return list(_cell_ids(version))


@cache
def _cell_ids(version: str) -> tuple[str, ...]:
    return tuple(get(version).cell_ids())


def cell_label(cell_id: str, version: str) -> str:
    return get(version).cell_label(cell_id)


__all__ = [
    "SEC3_APPLICANT_COLUMNS", "SEC3_COLUMNS", "SEC4_CELLS", "SEC4_COLUMNS", "SEC4_GROUPS", "SECTION_HEADINGS",
    "TABLE_TEMPLATES", "TEMPLATES", "Row", "Signature", "SumRule", "Template", "cell_ids", "cell_label", "for_year",
    "get",
]
