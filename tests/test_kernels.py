"""Kernel normalizations, amplitude statistics and the quiet-kernel rule."""

import numpy as np
import pytest

from helpers.kernels import (
    NORMALIZATIONS,
    KernelShapeError,
    amplitudes,
    as_stack,
    normalize,
    quiet_kernels,
    spread,
)


def weights(seed=0, size=3, count=6):
    return np.random.default_rng(seed).normal(size=(size, size, 1, count))


def test_layer_weights_become_a_stack_of_kernels():
    w = weights()
    stack = as_stack(w)
    assert stack.shape == (6, 3, 3)
    np.testing.assert_array_equal(stack[2], w[:, :, 0, 2])


@pytest.mark.parametrize("method", NORMALIZATIONS)
def test_every_normalization_gives_grey_values_in_range(method):
    grey = normalize(weights(size=5, count=9), method)
    assert grey.shape == (9, 5, 5)
    assert grey.min() >= 0.0 and grey.max() <= 1.0


def test_minmax_stretches_each_kernel_to_the_full_range():
    grey = normalize(weights(), "minmax")
    np.testing.assert_allclose(grey.reshape(6, -1).min(axis=1), 0)
    np.testing.assert_allclose(grey.reshape(6, -1).max(axis=1), 1)


def test_symmetric_keeps_zero_mid_grey_and_sign_readable():
    kernel = np.array([[[-1.0, 0.0], [0.5, 0.25]]])
    np.testing.assert_allclose(normalize(kernel, "symmetric")[0], [[0.0, 0.5], [0.75, 0.625]])


def test_shared_uses_one_scale_for_the_layer():
    stack = np.stack([np.full((2, 2), 2.0), np.full((2, 2), 0.2)])
    grey = normalize(stack, "shared")
    np.testing.assert_allclose(grey[:, 0, 0], [1.0, 0.55])


def test_equalize_replaces_values_by_their_rank_with_ties_shared():
    kernel = np.array([[[10.0, -3.0], [10.0, 0.0]]])
    np.testing.assert_allclose(normalize(kernel, "rank")[0], [[5 / 6, 0.0], [5 / 6, 1 / 3]])


@pytest.mark.parametrize("method", ["minmax", "equalize", "shared"])
@pytest.mark.parametrize("value", [0.0, 0.3])
def test_a_constant_kernel_is_mid_grey_not_nan(method, value):
    stack = np.full((1, 3, 3), value)
    grey = normalize(stack, method)
    assert not np.isnan(grey).any()
    if method != "shared" or value == 0.0:
        np.testing.assert_array_equal(grey, 0.5)


def test_symmetric_on_constant_kernels():
    np.testing.assert_array_equal(normalize(np.zeros((1, 2, 2)), "symmetric"), 0.5)
    np.testing.assert_array_equal(normalize(np.full((1, 2, 2), -0.1), "symmetric"), 0.0)


def test_a_single_weight_kernel():
    assert normalize(np.array([[[[2.0]]]]), "equalize").item() == 0.5


@pytest.mark.parametrize("bad, message", [
    (np.zeros((3, 3)), r"got an array of shape \(3, 3\)"),
    (np.zeros((3, 3, 3, 8)), "one grey input channel"),
    (np.zeros((0, 3, 3)), "empty"),
    (np.full((1, 2, 2), np.nan), "NaN"),
])
def test_wrong_arrays_are_explained(bad, message):
    with pytest.raises(KernelShapeError, match=message):
        normalize(bad)


def test_unknown_normalization():
    with pytest.raises(ValueError, match="choose one of shared, minmax"):
        normalize(weights(), "sigmoid")


def test_amplitudes_and_quiet_kernels():
    stack = np.stack([np.full((2, 2), 3.0), np.full((2, 2), 0.9), np.full((2, 2), -1.2)])
    amp = amplitudes(stack)
    np.testing.assert_allclose(amp["l2"], [6.0, 1.8, 2.4])
    np.testing.assert_allclose(amp["peak"], [3.0, 0.9, 1.2])
    np.testing.assert_allclose(amp["range"], 0.0)
    assert quiet_kernels(stack).tolist() == [1]  # 0.9 < 3.0 / 3; 1.2 is not
    assert spread(amp["peak"])["max_over_min"] == pytest.approx(3.0 / 0.9)


def test_ablation_of_the_shipped_model_backs_notebook_02():
    from helpers.data import load_mnist
    from helpers.kernels import ablation
    from helpers.model import first_layer_kernels, load_pretrained

    model, digits = load_pretrained("session1"), load_mnist()
    drop = ablation(model, digits.x_test, digits.y_test)["drop"]
    peaks = amplitudes(first_layer_kernels(model))["peak"]
    assert drop.max() <= 0.025  # no single kernel costs more than a couple of points
    assert (drop[quiet_kernels(first_layer_kernels(model))] <= 0.001).all()
    assert ((peaks > np.median(peaks)) & (drop <= 0)).sum() >= 3  # several loud ones too
    assert (drop <= 0).sum() >= 8  # many cost nothing


def test_ablation_matches_zeroing_the_kernel_in_the_weights():
    from helpers.data import load_mnist
    from helpers.kernels import ablation
    from helpers.model import load_pretrained

    data = load_mnist()
    x, y = data.x_test[:200], data.y_test[:200]
    net = load_pretrained("session1")
    result = ablation(net, x, y)
    assert result["accuracy"].shape == (32,)
    _, baseline = net.evaluate(x, y)
    assert result["baseline"] == baseline
    for f in (0, 4, 5):  # on these 200 digits: no change, a gain, a loss
        w, b = net.layers[0].params["w"].copy(), net.layers[0].params["b"].copy()
        net.layers[0].params["w"][..., f] = 0
        net.layers[0].params["b"][f] = 0
        assert net.evaluate(x, y)[1] == result["accuracy"][f]
        net.layers[0].params["w"], net.layers[0].params["b"] = w, b
    np.testing.assert_array_equal(result["drop"], result["baseline"] - result["accuracy"])
    assert result["drop"][4] < 0 < result["drop"][5]  # the comparisons above are not vacuous


def test_ablation_refuses_images_of_the_wrong_shape():
    from helpers.kernels import ablation
    from helpers.model import session1_model

    with pytest.raises(ValueError, match=r"images of shape \(N, 28, 28, 1\)"):
        ablation(session1_model(), np.zeros((2, 28, 28)), np.zeros(2, dtype=int))


def test_equalize_ranks_over_the_whole_layer_and_rank_within_each_kernel():
    stack = np.array([[[0.0, 1.0]], [[2.0, 3.0]]])
    np.testing.assert_allclose(normalize(stack, "equalize")[:, 0], [[0, 1 / 3], [2 / 3, 1]])
    np.testing.assert_allclose(normalize(stack, "rank")[:, 0], [[0, 1], [0, 1]])


def test_stretch_takes_colour_kernels_whole():
    from helpers.kernels import stretch

    rgb = np.array([[[[0.0, 1.0, 2.0]]], [[[3.0, 3.0, 3.0]]]])  # (2, 1, 1, 3)
    np.testing.assert_allclose(stretch(rgb)[:, 0, 0], [[0, 0.5, 1], [0.5, 0.5, 0.5]])
