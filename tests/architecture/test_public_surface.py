"""Every public module says what it offers (``__all__``), and offers only what it defines (issue 13,
item 10): a reader sees the surface without reading the file, and ``from m import *`` cannot leak."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PUBLIC = sorted(
    p for p in (SRC / "nevindex").rglob("*.py")
    if not any(part.startswith("_") and part != "__init__.py" for part in p.relative_to(SRC).parts)
    and "migrations" not in p.parts and p.name != "__main__.py"
)


def _module(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _declares(path: Path) -> bool:
    """Does the file itself assign ``__all__`` (a list, or lazy_loader's ``__getattr__, __dir__, __all__``)?"""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        names = [n for t in targets for n in (t.elts if isinstance(t, ast.Tuple) else [t])]
        if any(isinstance(n, ast.Name) and n.id == "__all__" for n in names):
            return True
    return False


def test_the_walk_finds_the_modules():  # the test below could not pass by finding nothing
    names = {_module(p) for p in PUBLIC}
    assert {"nevindex.build", "nevindex.io", "nevindex.store.editions", "nevindex.cli.synth"} <= names
    assert "nevindex.cli._root" not in names and not any(".migrations" in n for n in names)


@pytest.mark.parametrize("path", PUBLIC, ids=_module)
def test_every_public_module_declares_its_surface(path):
    assert _declares(path), f"{path.relative_to(SRC)} has no __all__"
    module = importlib.import_module(_module(path))
    declared = list(module.__all__)
    assert len(declared) == len(set(declared)), f"{path.relative_to(SRC)}: a name is listed twice in __all__"
    missing = [name for name in declared if not hasattr(module, name)]
    assert not missing, f"{path.relative_to(SRC)}: __all__ names {missing}, which the module does not define"
