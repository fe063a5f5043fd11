"""Softmax: the lesson's table, stability, and clear errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from helpers.softmax import (
    SoftmaxInputError,
    log_softmax,
    nll,
    softmax,
)

LESSON_SCORES = [[5, 4, 2], [4, 2, 8], [4, 4, 1]]
LESSON_SOFTMAX = [[0.71, 0.26, 0.04], [0.02, 0.00, 0.98], [0.49, 0.49, 0.02]]


def test_the_lessons_table_rounded_as_in_the_picture():
    np.testing.assert_array_equal(np.round(softmax(LESSON_SCORES), 2), LESSON_SOFTMAX)


def test_the_ratio_of_two_softmax_values_is_e_to_their_difference():
    p = softmax(LESSON_SCORES)
    np.testing.assert_allclose(p[:, 0] / p[:, 1], np.exp([5 - 4, 4 - 2, 4 - 4]))
    np.testing.assert_allclose(softmax([105.0, 104.0, 102.0]), p[0])


def test_huge_scores_give_no_nan_or_inf():
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]])
    probabilities = softmax(logits)
    assert np.all(np.isfinite(probabilities))
    np.testing.assert_allclose(probabilities[0], [1, 0, 0])
    np.testing.assert_allclose(probabilities[1], [1 / 3] * 3)
    assert np.all(np.isfinite(log_softmax(logits)))


finite = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(1, 6)),
              elements=finite), st.integers(0, 2))
def test_sums_to_one_along_any_axis(logits, axis):
    probabilities = softmax(logits, axis=axis)
    assert np.all(np.isfinite(probabilities))
    np.testing.assert_allclose(probabilities.sum(axis=axis), 1.0, rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(2, 8)),
              elements=st.floats(-50, 50)), st.floats(-1e3, 1e3))
def test_adding_a_constant_changes_nothing_and_order_is_kept(logits, constant):
    np.testing.assert_allclose(softmax(logits + constant), softmax(logits), atol=1e-9)
    probabilities = softmax(logits)
    for row_logits, row_p in zip(logits, probabilities, strict=True):
        i, j = np.nonzero(row_logits[:, None] > row_logits[None, :])
        assert np.all(row_p[i] >= row_p[j])  # a higher score never gets a smaller share


def test_temperature_runs_from_uniform_to_one_hot():
    scores = np.array([5.0, 4.0, 2.0])
    np.testing.assert_allclose(softmax(scores, temperature=1e6), [1 / 3] * 3, atol=1e-5)
    np.testing.assert_allclose(softmax(scores, temperature=1e-3), [1, 0, 0], atol=1e-12)


def test_nll_of_a_known_case():
    logits = np.log([[0.5, 0.25, 0.25], [0.1, 0.1, 0.8]])
    assert nll(logits, [0, 2]) == pytest.approx(-(np.log(0.5) + np.log(0.8)) / 2)


@pytest.mark.parametrize("bad, message", [
    (np.zeros((0, 3)), "empty"),
    (np.zeros((2, 0)), "empty"),
    (np.array([[1.0, np.nan]]), "NaN or infinite"),
    (np.array([[np.inf, 1.0]]), "NaN or infinite"),
    (np.float64(3.0), "scalar"),
])
def test_bad_logits_are_explained(bad, message):
    with pytest.raises(SoftmaxInputError, match=message):
        softmax(bad)


@pytest.mark.parametrize("temperature", [0, -1.0, float("nan")])
def test_temperature_must_be_positive(temperature):
    with pytest.raises(SoftmaxInputError, match="temperature must be a positive number"):
        softmax([1.0, 2.0], temperature=temperature)


@pytest.mark.parametrize("labels, message", [
    ([0, 3], r"0\.\.2"),
    ([-1, 0], r"0\.\.2"),
    ([0], "expected 2 labels"),
    ([0.5, 1.0], "whole class numbers"),
])
def test_bad_labels_are_explained(labels, message):
    with pytest.raises(SoftmaxInputError, match=message):
        nll(np.zeros((2, 3)), labels)


def test_comparison_table_shows_the_lessons_numbers():
    from helpers.softmax import comparison_table

    table = comparison_table(LESSON_SCORES)
    assert table.splitlines() == [
        "| scores (cat, dog, horse) | softmax (cat, dog, horse) |", "|---|---|",
        "| 5, 4, 2 | 0.71, 0.26, 0.04 |", "| 4, 2, 8 | 0.02, 0.00, 0.98 |",
        "| 4, 4, 1 | 0.49, 0.49, 0.02 |"]
    # Given softmax values (a learner's own) are what the table shows.
    assert "| 5, 4, 2 | 0.50, 0.25, 0.25 |" in comparison_table([[5, 4, 2]], [[0.5, 0.25, 0.25]])
    with pytest.raises(SoftmaxInputError, match="one value per score"):
        comparison_table(LESSON_SCORES, [[1.0, 0.0, 0.0]])
