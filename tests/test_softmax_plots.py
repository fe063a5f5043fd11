"""The softmax notebook's pictures: bar heights, counts and curves are the computed numbers."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from helpers.calibration import reliability
from helpers.softmax import softmax
from helpers.softmax_plots import (
    confidence_gallery,
    confidence_histogram,
    draw_temperature,
    reliability_diagrams,
    softmax_bars,
)


def heights(ax) -> list[float]:
    return [patch.get_height() for patch in ax.patches]


def test_softmax_bars_are_the_values_given_and_say_them():
    panels = {"a": [0.7, 0.2, 0.1], "b": [0.1, 0.3, 0.6]}
    fig = softmax_bars(panels)
    for ax, (title, values) in zip(fig.axes, panels.items(), strict=True):
        np.testing.assert_allclose(heights(ax), values)
        assert ax.get_title() == title
        assert [t.get_text() for t in ax.texts] == [f"{v:.2f}" for v in values]
        assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "horse"]
    plt.close(fig)


def test_temperature_bars_are_the_softmax_at_that_temperature():
    for temperature in (0.5, 4.0):
        fig = Figure()
        draw_temperature(fig, temperature)
        ax = fig.axes[0]
        expected = softmax([5.0, 4.0, 2.0], temperature=temperature)
        np.testing.assert_allclose(heights(ax), expected)
        assert f"T = {temperature:.2f}" in ax.get_title()


def test_reliability_diagrams_plot_accuracy_confidence_and_counts_per_bin():
    rng = np.random.default_rng(0)
    probabilities = rng.dirichlet(np.full(4, 0.4), 300)
    labels = rng.integers(0, 4, 300)
    bins = reliability(probabilities, labels, n_bins=10)
    fig = reliability_diagrams({"one": bins, "two": bins})
    assert len(fig.axes) == 4  # a diagram and its count strip, twice
    top, counts = fig.axes[0], fig.axes[1]
    used = bins.counts > 0
    np.testing.assert_allclose(heights(top), bins.accuracy[used])
    dots = next(line for line in top.lines if line.get_label() == "mean confidence in bin")
    np.testing.assert_allclose(dots.get_ydata(), bins.confidence[used])
    np.testing.assert_allclose(heights(counts), bins.counts[used])
    assert [int(t.get_text()) for t in counts.texts] == bins.counts[used].tolist()
    assert counts.get_yscale() == "log" and f"ECE {bins.ece:.3f}" in top.get_title()
    plt.close(fig)


def test_confidence_histogram_gives_each_set_as_fractions_and_the_threshold():
    values = {"sure": np.array([0.99, 0.98, 0.97, 0.5]), "unsure": np.array([0.3, 0.35])}
    fig = confidence_histogram(values, bins=10, threshold=0.95)
    ax = fig.axes[0]
    for patch, (name, data) in zip(ax.patches, values.items(), strict=True):
        xy = patch.get_xy()
        expected, _ = np.histogram(data, bins=np.linspace(0, 1, 11))
        # A step outline visits each bin's top at its left and right edge.
        tops = xy[1:-1:2, 1][:10]
        np.testing.assert_allclose(tops, expected / len(data), err_msg=name)
    threshold = next(line for line in ax.lines if "threshold" in line.get_label())
    np.testing.assert_allclose(threshold.get_xdata(), [0.95, 0.95])
    plt.close(fig)


def test_gallery_titles_are_each_images_top_class_and_value():
    images = np.zeros((2, 28, 28, 1), dtype=np.float32)
    predictions = np.array([[0.1, 0.9, 0.0], [0.6, 0.3, 0.1]])
    fig = confidence_gallery({"two": images}, {"two": predictions}, per_group=3)
    titles = [ax.get_title() for ax in fig.axes[:2]]
    assert titles == ["'1' 90%", "'0' 60%"]
    assert fig.axes[0].get_ylabel() == "two" and not fig.axes[2].axison
    plt.close(fig)
