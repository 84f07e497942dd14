"""The package's layers: imports run one way, app -> ingestion/search -> index/embed/entities/
parse -> text -> language data and records (the README's "How it works" is the tree)."""

from __future__ import annotations

import ast

import pytest
from conftest import ROOT

RANK = {  # a module may import its own package and any package of a lower rank
    "app": 4,
    "ingestion": 3, "search": 3,
    "index": 2, "embed": 2, "entities": 2, "parse": 2,
    "text": 1,
    "lang": 0, "records": 0, "errors": 0, "data": 0,
}


def imports(path) -> list[tuple[int, str]]:
    """(line, module) of every ``nlp.*`` import in a file, lazy ones inside functions too."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("nlp."):
            out.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("nlp.")]
    return out


def package(module: str) -> str:
    return module.split(".")[1]


MODULES = sorted(p for p in (ROOT / "nlp").rglob("*.py") if p.name != "__init__.py"
                 or p.parent != ROOT / "nlp")


def test_layers_every_package_has_a_rank():
    found = {p.name for p in (ROOT / "nlp").iterdir() if p.is_dir() and p.name != "__pycache__"}
    found |= {p.stem for p in (ROOT / "nlp").glob("*.py") if p.stem != "__init__"}
    assert found == set(RANK)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_layers_imports_run_one_way(path):
    own = package(".".join(path.relative_to(ROOT).with_suffix("").parts))
    wrong = [f"line {line}: {module}" for line, module in imports(path)
             if package(module) != own and RANK[package(module)] >= RANK[own]]
    assert not wrong, f"{own} ({RANK[own]}) imports a package of its rank or above: {wrong}"


def test_layers_see_lazy_imports_inside_functions(tmp_path):
    module = tmp_path / "lazy.py"
    module.write_text("import nlp.records\n\ndef f():\n    from nlp.app.cli import main\n")
    assert imports(module) == [(1, "nlp.records"), (4, "nlp.app.cli")]
