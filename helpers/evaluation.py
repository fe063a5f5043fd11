"""How a classifier did: confusion matrix, its most frequent mistakes, training curves."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator


def confusion_matrix(y_true, y_pred, n_classes: int = 10) -> np.ndarray:
    """(K, K) int64 counts: entry [i, j] is how many samples of true class i were predicted j.

    Args:
        y_true, y_pred: (N,) integer labels in 0..K-1.
        n_classes: K.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(f"confusion_matrix wants two (N,) label arrays of the same length; "
                         f"got {y_true.shape} true labels and {y_pred.shape} predictions.")
    for name, labels in (("true labels", y_true), ("predictions", y_pred)):
        if not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"the {name} must be whole class numbers, got dtype {labels.dtype}.")
        if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
            raise ValueError(f"the {name} must lie in 0..{n_classes - 1}, got values from "
                             f"{labels.min()} to {labels.max()}.")
    flat = n_classes * y_true.astype(np.int64) + y_pred
    return np.bincount(flat, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def mistakes(matrix: np.ndarray) -> np.ndarray:
    """The confusion matrix (K, K) with its diagonal (the right answers) set to zero."""
    matrix = np.asarray(matrix)
    return np.where(np.eye(len(matrix), dtype=bool), 0, matrix)


def most_confused(matrix: np.ndarray, count: int = 6) -> list[tuple[int, int, int]]:
    """The ``count`` most frequent mistakes as (true, predicted, how many), most frequent first
    (ties in order of true, then predicted class); pairs that never happen are left out."""
    wrong = mistakes(matrix)
    pairs = [(int(i), int(j), int(wrong[i, j])) for i, j in zip(*np.nonzero(wrong), strict=True)]
    return sorted(pairs, key=lambda pair: (-pair[2], pair[0], pair[1]))[:count]


def plot_confusion(matrix: np.ndarray, title: str = ""):
    """The confusion matrix as a heat map with its counts; the diagonal is what went right.

    Only the mistakes are coloured (darker: more); each count is written in white on a dark
    cell and in black on a light one, the right answers in green on white.
    """
    matrix = np.asarray(matrix)
    fig, ax = plt.subplots(figsize=(4.6, 4.0), layout="constrained")
    shown = mistakes(matrix)
    top = max(int(shown.max()), 1)
    image = ax.imshow(shown, cmap="Reds", vmin=0, vmax=top)
    for (i, j), count in np.ndenumerate(matrix):
        if not count:
            continue
        if i == j:
            colour = "#2a5a2a"
        else:  # the colour map's lightness at this count decides the text's colour
            colour = "white" if count / top > 0.5 else "black"
        ax.text(j, i, str(count), ha="center", va="center", fontsize=7, color=colour,
                weight="bold" if i == j else None)
    ax.set_xticks(range(len(matrix)))
    ax.set_yticks(range(len(matrix)))
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title or "confusion matrix (colour: mistakes only)", fontsize=10)
    fig.colorbar(image, ax=ax, shrink=0.8, label="mistakes", ticks=MaxNLocator(integer=True))
    return fig


def plot_history(histories: dict):
    """Loss and accuracy per epoch, train (solid) and test (dashed), for each named run.

    Args:
        histories: name -> dict of per-epoch lists "loss", "accuracy" and optionally
            "val_loss", "val_accuracy" (as ``Sequential.fit`` returns).
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2), layout="constrained")
    for (name, history), colour in zip(histories.items(), ("#d2553c", "#5b7fb8", "#5a9a5a"),
                                       strict=False):
        epochs = np.arange(1, len(history["loss"]) + 1)
        left.plot(epochs, history["loss"], "-o", color=colour, markersize=3,
                  label=f"{name}: train")
        right.plot(epochs, history["accuracy"], "-o", color=colour, markersize=3,
                   label=f"{name}: train")
        if "val_loss" in history:
            left.plot(epochs, history["val_loss"], "--", color=colour, label=f"{name}: test")
            right.plot(epochs, history["val_accuracy"], "--", color=colour,
                       label=f"{name}: test")
    left.set(xlabel="epoch", ylabel="cross-entropy loss", title="loss")
    right.set(xlabel="epoch", ylabel="accuracy", title="accuracy")
    left.legend(fontsize=7)
    right.legend(fontsize=7)
    return fig
