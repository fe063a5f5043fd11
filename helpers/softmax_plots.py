"""Pictures for the softmax notebook: softmax bars, temperature, galleries, reliability diagrams."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from helpers.calibration import Reliability
from helpers.softmax import softmax

COLOURS = ("#d2553c", "#e8a33d", "#9aa9c4")


def softmax_bars(panels: dict, class_names=("cat", "dog", "horse")):
    """One bar chart per entry (title -> (K,) softmax values), side by side, values written on.

    Returns the Figure; panel i's bars have heights ``panels[title_i]``.
    """
    fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 2.8), sharey=True,
                             layout="constrained", squeeze=False)
    for ax, (title, probabilities) in zip(axes[0], panels.items(), strict=True):
        probabilities = np.asarray(probabilities, dtype=float)
        bars = ax.bar(class_names, probabilities, color=COLOURS[:len(class_names)])
        for bar, value in zip(bars, probabilities, strict=True):
            ax.text(bar.get_x() + bar.get_width() / 2, value + 0.02, f"{value:.2f}",
                    ha="center", fontsize=9)
        ax.set_title(title, fontsize=10)
        ax.set_ylim(0, 1.12)
    axes[0, 0].set_ylabel("softmax output")
    return fig


def draw_temperature(fig, temperature: float, scores=(5.0, 4.0, 2.0),
                     class_names=("cat", "dog", "horse")) -> None:
    """Paint softmax(scores / T) as bars on ``fig`` (for a live figure)."""
    ax = fig.add_subplot()
    probabilities = softmax(np.asarray(scores, dtype=float), temperature=temperature)
    bars = ax.bar(class_names, probabilities, color=COLOURS[:len(class_names)])
    for bar, value in zip(bars, probabilities, strict=True):
        ax.text(bar.get_x() + bar.get_width() / 2, value + 0.02, f"{value:.2f}", ha="center")
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("softmax output")
    ax.set_title(f"scores {', '.join(f'{s:g}' for s in scores)} at temperature T = "
                 f"{temperature:.2f}", fontsize=10)


def confidence_gallery(groups: dict, predictions: dict, per_group: int = 5):
    """Rows of images, each titled with the model's top class and its softmax value.

    Args:
        groups: name -> (N, 28, 28, 1) images.
        predictions: name -> (N, 10) softmax outputs for those images.
        per_group: images shown per row.
    """
    fig, axes = plt.subplots(len(groups), per_group,
                             figsize=(1.3 * per_group + 1.2, 1.5 * len(groups)), squeeze=False)
    for row, (name, images) in enumerate(groups.items()):
        probabilities = predictions[name]
        for col in range(per_group):
            ax = axes[row, col]
            ax.set_xticks([])
            ax.set_yticks([])
            if col >= len(images):
                ax.axis("off")
                continue
            ax.imshow(images[col, :, :, 0], cmap="gray", vmin=0, vmax=1)
            top = int(probabilities[col].argmax())
            ax.set_title(f"'{top}' {probabilities[col, top]:.0%}", fontsize=9)
        axes[row, 0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=10)
    fig.tight_layout()
    return fig


def reliability_diagrams(panels: dict, ncols: int = 2):
    """One reliability diagram per entry (title -> Reliability), ``ncols`` to a row.

    Each diagram has a strip below it with the number of images in each bin (log scale,
    the count written on each bar): a bar of accuracy over 6 images says much less than one
    over 400, and ECE weights each bin by its count.
    """
    ncols = max(1, min(ncols, len(panels)))
    nrows = math.ceil(len(panels) / ncols)
    fig = plt.figure(figsize=(3.9 * ncols, 4.6 * nrows), layout="constrained")
    grid = fig.add_gridspec(2 * nrows, ncols, height_ratios=[3, 1.1] * nrows)
    for index, (title, bins) in enumerate(panels.items()):
        row, col = divmod(index, ncols)
        top = fig.add_subplot(grid[2 * row, col])
        bottom = fig.add_subplot(grid[2 * row + 1, col], sharex=top)
        _reliability_axes(top, bins)
        _count_axes(bottom, bins)
        top.set_title(f"{title}\nECE {bins.ece:.3f}", fontsize=10)
    return fig


def _reliability_axes(ax, bins: Reliability) -> None:
    centres = (bins.edges[:-1] + bins.edges[1:]) / 2
    width = bins.edges[1] - bins.edges[0]
    filled = bins.counts > 0
    ax.bar(centres[filled], bins.accuracy[filled], width * 0.95, color="#5b7fb8",
           label="accuracy in bin")
    ax.plot(centres[filled], bins.confidence[filled], "o", color="#d2553c", markersize=4,
            label="mean confidence in bin")
    ax.plot([0, 1], [0, 1], "k--", linewidth=1, label="calibrated")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_ylabel("accuracy")
    ax.tick_params(labelbottom=False)
    ax.legend(fontsize=7, loc="upper left")


def _count_axes(ax, bins: Reliability) -> None:
    centres = (bins.edges[:-1] + bins.edges[1:]) / 2
    width = bins.edges[1] - bins.edges[0]
    filled = bins.counts > 0
    ax.bar(centres[filled], bins.counts[filled], width * 0.95, color="#9aa9c4")
    for x, count in zip(centres[filled], bins.counts[filled], strict=True):
        ax.text(x, count * 1.15, str(count), ha="center", va="bottom", fontsize=6)
    ax.set_yscale("log")
    ax.set_ylim(0.8, max(int(bins.counts.max()), 1) * 6)
    ax.set_xlabel("confidence (top softmax value)")
    ax.set_ylabel("images")


def confidence_histogram(confidences: dict, bins: int = 20, threshold: float | None = None):
    """Histograms of top-class confidence for several sets (name -> (N,) values), each as a
    fraction of its set; ``threshold`` draws a vertical line there."""
    fig, ax = plt.subplots(figsize=(6, 2.8), layout="constrained")
    edges = np.linspace(0, 1, bins + 1)
    for name, values in confidences.items():
        ax.hist(values, bins=edges, histtype="step", linewidth=2,
                weights=np.full(len(values), 1 / max(len(values), 1)), label=name)
    if threshold is not None:
        ax.axvline(threshold, color="black", linestyle=":", linewidth=1.5,
                   label=f"threshold {threshold:g}")
    ax.set_xlabel("top softmax value")
    ax.set_ylabel("fraction of images")
    ax.legend(fontsize=8, ncols=math.ceil((len(confidences) + (threshold is not None)) / 3))
    return fig
