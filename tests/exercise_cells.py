"""A notebook's exercises read by their nbgrader ids, for tests.

The learner edition is made here the way nbgrader's generate_assignment makes it: each region
between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` becomes ``# YOUR CODE HERE`` and
``raise NotImplementedError()``, hidden tests go, outputs are cleared.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
SOLUTION = re.compile(r"^([ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION[ \t]*$",
                      re.M | re.S)
HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS\n.*?^[ \t]*### END HIDDEN TESTS[ \t]*\n?",
                    re.M | re.S)


def read(name: str) -> nbformat.NotebookNode:
    """The saved notebook ``notebooks/<name>``."""
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def by_grade_id(notebook) -> dict:
    """grade_id -> cell, for every cell with nbgrader metadata."""
    return {cell.metadata["nbgrader"]["grade_id"]: cell for cell in notebook.cells
            if "nbgrader" in cell.get("metadata", {})}


def learner_source(source: str) -> str:
    """A cell's source as the learner edition has it."""
    source = SOLUTION.sub(lambda m: f"{m.group(1)}# YOUR CODE HERE\n"
                                    f"{m.group(1)}raise NotImplementedError()", source)
    return HIDDEN.sub("", source)


def learner_edition(notebook) -> nbformat.NotebookNode:
    """A copy of ``notebook`` with solutions replaced, hidden tests removed, outputs cleared."""
    copy = nbformat.from_dict(notebook)
    for cell in copy.cells:
        if cell.cell_type == "code":
            cell.source = learner_source(cell.source)
            cell.outputs, cell.execution_count = [], None
    return copy


def run(source: str, namespace: dict) -> str:
    """Execute ``source`` in ``namespace``; returns what it printed."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(source, "<cell>", "exec"), namespace)  # noqa: S102 - the course's own cells
    return printed.getvalue()


def first_code_cell(notebook) -> str:
    return next(cell.source for cell in notebook.cells if cell.cell_type == "code")


def prose(notebook) -> str:
    """Every Markdown cell, joined, with runs of white space made single spaces."""
    text = " ".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    return re.sub(r"\s+", " ", text)


def printed(notebook) -> str:
    """Everything the saved notebook's cells printed (stream outputs), joined."""
    return "".join(output.get("text", "") for cell in notebook.cells
                   if cell.cell_type == "code" for output in cell.outputs
                   if output.output_type == "stream")
