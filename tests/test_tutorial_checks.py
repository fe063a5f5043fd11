"""The exercise checks of notebook 06 pass right answers and name what is wrong in wrong ones."""

import math

import numpy as np
import pytest

from helpers import tutorial_checks as tc
from helpers.checking import ExerciseError, NotDoneYet


def not_written(*args):
    raise NotImplementedError()


def test_relu(capsys):
    tc.check_relu(lambda value: max(0.0, value))
    assert capsys.readouterr().out.startswith("✓ relu is right on -2.5, 0, 3, 0.5")
    with pytest.raises(ExerciseError, match=r"relu\(-2.5\) returned 2.5, expected 0"):
        tc.check_relu(abs)
    with pytest.raises(ExerciseError, match="raised ZeroDivisionError"):
        tc.check_relu(lambda value: 1 / 0)
    with pytest.raises(NotDoneYet):
        tc.check_relu(not_written)


def right_counts(labels):
    counts = {}
    for label in labels:
        counts[int(label)] = counts.get(int(label), 0) + 1
    return counts


def test_count_digits(capsys):
    labels = np.array([1, 1, 7])
    tc.check_count_digits(right_counts, labels)
    assert capsys.readouterr().out.startswith("✓ count_digits: all 2 digits")
    with pytest.raises(ExerciseError, match="digit 7 occurs 1 times but is not a key"):
        tc.check_count_digits(lambda labels: {1: 2}, labels)
    with pytest.raises(ExerciseError, match="digit 1 occurs 2 times, your dict says 1"):
        tc.check_count_digits(lambda labels: {int(k): 1 for k in labels}, labels)
    with pytest.raises(ExerciseError, match="key 0 is not a digit that occurs"):  # all ten keys
        tc.check_count_digits(lambda labels: {**dict.fromkeys(range(10), 0),
                                              **right_counts(labels)}, labels)
    with pytest.raises(ExerciseError, match="should return a dict, got list"):
        tc.check_count_digits(lambda labels: [2, 1], labels)


def test_neuron(capsys):
    class Unit:
        def __init__(self, weights, bias):
            self.weights, self.bias = np.array(weights), bias

        def fire(self, inputs):
            return 1 / (1 + np.exp(-(self.weights @ np.array(inputs) + self.bias)))

    class NoSigmoid(Unit):
        def fire(self, inputs):
            return float(self.weights @ np.array(inputs) + self.bias)

    tc.check_neuron(Unit)
    assert capsys.readouterr().out.startswith("✓ fire() gives 0.5622")
    with pytest.raises(ExerciseError, match=r"gave 0.25, expected 0.562177 \(the weighted sum "
                                            r"plus the bias is 0.25\)"):
        tc.check_neuron(NoSigmoid)
    with pytest.raises(ExerciseError, match="fire should be a function"):
        tc.check_neuron(lambda weights, bias: object())
    assert math.isclose(1 / (1 + math.exp(-0.25)), 0.562177, abs_tol=1e-6)


def test_sevens_and_centring(capsys):
    images = np.random.default_rng(0).random((6, 2, 2, 1))
    labels = np.array([7, 1, 7, 2, 3, 7])
    tc.check_sevens(lambda images, labels: images[labels == 7], images, labels)
    assert capsys.readouterr().out.startswith("✓ select_sevens: 3 sevens of 6 images")
    with pytest.raises(ExerciseError, match=r"shape \(2, 2, 2, 1\), expected \(3, 2, 2, 1\)"):
        tc.check_sevens(lambda images, labels: images[:2], images, labels)
    with pytest.raises(ExerciseError, match="2 of 3 images differ; the first is number 0"):
        tc.check_sevens(lambda images, labels: images[labels == 7][::-1], images, labels)
    tc.check_centred(lambda images: images - images.mean(axis=(1, 2, 3), keepdims=True), images)
    assert capsys.readouterr().out.startswith("✓ centre_each: each of the 6 images")
    # one mean for all images instead of one per image
    with pytest.raises(ExerciseError, match="(?s)entries differ.*image 0 has mean"):
        tc.check_centred(lambda images: images - images.mean(), images)
    with pytest.raises(NotDoneYet):
        tc.check_centred(not_written, images)
