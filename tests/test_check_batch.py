"""The checker on a class of hostile hand-ins (tests/hostile/batch_*, issue 13 attacks 4-7, 10).

Every hand-in must get its own row and the verdict it deserves, one hand-in failing only
itself; the reports must not be forgeable; tables must come only from the hand-in's own
files; only the hand-in is staged; and no handed-in file, nor anything beside them, changes.
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from helpers import check

sys.path.insert(0, str(Path(__file__).parent / "hostile"))
import make_batch  # noqa: E402  (tests/hostile is not a package)

EXPECTED = {  # label -> (passes?, words its problems or notes must hold)
    "batch_good_tutorial.ipynb": (True, ""),
    "batch_flat/batch_bob_backprop.ipynb": (True, ""),
    "batch_stage_only/batch_sees_only_itself.ipynb": (True, ""),
    make_batch.NOT_UTF8_NAME: (True, ""),
    # attack 4: odd files and metadata fail themselves only
    "batch_course_string_backprop.ipynb": (False, "no backprop tables found"),
    "batch_assignment_number_tutorial.ipynb": (False, "names shared with the original tutorial"),
    "batch_invalid.ipynb": (False, "not a valid notebook"),
    "batch_deep.ipynb": (False, "nests deeper than 64 levels"),
    "batch_fifo.ipynb": (False, "not a regular file"),
    "batch_huge.ipynb": (False, "32,212,254,720 bytes, over the 20,000,000"),
    "batch_not_utf8/batch_dave_backprop.ipynb": (False, "backprop_tables.md is not UTF-8"),
    # attack 5: metadata cannot remove a check, and can add one
    "batch_declares_plain_tutorial.ipynb": (False, "original tutorial: nums, x"),
    "batch_declares_plain_backprop.ipynb": (False, "no backprop tables found"),
    "batch_adds_names_check.ipynb": (False, "original tutorial: nums"),
    # attack 6: no other learner's tables, no link followed
    "batch_flat/batch_alice_backprop.ipynb": (False, "no backprop tables found"),
    "batch_linked/batch_carol_backprop.ipynb": (False, "symbolic link"),
    "batch_link.ipynb": (False, "symbolic link, which the checker does not follow"),
    "batch_shadow.ipynb": (False, "symbolic link"),
    # attack 7: a forging name and error message
    make_batch.FORGED_NAME: (False, "RuntimeError: I fail"),
    "batch_forged_report.ipynb": (False, "does not run top to bottom"),
}
DEVICES = {"batch_device.ipynb": (False, "not a regular file"),
           "batch_devdir/batch_erin_backprop.ipynb": (False, "not a regular file")}


def staging_folders() -> set:
    return {p.name for p in Path(tempfile.gettempdir()).glob("course-stage-*")}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    folder = root / "handins"
    folder.mkdir()
    made = make_batch.build(folder)
    expected = dict(EXPECTED)
    expected.update({k: v for k, v in DEVICES.items() if made[k.split("/")[0]]})
    before, around = make_batch.tree_state(folder), sorted(os.listdir(root))
    stages = staging_folders()
    reports = tmp_path_factory.mktemp("reports")
    out = reports / "terminal.txt"
    saved = sys.stdout
    with open(out, "w", encoding="utf-8", errors="backslashreplace") as sys.stdout:
        code = check.main([str(folder), "--jobs", "2", "--cell-timeout", "10", "--timeout", "40",
                           "--md", str(reports / "r.md"), "--json", str(reports / "r.json")])
    sys.stdout = saved
    verdicts = json.loads((reports / "r.json").read_text())
    return SimpleNamespace(
        code=code, verdicts=verdicts, by_name={v["name"]: v for v in verdicts},
        expected=expected, md=(reports / "r.md").read_text(), terminal=out.read_text(),
        unchanged=make_batch.tree_state(folder) == before,
        around_unchanged=sorted(os.listdir(root)) == around,
        stages_left=staging_folders() - stages, folder=folder)


def test_every_hand_in_gets_one_row_in_the_order_found(batch):
    found = [label for _, label in check.find_notebooks([str(batch.folder)])]
    assert [v["name"] for v in batch.verdicts] == found
    assert set(found) == set(batch.expected)
    table = [line for line in batch.md.split("\n\n## ")[0].splitlines() if line.startswith("|")]
    assert len(table) == 2 + len(found)  # header, rule, one row each
    assert batch.code == 1


@pytest.mark.parametrize("label", sorted(EXPECTED) + sorted(DEVICES))
def test_each_hand_in_gets_the_verdict_it_deserves(batch, label):
    if label not in batch.expected:
        pytest.skip("device files cannot be made here")
    passes, words = batch.expected[label]
    verdict = batch.by_name[label]
    assert verdict["passed"] is passes, verdict["problems"]
    if passes:
        assert verdict["runs"] == "ok" and not verdict["problems"]
    else:
        assert any(words in text for text in verdict["problems"] + verdict["notes"]), verdict


def test_hand_ins_and_their_surroundings_are_unchanged(batch):
    assert batch.unchanged and batch.around_unchanged
    assert all(v["unchanged"] for v in batch.verdicts)
    assert not batch.stages_left


def test_metadata_adds_checks_it_cannot_remove(batch):
    assert batch.by_name["batch_declares_plain_tutorial.ipynb"]["kind"] == "python-numpy-tutorial"
    assert batch.by_name["batch_adds_names_check.ipynb"]["assigned_by"] == "file name + metadata"


def test_markdown_report_cannot_be_forged(batch):
    md = batch.md
    passing = sum(v["passed"] for v in batch.verdicts)
    assert md.count("| PASS |") == passing
    assert "<script" not in md and "&lt;script&gt;" in md
    assert "](javascript" not in md and "\\]\\(javascript" in md
    assert "\\n\\| forged.ipynb \\|" in md and "\u202e" not in md and "\\u202e" in md
    for line in md.splitlines():
        assert not line.startswith("| forged.ipynb") and not line.startswith("| x.ipynb")


def test_terminal_shows_control_characters_without_obeying_them(batch):
    assert "\x1b" not in batch.terminal and "\r" not in batch.terminal
    assert "\u202e" not in batch.terminal
    assert "batch_\\xff\\xfe_name.ipynb" in batch.terminal
    assert "batch_evil\\n| forged.ipynb" in batch.terminal
    rows = [line for line in batch.terminal.splitlines() if line.startswith("batch_")]
    assert len(rows) == len(batch.verdicts)


def test_json_report_keeps_names_exactly(batch):
    assert batch.by_name[make_batch.FORGED_NAME]["name"] == make_batch.FORGED_NAME
    odd = batch.by_name[make_batch.NOT_UTF8_NAME]
    assert os.fsencode(Path(odd["file"]).name) == b"batch_\xff\xfe_name.ipynb"


# -- fast tests without a kernel --------------------------------------------------------------
def notebook(course=None):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print(1)")]
    if course is not None:
        nb.metadata["course"] = course
    return nb


@pytest.mark.parametrize("name, chosen, course, kind", [
    ("x_tutorial.ipynb", "auto", {"assignment": "notebook"}, "python-numpy-tutorial"),
    ("x_backprop.ipynb", "auto", {"assignment": "python-numpy-tutorial"},
     "backprop-tables+python-numpy-tutorial"),
    ("x.ipynb", "tables", None, "backprop-tables"),
    ("x_tutorial.ipynb", "plain", None, "notebook"),
    ("x.ipynb", "plain", {"assignment": "backprop-tables"}, "backprop-tables"),
    ("x.ipynb", "auto", "backprop-tables", "notebook"),  # course a string: ignored
    ("x.ipynb", "auto", {"assignment": 7}, "notebook"),
    ("x.ipynb", "auto", {"assignment": ["backprop-tables"]}, "notebook"),
])
def test_the_instructor_decides_the_checks(name, chosen, course, kind):
    assert check.assignment_of(notebook(course), Path(name), chosen)[0] == kind


def test_assignment_option_overrides_the_file_name(tmp_path, monkeypatch):
    path = tmp_path / "plain_name.ipynb"
    path.write_text(nbformat.writes(notebook()))
    monkeypatch.setattr(check, "run_staged", lambda *a, **k: {"status": "ok", "message": ""})
    options = check.parse_options([str(path), "--assignment", "tables"])
    verdict = check.check_one(path, options)
    assert not verdict.passed and verdict.tables == "missing"


def test_a_crash_while_checking_fails_only_that_hand_in(tmp_path, monkeypatch):
    path = tmp_path / "x_backprop.ipynb"
    path.write_text(nbformat.writes(notebook()))

    def broken(*args):
        raise MemoryError("out of memory reading the tables")

    monkeypatch.setattr(check, "run_staged", lambda *a, **k: {"status": "ok", "message": ""})
    monkeypatch.setattr(check.tables_handin, "verify_handin", broken)
    (tmp_path / "x_backprop.md").write_text(f"```json {check.tables_handin.HEADER_TAG}\n{{}}\n```")
    verdict = check.check_one(path, check.parse_options([str(path)]))
    assert not verdict.passed
    assert "could not finish this hand-in (MemoryError: out of memory" in verdict.problems[0]


def test_parallel_checks_keep_the_order_found(monkeypatch):
    def slow(path, options, name):
        time.sleep(0.05 * (5 - int(name)))  # the first finishes last
        return check.Verdict(file=str(path), name=name)

    monkeypatch.setattr(check, "check_one", slow)
    found = [(Path(f"{i}.ipynb"), str(i)) for i in range(5)]
    verdicts = check.check_all(found, SimpleNamespace(jobs=4))
    assert [v.name for v in verdicts] == ["0", "1", "2", "3", "4"]


@pytest.mark.parametrize("text, shown", [
    ("a\nb|c", "a\\\\nb\\|c"),  # renders as a\nb|c
    ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert\\(1\\)&gt;"),
    ("[x](javascript:alert(1))", "\\[x\\]\\(javascript:alert\\(1\\)\\)"),
    ("\x1b[32mPASS\x1b[0m", "\\\\x1b\\[32mPASS\\\\x1b\\[0m"),
    (os.fsdecode(b"\xff.ipynb"), "\\\\xff.ipynb"),
])
def test_markdown_escaping(text, shown):
    assert check.md_escape(text) == shown


def test_notebooks_in_several_folders_are_named_with_their_folder(tmp_path):
    for learner in ("alice", "bob"):
        (tmp_path / learner).mkdir()
        (tmp_path / learner / "05_backprop.ipynb").write_text("{}")
    found = check.find_notebooks([str(tmp_path / "alice"), str(tmp_path / "bob")])
    assert [label for _, label in found] == ["alice/05_backprop.ipynb", "bob/05_backprop.ipynb"]
    assert [label for _, label in check.find_notebooks([str(tmp_path)])] == [
        "alice/05_backprop.ipynb", "bob/05_backprop.ipynb"]


@pytest.mark.parametrize("data, message", [
    (b"null", "JSON without an nbformat version"),
    (b"[" * 5000 + b"]" * 5000, "nests deeper than 64"),
    (b"[" * 100 + b"]" * 100, "nests deeper than 64"),
    (b'{"nbformat": 4, "metadata": {"x": ' + b"[" * 70 + b"]" * 70 + b"}}", "nests deeper"),
    (b"\xff\xfe{}", "not UTF-8 text"),
])
def test_hostile_json_is_not_a_notebook(data, message):
    verdict = check.Verdict(file="x.ipynb")
    assert check.read_notebook(data, verdict) is None
    assert message in verdict.problems[0]
