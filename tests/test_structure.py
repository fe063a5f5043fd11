"""The shape of helpers/: no module imports another that imports it back, however indirectly.

Imports are read from the source with ast (every import statement, including those inside
functions), so the test sees a cycle even where a deferred import keeps Python from failing.
"""

import ast
from pathlib import Path

HELPERS = Path(__file__).resolve().parents[1] / "helpers"


def imports_within(package: Path) -> dict[str, set[str]]:
    """For each module of ``package`` (a folder of .py files), the package's modules it imports.

    Returns: module name (file stem) -> set of module names, only modules of the package.
    """
    modules = {path.stem: path for path in package.glob("*.py")}
    name = package.name
    graph = {}
    for module, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[1] for alias in node.names
                          if alias.name.startswith(name + ".")}
            elif isinstance(node, ast.ImportFrom):
                found |= _from_import(node, name)
        graph[module] = {other for other in found if other in modules and other != module}
    return graph


def _from_import(node: ast.ImportFrom, package: str) -> set[str]:
    """`from package.x import y` -> {x}; `from package import x, y` or `from . import x` -> {x, y}
    (names that are not modules are dropped by the caller); `from .x import y` -> {x}."""
    parts = (node.module or "").split(".")
    if node.level == 0 and parts[0] != package:
        return set()
    inner = parts[1:] if node.level == 0 else [p for p in parts if p]
    if inner:
        return {inner[0]}
    return {alias.name for alias in node.names}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules [a, b, ..., a], or None if there is none."""
    done, path = set(), []

    def visit(module):
        if module in path:
            return path[path.index(module):] + [module]
        if module in done:
            return None
        path.append(module)
        for other in sorted(graph[module]):
            cycle = visit(other)
            if cycle:
                return cycle
        path.pop()
        done.add(module)
        return None

    for module in sorted(graph):
        cycle = visit(module)
        if cycle:
            return cycle
    return None


def test_helpers_has_no_import_cycle():
    graph = imports_within(HELPERS)
    assert "model" in graph and "layers" in graph["model"]  # the reading sees real imports
    assert find_cycle(graph) is None, f"import cycle: {' -> '.join(find_cycle(graph))}"


def test_a_cycle_is_found_however_it_is_written(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.b import thing\n")
    (package / "b.py").write_text("def f():\n    from . import c\n")
    (package / "c.py").write_text("import pkg.a\nimport numpy\n")
    (package / "d.py").write_text("from pkg import a\n")
    graph = imports_within(package)
    assert graph == {"__init__": set(), "a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    (package / "c.py").write_text("import numpy\n")
    assert find_cycle(imports_within(package)) is None
