"""The backprop tables: against an independent computation, the gradients, bad input."""

import re

import numpy as np
import pytest

from helpers import backprop_tables as bt
from helpers.autodiff import sigmoid
from helpers.checking import ExerciseError, NotDoneYet
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


def test_notebook_05_numbers_for_its_saved_seed():
    """The numbers notebook 05 prints and its prose states, for its saved seed (2017)."""
    assert bt.reused_entries(bt.initial_values(2017)) == []
    tables = bt.compute_tables(bt.initial_values(2017))
    updates = bt.article_updates(tables)
    assert np.round(updates["wout"].ravel(), 5).tolist() == [-0.00596, -0.00592, -0.00661]
    assert np.round(updates["wout"].ravel() * 0.1, 5).tolist() == [-0.0006, -0.00059, -0.00066]
    params = {name: value.copy() for name, value in tables.initial.items()}
    engine = bt.autodiff_gradients(params)
    for name in bt.SHAPES:  # the table of section 4: "< 1e-8" and "< 1e-7" in every row
        numeric = numerical_gradient(lambda: bt.loss(params), params[name])
        assert np.abs(updates[name] + 0.1 * numeric).max() < 1e-8
        assert relative_error(engine[name], numeric) < 1e-7
    losses, output = bt.train(bt.initial_values(2017), epochs=2000, lr=0.5)
    assert f"{losses[0]:.4f} -> {losses[-1]:.4f}" == "0.3938 -> 0.0006"
    assert np.round(output.ravel(), 3).tolist() == [0.99, 0.981, 0.026]
    # "With the article's learning rate of 0.1 the same descent is five times slower."
    slow, _ = bt.train(bt.initial_values(2017), epochs=10_500, lr=0.1)
    passes = int(np.argmax(np.array(slow) <= losses[-1]))
    assert passes == 10_023 and round(passes / 2000) == 5


# -- the learner's own steps -------------------------------------------------------------------
def reference_names(init):
    """A notebook's globals() after every step is written right (with the article's names)."""
    init = bt.check_initial_values(init)
    before, updated = bt._one_pass(init, bt.LEARNING_RATE)
    names = {**init, "initial": init, "X": bt.X, "y": bt.Y, "lr": 0.1}
    for variables in bt.STEP_VARIABLES.values():
        for variable in variables:
            source = updated if variable.endswith("_updated") else before
            names[variable] = source[variable.removesuffix("_updated")]
    return names


OWN = {"wh": [[0.31, 0.77, 0.26], [0.58, 0.94, 0.12], [0.83, 0.39, 0.65], [0.07, 0.49, 0.71]],
       "bh": [[0.22, 0.64, 0.35]], "wout": [[0.53], [0.16], [0.87]], "bout": [[0.44]]}


def test_every_step_passes_on_the_reference(capsys):
    names = reference_names(OWN)
    for step in range(1, 12):
        bt.check_step(step, names)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 11 and all(line.startswith("✓") for line in lines)
    tables = bt.learner_tables(names)
    expected = bt.compute_tables(OWN)
    for got, want in zip(tables.snapshots, expected.snapshots, strict=True):
        assert set(got) == set(want)
        for name in want:
            np.testing.assert_array_equal(got[name], want[name])


@pytest.mark.parametrize("step, variable, wrong, message", [
    # the article's picture slip: the learning rate already in d_output
    (7, "d_output", lambda n: n["E"] * n["slope_output_layer"] * 0.1,
     r"d_output 3 of 3 entries differ:\n  \[0, 0\]: got"),
    # the slope of the sigmoid taken at the activation's own sigmoid
    (6, "slope_hidden_layer", lambda n: sigmoid(n["hidden_layer_activations"])
     * (1 - sigmoid(n["hidden_layer_activations"])), "slope_hidden_layer 9 of 9 entries"),
    # the update without the learning rate
    (10, "wh_updated", lambda n: n["wh"] + n["X"].T @ n["d_hiddenlayer"], "wh_updated 12 of 12"),
    # the bias sums taken across the neurons instead of over the samples
    (11, "bh_updated", lambda n: n["bh"] + n["d_hiddenlayer"].sum(axis=1) * 0.1,
     "bh_updated 3 of 3 entries differ"),
])
def test_a_wrong_step_names_its_entries(step, variable, wrong, message):
    names = reference_names(OWN)
    names[variable] = wrong(names)
    with pytest.raises(ExerciseError, match=message):
        bt.check_step(step, names)


def test_a_wrong_earlier_step_is_named_first():
    names = reference_names(OWN)
    names["hidden_layer_input"] = names["X"] @ names["wh"]  # the bias forgotten
    names["hidden_layer_activations"] = sigmoid(names["hidden_layer_input"])
    with pytest.raises(ExerciseError, match="step 2 is wrong too.*fix step 2 first"):
        bt.check_step(3, names)


def test_weights_changed_in_place_and_missing_steps_are_explained():
    names = reference_names(OWN)
    names["wout"] = names["wout_updated"]  # the article's  wout += ...
    with pytest.raises(ExerciseError, match="wout changed after step 1.*wout_updated = wout"):
        bt.check_step(4, names)
    names = reference_names(OWN)
    del names["d_output"]
    with pytest.raises(NotDoneYet, match="step 7 is not done yet: d_output"):
        bt.check_step(7, names)
    with pytest.raises(NotDoneYet, match="step 7"):
        bt.learner_tables(names)
    with pytest.raises(NotDoneYet, match="step 1 is not done yet: wh"):
        bt.check_step(2, {})
    with pytest.raises(ExerciseError, match="step 1: wh must have shape"):
        bt.check_step(1, {**reference_names(OWN), "wh": np.zeros((3, 4))})


def test_initial_values_are_refused_entry_by_entry():
    assert bt.N_ENTRIES == 19
    assert bt.reused_entries(OWN) == []
    assert len(bt.reused_entries(bt.ARTICLE_INIT)) == 19
    assert len(bt.reused_entries(bt.COURSE_DEFAULT_INIT)) == 19
    # the example: only bout changed from the article's 0.69 is still 18 entries short
    nearly = {**{k: v.copy() for k, v in bt.ARTICLE_INIT.items()}, "bout": [[0.71]]}
    assert len(bt.reused_entries(nearly)) == 18
    one = {**OWN, "wh": [[0.31, 0.77, 0.26], [0.58, 0.94, 0.12], [0.83, 0.39, 0.65],
                         [0.07, 0.49, 0.52]]}
    assert bt.reused_entries(one) == ["wh[3,2] = 0.52 is the article's value"]
    own_with_default = {**OWN, "bout": bt.COURSE_DEFAULT_INIT["bout"]}
    with pytest.raises(ExerciseError, match=r"1 of 19 initial values are not your own: "
                                            r"bout = 0.2997 is the course default"):
        bt.check_own_values(own_with_default)


EVERY_ENTRY = [(name, index) for name, shape in bt.SHAPES.items() for index in np.ndindex(shape)]


@pytest.mark.parametrize("source", ["the course default", "the article's value"])
@pytest.mark.parametrize(("name", "index"), EVERY_ENTRY)
def test_any_one_entry_reused_in_its_place_is_refused_by_name(name, index, source):
    reference = bt.COURSE_DEFAULT_INIT if source == "the course default" else bt.ARTICLE_INIT
    values = bt.check_initial_values(OWN)
    values[name][index] = reference[name][index]
    entry = f"{name}[{index[0]},{index[1]}]" if values[name].size > 1 else name
    assert bt.reused_entries(values) == [f"{entry} = {reference[name][index]:.4g} is {source}"]
    with pytest.raises(ExerciseError, match=rf"1 of 19 .*{re.escape(entry)} = .* is {source}"):
        bt.check_own_values(values)


@pytest.mark.parametrize(("name", "index"), EVERY_ENTRY)
def test_a_reused_value_in_another_place_is_ones_own(name, index):
    # The article's value of this entry, put where the article and the course have others.
    values = bt.check_initial_values(OWN)
    elsewhere = next((n, i) for n, i in EVERY_ENTRY if (n, i) != (name, index)
                     and abs(bt.ARTICLE_INIT[n][i] - bt.ARTICLE_INIT[name][index]) > 1e-3
                     and abs(bt.COURSE_DEFAULT_INIT[n][i] - bt.ARTICLE_INIT[name][index]) > 1e-3)
    values[elsewhere[0]][elsewhere[1]] = bt.ARTICLE_INIT[name][index]
    assert bt.reused_entries(values) == []
