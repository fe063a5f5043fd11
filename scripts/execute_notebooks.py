"""Execute notebooks top to bottom in a fresh kernel and save them with their outputs.

    python scripts/execute_notebooks.py notebooks/01_session1_model.ipynb [...]

This is how every notebook in the course is saved: one fresh run, execution counts
1..n, so strict nbval can hold later runs to the same outputs. Cells run with the
notebook's folder as working directory, as they do in JupyterLab.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def run(notebook: nbformat.NotebookNode, folder: Path, timeout: int = 600) -> float:
    """Execute ``notebook`` in place (outputs cleared first) with ``folder`` as working
    directory; returns the seconds it took. Widget state is stored in the metadata."""
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    start = time.perf_counter()
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}})
    client.execute()
    return time.perf_counter() - start


def execute(path: Path, timeout: int = 600) -> float:
    """Run one notebook file and save it over itself; returns the seconds it took."""
    notebook = nbformat.read(path, as_version=4)
    seconds = run(notebook, path.parent, timeout)
    nbformat.validate(notebook)
    nbformat.write(notebook, path)
    return seconds


def main(paths: list[str]) -> None:
    if not paths:
        sys.exit("usage: python scripts/execute_notebooks.py NOTEBOOK.ipynb [...]")
    for name in paths:
        seconds = execute(Path(name))
        print(f"{name}: executed and saved in {seconds:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
