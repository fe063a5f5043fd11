"""The learner edition (`make release`, scripts/build_release.py) and grading end to end.

Built twice per run: from the course's notebooks by `make release` into a temporary folder, and
from the small course of tests/exercises.py, whose solutions are known, so that every check
here can fail even before the course's notebooks hold exercises.
"""

import itertools
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest
from exercises import errors, fixture_source, run, solution_lines

from helpers import backprop_tables as bt
from helpers import grading

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import build_release  # noqa: E402
from update_lock import DEV_LOCK, LEARNER_LOCK, locked_versions  # noqa: E402

SOURCE = ROOT / "notebooks"
COURSE_NOTEBOOKS = sorted(p.stem for p in SOURCE.glob("*.ipynb"))
LEARNER_FILES = {"notebooks", "helpers", "README.md", "Makefile", ".gitignore",
                 "environment.yml", "requirements.lock", "pyproject.toml", "postBuild"}
NOT_DONE = {"NotImplementedError", "NotDoneYet"}


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    """`make release` into a temporary folder (the virtual environment taken as set up)."""
    out = tmp_path_factory.mktemp("release") / "learners"
    venv = Path(sys.prefix)
    start = time.perf_counter()
    result = subprocess.run(["make", "release", f"RELEASE={out}", f"VENV={venv}",
                             "-o", str(venv / ".installed-dev")],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    print(f"make release: {time.perf_counter() - start:.1f} s, "
          f"{build_release.size_of(out) / 1e6:.1f} MB")
    return out


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """(source folder, release folder) of the small course of tests/exercises.py."""
    folder = tmp_path_factory.mktemp("small")
    source = fixture_source(folder / "notebooks")
    build_release.build(folder / "release", source)
    return source, folder / "release"


def text_files(folder: Path):
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            try:
                yield path, path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue  # images, .npz: no source code in them


def leaked(source: Path, release: Path) -> list[str]:
    """Solution and hidden-test lines of the notebooks in ``source`` found in ``release``,
    outside ``helpers/``: the reference implementations the checks compare with ship there on
    purpose (a check cell needs them), so the learner edition's notebooks, README and the rest
    must not give a line away."""
    lines = set().union(*(solution_lines(nbformat.read(p, as_version=4))
                          for p in source.glob("*.ipynb")))
    found = []
    for path, text in text_files(release):
        if path.relative_to(release).parts[0] == "helpers":
            continue
        # Notebooks are JSON: read each line of each cell and output, not the escaped file.
        body = json.dumps(json.loads(text), ensure_ascii=False, indent=0).replace("\\n", "\n") \
            if path.suffix == ".ipynb" else text
        present = {line.strip() for line in body.splitlines()} | {
            line.strip().strip('",') for line in body.splitlines()}
        found += [f"{path.relative_to(release)}: {line}" for line in sorted(lines & present)]
    return found


def test_make_release_lays_out_a_learner_repository(release):
    names = {p.name for p in release.iterdir()} - {".github"}
    assert names == LEARNER_FILES
    assert sorted(p.stem for p in (release / "notebooks").glob("*.ipynb")) == COURSE_NOTEBOOKS
    modules = {p.name for p in (ROOT / "helpers").glob("*.py")}
    assert modules == {p.name for p in (release / "helpers").glob("*.py")}
    assert (release / "helpers" / "assets" / "mnist5k.npz").is_file()
    assert not list(release.rglob("__pycache__"))
    workflow = ROOT / "classroom" / "handin-check.yml"
    assert (release / ".github" / "workflows" / "handin-check.yml").is_file() \
        == workflow.is_file()
    assert (release / "requirements.lock").read_text() == (ROOT / LEARNER_LOCK).read_text()
    assert "learner edition" in (release / "README.md").read_text().splitlines()[0]


def test_make_lab_in_the_release_opens_its_learner_edition(release, tmp_path):
    def dry_run(folder):
        return subprocess.run(["make", "--no-print-directory", "-n", "lab",
                               f"VENV={tmp_path / 'v'}"], cwd=folder, capture_output=True,
                              text=True, check=True).stdout.splitlines()
    learner, course = dry_run(release), dry_run(ROOT)
    assert learner == course  # the same set-up and the same JupyterLab command
    assert any("-r requirements.lock" in line for line in learner)
    opened = re.search(r"jupyter lab (\S+)", " ".join(learner)).group(1)
    assert (release / opened).is_file() and opened.startswith("notebooks/")


@pytest.mark.parametrize("which", ["course", "small"])
def test_no_solution_or_hidden_test_line_is_anywhere_in_the_release(which, release, small):
    source, out = (SOURCE, release) if which == "course" else small
    lines = set().union(*(solution_lines(nbformat.read(p, as_version=4))
                          for p in source.glob("*.ipynb")))
    if not lines:
        pytest.skip("the course's notebooks hold no solutions yet")
    assert not leaked(source, out)


def test_the_leak_check_finds_a_solution_line(small, tmp_path):
    source, out = small
    planted = tmp_path / "release"
    planted.mkdir()
    (planted / "notes.py").write_text("    twice_the_values = 2 * np.asarray(values, dtype=float)\n"
                                      "    return twice_the_values\n")  # trivial: not a leak
    assert leaked(source, planted) == [
        "notes.py: twice_the_values = 2 * np.asarray(values, dtype=float)"]


@pytest.mark.parametrize("which", ["course", "small"])
def test_learner_notebooks_hold_no_outputs_and_locked_checks(which, release, small):
    out = release if which == "course" else small[1]
    for path in sorted((out / "notebooks").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path.name
            if grading.is_check(cell):
                assert cell.metadata.get("editable") is False, path.name
        assert "widgets" not in notebook.metadata


def test_small_release_has_placeholders_where_the_solutions_were(small):
    notebook = nbformat.read(small[1] / "notebooks" / "90_exercises.ipynb", as_version=4)
    exercises = [c.source for c in notebook.cells if grading.is_exercise(c)]
    assert len(exercises) == 2
    assert all("# YOUR CODE HERE" in s and "raise NotImplementedError()" in s for s in exercises)
    assert exercises[0].startswith("def double(values):")


# Cells of the learner edition that must run before any exercise is answered.
RUN_WITHOUT_EXERCISES = {"02_kernel_normalization": ["ablation("]}


def assert_only_unanswered_exercises_fail(executed, name: str):
    """Errors only from unanswered exercises, none before the first; the check under each
    exercise says at once that it is not done; the cells listed above run regardless."""
    first = next((i for i, c in enumerate(executed.cells) if grading.is_exercise(c)), None)
    found = errors(executed)
    assert all(ename in NOT_DONE for _, ename in found), (name, found)
    assert first is not None or not found, (name, found)
    assert all(i >= first for i, _ in found), (name, found)
    exercises = set(grading.grade_ids(executed, grading.is_exercise))
    failed = {i for i, _ in found}
    for index, cell in enumerate(executed.cells):
        grade_id = grading.nbgrader_meta(cell).get("grade_id", "")
        if grading.is_check(cell) and grade_id.removesuffix("-check") in exercises:
            assert index in failed, (name, grade_id, "passes with its exercise unanswered")
        if any(needle in cell.source for needle in RUN_WITHOUT_EXERCISES.get(name, [])):
            assert index not in failed, (name, index, cell.source[:80])


@pytest.mark.parametrize("stem", COURSE_NOTEBOOKS)
def test_each_learner_notebook_runs_with_only_unanswered_exercises_failing(stem, release):
    folder = release / "notebooks"
    start = time.perf_counter()
    executed = run(nbformat.read(folder / f"{stem}.ipynb", as_version=4), folder)
    print(f"{stem}: {time.perf_counter() - start:.1f} s")
    assert_only_unanswered_exercises_fail(executed, stem)


def test_small_learner_notebook_fails_only_in_and_after_its_exercises(small):
    folder = small[1] / "notebooks"
    executed = run(nbformat.read(folder / "90_exercises.ipynb", as_version=4), folder)
    assert_only_unanswered_exercises_fail(executed, "90_exercises")
    # The def runs; its check and the cell calling it fail, then the squares cell and after.
    assert errors(executed) == [(4, "NotDoneYet"), (5, "NotDoneYet"), (7, "NotImplementedError"),
                                (8, "NotDoneYet"), (9, "NotDoneYet")]


def test_nbgrader_is_an_instructor_tool_outside_the_learner_set():
    assert "nbgrader" in locked_versions(DEV_LOCK)
    assert "nbgrader" not in locked_versions(LEARNER_LOCK)
    assert "nbgrader" not in (ROOT / "environment.yml").read_text()


def test_readmes_give_the_learner_path_and_the_instructor_path(release):
    course = (ROOT / "README.md").read_text()
    for needle in ("make release", "release/", "make lab", "python -m helpers.check"):
        assert needle in course, needle
    learner = (release / "README.md").read_text()
    assert re.search(r"^## Hand in", learner, re.M) and "make lab" in learner
    assert "make release" not in learner and "make test" not in learner


# -- grading the course's own notebooks end to end ---------------------------------------------
def own_seed(source_05) -> int:
    """The first seed whose 19 initial values are all new (none the course default or the
    article's value in its place) and not the source's own."""
    taken = grading.initial_values_in(source_05)
    return next(seed for seed in itertools.count(1)
                if not bt.reused_entries(bt.initial_values(seed))
                and grading.initial_values_in(seed_handin(source_05, seed)) != taken)


def seed_handin(notebook, seed: int):
    """A copy of ``notebook`` whose initial-values cell picks ``seed``, as a learner writes it."""
    handin = nbformat.from_dict(notebook)
    cell = next(c for c in handin.cells
                if grading.nbgrader_meta(c).get("grade_id") == grading.INITIAL_VALUES_CELL)
    cell.source = f"MY_SEED = {seed}\ninitial = bt.initial_values(MY_SEED)"
    return handin


def own_initial_values(stem: str, notebook):
    """The instructor edition as a hand-in: notebook 05 with initial values of its own (not
    the source's, and none refused). Others unchanged."""
    if grading.INITIAL_VALUES_CELL not in grading.grade_ids(notebook, grading.is_exercise):
        return notebook
    return seed_handin(notebook, own_seed(notebook))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    with grading.course_for(SOURCE) as course:
        yield course


def graded_stem(course, stem: str) -> str:
    if course is None or not course.graded(stem):
        pytest.skip(f"{stem} has no check cells yet")
    return stem


def handin_score(course, stem: str, handin, folder: Path):
    executed = run(course.prepare(handin, stem), folder)
    return course.score(stem, grading.cell_results(executed), handin)


@pytest.mark.parametrize("stem", COURSE_NOTEBOOKS)
def test_unchanged_release_scores_zero(stem, course, tmp_path):
    stem = graded_stem(course, stem)
    grades = handin_score(course, stem, course.release[stem], tmp_path)
    print(f"{stem} unchanged release: {grades.score}")
    assert grades.earned == 0 and grades.possible > 0 and grades.no_work
    assert {e.status for e in grades.exercises} <= {"not done", "wrong"}


@pytest.mark.parametrize("stem", COURSE_NOTEBOOKS)
def test_instructor_edition_scores_full_marks(stem, course, tmp_path):
    stem = graded_stem(course, stem)
    handin = own_initial_values(stem, course.source[stem])
    grades = handin_score(course, stem, handin, tmp_path)
    print(f"{stem} instructor edition: {grades.score}")
    assert grades.earned == grades.possible > 0, [
        (e.grade_id, e.message) for e in grades.exercises if e.status != "ok"]


@pytest.mark.parametrize("stem", COURSE_NOTEBOOKS)
def test_edited_check_cells_are_the_sources_again_when_graded(stem, course):
    stem = graded_stem(course, stem)
    handin = nbformat.from_dict(course.source[stem])
    for cell in handin.cells:
        if grading.is_check(cell):
            cell.source = 'print("✓ all right")'
    edited, unedited = course.prepare(handin, stem), course.prepare(course.source[stem], stem)
    assert [c.source for c in edited.cells] == [c.source for c in unedited.cells]


# -- notebook 05's initial values, graded and read back -----------------------------------------
TABLES = "05_backprop_tables"


def rounded(values: dict) -> dict:
    return {name: np.round(value, grading.INITIAL_DECIMALS).tolist()
            for name, value in values.items()}


def typed_values(notebook, values: dict):
    """A copy of ``notebook`` whose learner types ``values`` into ``my_values`` and turns
    ``USE_MY_VALUES`` on, in the cell made for it."""
    handin = nbformat.from_dict(notebook)
    cell = next(c for c in handin.cells if "if USE_MY_VALUES:" in c.source)
    typed = {name: np.asarray(value).tolist() for name, value in values.items()}
    cell.source = cell.source.replace(
        "if USE_MY_VALUES:", f"my_values = {typed!r}\nUSE_MY_VALUES = True\nif USE_MY_VALUES:")
    return handin


@pytest.fixture(scope="module")
def own_05(course, tmp_path_factory):
    """(seed, the instructor edition of 05 with that seed of its own, run top to bottom)."""
    graded_stem(course, TABLES)
    seed = own_seed(course.source[TABLES])
    handin = seed_handin(course.source[TABLES], seed)
    return seed, run(handin, tmp_path_factory.mktemp("own_05"))


def test_the_instructor_edition_of_05_has_initial_values_of_its_own(course, own_05):
    seed, executed = own_05
    work = grading.work_of(executed, course, TABLES)
    print(f"work_of, instructor edition of 05 (seed {seed}): {work}")
    assert work["initial"] == rounded(bt.initial_values(seed))
    assert work["initial"] != grading.work_of(course.source[TABLES], course, TABLES)["initial"]
    assert sorted(work["code"]) == sorted(grading.grade_ids(course.source[TABLES],
                                                            grading.is_exercise))


def test_work_of_reads_the_printed_values_where_the_code_does_not_say(course, own_05):
    seed, executed = own_05
    handin = nbformat.from_dict(executed)  # the outputs of the run with ``seed`` kept
    cell = next(c for c in handin.cells
                if grading.nbgrader_meta(c).get("grade_id") == grading.INITIAL_VALUES_CELL)
    cell.source = cell.source.replace(f"MY_SEED = {seed}", f"MY_SEED = int('{seed}')")
    assert grading.work_of(handin, course, TABLES)["initial"] == rounded(bt.initial_values(seed))
    cell.outputs, handin.cells = [], [c for c in handin.cells if c.cell_type == "markdown"
                                      or grading.nbgrader_meta(c)]
    assert grading.work_of(handin, course, TABLES)["initial"] is None  # nothing recorded


def test_work_of_the_release_and_of_a_notebook_without_initial_values(course):
    graded_stem(course, TABLES)
    assert grading.work_of(course.release[TABLES], course, TABLES) == {"code": {},
                                                                       "initial": None}
    other = next(stem for stem in COURSE_NOTEBOOKS if stem != TABLES and course.graded(stem))
    work = grading.work_of(course.source[other], course, other)
    assert work["initial"] is None and work["code"]


@pytest.mark.parametrize(("source", "name", "index"), [("the course default", "wh", (1, 2)),
                                                       ("the article's value", "wout", (2, 0))])
def test_05_graded_refuses_one_reused_entry_and_names_it(source, name, index, course, own_05,
                                                         tmp_path):
    reference = bt.COURSE_DEFAULT_INIT if source == "the course default" else bt.ARTICLE_INIT
    values = bt.initial_values(own_05[0])
    values[name][index] = reference[name][index]
    handin = typed_values(own_initial_values(TABLES, course.source[TABLES]), values)
    assert grading.work_of(handin, course, TABLES)["initial"] == rounded(values)
    grades = handin_score(course, TABLES, handin, tmp_path)
    refused = [e for e in grades.exercises if e.status != "ok"]
    assert [e.grade_id for e in refused] == [f"{grading.INITIAL_VALUES_CELL}-check"]
    entry = f"{name}[{index[0]},{index[1]}] = {reference[name][index]:.4g} is {source}"
    assert "1 of 19 initial values are not your own" in refused[0].message
    assert entry in refused[0].message
    assert grades.earned == grades.possible - refused[0].points


# -- notebook 06's name check reads the notebook it runs in --------------------------------------
TUTORIAL = "06_python_numpy_tutorial"


def test_06_name_check_reads_the_renamed_handin_it_runs_in(course, tmp_path):
    graded_stem(course, TUTORIAL)
    handin = nbformat.from_dict(course.source[TUTORIAL])
    cell = next(c for c in handin.cells if grading.is_exercise(c))
    cell.source += "\nquicksort = sorted  # a name the original tutorial binds"
    prepared = course.prepare(handin, TUTORIAL)
    nbformat.write(prepared, tmp_path / "alice-assignment-2-2.ipynb")  # not the course's name
    executed = run(prepared, tmp_path)
    results = grading.cell_results(executed)
    printed = "".join(o.get("text", "") for o in results["06-name-check"])
    assert "Read the saved file alice-assignment-2-2.ipynb" in printed and "quicksort" in printed
    grades = course.score(TUTORIAL, results, handin)
    assert [e.grade_id for e in grades.exercises if e.status != "ok"] == ["06-name-check"]
