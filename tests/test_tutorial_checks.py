"""The exercise checks of notebook 06 accept right answers and explain wrong ones."""

import numpy as np

from helpers import tutorial_checks as tc


def verdict(capsys, check, *args):
    check(*args)
    return capsys.readouterr().out


def test_relu(capsys):
    assert verdict(capsys, tc.check_relu, lambda value: max(0.0, value)).startswith("✓")
    assert "relu(-2.5) should be 0.0" in verdict(capsys, tc.check_relu, abs)
    assert "raised ZeroDivisionError" in verdict(capsys, tc.check_relu, lambda value: 1 / 0)


def test_digit_counts(capsys):
    labels = np.array([1, 1, 7])
    assert verdict(capsys, tc.check_digit_counts, {1: 2, 7: 1}, labels).startswith("✓")
    assert "missing digits [7]" in verdict(capsys, tc.check_digit_counts, {1: 2}, labels)
    assert "expected a dict" in verdict(capsys, tc.check_digit_counts, [2, 1], labels)


def test_neuron(capsys):
    class Unit:
        def __init__(self, weights, bias):
            self.weights, self.bias = np.array(weights), bias

        def fire(self, inputs):
            return 1 / (1 + np.exp(-(self.weights @ np.array(inputs) + self.bias)))

    assert verdict(capsys, tc.check_neuron, Unit).startswith("✓")
    assert verdict(capsys, tc.check_neuron, object).startswith("✗")


def test_sevens_and_centring(capsys):
    images = np.random.default_rng(0).random((6, 2, 2, 1))
    labels = np.array([7, 1, 7, 2, 3, 7])
    assert verdict(capsys, tc.check_sevens, images[labels == 7], images, labels).startswith("✓")
    assert verdict(capsys, tc.check_sevens, images[:2], images, labels).startswith("✗")
    centred = images - images.mean(axis=(1, 2, 3), keepdims=True)
    assert verdict(capsys, tc.check_centred, centred, images).startswith("✓")
    assert verdict(capsys, tc.check_centred, images - images.mean(), images).startswith("✗")
