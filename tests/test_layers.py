"""The packages form layers and data flows one way: each package imports only the packages below it.

extract (document → record) ← archive (store, archive database, snapshots, site) ← crawler (Scrapy,
writing through the store's API) ← nianbao (the CLI and the pipeline). The farm stands beside them and
takes from extract only the template's data. Imports are read from the source with ``ast``, functions'
bodies included, so a lazy import inside a function counts as much as one at the top of a module.
The rules are drawn in docs/architecture.md. No module outside the tests is over 500 lines either.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("extract", "archive", "crawler", "farm", "nianbao")

# What each package may import of ours; the farm stands beside the stages and is started by nianbao.
ALLOWED = {
    "extract": set(),
    "archive": {"extract"},
    "crawler": {"extract", "archive"},
    "farm": {"extract"},
    "nianbao": {"extract", "archive", "crawler", "farm"},
}


# The only modules of extract the farm may import: the templates as data, never the code under test
# (the parser, the checks, the converters), or the farm's answers would copy their mistakes.
FARM_FROM_EXTRACT = ("extract.templates",)
MAX_LINES = 500


def imports_of(package: str) -> dict[str, set[str]]:
    """Every package of ours that a module of ``package`` imports, with the modules that do it."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in PACKAGES:
                names = [f"{node.module}.{alias.name}" for alias in node.names]  # from extract import template
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in PACKAGES and top != package:
                    found.setdefault(top, set()).add(f"{path.relative_to(ROOT)}: {name}")
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_package_imports_only_the_layers_below(package: str) -> None:
    wrong = {other: sorted(where) for other, where in imports_of(package).items() if other not in ALLOWED[package]}
    assert not wrong, f"{package} imports packages above it or beside it: {wrong}"


def test_no_two_packages_import_each_other() -> None:
    graph = {package: set(imports_of(package)) for package in PACKAGES}
    cycles = sorted({tuple(sorted((a, b))) for a in graph for b in graph[a] if a in graph.get(b, set())})
    assert not cycles, f"packages importing each other: {cycles}"


def test_the_farm_takes_only_template_data_from_extract() -> None:
    taken = imports_of("farm").get("extract", set())
    wrong = sorted(where for where in taken if ".".join(where.split(": ")[1].split(".")[:2]) not in FARM_FROM_EXTRACT)
    assert taken, "the farm renders the template's own rows and columns: it should import them"
    assert not wrong, f"the farm imports code under test from extract: {wrong}"


# Modules over the limit that another change is splitting; each entry must still be over it (a strict
# exception: once the module is split, the test fails until its entry is removed).
# The convert helper's own module (issue 10), over the limit since its merge; its owner splits it.
BEING_SPLIT: dict[str, str] = {}


def test_no_module_outside_the_tests_is_over_500_lines() -> None:
    lengths = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for package in (*PACKAGES, "benchmarks", "scripts")
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    assert len(lengths) > 100, "the walk found the modules"
    over = {name: n for name, n in lengths.items() if n > MAX_LINES and name not in BEING_SPLIT}
    assert not over, f"modules over {MAX_LINES} lines: {over}"
    done = [name for name in BEING_SPLIT if lengths.get(name, 0) <= MAX_LINES]
    assert not done, f"split already, remove from BEING_SPLIT: {done}"
