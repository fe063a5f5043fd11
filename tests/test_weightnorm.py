"""Weight normalization (layers.weightnorm_*, model.WNConv2D): forward, gradients, the model,
and the shipped weights."""

import numpy as np
import pytest

from helpers.data import load_mnist
from helpers.gradcheck import numerical_gradient, relative_error
from helpers.layers import weightnorm_backward, weightnorm_forward
from helpers.model import WNConv2D, first_layer_kernels, load, load_pretrained, session1_model


def weightnorm_model(**kwargs):
    return session1_model(first_layer=WNConv2D, **kwargs)


def test_each_kernel_has_length_g():
    rng = np.random.default_rng(0)
    v, g = rng.normal(size=(3, 3, 2, 4)), np.array([0.5, 1.0, 2.0, 3.0])
    w, _ = weightnorm_forward(v, g)
    np.testing.assert_allclose(np.sqrt((w ** 2).sum(axis=(0, 1, 2))), g)


def test_weightnorm_gradients():
    rng = np.random.default_rng(1)
    v, g = rng.normal(size=(3, 3, 1, 5)), rng.uniform(0.5, 2, 5)
    dw = rng.normal(size=v.shape)
    _, cache = weightnorm_forward(v, g)
    dv, dg = weightnorm_backward(dw, cache)
    loss = lambda: float((weightnorm_forward(v, g)[0] * dw).sum())  # noqa: E731
    assert relative_error(dv, numerical_gradient(loss, v)) < 1e-7
    assert relative_error(dg, numerical_gradient(loss, g)) < 1e-7


def test_whole_weightnorm_model_gradients():
    net = weightnorm_model(kernel_size=4, seed=2, image_size=8)
    for layer in net.layers:
        for name in layer.params:
            layer.params[name] = layer.params[name].astype(np.float64) + 0.05
    rng = np.random.default_rng(3)
    x, y = rng.random((2, 8, 8, 1)), np.array([4, 9])
    net.loss_and_grads(x, y)
    first = net.layers[0]
    for name in ("v", "g", "b"):
        numeric = numerical_gradient(lambda: net.loss_and_grads(x, y), first.params[name])
        net.loss_and_grads(x, y)
        assert relative_error(first.grads[name], numeric) < 1e-6, name


def test_starts_from_the_plain_models_kernels_and_saves(tmp_path):
    plain, normed = session1_model(seed=4), weightnorm_model(seed=4)
    np.testing.assert_allclose(first_layer_kernels(normed), plain.layers[0].params["w"],
                               rtol=1e-5)
    normed.save(tmp_path / "wn.npz")
    again = load(tmp_path / "wn.npz")
    np.testing.assert_array_equal(first_layer_kernels(again), first_layer_kernels(normed))


def test_shipped_weightnorm_model_scores_as_recorded():
    from helpers.model import pretrained_record

    data = load_mnist()
    _, accuracy = load_pretrained("weightnorm").evaluate(data.x_test, data.y_test)
    assert accuracy == pytest.approx(pretrained_record("weightnorm")["test_accuracy"], abs=1e-3)


def test_loaded_weightnorm_model_skips_the_first_layers_input_gradient():
    net = load_pretrained("weightnorm")
    assert [layer.first for layer in net.layers] == [True, False, False, False]
    data = load_mnist()
    net.loss_and_grads(data.x_test[:4], data.y_test[:4])
    dout = np.ones((4, 26, 26, 32), dtype=np.float32)
    assert net.layers[0].backward(dout) is None
    assert net.layers[1].backward(np.ones((4, 26, 26, 10), dtype=np.float32)).shape == dout.shape
