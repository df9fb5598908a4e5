"""Cell values per TEMPLATE.md: numbers as printed, and null (never 0) where no number is printed."""

import pytest

from extract.values import parse_value, split_trailing_values


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0", 0),
        (" 12 ", 12),
        ("１２３", 123),  # full-width digits
        ("1,234", 1234),
        ("１，２３４", 1234),
        ("12件", 12),
        ("496条", 496),
        ("3.5万元", 3.5),
        ("0.00", 0.0),
        ("-2", -2),
        ("−3", -3),
    ],
)
def test_numbers(text, number):
    assert parse_value(text) == (True, number)
    assert type(parse_value(text)[1]) is type(number)


@pytest.mark.parametrize("text", ["", " ", "\u00a0", "/", "／", "-", "—", "——", "无", "－"])
def test_null_markers_are_values_without_a_number(text):
    assert parse_value(text) == (True, None)


@pytest.mark.parametrize("text", ["规章", "1.属于国家秘密", "（七）总计", "2024年", "1.", "第二十条第（一）项"])
def test_labels_are_not_values(text):
    assert parse_value(text) == (False, None)


def test_trailing_values_split_off_a_flattened_row():
    assert split_trailing_values("1. 属于国家秘密 0 0 / 0 0 0 0") == ("1. 属于国家秘密", ["0", "0", "/", "0", "0", "0", "0"])
    assert split_trailing_values("共收到申请 0 件。") == ("共收到申请 0 件。", [])
    assert split_trailing_values("2024 年") == ("2024 年", [])
