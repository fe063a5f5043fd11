"""Build the learner edition: a complete learner repository made by nbgrader from notebooks/.

    python scripts/build_release.py [--out release] [--notebooks notebooks]    (or: make release)

The notebooks are the instructor's source. nbgrader's ``generate_assignment`` (run by
``helpers.grading.Course`` in a scratch course folder) replaces each solution by
``# YOUR CODE HERE`` / ``raise NotImplementedError()``, removes the hidden tests, locks the
check cells and clears every output. The learner repository is laid out in OUT:

    notebooks/             the learner edition of every notebook
    helpers/               the whole package (the references the checks compare with)
    README.md, Makefile    the learner's (scripts/release/): `make lab` opens the course
    .gitignore             the learner's (handin/ is handed in, so not ignored)
    environment.yml, requirements.lock, pyproject.toml, postBuild    as in the course
    .github/workflows/handin-check.yml    the hand-in check, from classroom/ if it exists

and nothing else: no tests/, scripts/, bench/, instructor notebooks or test lock. OUT is
replaced as a whole. Prints the notebooks, the graded exercises and points of each, the
size and the time taken.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from helpers import grading  # noqa: E402

COPIED = ["environment.yml", "requirements.lock", "pyproject.toml", "postBuild"]
TEMPLATES = ROOT / "scripts" / "release"  # README.md, Makefile, gitignore
WORKFLOW = ROOT / "classroom" / "handin-check.yml"
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")


def _points(notebook) -> tuple[int, float]:
    checks = [c for c in notebook.cells if grading.is_check(c)]
    return len(checks), sum(float(grading.nbgrader_meta(c).get("points", 0)) for c in checks)


def _strip_widget_state(path: Path) -> None:
    """Saved widget state belongs to the source's run; the learner's run makes its own."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    if notebook.metadata.pop("widgets", None) is not None:
        nbformat.write(notebook, path)


def build(out: Path, notebooks: Path) -> list[tuple[str, int, float]]:
    """Write the learner repository to ``out``; returns (notebook, checks, points) rows."""
    out = Path(out)
    if out.resolve() in (ROOT.resolve(), *ROOT.resolve().parents):
        raise SystemExit(f"refusing to replace {out}: give a folder of its own (release/)")
    with tempfile.TemporaryDirectory(prefix="course-release-") as scratch:
        course = grading.Course(notebooks, Path(scratch))
        if out.exists():
            shutil.rmtree(out)
        (out / "notebooks").mkdir(parents=True)
        for stem in course.release:
            target = out / "notebooks" / f"{stem}.ipynb"
            shutil.copy2(course.release_dir / f"{stem}.ipynb", target)
            _strip_widget_state(target)
        rows = [(stem, *_points(course.source[stem])) for stem in course.source]
    shutil.copytree(ROOT / "helpers", out / "helpers", ignore=SKIPPED)
    for name in COPIED:
        shutil.copy2(ROOT / name, out / name)
    shutil.copy2(TEMPLATES / "README.md", out / "README.md")
    shutil.copy2(TEMPLATES / "Makefile", out / "Makefile")
    shutil.copy2(TEMPLATES / "gitignore", out / ".gitignore")
    if WORKFLOW.is_file():
        (out / ".github" / "workflows").mkdir(parents=True)
        shutil.copy2(WORKFLOW, out / ".github" / "workflows" / WORKFLOW.name)
    return rows


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the learner edition with nbgrader.")
    parser.add_argument("--out", type=Path, default=ROOT / "release")
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks",
                        help="the instructor's notebooks (the source)")
    options = parser.parse_args(argv)
    start = time.perf_counter()
    rows = build(options.out, options.notebooks)
    print("| notebook | graded exercises | points |\n|---|---|---|")
    for stem, checks, points in rows:
        print(f"| {stem} | {checks} | {grading.points_text(points)} |")
    total = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"| all | {total[0]} | {grading.points_text(total[1])} |")
    print(f"wrote {options.out} ({size_of(options.out) / 1e6:.1f} MB) in "
          f"{time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
