"""The name check of Assignment 2, part 2: which names does a notebook bind that the original
tutorial also binds?

"None of the variables used in this link should be the same as yours." A name counts as used
when code binds it: assignment targets (plain, augmented, annotated, walrus), loop and
comprehension targets, ``with ... as`` and ``except ... as`` names, function and class names,
parameters of functions and lambdas, imported names and import aliases, ``global`` /
``nonlocal`` declarations and ``match`` captures. Attribute targets (``obj.name = ...``) bind
no variable and are not counted.
"""

from __future__ import annotations

import ast
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from helpers.checking import ExerciseError, NotDoneYet

ASSET = Path(__file__).resolve().parent / "assets" / "tutorial_names.tsv"
PLACEHOLDER = "raise NotImplementedError()"  # what nbgrader leaves in an unanswered cell

# Names every Python/NumPy course uses by convention; sharing them is not copying.
CONVENTIONAL = {
    "self": "the first parameter of a method",
    "np": "the usual alias of numpy",
    "plt": "the usual alias of matplotlib.pyplot",
    "__init__": "the name Python requires for a constructor",
}


def original_names() -> dict[str, str]:
    """The original tutorial's bound names -> their kinds, from helpers/assets."""
    names = {}
    for line in ASSET.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, kinds = line.split("\t")
            names[name] = kinds
    return names


@dataclass(frozen=True)
class Binding:
    """A name bound in a notebook: where and how."""

    name: str
    cell: int  # index among the notebook's cells (0-based, as nbformat counts)
    line: int
    kind: str


class _Binder(ast.NodeVisitor):
    def __init__(self):
        self.found: list[tuple[str, int, str]] = []

    def add(self, name, node, kind):
        self.found.append((name, getattr(node, "lineno", 0), kind))

    def targets(self, target, kind):
        if isinstance(target, ast.Name):
            self.add(target.id, target, kind)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.targets(element, kind)
        elif isinstance(target, ast.Starred):
            self.targets(target.value, kind)

    def visit_Assign(self, node):
        for target in node.targets:
            self.targets(target, "variable")
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self.targets(node.target, "variable")
        self.generic_visit(node)

    def visit_AnnAssign(self, node):
        self.targets(node.target, "variable")
        self.generic_visit(node)

    def visit_NamedExpr(self, node):
        self.targets(node.target, "variable")
        self.generic_visit(node)

    def visit_For(self, node):
        self.targets(node.target, "loop variable")
        self.generic_visit(node)

    visit_AsyncFor = visit_For

    def visit_comprehension(self, node):
        self.targets(node.target, "comprehension variable")
        self.generic_visit(node)

    def visit_withitem(self, node):
        if node.optional_vars is not None:
            self.targets(node.optional_vars, "with target")
        self.generic_visit(node)

    def visit_ExceptHandler(self, node):
        if node.name:
            self.add(node.name, node, "except target")
        self.generic_visit(node)

    def _arguments(self, args: ast.arguments, node):
        for arg in args.posonlyargs + args.args + args.kwonlyargs:
            self.add(arg.arg, arg, "parameter")
        for arg in (args.vararg, args.kwarg):
            if arg is not None:
                self.add(arg.arg, arg, "parameter")

    def visit_FunctionDef(self, node):
        self.add(node.name, node, "function")
        self._arguments(node.args, node)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        self._arguments(node.args, node)
        self.generic_visit(node)

    def visit_ClassDef(self, node):
        self.add(node.name, node, "class")
        self.generic_visit(node)

    def visit_Import(self, node):
        for alias in node.names:
            self.add(alias.asname or alias.name.split(".")[0], node, "import")

    def visit_ImportFrom(self, node):
        for alias in node.names:
            if alias.name != "*":
                self.add(alias.asname or alias.name, node, "import")

    def visit_Global(self, node):
        for name in node.names:
            self.add(name, node, "global")

    visit_Nonlocal = visit_Global

    def visit_MatchAs(self, node):
        if node.name:
            self.add(node.name, node, "match capture")
        self.generic_visit(node)

    def visit_MatchStar(self, node):
        if node.name:
            self.add(node.name, node, "match capture")

    def visit_MatchMapping(self, node):
        if node.rest:
            self.add(node.rest, node, "match capture")
        self.generic_visit(node)


def python_source(cell_source: str) -> str:
    """A code cell's text with IPython-only lines (magics ``%``, shell ``!``, help ``?``)
    blanked, so line numbers still match the cell."""
    lines = []
    for line in cell_source.splitlines():
        stripped = line.lstrip()
        ipython_only = stripped.startswith(("%", "!")) or (stripped.endswith("?")
                                                             and not stripped.startswith("#"))
        lines.append("" if ipython_only else line)
    return "\n".join(lines)


def bound_names(source: str) -> list[tuple[str, int, str]]:
    """(name, line, kind) for every name the Python ``source`` binds. Raises SyntaxError."""
    binder = _Binder()
    binder.visit(ast.parse(source))
    return binder.found


@dataclass
class NameReport:
    """What the name check found in one notebook."""

    shared: list[Binding] = field(default_factory=list)
    conventional: list[Binding] = field(default_factory=list)
    unparsable: list[tuple[int, str]] = field(default_factory=list)
    cells_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.shared and not self.unparsable

    def __str__(self) -> str:
        lines = [f"{self.cells_checked} code cells checked: "
                 f"{len({b.name for b in self.shared})} names shared with the original tutorial."]
        for b in self.shared:
            lines.append(f"  cell {b.cell}, line {b.line}: {b.name!r} ({b.kind})")
        for cell, error in self.unparsable:
            lines.append(f"  cell {cell} is not valid Python and was not checked: {error}")
        allowed = sorted({b.name for b in self.conventional})
        if allowed:
            lines.append("Conventional names, allowed: " + ", ".join(
                f"{name} ({CONVENTIONAL[name]})" for name in allowed))
        return "\n".join(lines)


def check_cells(cells: list[dict]) -> NameReport:
    """Run the name check on a notebook's cells (dicts with cell_type and source)."""
    original = original_names()
    report = NameReport()
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        report.cells_checked += 1
        try:
            found = bound_names(python_source(source))
        except SyntaxError as error:
            report.unparsable.append((index, f"{error.msg} (line {error.lineno})"))
            continue
        for name, line, kind in found:
            if name in original:
                binding = Binding(name, index, line, kind)
                (report.conventional if name in CONVENTIONAL else report.shared).append(binding)
    return report


def check_notebook(path: str | Path) -> NameReport:
    """The name check on an .ipynb file (read as JSON; any nbformat version with cells)."""
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    return check_cells(notebook.get("cells", []))


CHECK_CALL = "check_this_notebook("


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8")).get("cells", [])


def _runs_the_check(path: Path) -> bool:
    try:
        return any(cell.get("cell_type") == "code" and CHECK_CALL in "".join(cell["source"])
                   for cell in _cells(path))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def this_notebook(namespace: dict) -> tuple[list[dict], str]:
    """The code cells of the notebook whose kernel runs this, and where they were read.

    ``namespace`` is the notebook's globals(). Tried in turn:

    1. In JupyterLab the kernel knows its notebook: Jupyter Server starts it with the
       notebook's path in the environment variable ``JPY_SESSION_NAME``, and ipykernel copies
       it to ``__session__``. That saved file is read.
    2. Elsewhere (nbclient, nbval, the instructor's checker, which run a notebook with its
       folder as working directory) the kernel is not told its file: if exactly one notebook
       in the working directory runs this check, that file is read.
    3. Otherwise (several candidates, or a notebook renamed since its kernel started) the
       cells are the code this kernel ran, from IPython's input history ``In``.
    """
    for candidate in (namespace.get("__session__"), os.environ.get("JPY_SESSION_NAME")):
        path = Path(candidate) if isinstance(candidate, str) else None
        if path is not None and path.suffix == ".ipynb" and path.is_file():
            return _cells(path), f"the saved file {path.name}, the notebook this kernel runs"
    here = [path for path in sorted(Path.cwd().glob("*.ipynb")) if _runs_the_check(path)]
    if len(here) == 1:
        return _cells(here[0]), (f"the saved file {here[0].name}, the one notebook in this "
                                 "folder that runs the name check")
    history = namespace.get("In")
    if isinstance(history, list) and len(history) > 1:
        # In[0] is empty; keeping it makes a cell's index its execution number.
        return ([{"cell_type": "code", "source": source} for source in history],
                "the code this kernel ran (IPython's In history; cell n is In[n])")
    raise ExerciseError("✗ the name check cannot find this notebook: save it, and run it in "
                        "JupyterLab, or call check_notebook('path/to/your.ipynb').")


def check_this_notebook(namespace: dict) -> None:
    """The name check of the assignment on the notebook it runs in (see ``this_notebook``):
    prints the report and raises ``ExerciseError`` if any name is shared with the original
    tutorial or a cell does not parse, and ``NotDoneYet`` if a task still holds nbgrader's
    placeholder."""
    cells, source = this_notebook(namespace)
    report = check_cells(cells)
    unanswered = [index for index, cell in enumerate(cells)
                  if cell.get("cell_type") == "code"
                  and PLACEHOLDER in "".join(cell.get("source", ""))]
    print(f"Read {source}.")
    print(report)
    if unanswered:
        print(f"{len(unanswered)} cells still hold the placeholder `{PLACEHOLDER}`: cells "
              + ", ".join(map(str, unanswered)) + ".")
    if not report.ok:
        raise ExerciseError("✗ the name check does not pass: see the lines above.")
    if unanswered:
        raise NotDoneYet(f"{len(unanswered)} tasks are not done yet: write them, save the "
                         "notebook, then run this cell again.")
    print("✓ the name check passes: every task answered, no name of the original tutorial "
          "bound.")
