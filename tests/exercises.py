"""Small notebooks that follow the course's exercise convention, and what tests do with them.

Used by tests/test_release.py and tests/test_grading.py. ``fixture_source(folder)`` writes an
instructor's source of two notebooks: one with a function exercise (with hidden tests) and a
variable exercise, one without exercises. ``solution_lines`` and ``run`` work on any notebook.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

SCHEMA = {"schema_version": 3, "task": False}


def solution(grade_id: str, source: str):
    return new_code_cell(source, metadata={"nbgrader": {
        **SCHEMA, "grade": False, "grade_id": grade_id, "locked": False, "solution": True}})


def check(grade_id: str, source: str, points: float):
    return new_code_cell(source, metadata={"nbgrader": {
        **SCHEMA, "grade": True, "grade_id": grade_id, "locked": True, "points": points,
        "solution": False}})


DOUBLE = '''def double(values):
    """Twice every entry of ``values`` (an array of any shape)."""
    ### BEGIN SOLUTION
    twice_the_values = 2 * np.asarray(values, dtype=float)
    return twice_the_values
    ### END SOLUTION'''

DOUBLE_CHECK = '''check_function("double", double, lambda v: 2 * np.asarray(v, dtype=float),
               {"[1, 2]": (np.array([1.0, 2.0]),)})
### BEGIN HIDDEN TESTS
check_function("double", double, lambda v: 2 * np.asarray(v, dtype=float),
               {"a 2x2 matrix of sevens": (np.full((2, 2), 7.0),)}, quiet=True)
### END HIDDEN TESTS'''

SQUARES = '''### BEGIN SOLUTION
squares_of_four = np.arange(4) ** 2
### END SOLUTION'''

SQUARES_CHECK = '''(squares_of_four,) = require(globals(), ["squares_of_four"], "the squares")
compare("squares_of_four", squares_of_four, [0, 1, 4, 9], on="0, 1, 2, 3")'''


def fixture_notebooks() -> dict:
    """stem -> notebook: the instructor's source of a two-notebook course."""
    exercises = new_notebook(cells=[
        new_markdown_cell("# Doubling and squaring\n\nYou will write two small things."),
        new_code_cell("import numpy as np\n\n"
                      "from helpers.checking import call, check_function, compare, require"),
        new_markdown_cell("Write `double`."),
        solution("90-double", DOUBLE),
        check("90-double-check", DOUBLE_CHECK, 2),
        new_code_cell('print("doubled:", call("double", double, np.arange(3)))'),
        new_markdown_cell("Bind `squares_of_four`."),
        solution("90-squares", SQUARES),
        check("90-squares-check", SQUARES_CHECK, 1),
        new_code_cell('(squares_of_four,) = require(globals(), ["squares_of_four"], '
                      '"the squares")\nprint("sum of squares:", squares_of_four.sum())'),
    ])
    reading = new_notebook(cells=[
        new_markdown_cell("# Just reading"),
        new_code_cell("total = sum(range(10))\nprint(total)"),
    ])
    for notebook in (exercises, reading):
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                           "language": "python"}
    return {"90_exercises": exercises, "91_reading": reading}


def fixture_source(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for stem, notebook in fixture_notebooks().items():
        nbformat.write(notebook, folder / f"{stem}.ipynb")
    return folder


# Lines that give nothing away: brackets, bare keywords, returning names already defined,
# imports (every notebook imports NumPy in its first cell).
TRIVIAL = re.compile(r"^([\[\](){},:;]*|pass|return|else:|try:|finally:|break|continue|"
                     r"\"\"\"|'''|return [\w, ]+|import [\w.]+( as \w+)?|"
                     r"from [\w.]+ import [\w, ]+)$")
MARKER = re.compile(r"^#+\s*(BEGIN|END) (SOLUTION|HIDDEN TESTS)")


def solution_lines(notebook) -> set[str]:
    """Every non-trivial line (stripped) between BEGIN/END SOLUTION or BEGIN/END HIDDEN
    TESTS in ``notebook``'s cells: what the learner edition must not hold anywhere."""
    found = set()
    for cell in notebook.cells:
        inside = False
        for line in cell.source.splitlines():
            stripped = line.strip()
            if MARKER.match(stripped):
                inside = stripped.split()[1] == "BEGIN"
                continue
            if inside and stripped and not TRIVIAL.match(stripped):
                found.add(stripped)
    return found


def run(notebook, folder: Path, timeout: int = 120):
    """``notebook`` executed top to bottom in ``folder`` with errors allowed (a copy)."""
    executed = nbformat.from_dict(notebook)
    NotebookClient(executed, timeout=timeout, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return executed


def errors(executed) -> list[tuple[int, str]]:
    """(cell index, exception name) of every error output."""
    return [(i, o.ename) for i, cell in enumerate(executed.cells) if cell.cell_type == "code"
            for o in cell.get("outputs", []) if o.output_type == "error"]
