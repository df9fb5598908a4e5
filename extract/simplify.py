"""Reports kept in traditional characters (mirrors convert whole sites) read as the simplified original.

Labels, headings and organ names are matched in simplified characters, so a document whose text
changes under OpenCC's ``t2s`` conversion is converted, paragraph by paragraph and cell by cell, before
it is read. OpenCC (the maintained C++ library, through its Python binding) does the conversion; a
simplified document is returned as it is.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from extract.document import Cell, Document, Paragraph, Table


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _converter().convert(text)


def has_traditional(text: str) -> bool:
    """Whether OpenCC changes the text. Text that GB2312 (simplified characters only) encodes has
    nothing to change, which spares most documents the conversion."""
    try:
        text.encode("gb2312")
        return False
    except UnicodeEncodeError:
        return to_simplified(text) != text


def simplified(doc: Document, text: str | None = None) -> Document:
    """The document in simplified characters (the same object when it already is); ``text`` is
    ``doc.text`` when the caller has it already."""
    if not has_traditional(doc.text if text is None else text):
        return doc
    convert = _converter().convert
    blocks: list[Paragraph | Table] = []
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            blocks.append(replace(block, text=convert(block.text)))
        else:
            converted: dict[int, Cell] = {}  # a merged cell is one object in every position: keep it so
            rows = [[converted.setdefault(id(c), replace(c, text=convert(c.text))) for c in row] for row in block.rows]
            blocks.append(replace(block, rows=rows))
    meta = {key: convert(value) for key, value in doc.meta.items()}
    return replace(doc, blocks=blocks, meta=meta, warnings=[*doc.warnings, "traditional characters read as simplified (OpenCC t2s)"])
