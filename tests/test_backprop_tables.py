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
    init, settings, parsed = bt.parse_markdown(text)
    assert settings == {"lr": 0.1, "decimals": 4}
    np.testing.assert_array_equal(init["wh"], np.array(FIXED["wh"]))
    for step in range(12):
        for name, rows in parsed[step].items():
            np.testing.assert_allclose(rows, tables.snapshots[step][name], atol=0.5e-4 + 1e-12)
    assert bt.verify_handin(text).ok


def test_a_wrong_number_and_default_values_are_reported():
    text = bt.to_markdown(bt.compute_tables(FIXED))
    value = f"{bt.compute_tables(FIXED).snapshots[7]['d_output'][1, 0]:.3f}"
    bent = text.replace(value, "0.999", 1)
    result = bt.verify_handin(bent)
    assert not result.ok and any("d_output row 1" in p for p in result.problems)
    default = bt.verify_handin(bt.to_markdown(bt.compute_tables(bt.COURSE_DEFAULT_INIT)))
    assert not default.ok and "course defaults" in default.problems[0]
    assert not bt.verify_handin("# just some notes").ok


def test_handin_files_are_written_atomically(tmp_path):
    tables = bt.compute_tables(bt.initial_values(5))
    md, csv_path = bt.write_handin(tables, tmp_path / "handin")
    assert md.read_text().startswith("# Assignment 2, part 1")
    assert csv_path.read_text().splitlines()[0] == "step,quantity,row,column,value"
    assert sorted(p.name for p in (tmp_path / "handin").iterdir()) == [
        "backprop_tables.csv", "backprop_tables.md"]


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
