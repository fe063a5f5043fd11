"""How fast the course feels: notebook run times, widget redraw times, `import helpers` time.

Runs every notebook top to bottom in a fresh kernel (in a temporary copy of notebooks/),
then, in the same kernel, times each live figure's redraw (median of repeated calls).
Prints a Markdown table against the targets and writes it to bench/results/notebooks.md.

Targets on a 2-core machine: the whole series under 60 s; every widget redraw under
100 ms median; `import helpers` under 0.3 s.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from _report import publish  # bench/_report.py, beside this script
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 7

TIME_REDRAWS = f"""
import json as _json, statistics as _st
from helpers.widgets import LIVE_VIEWS as _LV
_rows = []
for _view in list(_LV):
    _times = [_view.redraw() for _ in range({REPEATS})]
    _rows.append([repr(_view), _st.median(_times)])
print(_json.dumps(_rows))
"""


def time_import() -> float:
    """Median wall time of `import helpers` in a fresh interpreter (5 runs)."""
    code = "import time; t = time.perf_counter(); import helpers; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(5)]
    return statistics.median(runs)


def run_notebook(path: Path) -> tuple[float, list]:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        start = time.perf_counter()
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        seconds = time.perf_counter() - start
        probe = nbformat.v4.new_code_cell(TIME_REDRAWS)
        notebook.cells.append(probe)
        client.execute_cell(probe, len(notebook.cells) - 1)
    text = "".join(o.get("text", "") for o in probe.outputs if o.output_type == "stream")
    return seconds, json.loads(text or "[]")


def main() -> None:
    lines = ["| what | measured | target |", "|---|---|---|"]
    total, slowest_redraw = 0.0, 0.0
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "notebooks"
        shutil.copytree(ROOT / "notebooks", copy,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "handin"))
        for path in sorted(copy.glob("*.ipynb")):
            seconds, redraws = run_notebook(path)
            total += seconds
            lines.append(f"| run `{path.name}` | {seconds:.1f} s | |")
            for name, median in redraws:
                slowest_redraw = max(slowest_redraw, median)
                verdict = "ok" if median < 0.1 else "MISSED"
                lines.append(f"| redraw {name} in `{path.stem}` (median of {REPEATS}) | "
                             f"{median * 1000:.0f} ms | < 100 ms {verdict} |")
    lines.append(f"| **whole series** | **{total:.1f} s** | < 60 s "
                 f"{'ok' if total < 60 else 'MISSED'} |")
    lines.append(f"| slowest widget redraw | {slowest_redraw * 1000:.0f} ms | < 100 ms "
                 f"{'ok' if slowest_redraw < 0.1 else 'MISSED'} |")
    seconds = time_import()
    lines.append(f"| `import helpers` (median of 5) | {seconds * 1000:.0f} ms | < 300 ms "
                 f"{'ok' if seconds < 0.3 else 'MISSED'} |")
    publish(__file__, "Notebook speed", "\n".join(lines))


if __name__ == "__main__":
    main()
