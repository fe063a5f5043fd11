"""The backprop tables: against an independent computation, the gradients, bad input."""

import numpy as np
import pytest

from helpers import backprop_tables as bt
from helpers.gradcheck import numerical_gradient, relative_error

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
    params = {name: value.copy() for name, value in tables.initial.items()}
    engine = bt.autodiff_gradients(params)
    for name in bt.SHAPES:
        numeric = numerical_gradient(lambda: bt.loss(params), params[name])
        np.testing.assert_allclose(updates[name], -0.1 * numeric, atol=1e-9)
        assert relative_error(engine[name], numeric) < 1e-7
    assert np.abs(updates["wout"]).max() > 1e-3  # not trivially zero


def test_forward_and_loss_match_an_independent_computation():
    out = independent(FIXED)["output"]
    np.testing.assert_allclose(bt.forward(bt.check_initial_values(FIXED))["output"], out,
                               rtol=1e-12)
    expected = 0.5 * ((np.array([[1], [1], [0]]) - out) ** 2).sum()
    assert bt.loss(bt.check_initial_values(FIXED)) == pytest.approx(expected, rel=1e-12)
    # One sample's loss and gradient: the second sample alone.
    one = bt.check_initial_values(FIXED)
    assert bt.loss(one, bt.X[1:2], bt.Y[1:2]) == pytest.approx(
        0.5 * (1 - out[1, 0]) ** 2, rel=1e-12)
    grads = bt.autodiff_gradients(one, bt.X[1:2], bt.Y[1:2])
    numeric = numerical_gradient(lambda: bt.loss(one, bt.X[1:2], bt.Y[1:2]), one["wout"])
    assert relative_error(grads["wout"], numeric) < 1e-7


def test_learning_reduces_the_loss():
    losses, output = bt.train(FIXED, epochs=200, lr=0.5)
    assert losses[-1] < losses[0] / 2 and output.shape == (3, 1)
    assert np.all(np.diff(losses) < 0)
    assert losses[1] == pytest.approx(bt.loss(bt.compute_tables(FIXED, 0.5).snapshots[11]))


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


@pytest.mark.parametrize("lr", ["0.1", float("inf"), None, True])
def test_a_bad_learning_rate_is_explained(lr):
    with pytest.raises(bt.InitialValuesError, match="learning rate"):
        bt.compute_tables(FIXED, lr)


def test_huge_initial_values_do_not_overflow():
    huge = {**FIXED, "bh": [[1e4, -1e4, 0.0]]}
    final = bt.compute_tables(huge).snapshots[11]
    assert all(np.all(np.isfinite(v)) for v in final.values())


def test_notebook_05_numbers_for_the_course_defaults():
    """The numbers notebook 05 prints and its prose states, for the saved default values."""
    tables = bt.compute_tables(bt.COURSE_DEFAULT_INIT)
    updates = bt.article_updates(tables)
    assert np.round(updates["wout"].ravel(), 5).tolist() == [-0.00538, -0.00577, -0.00577]
    assert np.round(updates["wout"].ravel() * 0.1, 5).tolist() == [-0.00054, -0.00058, -0.00058]
    params = {name: value.copy() for name, value in tables.initial.items()}
    engine = bt.autodiff_gradients(params)
    for name in bt.SHAPES:  # the table of section 3: "< 1e-8" and "< 1e-7" in every row
        numeric = numerical_gradient(lambda: bt.loss(params), params[name])
        assert np.abs(updates[name] + 0.1 * numeric).max() < 1e-8
        assert relative_error(engine[name], numeric) < 1e-7
    losses, output = bt.train(bt.COURSE_DEFAULT_INIT, epochs=2000, lr=0.5)
    assert f"{losses[0]:.4f} -> {losses[-1]:.4f}" == "0.3789 -> 0.0012"
    assert np.round(output.ravel(), 3).tolist() == [0.979, 0.974, 0.036]
    # "With the article's learning rate of 0.1 the same descent is five times slower."
    slow, _ = bt.train(bt.COURSE_DEFAULT_INIT, epochs=10_500, lr=0.1)
    passes = int(np.argmax(np.array(slow) <= losses[-1]))
    assert passes == 9961 and round(passes / 2000) == 5
