"""Attachments are real files of their format, rendered on first request from the report's spec."""

from __future__ import annotations

import io
import zipfile

import pytest

from farm.testing import fetch


def _first(farm, fmt):
    return next(t for t in farm.world.reports(crawlable_only=True)
                if fmt in t.formats and t.site_id in ("trs-https", "gkmlpt", "openness", "jsonly"))


def test_docx_is_a_word_document(farm):
    truth = _first(farm, "docx")
    reply = fetch(farm.url(truth.site_id, truth.attachment_paths[0]))
    assert reply.status == 200 and reply.headers["content-type"].endswith("wordprocessingml.document")
    names = zipfile.ZipFile(io.BytesIO(reply.body)).namelist()
    assert "word/document.xml" in names


@pytest.mark.slow
def test_pdf_is_rendered_by_libreoffice(farm):
    truth = _first(farm, "pdf")
    reply = fetch(farm.url(truth.site_id, truth.attachment_paths[0]))
    assert reply.status == 200 and reply.headers["content-type"] == "application/pdf"
    assert reply.body.startswith(b"%PDF-")
