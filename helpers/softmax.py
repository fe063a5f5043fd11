"""Softmax and its relatives, numerically stable, with clear errors for bad input.

Scores (logits) of any batch shape; the class axis is ``axis`` (default the last).
"""

from __future__ import annotations

import numpy as np


class SoftmaxInputError(ValueError):
    """Scores, labels or a temperature that softmax cannot work with; the message says why."""


def _check_logits(logits, axis: int) -> np.ndarray:
    array = np.asarray(logits, dtype=np.float64)
    if array.ndim == 0:
        raise SoftmaxInputError("softmax needs at least one axis of class scores, got a scalar.")
    if array.size == 0 or array.shape[axis] == 0:
        raise SoftmaxInputError(f"softmax got an empty array of shape {array.shape}; "
                                "give at least one class score.")
    if not np.all(np.isfinite(array)):
        bad = int(np.size(array) - np.isfinite(array).sum())
        raise SoftmaxInputError(f"{bad} score(s) are NaN or infinite; softmax needs finite "
                                "scores. Check the model's output for overflow.")
    return array


def _check_temperature(temperature: float) -> float:
    temperature = float(temperature)
    if not np.isfinite(temperature) or temperature <= 0:
        raise SoftmaxInputError(f"temperature must be a positive number, got {temperature}; "
                                "T > 1 flattens the distribution, T < 1 sharpens it.")
    return temperature


def log_softmax(logits, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """log(softmax(logits / T)), stable for scores of any size.

    Args:
        logits: (..., K, ...) finite scores; K classes along ``axis``.
        axis: the class axis.
        temperature: T > 0.

    Returns:
        float64 array of the same shape, every entry <= 0.
    """
    scaled = _check_logits(logits, axis) / _check_temperature(temperature)
    shifted = scaled - scaled.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(logits, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """exp(z_i / T) / sum_j exp(z_j / T) along ``axis``; sums to one, never NaN for finite z.

    Subtracting the largest score first changes nothing mathematically (softmax ignores a
    constant added to every score) but keeps exp() from overflowing.
    """
    scaled = _check_logits(logits, axis) / _check_temperature(temperature)
    exps = np.exp(scaled - scaled.max(axis=axis, keepdims=True))
    return exps / exps.sum(axis=axis, keepdims=True)


def check_labels(labels, n_samples: int, n_classes: int) -> np.ndarray:
    """Labels as int64 (N,), checked against N samples and K classes."""
    labels = np.asarray(labels)
    if labels.shape != (n_samples,):
        raise SoftmaxInputError(f"expected {n_samples} labels of shape ({n_samples},), "
                                f"got shape {labels.shape}.")
    if not np.issubdtype(labels.dtype, np.integer):
        raise SoftmaxInputError(f"labels must be whole class numbers, got dtype {labels.dtype}.")
    if n_samples and (labels.min() < 0 or labels.max() >= n_classes):
        raise SoftmaxInputError(f"labels must lie in 0..{n_classes - 1}, got values from "
                                f"{labels.min()} to {labels.max()}.")
    return labels.astype(np.int64)


def nll(logits, labels, temperature: float = 1.0) -> float:
    """Mean negative log-likelihood of the true classes under softmax(logits / T).

    Args:
        logits: (N, K) scores.
        labels: (N,) integers in 0..K-1.
    """
    logits = _check_logits(logits, -1)
    if logits.ndim != 2:
        raise SoftmaxInputError(f"nll wants logits of shape (N, K), got {logits.shape}.")
    labels = check_labels(labels, *logits.shape)
    log_p = log_softmax(logits, temperature=temperature)
    return float(-log_p[np.arange(len(labels)), labels].mean())


def comparison_table(scores, probabilities=None, class_names=("cat", "dog", "horse"),
                     decimals: int = 2) -> str:
    """A Markdown table: each row's scores and their softmax, rounded as in the lesson's picture.

    Args:
        scores: (R, K) scores, one row per example.
        probabilities: (R, K) their softmax, if computed elsewhere (a learner's own);
            ``softmax(scores)`` when None.
        class_names: K names for the columns.
        decimals: rounding of the softmax values (2, as in the lesson's picture).
    """
    scores = np.asarray(scores, dtype=float)
    soft = softmax(scores) if probabilities is None else np.asarray(probabilities, dtype=float)
    if soft.shape != scores.shape:
        raise SoftmaxInputError(f"{soft.shape} softmax values for scores of shape "
                                f"{scores.shape}; give one value per score.")
    names = ", ".join(class_names)
    lines = [f"| scores ({names}) | softmax ({names}) |", "|---|---|"]
    for row, s in zip(scores, soft, strict=True):
        lines.append(f"| {', '.join(f'{v:g}' for v in row)} | "
                     f"{', '.join(f'{v:.{decimals}f}' for v in s)} |")
    return "\n".join(lines)
