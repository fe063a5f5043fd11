"""Pictures of first-layer kernels: grids, 3D amplitude plots, a rotating GIF, a live view."""

from __future__ import annotations

import io
import math
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.figure import Figure

from helpers.kernels import as_stack, normalize


def grid_shape(count: int) -> tuple[int, int]:
    """(rows, cols) for ``count`` kernels: ceil(sqrt(count)) columns, as few rows as fit."""
    if count < 1:
        raise ValueError(f"need at least one kernel to lay out, got {count}.")
    cols = math.ceil(math.sqrt(count))
    return math.ceil(count / cols), cols


def mosaic(grey: np.ndarray, gap: int = 1) -> np.ndarray:
    """Tile an (F, KH, KW) stack into one 2-D image, ``gap`` NaN pixels between kernels.

    Kernels run left to right, top to bottom, in a ``grid_shape(F)`` grid; unused slots
    and gaps are NaN (drawn as the background)."""
    count, kh, kw = grey.shape
    rows, cols = grid_shape(count)
    tiled = np.full((rows * (kh + gap) - gap, cols * (kw + gap) - gap), np.nan)
    for index, kernel in enumerate(grey):
        r, c = divmod(index, cols)
        tiled[r * (kh + gap):r * (kh + gap) + kh, c * (kw + gap):c * (kw + gap) + kw] = kernel
    return tiled


def kernel_grid(kernels, method: str | None = None, cmap: str = "gray", title: str = "",
                size: float = 0.75, fig: Figure | None = None):
    """Kernels in a square-ish grid, drawn as one tiled image.

    Args:
        kernels: (KH, KW, 1, F) weights or an (F, KH, KW) stack.
        method: a normalization from ``helpers.kernels.normalize``, or None for each kernel
            on its own automatic colour scale (what ``imshow`` does by default, and why a
            colour map "makes every kernel look fine").
        cmap: colour map.
        size: inches per kernel.
    """
    stack = as_stack(kernels)
    grey = normalize(stack, "minmax" if method is None else method)
    rows, cols = grid_shape(len(stack))
    if fig is None:
        fig = plt.figure(figsize=(size * cols, size * rows + (0.35 if title else 0)),
                         layout="constrained")
    ax = fig.subplots()
    colours = plt.get_cmap(cmap).with_extremes(bad="white")
    ax.imshow(mosaic(grey), cmap=colours, vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title:
        ax.set_title(title, fontsize=9)
    return fig


def _bars(ax, kernel: np.ndarray, zlim: float, colour: str) -> None:
    rows, cols = kernel.shape
    xs, ys = np.meshgrid(np.arange(cols), np.arange(rows))
    heights = kernel.ravel()
    colours = np.where(heights >= 0, colour, "#5b7fb8")
    ax.bar3d(xs.ravel(), ys.ravel(), np.minimum(heights, 0), 0.8, 0.8, np.abs(heights),
             color=colours, shade=True)
    ax.set_zlim(-zlim, zlim)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.tick_params(axis="z", labelsize=6, pad=0)


def amplitude_bars(kernels, indices, normalized_method: str = "symmetric"):
    """Chosen kernels as 3D bars, raw (top row) and normalized (bottom row), each row on one
    shared z-axis, so a quiet kernel is as short in the picture as it is in the network.

    Normalized kernels are shown as signed amplitudes g - 1/2 in [-1/2, 1/2].
    """
    stack = as_stack(kernels)
    indices = list(indices)
    normalized = normalize(stack, normalized_method) - 0.5
    fig = plt.figure(figsize=(2.0 * len(indices), 4.2))
    raw_lim = np.abs(stack[indices]).max()
    for col, index in enumerate(indices):
        top = fig.add_subplot(2, len(indices), col + 1, projection="3d")
        _bars(top, stack[index], raw_lim, "#d2553c")
        top.set_title(f"kernel {index}\nas trained", fontsize=8)
        bottom = fig.add_subplot(2, len(indices), len(indices) + col + 1, projection="3d")
        _bars(bottom, normalized[index], 0.5, "#e8a33d")
        bottom.set_title(f"{normalized_method}", fontsize=8)
    fig.subplots_adjust(left=0, right=1, bottom=0.02, top=0.9, wspace=0.05, hspace=0.25)
    return fig


def rotating_gif(kernels, indices, normalized_method: str = "symmetric", frames: int = 12,
                 dpi: int = 55) -> bytes:
    """A GIF of chosen kernels as 3D bars turning once round, raw above normalized.

    Returns the GIF's bytes (the file is written to a temporary folder and removed).
    Deterministic: the same kernels give the same bytes.
    """
    fig = amplitude_bars(kernels, indices, normalized_method)
    axes = fig.axes

    def turn(frame):
        for ax in axes:
            ax.view_init(elev=30, azim=-60 + 360 * frame / frames)
        return axes

    animation = FuncAnimation(fig, turn, frames=frames, blit=False)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "kernels.gif"
        animation.save(path, writer=PillowWriter(fps=6), dpi=dpi)
        data = path.read_bytes()
    plt.close(fig)
    return data


def draw_kernel(fig: Figure, kernel: int, normalization: str, view: str, kernels) -> None:
    """One kernel on ``fig``: as trained and normalized, in 2D (grey) or 3D (bars).

    For a live figure: ``functools.partial(draw_kernel, kernels=w)``. The as-trained panel
    uses the layer's shared scale, so a quiet kernel looks quiet.
    """
    stack = as_stack(kernels)
    shared = normalize(stack, "shared")[kernel]
    chosen = normalize(stack, normalization)[kernel]
    titles = ("as trained (shared scale)", f"{normalization}")
    if view == "2D":
        for position, (image, title) in enumerate(zip((shared, chosen), titles, strict=True)):
            ax = fig.add_subplot(1, 2, position + 1)
            ax.imshow(image, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            ax.set_title(title, fontsize=9)
            ax.set_xticks([])
            ax.set_yticks([])
    else:
        for position, (image, title) in enumerate(zip((shared, chosen), titles, strict=True)):
            ax = fig.add_subplot(1, 2, position + 1, projection="3d")
            _bars(ax, image - 0.5, 0.5, "#d2553c")
            ax.set_title(title, fontsize=9)
    fig.suptitle(f"kernel {kernel}", fontsize=10)


def contribution_plot(amplitude, drop, quiet, amplitude_name: str = "peak |w|"):
    """Accuracy drop when each kernel is zeroed, against its amplitude; quiet ones marked."""
    amplitude, drop = np.asarray(amplitude), np.asarray(drop)
    is_quiet = np.zeros(len(amplitude), dtype=bool)
    is_quiet[np.asarray(quiet, dtype=int)] = True
    fig, ax = plt.subplots(figsize=(5.5, 3.2), layout="constrained")
    ax.scatter(amplitude[~is_quiet], 100 * drop[~is_quiet], color="#d2553c", label="loud")
    ax.scatter(amplitude[is_quiet], 100 * drop[is_quiet], color="#5b7fb8", label="quiet")
    for index, (a, d) in enumerate(zip(amplitude, drop, strict=True)):
        ax.annotate(str(index), (a, 100 * d), fontsize=6, xytext=(2, 2),
                    textcoords="offset points")
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xlabel(f"kernel amplitude ({amplitude_name})")
    ax.set_ylabel("test accuracy lost when zeroed (points)")
    ax.legend(fontsize=8)
    return fig


def gif_size(data: bytes) -> str:
    """A GIF's size in KB, for printing."""
    return f"{len(io.BytesIO(data).getvalue()) / 1024:.0f} KB"


def three_views(kernels, size: float = 0.55):
    """The lesson's three pictures side by side: colour map with each kernel on its own
    automatic scale, grey on one shared scale, and grey stretched per kernel (min-max)."""
    stack = as_stack(kernels)
    rows, cols = grid_shape(len(stack))
    fig = plt.figure(figsize=(3 * size * cols + 0.6, size * rows + 0.5), layout="constrained")
    panels = fig.subfigures(1, 3, wspace=0.04)
    kernel_grid(stack, None, "viridis", "colour, each on its own scale", fig=panels[0])
    kernel_grid(stack, "shared", "gray", "grey, one shared scale", fig=panels[1])
    kernel_grid(stack, "minmax", "gray", "grey, each stretched (min-max)", fig=panels[2])
    return fig


def compare_normalizations(kernels, methods=("shared", "minmax", "symmetric", "equalize"),
                           size: float = 0.5):
    """The same kernels under each normalization, one panel per method."""
    stack = as_stack(kernels)
    rows, cols = grid_shape(len(stack))
    fig = plt.figure(figsize=(len(methods) * size * cols + 0.6, size * rows + 0.5),
                     layout="constrained")
    for panel, method in zip(fig.subfigures(1, len(methods), wspace=0.04), methods, strict=True):
        kernel_grid(stack, method, "gray", method, fig=panel)
    return fig


def amplitude_chart(amplitude_by_model: dict, fraction: float):
    """Each kernel's peak |w|, sorted, per model, with the quiet threshold drawn."""
    fig, ax = plt.subplots(figsize=(6.5, 2.8), layout="constrained")
    for (name, peaks), colour in zip(amplitude_by_model.items(),
                                     ("#d2553c", "#5b7fb8", "#5a9a5a"), strict=False):
        ordered = np.sort(peaks)[::-1]
        ax.plot(np.arange(len(ordered)), ordered, "-o", markersize=3, color=colour, label=name)
        ax.axhline(fraction * ordered[0], color=colour, linestyle=":", linewidth=1)
    ax.set_xlabel("kernels, loudest first")
    ax.set_ylabel("peak |w|")
    ax.set_title(f"dotted: quiet threshold ({fraction:.2f} of each layer's loudest kernel)",
                 fontsize=9)
    ax.legend(fontsize=8)
    return fig
