"""Dependencies point one way (ui -> router, local_models; local_models -> router); no import cycles.

Every import node counts, at module level or inside a function: `router/` reaches `local_models` only through the
"module:attribute" strings of the provider table (router/providers/info.py) and the registry's VRAM arbiter.
The documented exception: `router/cli/` is a front end like `ui/` and may import `local_models`.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from router.providers.info import PROVIDERS, load

ROOT = Path(__file__).resolve().parent.parent
QT = {"PySide6", "qasync", "shiboken6", "ui"}
HEAVY = {"torch", "diffusers", "transformers"}
FRONT_ENDS = ("router/cli/",)  # may import local_models (like ui/)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(pkg: str):
    """(file, imported module, at module level?) for every import node in a package, function bodies included."""
    for path in (ROOT / pkg).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = {id(n) for n in tree.body}
        here = _module_name(path).split(".")
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = here[: len(here) - node.level + (path.name == "__init__.py")] if node.level else []
                module = ".".join([*base, *([node.module] if node.module else [])])
                names = [f"{module}.{a.name}" for a in node.names] + [module]
            else:
                continue
            for name in names:
                yield path.relative_to(ROOT), name, id(node) in top_level


def _tops(pkg: str):
    for f, name, top in _imports(pkg):
        yield f, name.split(".")[0], top


def test_router_and_local_models_never_import_qt():
    bad = [(str(f), m) for pkg in ("router", "local_models") for f, m, _ in _tops(pkg) if m in QT]
    assert bad == []


def test_router_never_imports_torch_or_diffusers():
    bad = [(str(f), m) for f, m, _ in _tops("router") if m in HEAVY]
    assert bad == []


def test_local_models_imports_torch_only_lazily():
    bad = [(str(f), m) for f, m, top in _tops("local_models") if m in HEAVY and top]
    assert bad == []


def test_router_never_imports_local_models_not_even_lazily():
    bad = [str(f) for f, m, _ in _tops("router") if m == "local_models" and not str(f).startswith(FRONT_ENDS)]
    assert bad == []


def test_every_string_named_factory_in_the_provider_table_resolves():
    for row in PROVIDERS.values():
        for path in filter(None, (row.factory, row.manager, row.setup)):
            assert callable(load(path)), path


def _graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports (a package import counts as its __init__), every import node."""
    modules = {_module_name(p) for pkg in ("router", "local_models") for p in (ROOT / pkg).rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for pkg in ("router", "local_models"):
        for f, name, _ in _imports(pkg):
            src = _module_name(ROOT / f)
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != src and not src.startswith(name + "."):  # a package's own __init__ is no cycle
                graph[src].add(name)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles_in_router_and_local_models():
    assert _cycles(_graph()) == []  # an import cycle in router/ or local_models/ fails the suite


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_importing_the_core_loads_no_sdk_torch_or_qt():
    code = (
        "import sys; import router.app, router.cli, router.cli.core_cmds;"
        "heavy = [m for m in ('torch','diffusers','transformers','openai','anthropic','google.genai','ollama',"
        "'PySide6') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
