"""Template "2008": the free-form reports of 2008–2018, under the 2008 regulations (国务院令第492号).

They have no fixed tables: a report of that era is recognised (organ, year, signature date, full text)
and carries no cells at all, whatever numbers its prose mentions. Its sections are numbered differently
(四 is often 收费及减免, 五 复议/诉讼), so no section number means a table here.
"""

from __future__ import annotations

from extract.templates.base import Template

TEMPLATE = Template(
    version="2008",
    name="中华人民共和国政府信息公开条例（国务院令第492号）",
    first_year=2008,
    last_year=2018,
)

# Why such a record has no cells, for the record's warnings and the site.
NO_TABLES = "template 2008: a free-form report of 2008–2018 (before the 2019 template); it has no tables to read"
