"""Every layer's backward against central finite differences, in float64."""

import numpy as np
import pytest

from helpers import layers
from helpers.gradcheck import numerical_gradient, relative_error

TOL = 1e-7


def check(forward, backward_grads, inputs, seed=0):
    """forward(*inputs) -> out; backward_grads(dout, cache) -> grads in input order."""
    rng = np.random.default_rng(seed)
    out, cache = forward(*inputs)
    dout = rng.normal(size=out.shape)
    analytic = backward_grads(dout, cache)
    for x, grad in zip(inputs, analytic, strict=True):
        numeric = numerical_gradient(lambda: float((forward(*inputs)[0] * dout).sum()), x)
        assert relative_error(grad, numeric) < TOL


@pytest.mark.parametrize("shape, kernel", [
    ((2, 6, 5, 3), (3, 2, 3, 4)),  # general
    ((2, 4, 4, 2), (1, 1, 2, 3)),  # 1x1: a product per pixel
    ((3, 4, 4, 2), (4, 4, 2, 3)),  # kernel as large as the input: one dense product
])
def test_conv2d_gradients(shape, kernel):
    rng = np.random.default_rng(1)
    x, w, b = rng.normal(size=shape), rng.normal(size=kernel), rng.normal(size=kernel[-1])
    check(layers.conv2d_forward, lambda d, c: layers.conv2d_backward(d, c), [x, w, b])


def test_conv2d_matches_a_direct_sum():
    rng = np.random.default_rng(2)
    x, w, b = rng.normal(size=(1, 5, 5, 2)), rng.normal(size=(3, 3, 2, 1)), np.array([0.5])
    out, _ = layers.conv2d_forward(x, w, b)
    direct = sum(x[0, 1 + i, 2 + j, c] * w[i, j, c, 0] for i in range(3) for j in range(3)
                 for c in range(2)) + 0.5
    assert out[0, 1, 2, 0] == pytest.approx(direct)


def test_conv2d_shape_errors_are_clear():
    with pytest.raises(ValueError, match="does not fit kernels"):
        layers.conv2d_forward(np.zeros((1, 5, 5, 2)), np.zeros((3, 3, 1, 4)), np.zeros(4))
    with pytest.raises(ValueError, match="does not fit a 2x2 input"):
        layers.conv2d_forward(np.zeros((1, 2, 2, 1)), np.zeros((3, 3, 1, 4)), np.zeros(4))


def test_relu_and_flatten_gradients():
    x = np.random.default_rng(3).normal(size=(3, 4))
    # The in-place pair overwrites its arguments; copies keep the finite differences honest.
    check(lambda a: layers.relu_inplace_forward(a.copy()),
          lambda d, c: [layers.relu_inplace_backward(d.copy(), c)], [x])
    y = np.random.default_rng(4).normal(size=(2, 3, 2, 2))
    check(layers.flatten_forward, lambda d, c: [layers.flatten_backward(d, c)], [y])


def test_softmax_cross_entropy_gradient_and_value():
    rng = np.random.default_rng(5)
    logits, labels = rng.normal(size=(4, 5)), np.array([0, 3, 4, 1])
    loss, dlogits = layers.softmax_cross_entropy(logits, labels)
    numeric = numerical_gradient(lambda: layers.softmax_cross_entropy(logits, labels)[0], logits)
    assert relative_error(dlogits, numeric) < TOL
    by_hand = np.mean([np.log(np.exp(row).sum()) - row[label]
                       for row, label in zip(logits, labels, strict=True)])
    assert loss == pytest.approx(by_hand, rel=1e-12)
    assert layers.softmax_cross_entropy(np.zeros((3, 5)), np.array([0, 2, 4]))[0] == pytest.approx(
        np.log(5), rel=1e-15)  # equal scores: each of 5 classes gets 1/5
    assert layers.softmax_cross_entropy(np.array([[1e4, 0.0]]), np.array([0]))[0] == 0.0


def test_relu_inplace_values_and_mask():
    x = np.array([[-2.0, 0.0, 3.0], [1.5, -0.5, 0.25]])
    out, cache = layers.relu_inplace_forward(x.copy())
    np.testing.assert_array_equal(out, [[0.0, 0.0, 3.0], [1.5, 0.0, 0.25]])
    dx = layers.relu_inplace_backward(np.full((2, 3), 7.0), cache)
    np.testing.assert_array_equal(dx, [[0.0, 0.0, 7.0], [7.0, 0.0, 7.0]])


def test_relative_error_is_meaningful_near_zero():
    assert relative_error(np.array([1e-12, 1.0]), np.array([2e-12, 1.0])) < 1e-11
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0


@pytest.mark.parametrize("shape_a, shape_b", [
    ((3, 40), (40, 500)),   # many columns: cut into column pieces
    ((600, 7), (7, 5)),     # many rows: row pieces
    ((4, 900), (900, 6)),   # a long shared axis: partial products summed
    ((5, 5), (5, 5)),       # small: one product
])
def test_matmul_in_pieces_equals_one_product(monkeypatch, shape_a, shape_b):
    monkeypatch.setattr(layers, "SMALL_PRODUCT", 1000)
    rng = np.random.default_rng(6)
    a, b = rng.normal(size=shape_a), rng.normal(size=shape_b)
    np.testing.assert_allclose(layers.matmul(a, b), a @ b, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layers.matmul(b.T, a.T), (a @ b).T, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kernel", [(3, 3, 2, 4), (1, 1, 2, 4), (5, 5, 2, 4)])
def test_convolution_gives_the_same_whatever_the_input_layout(kernel):
    """Outputs are channels-first in memory; the next layer must read either layout alike."""
    rng = np.random.default_rng(7)
    x, w, b = rng.normal(size=(3, 5, 5, 2)), rng.normal(size=kernel), rng.normal(size=4)
    channels_first = np.ascontiguousarray(x.transpose(3, 0, 1, 2)).transpose(1, 2, 3, 0)
    out_c, cache_c = layers.conv2d_forward(x, w, b)
    out_f, cache_f = layers.conv2d_forward(channels_first, w, b)
    np.testing.assert_allclose(out_c, out_f, rtol=1e-12)
    dout = rng.normal(size=out_c.shape)
    for grad_c, grad_f in zip(layers.conv2d_backward(dout, cache_c),
                              layers.conv2d_backward(dout, cache_f), strict=True):
        np.testing.assert_allclose(grad_c, grad_f, rtol=1e-12)
    if kernel[:2] != (5, 5):  # a whole-map output has one position: nothing to lay out
        assert np.moveaxis(out_c, 3, 0).flags.c_contiguous


def test_conv1x1_backward_matches_central_differences():
    rng = np.random.default_rng(7)
    x, w, b = rng.normal(size=(2, 4, 3, 5)), rng.normal(size=(5, 3)), rng.normal(size=3)
    dout = rng.normal(size=(2, 4, 3, 3))
    dx, dw, db = layers.conv1x1_backward(dout, x, w)
    assert (dx.shape, dw.shape, db.shape) == (x.shape, w.shape, b.shape)

    def loss():
        return float(np.sum((x @ w + b) * dout))

    for analytic, wrt in ((dx, x), (dw, w), (db, b)):
        assert relative_error(analytic, numerical_gradient(loss, wrt)) < TOL
