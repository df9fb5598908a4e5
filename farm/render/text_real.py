"""Text layouts seen in real report texts (issue 9, ../shared/corpus), beside those of ``farm.render.text``.

- ``pipe_bare``: pipe rows without the leading bar, merged cells as ``| |||`` runs (Tianjin, Shenzhen);
- ``pipe_cell_lines``: one cell per line ending in `` |``, a lone ``|`` opening each row (Wuhan, 国家新闻出版署);
- ``cell_lines_blank``: one cell per line, a blank line between cells, numbers padded with spaces, headers
  broken over lines (``本年新\\n制作数量``);
- ``no_headings``: no section heading anywhere, the tables straight after the preamble (a township page);
- ``hubei_labels``: section 二's labels with long bracketed explanations and an extra 其他主动公开文件 row;
- ``traditional``: the whole report in traditional characters (mirror sites), by OpenCC ``s2t``;
- ``glued_rows`` / ``glued_one_line``: every full row's cells run together (``规章000``), one row a line or
  the whole body as one line; a row whose cells the template's sums cannot split one way only is
  expected null (``glued.undecidable``);
- ``stops_in_row``: one cell per line, the text stopping inside a row of section 三 (an excerpt).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import lru_cache

from farm.records import ReportSpec
from farm.render import document as doc
from farm.render.glued import glue_plan, undecidable
from farm.render.tables import TCell, TTable, row_fields
from farm.render.text import Line, cell_lines, document_lines, join, tsv_lines
from farm.render.values import ValueStyle, style_for

_PAD = (" {}", "{} ", "  {}", "{}")


def _bare_pipe_lines(table: TTable, rng: random.Random) -> list[Line]:
    trailing = rng.random() < 0.5
    out = []
    for r in range(len(table.rows)):
        fields = [f.replace("\n", " ") for f in row_fields(table, r, pad_colspan=True)]
        while len(fields) > 1 and not fields[-1]:
            fields.pop()
        pad = table.width - len(fields)
        text = " | ".join(fields) + (" |" if trailing or pad else "") + ("|" * pad if pad else "")
        out.append(Line(text.replace("|  |", "| |"), table.row_cell_ids[r], (table.section, r)))
    return out


def _pipe_cell_lines(table: TTable) -> list[Line]:
    out = []
    for r in range(len(table.rows)):
        tag = (table.section, r)
        out.append(Line("|", (), tag))
        for cell, top, left in table.positions[r]:
            if top and left:
                out.append(Line(f"{cell.text.replace(chr(10), '')} |", (cell.cell,) if cell.cell else (), tag))
    return out


def _blank_cell_lines(table: TTable, rng: random.Random) -> list[Line]:
    out = []
    for line in cell_lines(table, tab=False):
        text = rng.choice(_PAD).format(line.text) if line.cells else line.text
        out += [Line(text, line.cells, line.tag), Line("", (), line.tag)]
    return out


def _document(spec: ReportSpec, name: str, table_lines, *, header: str = "none", gap: bool = True,
              value_style: ValueStyle | None = None, sec2=None) -> list[Line]:
    rng = doc.rng_for(spec, name)
    return document_lines(spec, rng, table_lines=lambda t: table_lines(t, rng) if t.section != "sec2" or sec2 is None
                          else sec2(t, rng), prose=doc.prose_style(rng, markdown=False), header_mode=header, gap=gap,
                          value_style=value_style or style_for(rng, empty_ok=False))


def _pipe_bare(spec: ReportSpec) -> list[Line]:
    return _document(spec, "pipe_bare", _bare_pipe_lines, header="spaces")


def _pipe_cells(spec: ReportSpec) -> list[Line]:
    return _document(spec, "pipe_cell_lines", lambda t, rng: _pipe_cell_lines(t), gap=False)


def _blank_cells(spec: ReportSpec) -> list[Line]:
    return _document(spec, "cell_lines_blank", _blank_cell_lines, header="newline", gap=False)


def _no_headings(spec: ReportSpec) -> list[Line]:
    rng = doc.rng_for(spec, "no_headings")
    prose = doc.prose_style(rng, markdown=False)
    headings = {doc.heading(i, prose) for i in range(6)}
    lines = document_lines(spec, rng, table_lines=lambda t: tsv_lines(t, pad_colspan=True, trailing_pad=False),
                           prose=prose, value_style=style_for(rng, empty_ok=False))
    return [line for line in lines if line.text not in headings]


HUBEI_NOTES = {
    "规章": "（设区的市、自治州人民政府应提供相关数据）",
    "规范性文件": "（行政机关制定发布的决定、公告、通告、意见、通知，以及标题采用“规定”“办法”“细则”等字样的公文，"
                 "一般情况下属于规范性文件）",
}
HUBEI_EXTRA = "其他主动公开文件（含以本单位或本单位办公室名义正式签发的、除规范性文件以外的主动公开文件）"


def _hubei_sec2(table: TTable, rng: random.Random) -> list[Line]:
    for row in table.rows:
        for cell in row:
            for word, note in HUBEI_NOTES.items():
                if not cell.cell and cell.text.endswith(word):
                    cell.text += note
    at = next(r for r, ids in enumerate(table.row_cell_ids) if ids and ".normative_documents." in ids[0]) + 1
    extra = [TCell(HUBEI_EXTRA)] + [TCell(str(rng.randint(0, 40))) for _ in range(table.width - 1)]
    table.rows.insert(at, extra)
    table.row_cell_ids.insert(at, ())
    table.__dict__.pop("positions", None)
    return tsv_lines(table, pad_colspan=False, trailing_pad=False)


def _hubei(spec: ReportSpec) -> list[Line]:
    return _document(spec, "hubei_labels", lambda t, rng: tsv_lines(t, pad_colspan=False, trailing_pad=False),
                     sec2=_hubei_sec2)


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def _traditional(spec: ReportSpec) -> str:
    lines = _document(spec, "traditional", lambda t, rng: tsv_lines(t, pad_colspan=True, trailing_pad=True))
    return _s2t().convert(join(lines))


def _glued_line(table: TTable, r: int) -> str:
    fields = [f.replace("\n", "") for f in row_fields(table, r, pad_colspan=False)]
    return "".join(fields)


def _glued_tables(table: TTable, spec: ReportSpec) -> list[Line]:
    """The rows ``glue_plan`` chooses printed run together; the others (a blank, many readings) keep tabs."""
    plan = glue_plan(spec.template, spec.cells)
    out = []
    for r in range(len(table.rows)):
        ids = table.row_cell_ids[r]
        name = "sec4" if table.section == "sec4" else ids[0].rsplit(".", 1)[0] if ids else ""
        text = _glued_line(table, r) if name in plan or not ids else "\t".join(row_fields(table, r, pad_colspan=False))
        out.append(Line(text, ids, (table.section, r)))
    if table.section == "sec4" and "\t" not in out[-1].text:  # the numbers run into the headings above them
        return [Line("".join(line.text for line in out), table.row_cell_ids[-1], ("sec4", 0))]
    return out


def _glued(spec: ReportSpec, name: str) -> list[Line]:
    plain = ValueStyle(blanks=("/",))
    return _document(spec, name, lambda t, rng: _glued_tables(t, spec), value_style=plain, gap=False)


def _glued_one_line(spec: ReportSpec) -> str:
    lines = _glued(spec, "glued_one_line")
    head = [line.text for line in lines[:3] if line.text]  # title and preamble keep their lines
    tail = [line.text for line in lines if line.tag == ("signature", 0)]  # and so does the signature
    body = [line.text for line in lines[3:] if line.text and line.tag != ("signature", 0)]
    tabbed = any("\t" in line.text for line in lines)
    if tabbed:  # a row with a blank cell is not run together: keep the layout line by line
        return join(lines)
    return "\n".join([*head, " ".join(body), *tail]) + "\n"


def _stops_in_row(spec: ReportSpec) -> list[Line]:
    lines = _document(spec, "stops_in_row", lambda t, rng: cell_lines(t, tab=False), gap=False)
    sec3 = [i for i, line in enumerate(lines) if line.cells and line.tag and line.tag[0] == "sec3"]
    cut = doc.rng_for(spec, "stop").choice(sec3[7:-1])
    return lines[:cut]


LOSSY: dict[str, Callable[[ReportSpec], list[Line]]] = {"stops_in_row": _stops_in_row}
GLUED = ("glued_rows", "glued_one_line")

TEXT_LAYOUTS: dict[str, Callable[[ReportSpec], str]] = {
    "pipe_bare": lambda spec: join(_pipe_bare(spec)),
    "pipe_cell_lines": lambda spec: join(_pipe_cells(spec)),
    "cell_lines_blank": lambda spec: join(_blank_cells(spec)),
    "no_headings": lambda spec: join(_no_headings(spec)),
    "hubei_labels": lambda spec: join(_hubei(spec)),
    "traditional": _traditional,
    "glued_rows": lambda spec: join(_glued(spec, "glued_rows")),
    "glued_one_line": _glued_one_line,
    "stops_in_row": lambda spec: join(_stops_in_row(spec)),
}


def lost_cells(spec: ReportSpec, layout: str) -> set[str]:
    """Cells the layout does not print (the text stops), or prints run together past one reading."""
    if layout in LOSSY:
        return set(spec.cells) - {cell for line in LOSSY[layout](spec) for cell in line.cells}
    if layout in GLUED:
        return undecidable(spec.template, spec.cells)
    return set()


def lost_signature(spec: ReportSpec, layout: str) -> bool:
    return layout in LOSSY
