"""digit_grid: each digit shown under its own label, wrong predictions in red."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba

from helpers.plots import digit_grid


def test_each_panel_shows_its_digit_and_title():
    images = np.arange(3 * 28 * 28, dtype=float).reshape(3, 28, 28, 1)
    fig = digit_grid(images, labels=[1, 2, 3], predicted=[1, 5, 3], ncols=2)
    axes = fig.axes
    assert len(axes) == 4  # 2 x 2 grid, one panel left empty
    for index in range(3):
        np.testing.assert_array_equal(axes[index].images[0].get_array(), images[index, :, :, 0])
    assert [ax.get_title() for ax in axes[:3]] == ["1 →1", "2 →5", "3 →3"]
    colours = [to_rgba(ax.title.get_color()) for ax in axes[:3]]
    assert colours == [to_rgba("black"), to_rgba("crimson"), to_rgba("black")]
    assert not axes[3].images
    plt.close(fig)


def test_labels_alone_and_a_title():
    fig = digit_grid(np.zeros((2, 28, 28)), labels=[7, 8], title="two digits")
    assert [ax.get_title() for ax in fig.axes] == ["7", "8"]
    assert fig._suptitle.get_text() == "two digits"
    plt.close(fig)


def test_a_wrong_shape_is_explained():
    with pytest.raises(ValueError, match=r"shape \(N, H, W\) or \(N, H, W, 1\)"):
        digit_grid(np.zeros((28, 28)))
