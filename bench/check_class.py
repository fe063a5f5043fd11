"""The hand-in checker on a class of 100 mixed hand-ins, with --jobs 1 and --jobs 2.

    python bench/check_class.py [--jobs 1 2] [--keep FOLDER]

The class: 40 good hand-ins (20 tutorials, 20 backprop tables, each in its learner's own
folder), 30 failing ones (a cell raises, original names bound, a wrong number in the tables,
a cell past the time limit) and 30 hostile ones (tests/hostile/make_batch.py: FIFOs, devices,
links, huge sparse files, nesting 100,000 deep, a name that is not UTF-8, forged reports).
Prints the wall time of each whole run and the verdict counts, and writes them to
bench/results/check_class.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from helpers import backprop_tables as bt
from helpers import tables_handin

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "hostile"))
import make_batch  # noqa: E402
from _report import publish  # noqa: E402

LIMITS = ["--cell-timeout", "5", "--timeout", "30", "--max-output", "200000"]


def notebook(source: str, assignment: str | None = None) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    if assignment:
        nb.metadata["course"] = {"assignment": assignment}
    return nbformat.writes(nb)


def learner(folder: Path, name: str, text: str, tables: str | None = None) -> None:
    folder.mkdir(parents=True)
    (folder / name).write_text(text)
    if tables is not None:
        (folder / "handin").mkdir()
        (folder / "handin" / "backprop_tables.md").write_text(tables)


def build_class(folder: Path) -> int:
    """Write 100 hand-ins under ``folder``; returns how many."""
    good_tables = []
    for seed in range(20, 100):  # seeds whose values all differ from the defaults
        text = tables_handin.to_markdown(bt.compute_tables(bt.initial_values(seed)))
        if tables_handin.verify_handin(text).ok and len(good_tables) < 20:
            good_tables.append(text)
    for i in range(20):
        source = f"import numpy as np\nmine_{i} = np.arange({i + 3}).sum()\nprint(mine_{i})"
        learner(folder / f"tutorial_{i:02d}", "06_tutorial.ipynb", notebook(source))
        learner(folder / f"tables_{i:02d}", "05_backprop.ipynb", notebook("print('done')"),
                good_tables[i])
    wrong = good_tables[0].replace("| 0.", "| 9.", 1)
    for i in range(30):
        source, tables = [("raise ValueError('my bug')", None),
                          ("nums = [1, 2]\nprint(nums)", None),
                          ("print('tables')", wrong),
                          ("import time\ntime.sleep(60)", None)][i % 4]
        name = "05_backprop.ipynb" if tables else "06_tutorial.ipynb"
        learner(folder / f"failing_{i:02d}", name, notebook(source), tables)
    hostile = folder / "hostile"
    hostile.mkdir()
    make_batch.build(hostile)
    extra = 30 - len(make_batch_labels(hostile))
    for i in range(extra):  # more of the cheapest hostile kind: a notebook nested too deep
        (hostile / f"batch_deep_{i}.ipynb").write_text("[" * 100_000 + "]" * 100_000)
    return len(make_batch_labels(folder))


def make_batch_labels(folder: Path) -> list[str]:
    from helpers.check import find_notebooks

    return [label for _, label in find_notebooks([str(folder)])]


def run(folder: Path, jobs: int, reports: Path) -> tuple[float, dict]:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "helpers.check", str(folder), "--jobs", str(jobs),
                    *LIMITS, "--md", str(reports / f"jobs{jobs}.md"),
                    "--json", str(reports / f"jobs{jobs}.json")],
                   cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    seconds = time.perf_counter() - start
    verdicts = json.loads((reports / f"jobs{jobs}.json").read_text())
    counts = {"rows": len(verdicts), "PASS": sum(v["passed"] for v in verdicts)}
    counts["FAIL"] = counts["rows"] - counts["PASS"]
    return seconds, counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="course-class-") as work:
        folder, reports = Path(work) / "class", Path(work)
        folder.mkdir()
        count = build_class(folder)
        lines = ["| --jobs | hand-ins | rows | PASS | FAIL | wall time (s) |",
                 "|---|---|---|---|---|---|"]
        for jobs in options.jobs:
            seconds, counts = run(folder, jobs, reports)
            lines.append(f"| {jobs} | {count} | {counts['rows']} | {counts['PASS']} | "
                         f"{counts['FAIL']} | {seconds:.1f} |")
            print(lines[-1], flush=True)
    publish(__file__, "The hand-in checker on a class of 100", "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
