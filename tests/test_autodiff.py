"""The autodiff engine against finite differences, and the graph drawing."""

import math

import numpy as np
import pytest

from helpers.autodiff import Value, sigmoid
from helpers.gradcheck import numerical_gradient
from helpers.graph_plot import draw_graph, layout

EXPRESSIONS = [
    lambda a, b: a * b + a,
    lambda a, b: (a - b) / (a * a + 1),
    lambda a, b: (a * b).sigmoid() * (b ** 3),
    lambda a, b: (a.exp() + b.tanh()).log() if isinstance(a, Value)
    else math.log(math.exp(a) + math.tanh(b)),
    lambda a, b: (a * 2 - b).relu() + 1 / (1 + b * b) - 3 - a,
    lambda a, b: (a ** 2 + b ** 2) ** 0.5 - 2 ** a + 3 / b - (1 - b) * -a,
]


def as_floats(expression, a, b):
    try:
        return expression(a, b)
    except AttributeError:
        return float(expression(Value(a), Value(b)).data)


@pytest.mark.parametrize("expression", EXPRESSIONS)
@pytest.mark.parametrize("point", [(0.7, -1.3), (2.0, 0.4)])
def test_gradients_match_finite_differences(expression, point):
    a, b = Value(point[0]), Value(point[1])
    out = expression(a, b)
    out.backward()
    xs = np.array(point)
    expected = numerical_gradient(lambda: as_floats(expression, *xs), xs)
    assert a.grad == pytest.approx(expected[0], rel=1e-5, abs=1e-7)
    assert b.grad == pytest.approx(expected[1], rel=1e-5, abs=1e-7)


def test_a_value_used_twice_collects_both_gradients():
    a = Value(3.0)
    out = a * a + a  # d/da = 2a + 1 = 7
    out.backward()
    assert a.grad == 7.0
    out.backward()  # a second backward starts from zero, it does not accumulate
    assert a.grad == 7.0


def test_sigmoid_is_stable_for_large_inputs():
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0


def test_bad_uses_are_explained():
    with pytest.raises(ValueError, match="positive number"):
        Value(-1.0).log()
    with pytest.raises(TypeError, match="number exponent"):
        Value(2.0) ** Value(3.0)
    with pytest.raises(TypeError, match="pass the number"):
        Value(Value(1.0))
    with pytest.raises(TypeError, match="one number"):
        Value("three")
    with pytest.raises(ValueError, match="positive base"):
        (-2) ** Value(1.0)


def test_graph_layout_puts_inputs_left_and_output_right():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    out = (a * b).sigmoid()
    out.backward()
    positions = layout(out)
    assert positions[id(a)][0] == 0 and positions[id(out)][0] == 2
    fig = draw_graph(out, title="test")
    assert len(fig.axes) == 1


def test_one_sigmoid_for_numbers_arrays_and_values():
    z = np.array([-800.0, -2.0, 0.0, 2.0, 800.0])
    expected = [0.0, 1 / (1 + math.exp(2.0)), 0.5, 1 / (1 + math.exp(-2.0)), 1.0]
    np.testing.assert_allclose(sigmoid(z), expected, rtol=1e-15, atol=0)
    assert Value(2.0).sigmoid().data == sigmoid(2.0)
    nodes = sigmoid(np.array([[Value(-2.0), Value(2.0)]], dtype=object))
    assert [v.data for v in nodes[0]] == pytest.approx(expected[1:4:2], rel=1e-15)


def test_the_engine_is_short_enough_to_read():
    """Notebook 04 calls it "under two hundred lines with its comments"."""
    from pathlib import Path

    import helpers.autodiff
    assert len(Path(helpers.autodiff.__file__).read_text().splitlines()) < 200
