"""The name check: every kind of binding is found; magics are skipped; bad cells reported."""

import json

import pytest

from helpers.checking import ExerciseError, NotDoneYet
from helpers.names import (
    bound_names,
    check_cells,
    check_notebook,
    check_this_notebook,
    original_names,
    python_source,
    this_notebook,
)


def names_in(source):
    return {name for name, _, _ in bound_names(source)}


def test_the_original_binds_52_names():
    names = original_names()
    assert len(names) == 52 and "quicksort" in names and names["x"] == "parameter,variable"


@pytest.mark.parametrize("source, expected", [
    ("a = 1\nb, (c, *d) = 1, (2, 3)", {"a", "b", "c", "d"}),
    ("e += 1\nf: int = 2\nif (g := 3): pass", {"e", "f", "g"}),
    ("for i, t in []: pass\n[v for w in [] for v in w]", {"i", "t", "v", "w"}),
    ("with open('p') as hw: pass\ntry: pass\nexcept Exception as vv: pass", {"hw", "vv"}),
    ("def greet(name, *arr, loud=False, **x): pass", {"greet", "name", "arr", "loud", "x"}),
    ("class Greeter:\n  def __init__(self): self.legs = 4", {"Greeter", "__init__", "self"}),
    ("import numpy as np\nimport os.path\nfrom math import pi as s, e", {"np", "os", "s", "e"}),
    ("sign = lambda y: y\nglobal idx", {"sign", "y", "idx"}),
    ("match 1:\n  case [left, *right]: pass\n  case {**middle}: pass\n  case pivot: pass",
     {"left", "right", "middle", "pivot"}),
])
def test_every_kind_of_binding_is_found(source, expected):
    assert names_in(source) == expected


def test_magics_and_shell_lines_are_skipped_keeping_line_numbers():
    source = "%matplotlib inline\n!ls\nnp?\nanimal = 'cat'"
    assert python_source(source).splitlines()[3] == "animal = 'cat'"
    assert bound_names(python_source(source)) == [("animal", 4, "variable")]


def test_report_lists_shared_names_with_cell_and_line_and_allows_conventions():
    cells = [{"cell_type": "markdown", "source": "x = 1"},
             {"cell_type": "code", "source": ["import numpy as np\n", "nums = [1]\n"]},
             {"cell_type": "code", "source": "def broken(:"},
             {"cell_type": "code", "source": "digit_total = 3"}]
    report = check_cells(cells)
    assert [(b.name, b.cell, b.line) for b in report.shared] == [("nums", 1, 2)]
    assert [b.name for b in report.conventional] == ["np"]
    assert report.unparsable and report.unparsable[0][0] == 2
    assert not report.ok and "cell 1, line 2: 'nums'" in str(report)
    assert "np (the usual alias of numpy)" in str(report)


def test_check_notebook_reads_a_file(tmp_path):
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": "total = 1"}],
                                "nbformat": 4, "nbformat_minor": 5, "metadata": {}}))
    assert check_notebook(path).ok


# -- the check of the notebook it runs in ----------------------------------------------------
def notebook_file(path, *sources):
    cells = [{"cell_type": "code", "source": source, "metadata": {}, "outputs": []}
             for source in sources]
    path.write_text(json.dumps({"cells": cells, "nbformat": 4, "nbformat_minor": 5}))
    return path


def test_jupyterlab_session_path_is_read_first(tmp_path, monkeypatch, capsys):
    mine = notebook_file(tmp_path / "renamed by me.ipynb", "total = 1",
                         "check_this_notebook(globals())")
    monkeypatch.chdir(tmp_path)
    check_this_notebook({"__session__": str(mine), "In": ["", "x = 1"]})
    out = capsys.readouterr().out
    assert out.startswith("Read the saved file renamed by me.ipynb, the notebook this kernel")
    assert "✓ the name check passes" in out
    monkeypatch.setenv("JPY_SESSION_NAME", str(mine))
    cells, where = this_notebook({})
    assert "the notebook this kernel runs" in where and len(cells) == 2


def test_without_a_session_the_one_notebook_here_or_the_history(tmp_path, monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.chdir(tmp_path)
    notebook_file(tmp_path / "other.ipynb", "x = 1")  # does not run the check: not a candidate
    notebook_file(tmp_path / "a.ipynb", "total = 1", "check_this_notebook(globals())")
    # a session path that is gone (the notebook was renamed after its kernel started)
    cells, where = this_notebook({"__session__": str(tmp_path / "gone.ipynb")})
    assert where.startswith("the saved file a.ipynb, the one notebook in this folder")
    notebook_file(tmp_path / "b.ipynb", "check_this_notebook(globals())")
    cells, where = this_notebook({"In": ["", "x = 1", "check_this_notebook(globals())"]})
    assert where.startswith("the code this kernel ran") and len(cells) == 3
    with pytest.raises(ExerciseError, match="cannot find this notebook"):
        this_notebook({"In": [""]})


def test_shared_names_and_unanswered_tasks_fail_the_check(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    history = ["", "x = 1", "check_this_notebook(globals())"]
    with pytest.raises(ExerciseError, match="does not pass"):
        check_this_notebook({"In": history})
    assert "cell 1, line 1: 'x' (variable)" in capsys.readouterr().out
    placeholder = "# YOUR CODE HERE\nraise NotImplementedError()"
    with pytest.raises(NotDoneYet, match="1 tasks are not done yet"):
        check_this_notebook({"In": ["", "total = 1", placeholder]})
    assert "cells still hold the placeholder" in capsys.readouterr().out
