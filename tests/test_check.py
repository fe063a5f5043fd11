"""The hand-in checker against good and hostile notebooks, in one run over a mixed folder.

Every hostile case must get a clear verdict while the checker goes on; every handed-in file
must be byte-for-byte unchanged; nothing outside the checker's temporary copy may change.
"""

import hashlib
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from helpers import backprop_tables as bt
from helpers import tables_handin
from helpers.check import main, sandbox_command

ROOT = Path(__file__).resolve().parents[1]


def notebook(*sources, assignment=None):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    if assignment:
        nb.metadata["course"] = {"assignment": assignment}
    return nbformat.writes(nb)


HOSTILE = {
    "not_json.ipynb": "this is not JSON {",
    "not_a_notebook.ipynb": json.dumps({"hello": "world"}),
    "old_format.ipynb": json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {},
                                    "worksheets": [{"cells": []}]}),
    "empty.ipynb": notebook(),
    "never_ends.ipynb": notebook("while True:\n    pass"),
    "raises.ipynb": notebook("total = 1 / 0"),
    "exits_kernel.ipynb": notebook("import os\nos._exit(3)"),
    "prints_a_lot.ipynb": notebook("for _ in range(1_000_000):\n    print('#' * 300)"),
    "touches_files.ipynb": notebook(
        "from pathlib import Path\nPath('new.txt').write_text('hi')\n"
        "assert not Path('data.txt').exists(), 'a file beside the hand-in was staged'\n"
        "Path('sibling.ipynb').write_text('gone')"),
    "network.ipynb": notebook(
        "import socket\nsocket.create_connection(('10.255.255.1', 80), timeout=2)"),
    "absolute_path.ipynb": notebook(f"open({str(ROOT / 'escaped.txt')!r}, 'w').write('x')"),
}


def good_tutorial():
    return notebook("import numpy as np\ntotals = np.arange(3).sum()\nprint(totals)",
                    assignment="python-numpy-tutorial")


def tutorial_with_original_names():
    return notebook("nums = [1, 2]\nfor x in nums:\n    print(x)",
                    assignment="python-numpy-tutorial")


def tree_state(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    for name, text in HOSTILE.items():
        (folder / name).write_text(text)
    (folder / "good_tutorial.ipynb").write_text(good_tutorial())
    (folder / "copied_names_tutorial.ipynb").write_text(tutorial_with_original_names())
    for name in ("data.txt", "other.txt"):
        (folder / name).write_text(name)
    # A backprop hand-in: a notebook that runs, with its Markdown tables beside it.
    tables_dir = folder / "tables"
    tables_dir.mkdir()
    (tables_dir / "my_backprop.ipynb").write_text(notebook("print('done')",
                                                           assignment="backprop-tables"))
    text = tables_handin.to_markdown(bt.compute_tables(bt.initial_values(11)))
    (tables_dir / "backprop_tables.md").write_text(text)
    bad_dir = folder / "bad_tables"
    bad_dir.mkdir()
    (bad_dir / "their_backprop.ipynb").write_text(notebook("print('done')",
                                                           assignment="backprop-tables"))
    wrong = bt.compute_tables(bt.initial_values(11)).snapshots[8]["error_at_hidden_layer"][0, 0]
    value = f"{wrong:.3f}"
    (bad_dir / "backprop_tables.md").write_text(text.replace(value, "9.999"))

    before = tree_state(folder)
    reports = tmp_path_factory.mktemp("reports")
    code = main([str(folder), "--md", str(reports / "r.md"), "--json", str(reports / "r.json"),
                 "--cell-timeout", "4", "--timeout", "40", "--max-output", "200000"])
    verdicts = {Path(v["file"]).name: v for v in json.loads((reports / "r.json").read_text())}
    return code, verdicts, before, tree_state(folder), reports


def test_exit_status_and_both_reports(checked):
    code, verdicts, _, _, reports = checked
    assert code == 1
    assert "| good\\_tutorial.ipynb |" in (reports / "r.md").read_text()  # _ escaped
    assert len(verdicts) == len(HOSTILE) + 4


def test_handed_in_files_are_unchanged_and_nothing_escaped(checked):
    _, verdicts, before, after, _ = checked
    assert before == after
    assert all(v["unchanged"] for v in verdicts.values())
    assert not (ROOT / "escaped.txt").exists()


def test_good_hand_ins_pass(checked):
    verdicts = checked[1]
    assert verdicts["good_tutorial.ipynb"]["passed"]
    assert verdicts["my_backprop.ipynb"]["passed"]
    assert verdicts["my_backprop.ipynb"]["tables"] == "ok"


@pytest.mark.parametrize("name, expected", [
    ("not_json.ipynb", "not JSON"),
    ("not_a_notebook.ipynb", "without an nbformat version"),
    ("old_format.ipynb", "old notebook format 3"),
    ("empty.ipynb", "has no code"),
    ("never_ends.ipynb", "longer than 4 s"),
    ("raises.ipynb", "ZeroDivisionError"),
    ("exits_kernel.ipynb", "kernel died"),
    ("prints_a_lot.ipynb", "past 200,000 bytes"),
    ("network.ipynb", "does not run top to bottom"),
    ("copied_names_tutorial.ipynb", "nums, x"),
    ("their_backprop.ipynb", "error_at_hidden_layer row 0: 9.999"),
])
def test_each_bad_hand_in_gets_a_clear_verdict(checked, name, expected):
    verdict = checked[1][name]
    assert not verdict["passed"]
    assert any(expected in problem for problem in verdict["problems"]), verdict["problems"]


def test_file_changes_stay_in_the_temporary_copy_and_are_reported(checked):
    verdict = checked[1]["touches_files.ipynb"]
    assert "created new.txt" in verdict["files_changed"]
    assert "created sibling.ipynb" in verdict["files_changed"]  # not staged, so new
    assert verdict["runs"] == "ok"  # data.txt beside it was not staged with it


@pytest.mark.skipif(sandbox_command() is None, reason="bubblewrap is not usable here")
def test_runs_are_isolated_where_bubblewrap_works(checked):
    verdicts = checked[1]
    assert verdicts["raises.ipynb"]["isolated"]
    assert any("Read-only file system" in p or "Permission" in p
               for p in verdicts["absolute_path.ipynb"]["problems"])
    assert any("unreachable" in p.lower() for p in verdicts["network.ipynb"]["problems"])


def test_no_notebooks_is_an_error(tmp_path, capsys):
    assert main([str(tmp_path)]) == 2
    assert "no .ipynb files" in capsys.readouterr().err
    shutil.rmtree(tmp_path)
