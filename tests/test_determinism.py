"""Same inputs, same outputs: every notebook run twice in fresh kernels gives identical outputs.

Stricter than nbval: pictures are compared byte for byte too. Only cells tagged
`nbval-ignore-output` (timings, progress bars) are exempt, and widget views, whose
model ids are random by design.
"""

import json
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from execute_notebooks import run  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SKIP_KEYS = {"application/vnd.jupyter.widget-view+json"}
VARYING = "nbval-ignore-output"


def execute_copy(source: str, folder: str) -> str:
    """Run a copy of the notebooks folder's ``source`` notebook in ``folder``; return its JSON."""
    copy = Path(folder) / "notebooks"
    shutil.copytree(Path(source).parent, copy,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "handin"))
    notebook = nbformat.read(copy / Path(source).name, as_version=4)
    run(notebook, copy)
    return nbformat.writes(notebook)


def comparable(cell) -> list:
    """A cell's outputs without what may differ by design; consecutive stream chunks of the
    same stream are joined, since how a kernel splits its printing is timing, not content."""
    outputs = []
    for output in cell.get("outputs", []):
        if (output["output_type"] == "stream" and outputs and outputs[-1]["type"] == "stream"
                and outputs[-1]["name"] == output["name"]):
            outputs[-1]["text"] += output["text"]
            continue
        kept = {"type": output["output_type"], "name": output.get("name"),
                "text": output.get("text")}
        for key, value in output.get("data", {}).items():
            if key not in SKIP_KEYS:
                kept[key] = value
        outputs.append(kept)
    return outputs


def varying_cells(notebook) -> list[int]:
    return [i for i, cell in enumerate(notebook.cells)
            if VARYING in cell.get("metadata", {}).get("tags", [])]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_two_fresh_runs_give_identical_outputs(path, tmp_path):
    folders = [tmp_path / "first", tmp_path / "second"]
    with ProcessPoolExecutor(max_workers=2) as pool:
        first, second = (nbformat.reads(text, as_version=4) for text in
                         pool.map(execute_copy, [str(path)] * 2, [str(f) for f in folders]))
    skip = set(varying_cells(first))
    for index, (a, b) in enumerate(zip(first.cells, second.cells, strict=True)):
        if a.cell_type != "code" or index in skip:
            continue
        left, right = comparable(a), comparable(b)
        assert left == right, (
            f"{path.name}, cell {index}: outputs differ between two fresh runs:\n"
            f"{json.dumps(left)[:600]}\n---\n{json.dumps(right)[:600]}")


def says_why(source: str) -> bool:
    """True if a cell has a comment line of a few words (its reason for varying)."""
    return any(line.strip().startswith("#") and len(line.split()) >= 4
               for line in source.splitlines())


def test_few_cells_are_marked_as_varying():
    """Each varying cell must say why in a comment; the course keeps them to a handful."""
    assert len(NOTEBOOKS) >= 7, f"expected the course's notebooks, found {len(NOTEBOOKS)}"
    marked = []
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        for index in varying_cells(notebook):
            assert says_why(notebook.cells[index].source), (
                f"{path.name} cell {index} is marked varying without a reason")
            marked.append((path.name, index))
    assert len(marked) <= 8, f"too many cells marked as varying: {marked}"


def test_a_reason_must_be_a_comment():
    assert says_why("# Output not compared: progress bars show timings.\nfit()")
    assert not says_why('print(f"{x:#x}")')  # a "#" that is not a comment
    assert not says_why("fit()")
