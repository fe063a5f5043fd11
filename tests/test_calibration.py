"""Calibration: ECE on a hand-computed case, reliability bins, temperature scaling."""

import numpy as np
import pytest

from helpers.calibration import (
    calibration_report,
    expected_calibration_error,
    fit_temperature,
    reliability,
)
from helpers.softmax import SoftmaxInputError


def test_ece_on_a_case_computed_by_hand():
    # Two bins (n_bins=2): confidences 0.9, 0.8 (right, wrong) land in (0.5, 1];
    # 0.4 (right) lands in [0, 0.5].
    probabilities = np.array([[0.9, 0.1, 0.0], [0.8, 0.2, 0.0], [0.4, 0.3, 0.3]])
    labels = np.array([0, 1, 0])
    # High bin: accuracy 1/2, confidence 0.85 -> gap 0.35, weight 2/3.
    # Low bin: accuracy 1, confidence 0.4 -> gap 0.6, weight 1/3.
    expected = 2 / 3 * 0.35 + 1 / 3 * 0.6
    assert expected_calibration_error(probabilities, labels, n_bins=2) == pytest.approx(expected)
    bins = reliability(probabilities, labels, n_bins=2)
    assert bins.counts.tolist() == [1, 2]
    np.testing.assert_allclose(bins.accuracy, [1.0, 0.5])


def test_perfectly_calibrated_predictions_have_zero_ece():
    probabilities = np.array([[1.0, 0.0]] * 4)
    assert expected_calibration_error(probabilities, [0, 0, 0, 0]) == 0.0


def test_empty_bins_are_nan_not_errors():
    bins = reliability(np.array([[0.95, 0.05]]), [0], n_bins=15)
    assert np.isnan(bins.accuracy[:-1]).all() and bins.accuracy[-1] == 1.0


def test_temperature_scaling_cools_an_overconfident_model():
    rng = np.random.default_rng(0)
    calibrated = rng.normal(0, 2, (2000, 5))
    # Labels drawn from softmax(calibrated): those logits are calibrated by construction.
    p = np.exp(calibrated) / np.exp(calibrated).sum(axis=1, keepdims=True)
    labels = (rng.random((2000, 1)) > p.cumsum(axis=1)).sum(axis=1)
    overconfident = calibrated * 4.0  # the same ranking, four times too sharp
    fit, held_out = slice(0, 1000), slice(1000, None)
    temperature = fit_temperature(overconfident[fit], labels[fit])
    assert temperature == pytest.approx(4.0, rel=0.15)
    before = calibration_report(overconfident[held_out], labels[held_out])
    after = calibration_report(overconfident[held_out], labels[held_out], temperature)
    assert after.nll < before.nll and after.ece < before.ece
    assert after.accuracy == before.accuracy  # scaling never changes the top class


def test_bad_input_is_explained():
    with pytest.raises(SoftmaxInputError, match="shape \\(N, K\\)"):
        reliability(np.zeros((0, 3)), [])
    with pytest.raises(SoftmaxInputError, match="n_bins"):
        reliability(np.eye(2), [0, 1], n_bins=0)
    with pytest.raises(SoftmaxInputError, match="NaN or infinite"):
        fit_temperature(np.array([[np.nan, 1.0]]), [0])


def test_temperature_scaling_lowers_nll_of_the_shipped_model_on_held_out_digits():
    from helpers.data import load_mnist
    from helpers.model import load_pretrained

    digits = load_mnist()
    logits = load_pretrained("session1").predict_logits(digits.x_test)
    order = np.random.default_rng(0).permutation(len(digits.y_test))
    fit, report = order[:500], order[500:]
    temperature = fit_temperature(logits[fit], digits.y_test[fit])
    before = calibration_report(logits[report], digits.y_test[report])
    after = calibration_report(logits[report], digits.y_test[report], temperature)
    assert after.nll < before.nll
    # What notebook 03 says of these numbers.
    assert before.ece < 0.05 and abs(before.mean_confidence - before.accuracy) < 0.01
    assert 0.7 < temperature < 1 and after.ece <= before.ece
