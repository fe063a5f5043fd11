"""The checker grading a class made of the course's own notebooks (issue 15): the unchanged
learner edition scores 0 and is flagged as no work, the instructor edition (notebook 05 with
initial values of its own) scores full marks, an edited check cell changes nothing, and two
hand-ins with the same exercise code or initial values are flagged for review."""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from test_release import SOURCE, own_initial_values, seed_handin

from helpers import grading

ROOT = Path(__file__).resolve().parents[1]
pytest.importorskip("nbgrader")


def handin_name(stem: str, who: str) -> str:
    return f"{stem}_{who}.ipynb"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    with grading.course_for(SOURCE) as course:
        stems = [s for s in sorted(course.source) if course.graded(s)]
        for stem in stems:
            nbformat.write(course.release[stem], folder / handin_name(stem, "release"))
            full = own_initial_values(stem, course.source[stem])
            nbformat.write(full, folder / handin_name(stem, "full"))
        edited = nbformat.from_dict(course.release["04_backprop_intuition"])
        for cell in edited.cells:
            if grading.is_check(cell):
                cell.source = 'print("all right")'
        nbformat.write(edited, folder / handin_name("04_backprop_intuition", "edited"))
        deleted = nbformat.from_dict(course.source["04_backprop_intuition"])
        deleted.cells = [c for c in deleted.cells if not grading.nbgrader_meta(c)]
        nbformat.write(deleted, folder / handin_name("04_backprop_intuition", "deleted"))
        nbformat.write(course.source["04_backprop_intuition"],
                       folder / handin_name("04_backprop_intuition", "copy"))
        twin = seed_handin(course.source["05_backprop_tables"], 7)
        for who in ("twin_a", "twin_b"):
            nbformat.write(twin, folder / handin_name("05_backprop_tables", who))
    report = tmp_path_factory.mktemp("report")
    done = subprocess.run([sys.executable, "-m", "helpers.check", str(folder), "--jobs", "2",
                           "--md", str(report / "r.md"), "--json", str(report / "r.json")],
                          cwd=ROOT, capture_output=True, text=True, timeout=1200)
    verdicts = {v["name"]: v for v in json.loads((report / "r.json").read_text())}
    return stems, verdicts, (report / "r.md").read_text(), done


def test_every_graded_notebook_has_a_score_column(graded):
    stems, verdicts, md, _ = graded
    assert len(stems) >= 6
    assert "| score |" in md.splitlines()[2]
    assert all("/" in v["score"] for v in verdicts.values())


@pytest.mark.parametrize("who", ["release", "full"])
def test_release_scores_zero_and_the_instructor_edition_full_marks(graded, who):
    stems, verdicts, _, _ = graded
    for stem in stems:
        verdict = verdicts[handin_name(stem, who)]
        earned, possible = (float(x) for x in verdict["score"].split("/"))
        assert possible > 0, verdict
        if who == "release":
            assert earned == 0 and not verdict["passed"], verdict["score"]
            assert any(f.startswith("no work") for f in verdict["flags"])
        else:
            assert earned == possible and verdict["passed"], (stem, verdict["points"],
                                                               verdict["problems"])
            assert verdict["isolated"] and not any("no work" in f for f in verdict["flags"])


def test_an_edited_check_cell_changes_no_score(graded):
    _, verdicts, _, _ = graded
    edited = verdicts[handin_name("04_backprop_intuition", "edited")]
    release = verdicts[handin_name("04_backprop_intuition", "release")]
    assert edited["score"] == release["score"] == "0/4"
    assert edited["points"] == release["points"]


def test_shared_code_and_initial_values_are_flagged_for_review(graded):
    _, verdicts, md, _ = graded
    copy = verdicts[handin_name("04_backprop_intuition", "copy")]["flags"]
    assert any("same code as 04_backprop_intuition_full.ipynb" in f for f in copy)
    twin = verdicts[handin_name("05_backprop_tables", "twin_a")]["flags"]
    assert "same initial values as 05_backprop_tables_twin_b.ipynb" in twin
    assert "flag for review: same initial values as" in md


def test_a_hand_in_without_the_exercise_cells_scores_zero_and_is_flagged(graded):
    _, verdicts, _, _ = graded
    verdict = verdicts[handin_name("04_backprop_intuition", "deleted")]
    assert verdict["score"] == "0/4" and verdict["points"] == {}
    assert any(f.startswith("not graded (scored 0)") for f in verdict["flags"])
