"""The computed illustrations of notebook 04."""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from helpers import backprop_intuition as bi
from helpers import backprop_tables as bt
from helpers.autodiff import Value
from helpers.checking import ExerciseError, NotDoneYet
from helpers.gradcheck import numerical_gradient


def test_descent_regimes():
    final = {lr: bi.valley_loss(*bi.descend(lr)[-1]) for lr in (0.01, 0.15, 0.21)}
    start = bi.valley_loss(*bi.START)
    assert 0.05 < final[0.01] < start  # too small: still far away
    assert final[0.15] < 0.01  # about right
    assert final[0.21] > start  # beyond 2 / curvature: diverges


def _boundary(low, high, changed):
    """The learning rate in [low, high] where ``changed(lr)`` turns True, by bisection."""
    for _ in range(50):
        middle = (low + high) / 2
        low, high = (low, middle) if changed(middle) else (middle, high)
    return high


def test_where_descent_crawls_zigzags_and_diverges():
    """The numbers notebook 04's prose gives for the descent slider."""
    verdict = bi.descent_verdict
    slow_until = _boundary(0.01, 0.1, lambda lr: verdict(lr)[0] == "converges")
    zigzag_from = _boundary(0.05, 0.15, lambda lr: verdict(lr)[1])
    slow_again = _boundary(0.15, 0.2, lambda lr: verdict(lr)[0] != "converges")
    diverge_from = _boundary(0.15, 0.25, lambda lr: verdict(lr)[0] == "diverges")
    assert round(slow_until, 3) == 0.081
    assert zigzag_from == pytest.approx(0.1, abs=1e-9)  # 1 / curvature 10
    assert round(slow_again, 2) == 0.19
    assert diverge_from == pytest.approx(0.2, abs=1e-9)  # 2 / curvature 10
    assert verdict(0.1) == ("converges", False)
    assert verdict(0.09) == ("converges", False)
    assert verdict(0.15) == ("converges", True)
    assert verdict(0.05) == ("too slow", False)
    assert verdict(0.21) == ("diverges", True)


@pytest.mark.parametrize("lr, title", [
    (0.09, "learning rate 0.090: converges (loss after 25 steps 0.0303)"),
    (0.15, "learning rate 0.150: converges, zigzagging (loss after 25 steps 0.001)"),
    (0.21, "learning rate 0.210: diverges, zigzagging (loss after 25 steps 710)"),
])
def test_descent_drawing(lr, title):
    """Notebook 04's three pictures: their titles, and every label inside the figure."""
    fig = Figure(figsize=(5.5, 3.4), layout="constrained")
    FigureCanvasAgg(fig)
    bi.draw_descent(fig, lr)
    fig.canvas.draw()
    ax = fig.axes[0]
    assert ax.get_title() == title
    renderer = fig.canvas.get_renderer()
    for label in (ax.xaxis.label, ax.yaxis.label, ax.title):
        box = label.get_window_extent(renderer)
        assert box.x0 >= 0 and box.y0 >= 0, label.get_text()
        assert box.x1 <= fig.bbox.width and box.y1 <= fig.bbox.height, label.get_text()


def test_nudges_are_minus_the_gradient_of_one_examples_loss():
    params = bt.initial_values(3)
    wanted = dict(bi.nudges(params, bt.X[0], bt.Y[0, 0]))
    assert len(wanted) == 12 + 3 + 3 + 1
    for name in bt.SHAPES:
        numeric = numerical_gradient(lambda: bt.loss(params, bt.X[:1], bt.Y[:1]), params[name])
        for (i, j), value in np.ndenumerate(numeric):
            label = f"{name}[{i},{j}]" if numeric.size > 1 else name
            assert wanted[label] == pytest.approx(-value, rel=1e-6, abs=1e-10)
    assert wanted["wh[1,0]"] == 0.0  # input 2 of sample 1 is 0: its weights cannot help


def test_the_notebooks_nudges_for_the_course_defaults():
    wanted = bi.nudges(bt.COURSE_DEFAULT_INIT, bt.X[0], bt.Y[0, 0])
    assert [(name, round(value, 4)) for name, value in wanted[:3]] == [
        ("bout", 0.0264), ("wout[0,0]", 0.0236), ("wout[2,0]", 0.0208)]
    assert all(value == 0 for name, value in wanted if name.startswith(("wh[1,", "wh[3,")))
    names, table = bi.nudge_table(bt.COURSE_DEFAULT_INIT, bt.X, bt.Y)
    bout = table[names.index("bout")]
    assert f"{bout.sum() * bt.LEARNING_RATE:+.6f}" == "-0.006600"
    assert bout[0] > 0 and bout[1] > 0 and bout[2] < 0  # samples 1, 2 pull up, 3 down


def test_chain_rule_three_ways_agree():
    args = (0.7, -0.2, 1.3, 0.1, 0.9, 1.0)
    by_hand = bi.chain_dcost_dw1(*args)
    values = [Value(v) for v in args[:4]]
    cost = bi.chain_cost(*values, *args[4:])
    cost.backward()
    w1 = np.array([args[0]])
    numeric = numerical_gradient(lambda: bi.chain_cost(w1[0], *args[1:]), w1)[0]
    assert by_hand == pytest.approx(values[0].grad, rel=1e-9)
    assert by_hand == pytest.approx(numeric, rel=1e-6)
    # Notebook 04's three ways agree to eight places.
    assert f"{by_hand:.8f}" == f"{values[0].grad:.8f}" == f"{numeric:.8f}" == "-0.03365752"


def test_video_embed_links_the_lesson_video():
    assert "watch?v=Ilg3gGewQ5U" in bi.video_html(3)


def test_summed_nudges_are_the_articles_update():
    params = bt.initial_values(4)
    names, wanted = bi.nudge_table(params, bt.X, bt.Y)
    assert wanted.shape == (19, 3) and names[0] == "wh[0,0]" and names[-1] == "bout"
    updates = bt.article_updates(bt.compute_tables(params))
    flat = np.concatenate([updates[n].ravel() for n in ("wh", "bh", "wout", "bout")])
    np.testing.assert_allclose(wanted.sum(axis=1) * bt.LEARNING_RATE, flat, atol=1e-12)
    assert np.abs(flat).max() > 1e-3
    one = dict(bi.nudges(params, bt.X[2], bt.Y[2]))
    np.testing.assert_array_equal(wanted[:, 2], [one[n] for n in names])
    fig = bi.plot_nudge_table(names, wanted, title="t")
    assert len(fig.axes) == 2


def test_graph_shows_negative_zero_as_zero():
    from helpers.graph_plot import draw_graph
    out = Value(0.0) * Value(-1.0)
    out.backward()
    fig = draw_graph(out)
    assert "-0" not in [t.get_text().split("\n")[-1] for t in fig.axes[0].texts]


@pytest.mark.parametrize("x, y, message", [
    ([1, 0, 1], 1.0, r"rows of 4 numbers .* got shape \(1, 3\)"),
    ([1, 0, 1, 0], [1.0, 0.0], "1 input rows need 1 targets, got 2"),
    ([1, 0, "one", 0], 1.0, "must be numbers"),
    ([1, 0, np.nan, 0], 1.0, "NaN"),
])
def test_bad_samples_are_explained(x, y, message):
    with pytest.raises(bt.InitialValuesError, match=message):
        bi.nudges(bt.COURSE_DEFAULT_INIT, x, y)


def test_bad_weights_for_nudges_are_explained():
    with pytest.raises(bt.InitialValuesError, match="wh must have shape"):
        bi.nudges({**bt.COURSE_DEFAULT_INIT, "wh": np.zeros((3, 3))}, bt.X[0], 1.0)


# -- the exercises of notebook 04 ------------------------------------------------------------
def product_with(rule):
    """A learner's multiply whose backward closure is ``rule(a, b, out)``."""
    def multiply(a, b):
        out = Value(a.data * b.data, (a, b), "*")
        out._backward = lambda: rule(a, b, out)
        return out
    return multiply


def right_rule(a, b, out):
    a.grad += b.data * out.grad
    b.grad += a.data * out.grad


def set_not_add(a, b, out):  # = instead of +=: a * a loses one of its two paths
    a.grad = b.data * out.grad
    b.grad = a.data * out.grad


def swapped(a, b, out):  # each input's own value instead of the other's
    a.grad += a.data * out.grad
    b.grad += b.data * out.grad


def not_written(a, b, out):
    raise NotImplementedError()


def test_the_product_rule_check(capsys):
    bi.check_product_rule(product_with(right_rule))
    assert capsys.readouterr().out.startswith("✓ multiply: values and gradients right on 3")
    with pytest.raises(ExerciseError, match=r"f = a \* a at a = 1.5: df/da is 1.5, expected 3 "
                                            r".*off by -1.5.*add with \+="):
        bi.check_product_rule(product_with(set_not_add))
    with pytest.raises(ExerciseError, match=r"f = a \* b at a = 2, b = -3: df/da is 2, "
                                            r"expected -3"):
        bi.check_product_rule(product_with(swapped))
    with pytest.raises(NotDoneYet, match="backward closure of multiply is not written yet"):
        bi.check_product_rule(product_with(not_written))
    with pytest.raises(ExerciseError, match="should return a Value, got float"):
        bi.check_product_rule(lambda a, b: a.data * b.data)


def test_the_chain_rule_check(capsys):
    bi.check_chain_derivative(bi.chain_dcost_dw1)
    assert capsys.readouterr().out.startswith("✓ dcost_dw1 agrees with finite differences on 3")

    def no_two(w1, b1, w2, b2, a0, y):  # the derivative of (a2 - y)^2 without its factor 2
        return bi.chain_dcost_dw1(w1, b1, w2, b2, a0, y) / 2

    with pytest.raises(ExerciseError, match=r"on the video's numbers .*got -0.0168288, "
                                            r"expected -0.0336575.*0.5 times the right value"):
        bi.check_chain_derivative(no_two)

    def no_w2(w1, b1, w2, b2, a0, y):  # the path's dz2/da1 = w2 forgotten
        return bi.chain_dcost_dw1(w1, b1, w2, b2, a0, y) / w2

    with pytest.raises(ExerciseError, match="dcost_dw1 on the video's numbers"):
        bi.check_chain_derivative(no_w2)
    with pytest.raises(ExerciseError, match="should return one number"):
        bi.check_chain_derivative(lambda *args: [0.0, 0.0])
    with pytest.raises(NotDoneYet):
        bi.check_chain_derivative(lambda *args: (_ for _ in ()).throw(NotImplementedError()))


def test_the_neuron_gradients_notebook_04_gives():
    """'z = 1.0, so every weight's gradient is its input times sigma'(1.0) = 0.1966'."""
    x = [Value(1.0), Value(0.0), Value(1.0)]
    w = [Value(0.5), Value(-1.2), Value(0.8)]
    a = (x[0] * w[0] + x[1] * w[1] + x[2] * w[2] + Value(-0.3)).sigmoid()
    a.backward()
    assert [f"{v.grad:.4f}" for v in w] == ["0.1966", "0.0000", "0.1966"]
    assert a.parents[0].data == pytest.approx(1.0)
