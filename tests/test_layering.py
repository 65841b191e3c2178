"""Dependencies point one way: ui -> router, local_models; router imports no Qt and no torch."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QT = {"PySide6", "qasync", "shiboken6", "ui"}
HEAVY = {"torch", "diffusers", "transformers"}


def _imports(pkg: str):
    """(file, top-level module, at module level?) for every import in a package."""
    for path in (ROOT / pkg).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = {id(n) for n in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                yield path.relative_to(ROOT), name.split(".")[0], id(node) in top_level


def test_router_and_local_models_never_import_qt():
    bad = [(str(f), m) for pkg in ("router", "local_models") for f, m, _ in _imports(pkg) if m in QT]
    assert bad == []


def test_router_never_imports_torch_or_diffusers():
    bad = [(str(f), m) for f, m, _ in _imports("router") if m in HEAVY]
    assert bad == []


def test_local_models_imports_torch_only_lazily():
    bad = [(str(f), m) for f, m, top in _imports("local_models") if m in HEAVY and top]
    assert bad == []


def test_router_reaches_local_models_only_lazily():
    bad = [(str(f), m) for f, m, top in _imports("router") if m == "local_models" and top]
    assert bad == []


def test_importing_the_core_loads_no_sdk_torch_or_qt():
    code = (
        "import sys; import router.app, router.cli, router.cli.core_cmds;"
        "heavy = [m for m in ('torch','diffusers','transformers','openai','anthropic','google.genai','ollama',"
        "'PySide6') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
