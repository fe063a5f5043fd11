"""Kernel pictures: grid layout for any count, 3D views, a deterministic GIF."""

import functools

import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers import kernel_plots


@pytest.mark.parametrize("count, shape", [(1, (1, 1)), (10, (3, 4)), (32, (6, 6)), (36, (6, 6)),
                                          (37, (6, 7))])
def test_grid_fits_any_count_nearly_square(count, shape):
    rows, cols = kernel_plots.grid_shape(count)
    assert rows * cols >= count and (rows - 1) * cols < count
    assert cols == int(np.ceil(np.sqrt(count)))
    assert (rows, cols) == shape


def test_grid_of_nothing_is_explained():
    with pytest.raises(ValueError, match="at least one kernel"):
        kernel_plots.grid_shape(0)


@pytest.mark.parametrize("size, count", [(3, 32), (7, 5), (11, 2)])
def test_kernel_grid_draws_one_axes_per_slot(size, count):
    w = np.random.default_rng(0).normal(size=(size, size, 1, count))
    fig = kernel_plots.kernel_grid(w, "symmetric")
    rows, cols = kernel_plots.grid_shape(count)
    tiled = fig.axes[0].images[0].get_array()
    assert tiled.shape == (rows * (size + 1) - 1, cols * (size + 1) - 1)
    assert np.isfinite(tiled.filled(np.nan)).sum() == count * size * size


def test_gif_is_small_and_the_same_every_time():
    w = np.random.default_rng(1).normal(size=(3, 3, 1, 4))
    first = kernel_plots.rotating_gif(w, [0, 1], frames=3, dpi=30)
    assert first[:6] == b"GIF89a"
    assert first == kernel_plots.rotating_gif(w, [0, 1], frames=3, dpi=30)
    assert len(first) < 1_000_000


@pytest.mark.parametrize("view", ["2D", "3D"])
def test_live_view_draws_both_panels(view):
    w = np.random.default_rng(2).normal(size=(3, 3, 1, 4))
    fig = Figure()
    functools.partial(kernel_plots.draw_kernel, kernels=w)(fig, kernel=1,
                                                           normalization="minmax", view=view)
    assert len(fig.axes) == 2
