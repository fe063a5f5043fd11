"""Central differences and the relative error every gradient check in the course uses."""

import numpy as np
import pytest

from helpers.gradcheck import numerical_gradient, relative_error


def test_central_differences_of_a_known_function():
    x = np.array([[0.5, -1.0], [2.0, 0.0]])
    before = x.copy()
    grad = numerical_gradient(lambda: float(np.sum(x ** 3) + x[0, 1] * x[1, 0]), x)
    expected = 3 * before ** 2 + np.array([[0.0, 2.0], [-1.0, 0.0]])
    np.testing.assert_allclose(grad, expected, rtol=1e-8, atol=1e-8)
    np.testing.assert_array_equal(x, before)  # restored after the nudges


def test_central_differences_are_second_order():
    x = np.array([1.0])
    error = abs(numerical_gradient(lambda: float(np.exp(x[0])), x, h=1e-3)[0] - np.e)
    assert error == pytest.approx(np.e * 1e-6 / 6, rel=1e-3)  # f''' h² / 6


def test_relative_error_is_norm_wise():
    assert relative_error(np.array([1.0, 0.0]), np.array([1.0, 0.0])) == 0.0
    assert relative_error(np.array([3.0, 0.0]), np.array([0.0, 4.0])) == pytest.approx(5 / 7)
    # A tiny entry that is off by 100 % barely moves a norm-wise error.
    assert relative_error(np.array([1.0, 1e-9]), np.array([1.0, 2e-9])) < 1e-9
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
