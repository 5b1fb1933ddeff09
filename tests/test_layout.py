"""The package's layout: no import cycles, short functions, a top level the notebooks use.

Every check reads the source (``ast``), so nothing is imported: an import hidden inside a
function counts as much as one at the top of a module.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "lecture_nn"
NOTEBOOKS = ROOT / "notebooks"
MAX_FUNCTION_LINES = 120
#: Top-level names that are neither a notebook import nor private, by design.
LAYOUT_PACKAGES = {"fashion_mnist", "exercises", "tooling", "datasets"}


def module_name(path: Path) -> str:
    """``lecture_nn/tooling/cli.py`` -> ``lecture_nn.tooling.cli`` (packages by __init__)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_modules() -> dict[str, Path]:
    """Every module of lecture_nn (``.py`` files, packages as their ``__init__``)."""
    return {
        module_name(path): path
        for path in sorted(PACKAGE.rglob("*.py"))
        if "__pycache__" not in path.parts
    }


MODULES = package_modules()


def resolve(importer: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> set[str]:
    """The lecture_nn modules an import statement loads (relative imports resolved).

    ``from lecture_nn import x`` loads ``lecture_nn`` and, when ``x`` is a module,
    ``lecture_nn.x``; importing ``a.b.c`` runs the ``__init__`` of ``a`` and ``a.b`` too,
    but those are left out: a package's ``__init__`` importing its children is not a cycle
    the reader needs to hear about, and the test names the module actually asked for.
    """
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            base = importer.split(".") if is_package else importer.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            prefix = ".".join(base + ([node.module] if node.module else []))
        else:
            prefix = node.module or ""
        names = [prefix]
        names += [f"{prefix}.{alias.name}" for alias in node.names]
    found = set()
    for name in names:
        # the longest prefix that is one of our modules
        parts = name.split(".")
        for end in range(len(parts), 0, -1):
            candidate = ".".join(parts[:end])
            if candidate in MODULES:
                found.add(candidate)
                break
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the lecture_nn modules it imports anywhere (functions included)."""
    graph = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        edges = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                edges |= resolve(name, path.name == "__init__.py", node)
        edges.discard(name)
        graph[name] = edges
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for child in sorted(graph.get(node, ())):
            if child not in index:
                visit(child)
                low[node] = min(low[node], low[child])
            elif child in on_stack:
                low[node] = min(low[node], index[child])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def one_cycle(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """A shortest import path that leaves the component's first module and comes back."""
    start = component[0]
    members = set(component)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node] & members):
                if child == start:
                    return [*paths[node], start]
                if child not in paths:
                    paths[child] = [*paths[node], child]
                    following.append(child)
        frontier = following
    return component


def test_the_cycle_finder_finds_a_lazy_cycle():
    """The checker itself: a cycle through a function-level import is found and named."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(graph) == [["a", "b", "c"]]
    assert one_cycle(graph, ["a", "b", "c"]) == ["a", "b", "c", "a"]
    tree = ast.parse("def f():\n    from lecture_nn import tooling\n    from . import atomic\n")
    imports = [node for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert resolve("lecture_nn.tooling.cli", False, imports[0]) == {
        "lecture_nn",
        "lecture_nn.tooling",
    }
    assert resolve("lecture_nn.tooling.cli", False, imports[1]) == {
        "lecture_nn.tooling",
        "lecture_nn.tooling.atomic",
    }


def test_no_import_cycles_lazy_imports_included():
    graph = import_graph()
    # lecture_nn/__init__ re-exports; an import of "lecture_nn" for __version__ is no cycle
    # of substance, but any other cycle is.
    for edges in graph.values():
        edges.discard("lecture_nn")
    cycles = [" -> ".join(one_cycle(graph, c)) for c in find_cycles(graph)]
    assert cycles == [], "import cycles:\n" + "\n".join(cycles)


def long_functions() -> list[str]:
    """``module:function (N lines)`` for every function or method over the limit."""
    offenders = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    offenders.append(f"{name}:{node.name} ({lines} lines)")
    return offenders


def test_no_function_over_120_lines():
    offenders = long_functions()
    assert offenders == [], f"functions over {MAX_FUNCTION_LINES} lines: {offenders}"


def notebook_imports() -> set[str]:
    """The lecture_nn modules the course notebooks' code cells import (top-level names)."""
    found = set()
    for notebook in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            code = "\n".join(  # IPython magics and shell lines become `pass`
                line[: len(line) - len(line.lstrip())] + "pass"
                if line.lstrip().startswith(("%", "!"))
                else line
                for line in source.splitlines()
            )
            for node in ast.walk(ast.parse(code)):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                else:
                    continue
                for name in names:
                    parts = name.split(".")
                    if parts[0] == "lecture_nn" and len(parts) > 1:
                        found.add(parts[1])
    return found


def top_level_names() -> set[str]:
    """The modules and packages directly inside lecture_nn/."""
    names = {path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    names |= {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").is_file()}
    return names


def test_notebook_imports_are_found():
    """The parser sees the notebooks' imports (a check that cannot pass on an empty set)."""
    imported = notebook_imports()
    assert {"diagrams", "activations", "optimizers"} <= imported, imported


def vocabulary() -> set[str]:
    """Top-level names the notebooks import, with the top-level modules those import in turn.

    A module such as ``losses`` belongs to the course's vocabulary when a notebook's module
    (``network``) computes with it, though no notebook names it.
    """
    graph = import_graph()
    names, frontier = set(), [f"lecture_nn.{name}" for name in notebook_imports()]
    while frontier:
        module = frontier.pop()
        top = module.split(".")[1] if module.count(".") else None
        if top is None or top in names or top.startswith("_") or top in LAYOUT_PACKAGES:
            continue
        names.add(top)
        frontier.extend(graph.get(f"lecture_nn.{top}", ()))
    return names


def test_top_level_holds_what_the_notebooks_import():
    allowed = vocabulary() | LAYOUT_PACKAGES
    extra = sorted(
        name for name in top_level_names() if name not in allowed and not name.startswith("_")
    )
    assert extra == [], (
        f"top-level modules that neither a notebook nor a module of the notebooks imports (move "
        f"them into tooling/ or datasets/, or make them private): {extra}"
    )


def public_modules() -> list[str]:
    """Modules whose dotted name has no part starting with ``_`` (packages included)."""
    return [
        name for name in MODULES if not any(part.startswith("_") for part in name.split(".")[1:])
    ]


def defines_all(path: Path) -> bool:
    """Whether the module assigns ``__all__`` at its top level."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in targets
        ):
            return True
    return False


@pytest.mark.parametrize("name", public_modules())
def test_public_module_has_all(name):
    assert defines_all(MODULES[name]), f"{name} ({MODULES[name].relative_to(ROOT)}) has no __all__"
