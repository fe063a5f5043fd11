"""How a classifier did: confusion matrix, training curves, the digits it got wrong."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def confusion_matrix(y_true, y_pred, n_classes: int = 10) -> np.ndarray:
    """(K, K) counts: row = true class, column = predicted class."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{y_true.shape} true labels but {y_pred.shape} predictions.")
    return np.bincount(n_classes * y_true + y_pred, minlength=n_classes * n_classes).reshape(
        n_classes, n_classes)


def plot_confusion(matrix: np.ndarray, title: str = ""):
    """The confusion matrix as a heat map with its counts; the diagonal is what went right."""
    fig, ax = plt.subplots(figsize=(4.6, 4.0), layout="constrained")
    shown = np.where(np.eye(len(matrix), dtype=bool), 0, matrix)  # colour the mistakes
    ax.imshow(shown, cmap="Reds")
    for (i, j), count in np.ndenumerate(matrix):
        if count:
            ax.text(j, i, str(count), ha="center", va="center", fontsize=7,
                    color="black" if i != j else "#2a5a2a", weight="bold" if i == j else None)
    ax.set_xticks(range(len(matrix)))
    ax.set_yticks(range(len(matrix)))
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title or "confusion matrix (colour: mistakes only)", fontsize=10)
    return fig


def plot_history(histories: dict):
    """Loss and accuracy per epoch, train (solid) and test (dashed), for each named run."""
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
