"""Kernel pictures: grid layout for any count, numbered tiles, colour bars, 3D views with
labelled z-axes, a deterministic GIF, the ablation per model."""

import functools

import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers import kernel_plots
from helpers.kernels import normalize


@pytest.mark.parametrize("count, shape", [(1, (1, 1)), (10, (3, 4)), (32, (6, 6)), (36, (6, 6)),
                                          (37, (6, 7))])
def test_grid_fits_any_count_nearly_square(count, shape):
    rows, cols = kernel_plots.grid_shape(count)
    assert rows * cols >= count and (rows - 1) * cols < count
    assert cols == int(np.ceil(np.sqrt(count)))
    assert (rows, cols) == shape


def test_grid_with_chosen_columns():
    assert kernel_plots.grid_shape(96, 16) == (6, 16)


def test_grid_of_nothing_is_explained():
    with pytest.raises(ValueError, match="at least one kernel"):
        kernel_plots.grid_shape(0)


@pytest.mark.parametrize("size, count", [(3, 32), (7, 5), (11, 2)])
def test_kernel_grid_tiles_every_kernel_and_numbers_it(size, count):
    w = np.random.default_rng(0).normal(size=(size, size, 1, count))
    pictures = normalize(w, "symmetric")
    fig = kernel_plots.kernel_grid(pictures)
    rows, cols = kernel_plots.grid_shape(count)
    tiled = fig.axes[0].images[0].get_array()
    assert tiled.shape == (rows * (size + 1) - 1, cols * (size + 1) - 1)
    assert np.isfinite(tiled.filled(np.nan)).sum() == count * size * size
    np.testing.assert_allclose(tiled[:size, :size], pictures[0])
    assert [t.get_text() for t in fig.axes[0].texts] == [str(i) for i in range(count)]


def test_colour_grid_keeps_rgb_and_shared_scale_gets_a_colour_bar():
    rgb = np.random.default_rng(3).uniform(size=(4, 5, 5, 3))
    fig = kernel_plots.kernel_grid(rgb, peak=0.7)
    tiled = np.asarray(fig.axes[0].images[0].get_array())
    assert tiled.shape == (11, 11, 3)
    np.testing.assert_allclose(tiled[6:, 6:], rgb[3])
    bar = fig.axes[1]
    assert bar.get_ylabel() == "weight" and bar.get_ylim() == pytest.approx((-0.7, 0.7))


@pytest.mark.parametrize("bad, message", [(np.zeros((2, 3)), "expected grey pictures"),
                                          (np.full((1, 2, 2), 2.0), "normalized to")])
def test_grid_refuses_raw_weights(bad, message):
    with pytest.raises(ValueError, match=message):
        kernel_plots.kernel_grid(bad)


def test_amplitude_bars_label_the_z_axes_and_colour_by_sign():
    w = np.array([[[1.0, -0.5], [0.25, 0.0]], [[0.1, 0.1], [-0.1, 0.0]]])
    fig = kernel_plots.amplitude_bars(w, normalize(w, "symmetric"), [0, 1], "symmetric",
                                      "7×7 #")
    assert [ax.get_zlabel() for ax in fig.axes] == ["weight", "g − ½", "weight", "g − ½"]
    assert fig.axes[2].get_title() == "7×7 #1, as trained"
    assert fig.axes[0].get_zlim() == pytest.approx((-1.0, 1.0))


def test_gif_is_the_same_every_time():
    w = np.random.default_rng(1).normal(size=(3, 3, 1, 4))
    grey = normalize(w, "symmetric")
    first = kernel_plots.rotating_gif(w, grey, [0, 1], "symmetric", frames=3, dpi=30)
    assert first[:6] == b"GIF89a"
    assert first == kernel_plots.rotating_gif(w, grey, [0, 1], "symmetric", frames=3, dpi=30)


@pytest.mark.parametrize("view", ["2D", "3D"])
def test_live_view_draws_the_shared_and_the_chosen_picture(view):
    w = np.random.default_rng(2).normal(size=(3, 3, 1, 4))
    pictures = {m: normalize(w, m) for m in ("shared", "minmax")}
    fig = Figure()
    functools.partial(kernel_plots.draw_kernel, kernels=w, pictures=pictures)(
        fig, kernel=1, normalization="minmax", view=view)
    assert [ax.get_title() for ax in fig.axes] == ["shared scale (as trained)", "minmax"]
    if view == "2D":
        np.testing.assert_allclose(fig.axes[1].images[0].get_array(), pictures["minmax"][1])


def test_contribution_plot_names_each_models_kernels():
    results = {"3×3": {"peak": np.array([1.0, 0.2]), "drop": np.array([0.02, 0.0]),
                       "quiet": [1]},
               "7×7": {"peak": np.array([0.5, 0.4, 0.1]), "drop": np.array([0.0, 0.001, 0.0]),
                       "quiet": [2]}}
    fig = kernel_plots.contribution_plot(results)
    assert [ax.get_title() for ax in fig.axes] == ["3×3 model: kernels 3×3 #0 to #1",
                                                   "7×7 model: kernels 7×7 #0 to #2"]
    loud = fig.axes[0].collections[0].get_offsets()
    np.testing.assert_allclose(loud, [[1.0, 2.0]])


def test_colour_scatter_marks_the_flattest_third():
    measured = {"layer": {"grey_std": np.array([1.0, 5.0, 9.0]),
                          "chroma": np.array([30.0, 4.0, 2.0]), "flattest": [0]}}
    ax = kernel_plots.colour_scatter(measured).axes[0]
    others, flat = (c.get_offsets() for c in ax.collections)
    np.testing.assert_allclose(flat, [[1.0, 30.0]])
    np.testing.assert_allclose(others, [[5.0, 4.0], [9.0, 2.0]])
    assert ax.get_xlabel().startswith("amplitude in grey")


def test_tone_curve_plots_the_levels_given():
    ax = kernel_plots.tone_curve_plot([0, 128, 255], [0, 200, 255]).axes[0]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0, 200, 255])
