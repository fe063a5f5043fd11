"""The backprop tables: against an independent computation, the export round trip, bad input."""

import numpy as np
import pytest

from helpers import backprop_tables as bt

FIXED = {
    "wh": [[0.42, 0.88, 0.55], [0.10, 0.73, 0.68], [0.60, 0.18, 0.47], [0.92, 0.11, 0.52]],
    "bh": [[0.46, 0.72, 0.08]],
    "wout": [[0.30], [0.25], [0.23]],
    "bout": [[0.69]],
}


def independent(init, lr=0.1):
    """The article's one pass written out again, plainly, without helpers."""
    x = np.array([[1, 0, 1, 0], [1, 0, 1, 1], [0, 1, 0, 1]], float)
    y = np.array([[1], [1], [0]], float)
    wh, bh, wout, bout = (np.array(init[k], float) for k in ("wh", "bh", "wout", "bout"))
    hidden = 1 / (1 + np.exp(-(x.dot(wh) + bh)))
    out = 1 / (1 + np.exp(-(hidden.dot(wout) + bout)))
    d_out = (y - out) * out * (1 - out)
    d_hidden = d_out.dot(wout.T) * hidden * (1 - hidden)
    return {"hidden_layer_activations": hidden, "output": out, "d_output": d_out,
            "d_hiddenlayer": d_hidden, "wout": wout + hidden.T.dot(d_out) * lr,
            "wh": wh + x.T.dot(d_hidden) * lr, "bout": bout + d_out.sum(axis=0) * lr,
            "bh": bh + d_hidden.sum(axis=0) * lr}


def test_tables_match_an_independent_computation():
    tables = bt.compute_tables(FIXED)
    assert len(tables.snapshots) == 12
    final = tables.snapshots[11]
    for name, value in independent(FIXED).items():
        np.testing.assert_allclose(final[name], value, rtol=1e-12)
    assert "output" not in tables.snapshots[3] and "output" in tables.snapshots[4]
    np.testing.assert_array_equal(tables.snapshots[9]["wout"], np.array(FIXED["wout"]))


def test_updates_are_gradient_descent_on_half_squared_error():
    tables = bt.compute_tables(FIXED)
    updates = bt.article_updates(tables)
    numeric = bt.numerical_gradients(tables.initial)
    engine = bt.autodiff_gradients(tables.initial)
    for name in bt.SHAPES:
        np.testing.assert_allclose(updates[name], -0.1 * numeric[name], atol=1e-9)
        np.testing.assert_allclose(engine[name], numeric[name], atol=1e-9)


def test_markdown_parses_back_to_the_same_numbers():
    tables = bt.compute_tables(FIXED)
    text = bt.to_markdown(tables, decimals=4)
    init, parsed = bt.parse_markdown(text)
    assert bt.read_handin(text)[1] == {"lr": 0.1, "decimals": 4}
    np.testing.assert_array_equal(init["wh"], np.array(FIXED["wh"]))
    for step in range(12):
        for name, rows in parsed[step].items():
            np.testing.assert_allclose(rows, tables.snapshots[step][name], atol=0.5e-4 + 1e-12)
    assert bt.verify_handin(text).ok
    assert "| X | wh | bh | hidden_layer_input | hidden_layer_activations | *wout* |" in text
    assert "| **d_output** |" in text.split("## Step 7")[1].split("## Step 8")[0]


def test_a_wrong_number_and_default_values_are_reported():
    text = bt.to_markdown(bt.compute_tables(FIXED))
    value = f"{bt.compute_tables(FIXED).snapshots[7]['d_output'][1, 0]:.3f}"
    bent = text.replace(value, "0.999", 1)
    result = bt.verify_handin(bent)
    assert not result.ok and any("d_output row 1" in p for p in result.problems)
    default = bt.verify_handin(bt.to_markdown(bt.compute_tables(bt.COURSE_DEFAULT_INIT)))
    assert not default.ok and "course defaults" in default.problems[0]
    assert not bt.verify_handin("# just some notes").ok


def test_handin_files_are_written_atomically(tmp_path, monkeypatch):
    tables = bt.compute_tables(bt.initial_values(5))
    monkeypatch.chdir(tmp_path)
    md, csv_path = bt.write_handin(tables)
    assert [p.as_posix() for p in (md, csv_path)] == [
        "handin/backprop_tables.md", "handin/backprop_tables.csv"]
    assert md.read_text().startswith("# Assignment 2, part 1")
    assert csv_path.read_text().splitlines()[0] == "step,quantity,row,column,value"
    # Writing again replaces our own files, and leaves no temporary file behind.
    bt.write_handin(bt.compute_tables(bt.initial_values(6)))
    assert bt.parse_markdown(md.read_text())[0]["bout"][0, 0] == bt.initial_values(6)["bout"][0, 0]
    assert sorted(p.name for p in (tmp_path / "handin").iterdir()) == [
        "backprop_tables.csv", "backprop_tables.md"]


@pytest.mark.parametrize("victim", ["backprop_tables.md", "backprop_tables.csv"])
def test_handin_never_replaces_a_file_it_did_not_write(tmp_path, victim):
    folder = tmp_path / "handin"
    folder.mkdir()
    (folder / victim).write_text("my own notes\n")
    with pytest.raises(bt.HandinWriteError, match="not written by write_handin"):
        bt.write_handin(bt.compute_tables(FIXED), folder)
    assert (folder / victim).read_text() == "my own notes\n"
    assert [p.name for p in folder.iterdir()] == [victim]


def test_handin_bad_arguments_are_explained(tmp_path):
    tables = bt.compute_tables(FIXED)
    (tmp_path / "afile").write_text("x")
    with pytest.raises(bt.HandinWriteError, match="not a folder"):
        bt.write_handin(tables, tmp_path / "afile")
    with pytest.raises(ValueError, match="decimals"):
        bt.write_handin(tables, tmp_path, decimals=-1)
    with pytest.raises(ValueError, match="no folders"):
        bt.write_handin(tables, tmp_path, name="../elsewhere")
    with pytest.raises(TypeError, match="compute_tables"):
        bt.write_handin(FIXED, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["afile"]


def _handin(**changes):
    """A correct hand-in for FIXED with text replacements applied."""
    text = bt.to_markdown(bt.compute_tables(FIXED))
    for old, new in changes.items():
        assert old in text
        text = text.replace(old, new, 1)
    return text


def test_bent_hand_ins_are_reported():
    tables = bt.compute_tables(FIXED)
    e0 = f"{tables.snapshots[5]['E'][0, 0]:.3f}"
    cases = {
        "nan": (text := _handin()).replace(f"| {e0} |", "| nan |", 1),
        "coarse": text.replace('"decimals": 3', '"decimals": 0'),
        "lr": text.replace('"lr": 0.1', '"lr": 0.2'),
        "no step": text.replace("## Step 4:", "## Stage 4:"),
        "bad heading": text.replace("## Step 4:", "## Step four:"),
        "twice": text.replace("## Step 4:", "## Step 3:"),
        "no step 12": text + "\n## Step 12: extra\n\n| X |\n|---|\n| 1 |\n",
        "words": text.replace(f"| {e0} |", "| about a half |", 1),
    }
    expected = {
        "nan": "E row 0: nan", "coarse": "at least 2", "lr": "learning rate 0.2",
        "no step": "steps [4] are missing", "bad heading": "does not give a step number",
        "twice": "step 3 appears twice", "no step 12": "no such step",
        "words": "is not a row of numbers",
    }
    for case, bent in cases.items():
        result = bt.verify_handin(bent)
        assert not result.ok, case
        assert any(expected[case] in p for p in result.problems), (case, result.problems)


def test_missing_columns_and_rows_are_reported():
    tables = bt.compute_tables(FIXED)
    text = _handin()
    lines = text.splitlines()
    # Blank the output column of step 4 (the 8th column) in every row.
    start = lines.index(next(line for line in lines if line.startswith("## Step 4:")))
    for i in range(start, start + 10):
        if lines[i].startswith("| ") and not lines[i].startswith("| X"):
            cells = lines[i].split("|")
            cells[8] = " "
            lines[i] = "|".join(cells)
    result = bt.verify_handin("\n".join(lines))
    assert any("step 4: no values for output" in p for p in result.problems), result.problems
    # Drop the last row of step 11.
    row = " | ".join(bt._cell(tables.snapshots[11].get(c), 2, 3) for c in bt.COLUMNS)
    result = bt.verify_handin(text.replace(f"| {row} |\n", ""))
    assert any("step 11, X: 2 rows, expected 3" in p for p in result.problems), result.problems
    assert not bt.verify_handin(12345).ok


def test_learning_reduces_the_loss():
    losses, output = bt.train(FIXED, epochs=200, lr=0.5)
    assert losses[-1] < losses[0] / 2 and output.shape == (3, 1)


@pytest.mark.parametrize("values, message", [
    ({"wh": np.zeros((4, 3)), "bh": np.zeros((1, 3)), "wout": np.zeros((3, 1))}, "missing"),
    ({**FIXED, "wh": np.zeros((3, 4))}, r"wh must have shape \(4, 3\)"),
    ({**FIXED, "bout": "half"}, "bout must hold numbers only"),
    ({**FIXED, "bh": [[0.1, float("nan"), 0.2]]}, "NaN"),
    ({**FIXED, "w_hidden": 1}, "unknown names w_hidden"),
    ([1, 2, 3], "as a dict"),
    ({**FIXED, "wout": [[0.3], [0.2], [None]]}, "wout must hold numbers only; found None"),
    ({**FIXED, "wh": [[0.1, 0.2, 0.3], [0.1, 0.2], [0.1, 0.2, 0.3], [0.1, 0.2, 0.3]]},
     "wh must be 4 rows of 3 numbers each"),
    ({**FIXED, "bout": True}, "bout must hold numbers only; found True"),
])
def test_bad_initial_values_are_explained(values, message):
    with pytest.raises(bt.InitialValuesError, match=message):
        bt.compute_tables(values)


def test_flat_lists_of_the_right_length_are_accepted():
    flat = {**FIXED, "wout": [0.30, 0.25, 0.23], "bout": 0.69}
    np.testing.assert_array_equal(bt.compute_tables(flat).snapshots[11]["wout"],
                                  bt.compute_tables(FIXED).snapshots[11]["wout"])


def test_html_marks_computed_and_read_columns():
    html = bt.step_html(bt.compute_tables(FIXED), 7)
    assert "Step 7" in html and "#ffd9b3" in html and "#cfe0f7" in html
    with pytest.raises(ValueError, match="0 to 11"):
        bt.step_html(bt.compute_tables(FIXED), 12)


@pytest.mark.parametrize("lr", ["0.1", float("inf"), None, True])
def test_a_bad_learning_rate_is_explained(lr):
    with pytest.raises(bt.InitialValuesError, match="learning rate"):
        bt.compute_tables(FIXED, lr)


def test_huge_initial_values_do_not_overflow():
    huge = {**FIXED, "bh": [[1e4, -1e4, 0.0]]}
    final = bt.compute_tables(huge).snapshots[11]
    assert all(np.all(np.isfinite(v)) for v in final.values())


def test_markdown_refuses_mismatched_values_and_bad_rounding():
    tables = bt.compute_tables(FIXED)
    assert bt.to_markdown(tables, FIXED) == bt.to_markdown(tables)
    with pytest.raises(bt.InitialValuesError, match="other initial values"):
        bt.to_markdown(tables, bt.initial_values(1))
    for bad in (-1, 2.5, "3"):
        with pytest.raises(ValueError, match="decimals must be a whole number"):
            bt.to_markdown(tables, decimals=bad)
        with pytest.raises(ValueError, match="decimals must be a whole number"):
            bt.step_html(tables, 3, decimals=bad)
