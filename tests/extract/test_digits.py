"""Cells run together: split only where the template's sums leave one way; otherwise null and said so.

Every expected value here is worked out by hand from the printed digits and TEMPLATE.md's rules.
"""

from __future__ import annotations

from extract.digits import GluedRow, row_cuts, solve
from extract.parse import parse_bytes
from extract.rows import glued_segments, pipe_cells
from extract.templates import get

COLS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total")
RULES = get("2021").rules


def _row(key: str, digits: str) -> GluedRow:
    return GluedRow(f"sec3.{key}", tuple(f"sec3.{key}.{c}" for c in COLS), (digits,))


def cuts(tokens: tuple[str, ...], n: int) -> list[tuple[str, ...]]:
    return list(row_cuts(GluedRow("r", tuple(f"r.{i}" for i in range(n)), tokens), ()))


def test_cuts_never_give_a_number_a_leading_zero() -> None:
    assert cuts(("000",), 3) == [("0", "0", "0")]
    assert cuts(("1000",), 3) == [("10", "0", "0")]
    assert cuts(("12",), 3) == []
    assert set(cuts(("123",), 2)) == {("1", "23"), ("12", "3")}
    assert set(cuts(("12", "5"), 3)) == {("1", "2", "5")}  # a space between tokens is a cell boundary
    assert cuts(("12.5",), 1) == [("12.5",)] and set(cuts(("12.53",), 2)) == {("1", "2.53"), ("12.5", "3")}


def test_section_four_groups_prune_as_they_close() -> None:
    cells = tuple(f"sec4.{g}.{c}" for g in ("review", "litigation_direct", "litigation_after_review")
                  for c in ("upheld", "corrected", "other", "pending", "total"))
    found = list(row_cuts(GluedRow("sec4", cells, ("110024001510102",)), RULES))
    assert found == [tuple("110024001510102")]  # 1+1+0+0=2, 4+0+0+1=5, 1+0+1+0=2


def test_a_row_total_fixes_the_split() -> None:
    # 71 + 3 + 0 + 0 + 0 + 0 = 74 is the only cut of 713000074 whose six columns add up to the seventh.
    solution = solve([_row("new_received", "713000074")], {}, RULES)
    assert solution.ambiguous == []
    assert [solution.values[f"sec3.new_received.{c}"][0] for c in COLS] == [71, 3, 0, 0, 0, 0, 74]


def test_rows_with_two_cuts_are_decided_by_the_column_sums_or_left_null() -> None:
    # 220000022 is 22|0|0|0|0|0|22 or 2|20|0|0|0|0|22: both add up. Alone, it stays null.
    alone = solve([_row("granted", "220000022")], {}, RULES)
    assert alone.ambiguous == ["sec3.granted"] and not alone.values
    # The commercial column's outcomes must sum to its (七) 总计 of 0: only 22|0|… survives.
    known = {f"sec3.{row}.{c}": 0 for row in ("total_processed",) for c in COLS if c != "natural_person"}
    known.update({f"sec3.{k.key}.{c}": 0 for k in get("2021").sec3 for c in COLS
                  if k.key.startswith(("denied_", "unavailable_", "not_processed_", "other_", "partially"))})
    known["sec3.total_processed.natural_person"], known["sec3.total_processed.total"] = 22, 22
    decided = solve([_row("granted", "220000022")], known, RULES)
    assert decided.ambiguous == []
    assert decided.values["sec3.granted.natural_person"][0] == 22


def test_section_two_has_no_sum_to_choose_with() -> None:
    rows = [GluedRow("sec2.normative_documents", ("a", "b", "c"), ("8855698",))]
    assert solve(rows, {}, RULES).ambiguous == ["sec2.normative_documents"]


def test_segments_keep_labels_apart_and_give_numbering_back() -> None:
    assert glued_segments("规章000行政规范性文件8855698") == [("规章", [("000", True)]), ("行政规范性文件", [("8855698", True)])]
    segments = glued_segments("1.属于国家秘密00000002.其他法律行政法规禁止公开 0000000")
    assert [label for label, _ in segments] == ["1.属于国家秘密", "2.其他法律行政法规禁止公开"]
    assert [values for _, values in segments] == [[("0000000", True)], [("0000000", True)]]
    assert glued_segments("全年公开信息77条，收到1份申请。") is None  # counts in sentences are not cells
    assert glued_segments("(国办公开办函〔2019〕60号)") is None


def test_pipe_rows_with_and_without_outer_bars() -> None:
    assert pipe_cells("规章 | 0 | 0 | 0 |") == ["规章", "0", "0", "0"]
    assert pipe_cells("| 规章 | 0 | 0 | |") == ["规章", "0", "0", ""]
    assert pipe_cells("第二十条第(一)项 | |||") == ["第二十条第(一)项", "", "", ""]
    assert pipe_cells("|") == [""]
    assert pipe_cells("规章") is None


REPORT = """XX镇2023年政府信息公开工作年度报告
二、主动公开政府信息情况
第二十条第（一）项
信息内容本年制发件数本年废止件数现行有效件数
规章000
行政规范性文件112
三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量 713000074二、上年结转政府信息公开申请数量 1000001
"""


def test_a_report_whose_cells_ran_together() -> None:
    record = parse_bytes(REPORT.encode("utf-8"), "r.txt")
    assert [record.cells[f"sec2.regulations.{c}"] for c in ("issued", "repealed", "in_force")] == [0, 0, 0]
    # 112 into three cells is 1|1|2 (no number starts with 0, every cell has a digit): one way only.
    assert [record.cells[f"sec2.normative_documents.{c}"] for c in ("issued", "repealed", "in_force")] == [1, 1, 2]
    assert [record.cells[f"sec3.new_received.{c}"] for c in COLS] == [71, 3, 0, 0, 0, 0, 74]
    assert [record.cells[f"sec3.carried_over.{c}"] for c in COLS] == [1, 0, 0, 0, 0, 0, 1]


def test_an_ambiguous_row_is_null_and_named() -> None:
    record = parse_bytes(REPORT.replace("112", "8855698").encode("utf-8"), "r.txt")
    assert all(record.cells[f"sec2.normative_documents.{c}"] is None for c in ("issued", "repealed", "in_force"))
    assert any("ambiguous digits" in w and "sec2.normative_documents" in w for w in record.warnings)


def test_a_row_printed_twice_as_different_digits_is_not_cut() -> None:
    """OCR of a borderless scan (real case 49): section 二's 行政规范性文件 row reached the reader twice, from
    a sentence (``…行政规范性文件393 件``) and from the table (``77``). 393 alone cuts one way only (3 9 3),
    77 none: which printing is the row's is a guess, so every cell is null and the row named."""
    cells = tuple(f"sec2.normative_documents.{c}" for c in ("issued", "repealed", "in_force"))
    rows = [GluedRow("sec2.normative_documents", cells, ("393",)), GluedRow("sec2.normative_documents", cells, ("77",))]
    solution = solve(rows, {}, RULES)
    assert solution.values == {} and solution.ambiguous == ["sec2.normative_documents"]
    same = [GluedRow("sec2.normative_documents", cells, ("393",))] * 2  # the same digits twice: one printing
    assert solve(same, {}, RULES).values[cells[1]] == (9, "9")


def test_a_count_in_a_sentence_is_no_cell_even_with_a_space_before_its_unit() -> None:
    """OCR reads ``规范性文件393件`` with a space before the unit: a count in a sentence, not a row's cells."""
    assert glued_segments("清理并集中发布现行有效行政规范性文件393 件，动态更新") is None
    assert glued_segments("清理并集中发布现行有效行政规范性文件393件") is None
    assert glued_segments("规章000") == [("规章", [("000", True)])]
