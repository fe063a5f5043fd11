"""The computed illustrations of notebook 04."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers import backprop_intuition as bi
from helpers import backprop_tables as bt
from helpers.autodiff import Value


def test_descent_regimes():
    final = {lr: bi.valley_loss(*bi.descend(lr)[-1]) for lr in (0.01, 0.15, 0.21)}
    start = bi.valley_loss(*bi.START)
    assert 0.05 < final[0.01] < start  # too small: still far away
    assert final[0.15] < 0.01  # about right
    assert final[0.21] > start  # beyond 2 / curvature: diverges


@pytest.mark.parametrize("lr", [0.01, 0.15, 0.21])
def test_descent_drawing(lr):
    fig = Figure()
    bi.draw_descent(fig, lr)
    assert len(fig.axes) == 1


def test_nudges_are_minus_the_gradient_of_one_examples_loss():
    params = bt.initial_values(3)
    wanted = dict(bi.nudges(params, bt.X[0], bt.Y[0, 0]))
    assert len(wanted) == 12 + 3 + 3 + 1
    h = 1e-6
    up = {k: v.copy() for k, v in params.items()}
    down = {k: v.copy() for k, v in params.items()}
    up["wout"][1, 0] += h
    down["wout"][1, 0] -= h

    def one(p):
        hidden = bt.sigmoid(bt.X[0] @ p["wh"] + p["bh"])
        return 0.5 * (bt.Y[0, 0] - bt.sigmoid(hidden @ p["wout"] + p["bout"])[0, 0]) ** 2
    assert wanted["wout[1,0]"] == pytest.approx(-(one(up) - one(down)) / (2 * h), rel=1e-6)


def test_chain_rule_three_ways_agree():
    args = (0.7, -0.2, 1.3, 0.1, 0.9, 1.0)
    by_hand = bi.chain_dcost_dw1(*args)
    values = [Value(v) for v in args[:4]]
    cost = bi.chain_cost(*values, *args[4:])
    cost.backward()
    h = 1e-6
    numeric = (bi.chain_cost(args[0] + h, *args[1:])
               - bi.chain_cost(args[0] - h, *args[1:])) / (2 * h)
    assert by_hand == pytest.approx(values[0].grad, rel=1e-9)
    assert by_hand == pytest.approx(numeric, rel=1e-6)
    assert np.isfinite(by_hand)


def test_video_embed_links_the_lesson_video():
    assert "watch?v=Ilg3gGewQ5U" in bi.video_html(3)


def test_summed_nudges_are_the_articles_update():
    params = bt.initial_values(4)
    names, wanted = bi.nudge_table(params, bt.X, bt.Y)
    assert wanted.shape == (19, 3) and names[0] == "wh[0,0]" and names[-1] == "bout"
    updates = bt.article_updates(bt.compute_tables(params))
    flat = np.concatenate([updates[n].ravel() for n in ("wh", "bh", "wout", "bout")])
    np.testing.assert_allclose(wanted.sum(axis=1) * bt.LEARNING_RATE, flat, atol=1e-12)
    fig = bi.plot_nudge_table(names, wanted, title="t")
    assert len(fig.axes) == 2


def test_graph_shows_negative_zero_as_zero():
    from helpers.graph_plot import draw_graph
    out = Value(0.0) * Value(-1.0)
    out.backward()
    fig = draw_graph(out)
    assert "-0" not in [t.get_text().split("\n")[-1] for t in fig.axes[0].texts]
