"""A notebook's exercises read by their nbgrader ids, for tests. (The learner edition itself
is nbgrader's, made by ``make release`` and run in tests/test_release.py.)
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def read(name: str) -> nbformat.NotebookNode:
    """The saved notebook ``notebooks/<name>``."""
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def by_grade_id(notebook) -> dict:
    """grade_id -> cell, for every cell with nbgrader metadata."""
    return {cell.metadata["nbgrader"]["grade_id"]: cell for cell in notebook.cells
            if "nbgrader" in cell.get("metadata", {})}


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
