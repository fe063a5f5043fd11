"""Grading with nbgrader (helpers.grading) on a small course of our own (tests/exercises.py).

Each hand-in is prepared (the source's check cells put back by grade_id), run with errors
allowed, and scored per check cell: 2 points for `double` (with a hidden test), 1 for
`squares_of_four`.
"""

import json

import nbformat
import numpy as np
import pytest
from exercises import DOUBLE_CHECK, SQUARES_CHECK, fixture_source, run

from helpers import backprop_tables as bt
from helpers import grading

STEM = "90_exercises"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    folder = tmp_path_factory.mktemp("grading")
    return grading.Course(fixture_source(folder / "notebooks"), folder / "course")


def answer(notebook, grade_id: str, source: str):
    """A copy of ``notebook`` with the cell ``grade_id`` holding ``source``."""
    notebook = nbformat.from_dict(notebook)
    cell = next(c for c in notebook.cells if grading.nbgrader_meta(c).get("grade_id") == grade_id)
    cell.source = source
    return notebook


def grade(course, handin, tmp_path):
    executed = run(course.prepare(handin, STEM), tmp_path)
    return course.score(STEM, json.loads(json.dumps(grading.cell_results(executed))), handin)


DOUBLE_DONE = "def double(values):\n    return np.asarray(values, dtype=float) + values\n"
SQUARES_DONE = "squares_of_four = np.array([0, 1, 4, 9])"


def test_unchanged_release_scores_zero_and_is_flagged_as_no_work(course, tmp_path):
    grades = grade(course, course.release[STEM], tmp_path)
    assert grades.score == "0/3" and grades.no_work
    assert [e.status for e in grades.exercises] == ["not done", "not done"]
    assert "no work" in grades.flags[0]


def test_instructor_source_scores_full_marks(course, tmp_path):
    grades = grade(course, course.source[STEM], tmp_path)
    assert grades.score == "3/3" and not grades.no_work and not grades.flags
    assert [(e.grade_id, e.earned) for e in grades.exercises] == [
        ("90-double-check", 2.0), ("90-squares-check", 1.0)]


def test_partly_done_handin_earns_the_points_of_the_checks_it_passes(course, tmp_path):
    grades = grade(course, answer(course.release[STEM], "90-double", DOUBLE_DONE), tmp_path)
    assert grades.score == "2/3" and not grades.no_work
    assert [e.status for e in grades.exercises] == ["ok", "not done"]


def test_edited_deleted_or_repointed_check_cells_change_nothing(course, tmp_path):
    handin = answer(course.release[STEM], "90-double", DOUBLE_DONE)
    handin = answer(handin, "90-squares-check", 'print("✓ all good")')
    for cell in handin.cells:
        if grading.is_check(cell):
            cell.metadata.nbgrader["points"] = 100
    handin.cells = [c for c in handin.cells
                    if grading.nbgrader_meta(c).get("grade_id") != "90-double-check"]
    prepared = course.prepare(handin, STEM)
    checks = [c.source for c in prepared.cells if grading.is_check(c)]
    assert len(checks) == 2 and checks[0].endswith(DOUBLE_CHECK) and checks[1] == SQUARES_CHECK
    grades = grade(course, handin, tmp_path)
    assert grades.score == "2/3"  # as the unedited partly done hand-in


def test_hidden_tests_come_back_for_grading(course, tmp_path):
    flat = "def double(values):\n    return 2 * np.asarray(values, dtype=float).ravel()\n"
    handin = answer(course.release[STEM], "90-double", flat)
    as_learner_sees_it = run(handin, tmp_path)
    check_cell = next(c for c in as_learner_sees_it.cells if grading.is_check(c))
    assert "✓ double is right" in check_cell.outputs[0]["text"]  # the visible check passes
    grades = grade(course, handin, tmp_path)
    assert grades.exercises[0].earned == 0 and grades.exercises[0].status == "wrong"
    assert "2x2 matrix of sevens" in grades.exercises[0].message
    assert "shape (4,), expected (2, 2)" in grades.exercises[0].message


def test_a_handin_is_matched_to_its_notebook_by_grade_ids_then_by_number(course):
    assert course.notebook_of(course.release[STEM], "alice-homework.ipynb") == STEM
    bare = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    assert course.notebook_of(bare, "91_reading-bob.ipynb") == "91_reading"
    assert course.notebook_of(bare, "notes.ipynb") is None
    assert course.graded(STEM) and not course.graded("91_reading")


def test_shared_code_and_initial_values_are_flagged(course):
    release = course.release[STEM]
    done = answer(answer(release, "90-double", DOUBLE_DONE), "90-squares", SQUARES_DONE)
    # Comments and layout do not hide a copy.
    copied = answer(done, "90-double", "def double(values):  # mine\n"
                    "    return np.asarray(values, dtype=float) + (values)\n")
    own = answer(answer(release, "90-double", "def double(values):\n    return 2.0 * values\n"),
                 "90-squares", "squares_of_four = np.arange(4) * np.arange(4)")
    handins = {name: {"code": grading.exercise_code(nb, release), "initial": initial}
               for name, nb, initial in [("ann", done, {"w1": [0.1]}),
                                         ("ben", copied, {"w1": [0.2]}),
                                         ("cai", own, {"w1": [0.1]}),
                                         ("dee", release, None)]}
    assert handins["dee"]["code"] == {}  # the release's placeholders are not code of one's own
    flags = grading.shared_work(handins)
    assert flags["ann"] == ["same code as ben in 2 exercise cells (90-double, 90-squares)",
                            "same initial values as cai"]
    assert flags["cai"] == ["same initial values as ann"] and flags["dee"] == []


def test_a_course_folder_without_notebooks_says_what_to_give(tmp_path):
    with pytest.raises(FileNotFoundError, match="instructor's notebooks"):
        grading.Course(tmp_path / "empty", tmp_path / "course")


def test_course_for_gives_none_when_there_is_nothing_to_grade(tmp_path):
    folder = fixture_source(tmp_path / "notebooks")
    with grading.course_for(folder) as course:
        assert course.graded(STEM)
        root = course.root
    assert not root.exists()  # the scratch course folder is gone
    (folder / f"{STEM}.ipynb").unlink()
    with grading.course_for(folder) as course:
        assert course is None


def test_initial_values_in_reads_literals_only_and_refuses_what_notebook_05_refuses():
    def notebook(*sources):
        return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])

    seed_3 = {name: np.round(value, 3).tolist()
              for name, value in bt.initial_values(3).items()}
    assert grading.initial_values_in(notebook("MY_SEED = 3")) == seed_3
    assert grading.initial_values_in(notebook("MY_SEED = 4", "%time x = 1", "MY_SEED = 3")) \
        == seed_3  # the last assignment, cells that do not parse skipped
    for unreadable in ("MY_SEED = seed_of_mine", "MY_SEED = True", "MY_SEED = -1", "x = 3"):
        assert grading.initial_values_in(notebook(unreadable)) is None, unreadable
    typed = (f"my_values = {{'wh': {[0.5] * 12}, 'bh': [0.1, 0.2, 0.3], 'wout': [1, 2, 3], "
             "'bout': 4}")
    assert grading.initial_values_in(notebook("MY_SEED = 3", typed)) == seed_3  # switched off
    on = grading.initial_values_in(notebook("MY_SEED = 3", typed, "USE_MY_VALUES = True"))
    assert on == {"wh": [[0.5] * 3] * 4, "bh": [[0.1, 0.2, 0.3]], "wout": [[1.0], [2.0], [3.0]],
                  "bout": [[4.0]]}
    wrong_shape = typed.replace("[0.5, ", "[")  # 11 entries for the 12 of wh
    assert grading.initial_values_in(notebook(wrong_shape, "USE_MY_VALUES = True")) is None
    computed = typed.replace("'bout': 4", "'bout': 2 * 2")  # not a literal: not read
    assert grading.initial_values_in(notebook("MY_SEED = 3", computed, "USE_MY_VALUES = True")) \
        is None  # and not the seed's, which the notebook does not use then
