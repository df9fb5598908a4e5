"""Header decoding as Chinese portals send it."""

from __future__ import annotations

from crawler.http import filename_from_disposition, retry_after_seconds

NAME = "太平镇2023年政府信息公开工作年度报告.pdf"


def test_rfc5987_wins() -> None:
    raw = f'attachment; filename="{NAME}"'.encode("gbk") + b"; filename*=UTF-8''" + \
        "%E5%A4%AA%E5%B9%B3%E9%95%872023%E5%B9%B4%E6%94%BF%E5%BA%9C%E4%BF%A1%E6%81%AF%E5%85%AC%E5%BC%80%E5%B7%A5%E4%BD%9C%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A.pdf".encode()
    assert filename_from_disposition(raw) == NAME


def test_raw_gbk_bytes() -> None:
    assert filename_from_disposition(f'attachment; filename="{NAME}"'.encode("gbk")) == NAME


def test_percent_encoded_and_unquoted() -> None:
    assert filename_from_disposition("attachment;filename=%E6%8A%A5%E5%91%8A.docx") == "报告.docx"
    assert filename_from_disposition(b"inline") is None


def test_retry_after() -> None:
    assert retry_after_seconds(b"3") == 3.0
    assert retry_after_seconds(b"Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after_seconds(None) is None
