"""The parser against real reports read by hand (../shared/corpus), scored by the corpus's own scorer.

The expected values are the corpus's ``.expected.json`` files, written by people reading each document,
never by running the parser; ``score.py``'s ``compare`` is the rule book (a blank read as 0 is invented,
an excerpt's unseen section 三/四 cells must stay null, a 2008-era report has no cells at all). The
folder is data kept by others beside the repository: the test skips when it is absent.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from extract.parse import parse_file

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
pytestmark = pytest.mark.skipif(not (CORPUS / "score.py").exists(), reason="../shared/corpus is not here")


def _scorer():
    spec = importlib.util.spec_from_file_location("corpus_score", CORPUS / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _cases() -> list[tuple[str, Path, dict]]:
    out = []
    for expected in sorted(CORPUS.glob("*.expected.json")) if CORPUS.exists() else []:
        case = json.loads(expected.read_text(encoding="utf-8"))
        out += [(f"{expected.name.split('.')[0]}:{Path(name).suffix[1:]}", CORPUS / name, case) for name in case["files"]]
    return out


@pytest.mark.parametrize(("name", "path", "case"), _cases(), ids=[c[0] for c in _cases()])
def test_real_report(name: str, path: Path, case: dict) -> None:
    got = parse_file(path).to_json()
    right, wrong, missed, invented, meta, details = _scorer().compare(got, case)
    bad_meta = [f"{key}: expected {want!r}, got {value!r}" for key, ok, want, value in meta if not ok]
    assert not (wrong or missed or invented or bad_meta), (
        f"{name}: right={right} wrong={wrong} missed={missed} invented={invented}; {bad_meta}; {details[:12]}"
    )


def test_every_case_is_scored() -> None:
    assert len(_cases()) >= 26
