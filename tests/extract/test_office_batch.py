"""Word-processor files of a batch converted by one LibreOffice run (``extract.isolate.prefetch_office``),
as a worker without a LibreOffice listener converts them.

The DOC files are made by LibreOffice from seed pages (``office.py``, cached); expected cells come from
the seeds' specs. Each document read after the batch run must give the record it gives alone, and a
file the batch could not convert fails alone with its one-line reason.
"""

from __future__ import annotations

import pytest

from extract import isolate
from extract.document import ConversionError
from extract.isolate import parse_isolated, prefetch_office
from farm.records import seed_records
from tests.extract.office import office, seed_page

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("libreoffice")]


@pytest.fixture(autouse=True)
def no_listener(monkeypatch):
    """Batches are how a worker without a LibreOffice listener converts (``test_listener.py``: with one)."""
    monkeypatch.setenv("NIANBAO_OFFICE_LISTENER", "0")

SPECS = seed_records()[:3]


@pytest.fixture(scope="module")
def docs() -> list[bytes]:
    return office([seed_page(spec) for spec in SPECS], "doc")


def test_a_batch_is_converted_in_one_run_and_read_as_each_file_alone(docs, monkeypatch):
    from extract.convert import libreoffice

    runs = []
    real = libreoffice.convert_many
    monkeypatch.setattr(libreoffice, "convert_many", lambda inputs, *a, **k: runs.append(len(inputs)) or real(inputs, *a, **k))
    html = seed_page(SPECS[0]).encode()
    assert prefetch_office([*docs, html, docs[0]]) == len(docs)  # HTML needs no LibreOffice; a repeat is one
    assert runs == [len(docs)]
    for spec, data in zip(SPECS, docs):
        record = parse_isolated(data, "report.doc")
        assert record.source_format == "doc"
        assert {k: record.cells.get(k) for k in spec.cells} == dict(spec.cells)
        assert any("converted from DOC" in w for w in record.warnings)
    assert not isolate._PREPARED  # each prepared DOCX is taken once
    assert runs == [len(docs)]  # none was converted again


def test_a_file_the_batch_could_not_convert_fails_alone_in_one_line(docs):
    import hashlib

    broken = docs[0][:2048]  # an OLE header with its streams cut off: not sniffed as a DOC at all
    assert prefetch_office([broken, docs[1]]) == 1
    isolate._PREPARED[hashlib.sha256(docs[2]).hexdigest()] = ("doc", None)  # LibreOffice made nothing of it
    for data in (broken, docs[2]):
        with pytest.raises(ConversionError) as error:
            parse_isolated(data, "broken.doc")
        assert "\n" not in str(error.value) and str(error.value).startswith("broken.doc: ")
    assert parse_isolated(docs[1], "report.doc").organ == SPECS[1].organ
    assert not isolate._PREPARED
