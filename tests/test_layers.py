"""The packages form layers and data flows one way: each package imports only the packages below it.

extract (document → record) ← archive (store, archive database, snapshots, site) ← crawler (Scrapy,
writing through the store's API) ← nianbao (the CLI and the pipeline). Imports are read from the source
with ``ast``, functions' bodies included, so a lazy import inside a function counts as much as one at the
top of a module.
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


def imports_of(package: str) -> dict[str, set[str]]:
    """Every package of ours that a module of ``package`` imports, with the modules that do it."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
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
