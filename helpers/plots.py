"""Small plotting helpers shared by the notebooks."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np


def digit_grid(images: np.ndarray, labels=None, predicted=None, ncols: int = 10,
               title: str | None = None, size: float = 1.0):
    """Show digits in a grid, each with its label (and prediction, if given).

    Args:
        images: (N, 28, 28) or (N, 28, 28, 1) grey images, any range.
        labels: optional (N,) true labels, written above each digit.
        predicted: optional (N,) predicted labels; a wrong one is written in red.
        ncols: digits per row.
        title: optional figure title.
        size: inches per digit.

    Returns:
        The matplotlib Figure.
    """
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"digit_grid wants images of shape (N, H, W) or (N, H, W, 1), "
                         f"got {images.shape}.")
    count = len(images)
    ncols = max(1, min(ncols, count))
    nrows = max(1, math.ceil(count / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * 1.15 * nrows),
                             squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index >= count:
            continue
        ax.imshow(images[index], cmap="gray_r")
        parts = []
        if labels is not None:
            parts.append(f"{labels[index]}")
        colour = "black"
        if predicted is not None:
            parts.append(f"→{predicted[index]}")
            if labels is not None and predicted[index] != labels[index]:
                colour = "crimson"
        if parts:
            ax.set_title(" ".join(parts), fontsize=9, color=colour, pad=2)
    if title:
        fig.suptitle(title)
    return fig
