"""Is a softmax value a probability? Calibration measures and temperature scaling.

A classifier is calibrated when, among the images it gives confidence p, a fraction p
is classified correctly. Expected calibration error (ECE; Guo, Pleiss, Sun and
Weinberger, "On Calibration of Modern Neural Networks", ICML 2017) bins predictions by
confidence and averages |accuracy - confidence| over the bins, weighted by bin size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

from helpers.softmax import SoftmaxInputError, check_labels, nll, softmax


@dataclass(frozen=True)
class Reliability:
    """Per-bin numbers for a reliability diagram (B equal-width bins over [0, 1]).

    Attributes:
        edges: (B+1,) bin edges.
        counts: (B,) predictions per bin.
        accuracy: (B,) fraction correct per bin (NaN where the bin is empty).
        confidence: (B,) mean top-class confidence per bin (NaN where empty).
        ece: expected calibration error.
    """

    edges: np.ndarray
    counts: np.ndarray
    accuracy: np.ndarray
    confidence: np.ndarray
    ece: float


def reliability(probabilities, labels, n_bins: int = 15) -> Reliability:
    """Bin top-class confidences and compare with accuracy.

    Args:
        probabilities: (N, K) rows summing to one (e.g. softmax outputs).
        labels: (N,) true classes.
        n_bins: equal-width bins over [0, 1]; 15 as in Guo et al.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim != 2 or probabilities.shape[0] == 0:
        raise SoftmaxInputError(f"reliability wants probabilities of shape (N, K) with N > 0, "
                                f"got {probabilities.shape}.")
    if not np.all(np.isfinite(probabilities)):
        raise SoftmaxInputError("probabilities contain NaN or infinity.")
    if int(n_bins) < 1:
        raise SoftmaxInputError(f"n_bins must be at least 1, got {n_bins}.")
    labels = check_labels(labels, *probabilities.shape)
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    # Bin i holds (edges[i], edges[i+1]]; a confidence of exactly 0 goes to the first bin.
    which = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, n_bins - 1)
    counts = np.bincount(which, minlength=n_bins)
    with np.errstate(invalid="ignore"):
        accuracy = np.bincount(which, weights=correct, minlength=n_bins) / counts
        mean_conf = np.bincount(which, weights=confidence, minlength=n_bins) / counts
    gaps = np.where(counts > 0, np.abs(accuracy - mean_conf), 0.0)
    ece = float((counts * gaps).sum() / counts.sum())
    return Reliability(edges, counts, accuracy, mean_conf, ece)


def expected_calibration_error(probabilities, labels, n_bins: int = 15) -> float:
    """ECE = sum_b (n_b / N) |acc_b - conf_b| over equal-width confidence bins."""
    return reliability(probabilities, labels, n_bins).ece


def fit_temperature(logits, labels, bounds=(0.05, 20.0)) -> float:
    """The temperature T minimising the NLL of softmax(logits / T) on (logits, labels).

    Fit it on a validation split, never on the data you report on. Searches log T, so
    the search treats "twice as hot" and "twice as cold" alike.
    """
    logits = np.asarray(logits, dtype=np.float64)
    nll(logits, labels)  # validates shapes, values and labels with clear messages
    result = minimize_scalar(lambda log_t: nll(logits, labels, np.exp(log_t)),
                             bounds=(np.log(bounds[0]), np.log(bounds[1])), method="bounded",
                             options={"xatol": 1e-6})
    return float(np.exp(result.x))


@dataclass(frozen=True)
class CalibrationReport:
    """Accuracy, mean confidence, NLL and ECE of one set of predictions."""

    accuracy: float
    mean_confidence: float
    nll: float
    ece: float


def calibration_report(logits, labels, temperature: float = 1.0,
                       n_bins: int = 15) -> CalibrationReport:
    """The four numbers that say whether softmax(logits / T) can be read as probability."""
    probabilities = softmax(logits, temperature=temperature)
    labels = check_labels(labels, *probabilities.shape)
    return CalibrationReport(
        accuracy=float((probabilities.argmax(axis=1) == labels).mean()),
        mean_confidence=float(probabilities.max(axis=1).mean()),
        nll=nll(logits, labels, temperature),
        ece=expected_calibration_error(probabilities, labels, n_bins),
    )
