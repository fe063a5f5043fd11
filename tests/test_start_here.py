"""The numbers notebook 00's prose states, recomputed from the data the course ships."""

import numpy as np

from helpers.data import load_mnist


def test_threshold_counts_of_the_sample_digit():
    digits = load_mnist()
    sample = digits.x_train[0, :, :, 0]
    assert digits.y_train[0] == 1, "the prose calls the sample a 1"
    assert sample.size == 784
    assert int((sample == 0).sum()) == 684
    assert int((sample > 0.0).sum()) == 100
    assert int((sample > 0.5).sum()) == 69
    assert int((sample > 0.9).sum()) == 49


def test_the_split_the_prose_describes():
    digits = load_mnist()
    assert digits.x_train.shape == (4000, 28, 28, 1)
    assert digits.x_test.shape == (1000, 28, 28, 1)
    assert np.bincount(digits.y_train).tolist() == [400] * 10
    assert np.bincount(digits.y_test).tolist() == [100] * 10
