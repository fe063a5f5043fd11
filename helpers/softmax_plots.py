"""Pictures for the softmax notebook: skew bars, temperature, galleries, reliability diagrams."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from helpers.calibration import Reliability
from helpers.softmax import linear_share, softmax


def skew_bars(scores, class_names=("cat", "dog", "horse")):
    """For each row of scores (R, K): softmax next to the linear share, as grouped bars."""
    scores = np.asarray(scores, dtype=float)
    soft, share = softmax(scores), linear_share(scores)
    fig, axes = plt.subplots(1, len(scores), figsize=(3.2 * len(scores), 2.8), sharey=True,
                             layout="constrained")
    positions = np.arange(len(class_names))
    for ax, row, s, lin in zip(np.atleast_1d(axes), scores, soft, share, strict=True):
        ax.bar(positions - 0.2, lin, 0.4, label="score / sum", color="#9aa9c4")
        ax.bar(positions + 0.2, s, 0.4, label="softmax", color="#d2553c")
        ax.set_xticks(positions, class_names)
        ax.set_title("scores " + ", ".join(f"{v:g}" for v in row), fontsize=10)
        ax.set_ylim(0, 1.05)
    np.atleast_1d(axes)[0].set_ylabel("share of the total")
    np.atleast_1d(axes)[0].legend(fontsize=8, loc="upper right")
    return fig


def draw_temperature(fig, temperature: float, scores=(5.0, 4.0, 2.0),
                     class_names=("cat", "dog", "horse")) -> None:
    """Paint softmax(scores / T) as bars on ``fig`` (for a live figure)."""
    ax = fig.add_subplot()
    probabilities = softmax(np.asarray(scores, dtype=float), temperature=temperature)
    bars = ax.bar(class_names, probabilities, color=["#d2553c", "#e8a33d", "#9aa9c4"])
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


def reliability_diagrams(panels: dict):
    """One reliability diagram per entry (title -> Reliability), side by side."""
    fig, axes = plt.subplots(1, len(panels), figsize=(3.6 * len(panels), 3.4), squeeze=False,
                             layout="constrained")
    for ax, (title, bins) in zip(axes[0], panels.items(), strict=True):
        _reliability_axes(ax, bins)
        ax.set_title(f"{title}\nECE {bins.ece:.3f}", fontsize=10)
    return fig


def _reliability_axes(ax, bins: Reliability) -> None:
    centres = (bins.edges[:-1] + bins.edges[1:]) / 2
    width = bins.edges[1] - bins.edges[0]
    filled = bins.counts > 0
    ax.bar(centres[filled], bins.accuracy[filled], width * 0.95, color="#5b7fb8",
           label="accuracy")
    ax.plot(centres[filled], bins.confidence[filled], "o", color="#d2553c", markersize=4,
            label="mean confidence in bin")
    ax.plot([0, 1], [0, 1], "k--", linewidth=1, label="calibrated")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("confidence (top softmax value)")
    ax.set_ylabel("accuracy")
    ax.legend(fontsize=7, loc="upper left")


def confidence_histogram(confidences: dict, bins: int = 20):
    """Histograms of top-class confidence for several sets (name -> (N,) values)."""
    fig, ax = plt.subplots(figsize=(6, 2.8), layout="constrained")
    edges = np.linspace(0, 1, bins + 1)
    for name, values in confidences.items():
        ax.hist(values, bins=edges, histtype="step", linewidth=2,
                weights=np.full(len(values), 1 / max(len(values), 1)), label=name)
    ax.set_xlabel("top softmax value")
    ax.set_ylabel("fraction of images")
    ax.legend(fontsize=8, ncols=math.ceil(len(confidences) / 3))
    return fig
