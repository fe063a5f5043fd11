"""Pictures of first-layer kernels: numbered grids, 3D amplitude bars, a turning GIF, a live
view, the ablation and colour-versus-amplitude scatters.

Grids take pictures already normalized to [0, 1] (grey (F, KH, KW) or colour (F, KH, KW, 3)),
so a notebook can draw what its own normalization made.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from helpers.kernels import as_stack

POSITIVE, NEGATIVE = "#d2553c", "#5b7fb8"  # red bars up, blue bars down, in every 3D panel


def grid_shape(count: int, cols: int | None = None) -> tuple[int, int]:
    """(rows, cols) for ``count`` kernels: ``cols`` columns (default ceil(sqrt(count))), as few
    rows as fit."""
    if count < 1:
        raise ValueError(f"need at least one kernel to lay out, got {count}.")
    cols = math.ceil(math.sqrt(count)) if cols is None else cols
    return math.ceil(count / cols), cols


def mosaic(pictures: np.ndarray, cols: int | None = None, gap: int = 1) -> np.ndarray:
    """Tile (F, KH, KW) or (F, KH, KW, 3) pictures into one image, ``gap`` pixels between.

    Kernels run left to right, top to bottom, in a ``grid_shape(F, cols)`` grid; gaps and
    unused slots are NaN (grey) or white (colour)."""
    count, kh, kw = pictures.shape[:3]
    rows, cols = grid_shape(count, cols)
    fill = np.nan if pictures.ndim == 3 else 1.0
    tiled = np.full((rows * (kh + gap) - gap, cols * (kw + gap) - gap, *pictures.shape[3:]), fill)
    for index, kernel in enumerate(pictures):
        r, c = divmod(index, cols)
        tiled[r * (kh + gap):r * (kh + gap) + kh, c * (kw + gap):c * (kw + gap) + kw] = kernel
    return tiled


def _check_pictures(pictures) -> np.ndarray:
    pictures = np.asarray(pictures, dtype=np.float64)
    if pictures.ndim not in (3, 4) or (pictures.ndim == 4 and pictures.shape[-1] != 3):
        raise ValueError(f"expected grey pictures (F, KH, KW) or colour ones (F, KH, KW, 3), "
                         f"got shape {pictures.shape}.")
    if np.nanmin(pictures) < 0 or np.nanmax(pictures) > 1:
        raise ValueError("pictures must be normalized to [0, 1] first (see "
                         "helpers.kernels.normalize).")
    return pictures


def kernel_grid(pictures, title: str = "", cols: int | None = None, peak: float | None = None,
                numbered: bool = True, size: float = 0.6, fig: Figure | None = None):
    """Kernels in a grid, each numbered at its top left, drawn as one tiled image.

    Args:
        pictures: (F, KH, KW) grey or (F, KH, KW, 3) colour values in [0, 1].
        peak: for a shared scale (0.5 + w / (2 peak)), the layer's max |w|: a colour bar
            then gives the weight that each grey stands for.
        size: inches per kernel.
    """
    pictures = _check_pictures(pictures)
    rows, cols = grid_shape(len(pictures), cols)
    if fig is None:
        fig = plt.figure(figsize=(size * cols + (0.9 if peak else 0),
                                  size * rows + (0.35 if title else 0)), layout="constrained")
    ax = fig.subplots()
    colours = plt.get_cmap("gray").with_extremes(bad="white")
    ax.imshow(mosaic(pictures, cols), cmap=colours, vmin=0, vmax=1, interpolation="nearest")
    kh, kw = pictures.shape[1:3]
    if numbered:
        for index in range(len(pictures)):
            r, c = divmod(index, cols)
            ax.text(c * (kw + 1) - 0.4, r * (kh + 1) - 0.4, str(index), fontsize=5.5,
                    ha="left", va="top", color="black",
                    bbox={"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none",
                          "alpha": 0.8})
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title:
        ax.set_title(title, fontsize=9)
    if peak:
        bar = fig.colorbar(ScalarMappable(Normalize(-peak, peak), "gray"), ax=ax, shrink=0.8,
                           aspect=15)
        bar.set_label("weight", fontsize=8)
        bar.ax.tick_params(labelsize=7)
    return fig


def grids(panels: dict, cols: int | None = None, peaks: dict | None = None, size: float = 0.5,
          per_row: int | None = None):
    """Several grids, ``per_row`` to a row (default all in one row): ``panels`` maps a title to
    pictures in [0, 1]; ``peaks`` maps a title to its shared scale's max |w| for a colour bar."""
    peaks = peaks or {}
    per_row = per_row or len(panels)
    rows, cols = grid_shape(len(next(iter(panels.values()))), cols)
    lines = math.ceil(len(panels) / per_row)
    width = per_row * (size * cols + (0.9 if peaks else 0)) + 0.2
    fig = plt.figure(figsize=(width, lines * (size * rows + 0.45)), layout="constrained")
    subfigures = np.atleast_2d(fig.subfigures(lines, per_row, wspace=0.02, hspace=0.04))
    for panel, (title, pictures) in zip(subfigures.ravel(), panels.items(), strict=False):
        kernel_grid(pictures, title, cols, peaks.get(title), fig=panel)
    return fig


def _bars(ax, kernel: np.ndarray, zlim: float, zlabel: str) -> None:
    rows, cols = kernel.shape
    xs, ys = np.meshgrid(np.arange(cols), np.arange(rows))
    heights = kernel.ravel()
    colours = np.where(heights >= 0, POSITIVE, NEGATIVE)
    ax.bar3d(xs.ravel(), ys.ravel(), np.minimum(heights, 0), 0.8, 0.8, np.abs(heights),
             color=colours, shade=True)
    ax.set_zlim(-zlim, zlim)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.tick_params(axis="z", labelsize=7, pad=1)
    ax.set_zlabel(zlabel, fontsize=8, labelpad=2)


def amplitude_bars(kernels, normalized, indices, normalized_name: str, label: str = "kernel",
                   width: float = 2.2, height: float = 4.6):
    """Chosen kernels as 3D bars, as trained (top row) and normalized (bottom row), each row
    on one shared z-axis, so a quiet kernel is as short in the picture as in the network.

    Args:
        kernels: (KH, KW, 1, F) weights or an (F, KH, KW) stack.
        normalized: (F, KH, KW) in [0, 1]; drawn as g - 1/2 in [-1/2, 1/2].
        label: how kernels are named in titles ("3×3 #" ...).
    Red bars are positive, blue negative, in both rows.
    """
    stack = as_stack(kernels)
    indices = list(indices)
    fig = plt.figure(figsize=(width * len(indices), height))
    raw_lim = np.abs(stack[indices]).max()
    for col, index in enumerate(indices):
        top = fig.add_subplot(2, len(indices), col + 1, projection="3d")
        _bars(top, stack[index], raw_lim, "weight")
        top.set_title(f"{label}{index}, as trained", fontsize=9)
        bottom = fig.add_subplot(2, len(indices), len(indices) + col + 1, projection="3d")
        _bars(bottom, np.asarray(normalized)[index] - 0.5, 0.5, "g − ½")
        bottom.set_title(f"{label}{index}, {normalized_name}", fontsize=9)
    fig.subplots_adjust(left=0, right=0.92, bottom=0.02, top=0.93, wspace=0.15, hspace=0.2)
    return fig


def rotating_gif(kernels, normalized, indices, normalized_name: str, label: str = "kernel",
                 frames: int = 10, dpi: int = 80) -> bytes:
    """A GIF of ``amplitude_bars`` turning once round. Returns the GIF's bytes (written to a
    temporary folder and removed). Deterministic: the same kernels give the same bytes."""
    fig = amplitude_bars(kernels, normalized, indices, normalized_name, label)
    axes = fig.axes

    def turn(frame):
        for ax in axes:
            ax.view_init(elev=30, azim=-60 + 360 * frame / frames)
        return axes

    animation = FuncAnimation(fig, turn, frames=frames, blit=False)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "kernels.gif"
        animation.save(path, writer=PillowWriter(fps=5), dpi=dpi)
        data = path.read_bytes()
    plt.close(fig)
    return data


def draw_kernel(fig: Figure, kernel: int, normalization: str, view: str, kernels,
                pictures: dict, label: str = "kernel ") -> None:
    """One kernel on ``fig``: on the layer's shared scale and under one normalization, in 2D
    (grey) or 3D (bars). ``pictures`` maps each normalization's name to its (F, KH, KW) grey
    values in [0, 1] and must hold "shared". For a live figure, bind ``kernels`` and
    ``pictures`` with functools.partial."""
    as_stack(kernels)
    panels = (("shared scale (as trained)", pictures["shared"][kernel]),
              (normalization, pictures[normalization][kernel]))
    for position, (title, image) in enumerate(panels):
        if view == "2D":
            ax = fig.add_subplot(1, 2, position + 1)
            ax.imshow(image, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
        else:
            ax = fig.add_subplot(1, 2, position + 1, projection="3d")
            _bars(ax, image - 0.5, 0.5, "g − ½")
        ax.set_title(title, fontsize=9)
    fig.suptitle(f"{label}{kernel}", fontsize=10)


def contribution_plot(results: dict):
    """Accuracy lost when each kernel is zeroed, against its peak |w|, one panel per model.

    ``results`` maps a model's label ("3×3") to a dict with "peak" (F,), "drop" (F,) and
    "quiet" (indices). Points are named "<label> #<index>", so two models' kernels cannot be
    confused."""
    fig, axes = plt.subplots(1, len(results), figsize=(4.6 * len(results), 3.4),
                             layout="constrained", sharey=True, squeeze=False)
    for ax, (label, result) in zip(axes[0], results.items(), strict=True):
        peak, drop = np.asarray(result["peak"]), 100 * np.asarray(result["drop"])
        is_quiet = np.zeros(len(peak), dtype=bool)
        is_quiet[np.asarray(result["quiet"], dtype=int)] = True
        ax.scatter(peak[~is_quiet], drop[~is_quiet], color=POSITIVE, s=18, label="loud")
        ax.scatter(peak[is_quiet], drop[is_quiet], color=NEGATIVE, s=18, label="quiet")
        for index, (a, d) in enumerate(zip(peak, drop, strict=True)):
            ax.annotate(f"#{index}", (a, d), fontsize=6, xytext=(2, 2),
                        textcoords="offset points")
        ax.axhline(0, color="grey", linewidth=0.8)
        ax.set_title(f"{label} model: kernels {label} #0 to #{len(peak) - 1}", fontsize=9)
        ax.set_xlabel("kernel amplitude (peak |w|)")
        ax.legend(fontsize=7, loc="upper left")
    axes[0, 0].set_ylabel("test accuracy lost when zeroed (points)")
    return fig


def colour_scatter(measured: dict):
    """Each kernel's chroma against its grey amplitude, one panel per layer.

    ``measured`` maps a title to a dict with "grey_std" (F,), "chroma" (F,) and "flattest"
    (indices of the flattest third, ringed)."""
    fig, axes = plt.subplots(1, len(measured), figsize=(4.4 * len(measured), 3.3),
                             layout="constrained", squeeze=False)
    for ax, (title, values) in zip(axes[0], measured.items(), strict=True):
        grey_std, chroma = np.asarray(values["grey_std"]), np.asarray(values["chroma"])
        flat = np.zeros(len(grey_std), dtype=bool)
        flat[np.asarray(values["flattest"], dtype=int)] = True
        ax.scatter(grey_std[~flat], chroma[~flat], s=16, color="#555555", label="other kernels")
        ax.scatter(grey_std[flat], chroma[flat], s=16, color="#c03a8a",
                   label="flattest third in grey")
        for index, (x, y) in enumerate(zip(grey_std, chroma, strict=True)):
            if flat[index] or y > np.percentile(chroma, 90):
                ax.annotate(str(index), (x, y), fontsize=5.5, xytext=(2, 1),
                            textcoords="offset points")
        ax.set_xlabel("amplitude in grey (std of grey levels)")
        ax.set_ylabel("chroma in colour (grey levels)")
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=7)
    return fig


def tone_curve_plot(levels, normalized_levels):
    """The lesson's normalized grey level at each grey level of its shared-scale picture."""
    fig, ax = plt.subplots(figsize=(4.2, 3.2), layout="constrained")
    ax.plot(levels, normalized_levels, ".", markersize=3, color=POSITIVE,
            label="lesson's pictures, pixel by pixel")
    ax.plot([0, 255], [0, 255], ":", color="grey", linewidth=1, label="unchanged")
    ax.set_xlabel("grey level in the shared-scale picture")
    ax.set_ylabel("grey level in the \"normalized\" one")
    ax.set_xlim(0, 255)
    ax.set_ylim(0, 255)
    ax.legend(fontsize=7, loc="upper left")
    return fig


def amplitude_chart(amplitude_by_model: dict, fraction: float):
    """Each kernel's peak |w|, sorted, per model, with the quiet threshold drawn."""
    fig, ax = plt.subplots(figsize=(6.5, 2.8), layout="constrained")
    for (name, peaks), colour in zip(amplitude_by_model.items(),
                                     (POSITIVE, NEGATIVE, "#5a9a5a"), strict=False):
        ordered = np.sort(peaks)[::-1]
        ax.plot(np.arange(len(ordered)), ordered, "-o", markersize=3, color=colour, label=name)
        ax.axhline(fraction * ordered[0], color=colour, linestyle=":", linewidth=1)
    ax.set_xlabel("kernels, loudest first")
    ax.set_ylabel("peak |w|")
    ax.set_title(f"dotted: quiet threshold ({fraction:.2f} of each layer's loudest kernel)",
                 fontsize=9)
    ax.legend(fontsize=8)
    return fig
