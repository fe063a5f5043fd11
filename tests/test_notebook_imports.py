"""Each notebook gathers its imports in its first code cell, so a reader sees at once what it
uses and a missing package fails there, not halfway down.

Two exceptions, both on purpose: notebook 00 checks the environment *before* importing anything
else (so its imports come in its second code cell), and an import a learner writes inside an
exercise's solution region (notebook 06 teaches `import numpy as np`) is part of the lesson.
"""

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
IMPORT = re.compile(r"^\s*(import\s+\w|from\s+\S+\s+import\s)")
IMPORT_CELLS = {"00_start_here.ipynb": 2}  # the environment check, then the imports


def stray_imports(notebook: dict, allowed_cells: int) -> list[str]:
    """Import lines outside the first ``allowed_cells`` code cells and outside any
    ``### BEGIN SOLUTION`` / ``### END SOLUTION`` region, as "code cell k: line"."""
    found = []
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    for number, cell in enumerate(code[allowed_cells:], allowed_cells + 1):
        in_solution = False
        for line in "".join(cell["source"]).splitlines():
            if line.strip().startswith("### BEGIN SOLUTION"):
                in_solution = True
            elif line.strip().startswith("### END SOLUTION"):
                in_solution = False
            elif IMPORT.match(line) and not in_solution:
                found.append(f"code cell {number}: {line.strip()}")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_imports_are_gathered_in_the_first_code_cell(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    stray = stray_imports(notebook, IMPORT_CELLS.get(path.name, 1))
    assert not stray, f"{path.name} imports outside its first code cell: {stray}"


def test_the_rule_sees_a_stray_import():
    cell = {"cell_type": "code", "source": ["x = 1\n", "from helpers import data\n"]}
    solution = {"cell_type": "code",
                "source": ["### BEGIN SOLUTION\n", "import numpy as np\n", "### END SOLUTION\n"]}
    notebook = {"cells": [{"cell_type": "code", "source": ["import numpy\n"]}, cell, solution]}
    assert stray_imports(notebook, 1) == ["code cell 2: from helpers import data"]
