"""The confusion matrix and its picture, the training curves: the computed and the plotted data."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba

from helpers.evaluation import (
    confusion_matrix,
    mistakes,
    most_confused,
    plot_confusion,
    plot_history,
)

TRUE = np.array([0, 0, 1, 2, 2, 2])
PREDICTED = np.array([0, 1, 1, 0, 0, 2])  # a 0 read as 1, two 2s read as 0


def test_rows_are_true_classes_and_columns_predictions():
    matrix = confusion_matrix(TRUE, PREDICTED, n_classes=3)
    np.testing.assert_array_equal(matrix, [[1, 1, 0], [0, 1, 0], [2, 0, 1]])
    assert matrix.dtype == np.int64 and matrix.sum() == len(TRUE)
    # A transposed matrix would put the two 2s read as 0 at [0, 2].
    assert matrix[2, 0] == 2 and matrix[0, 2] == 0


def test_a_class_never_seen_still_has_its_row_and_column():
    matrix = confusion_matrix([0, 1], [1, 1], n_classes=4)
    assert matrix.shape == (4, 4) and matrix[3].sum() == matrix[:, 3].sum() == 0


@pytest.mark.parametrize("true, predicted, message", [
    ([0, 1], [0], "same length"),
    ([0, 10], [0, 1], r"true labels must lie in 0\.\.9"),
    ([0, 1], [0, -1], r"predictions must lie in 0\.\.9"),
    ([0.0, 1.0], [0, 1], "whole class numbers"),
    ([[0, 1]], [[0, 1]], r"two \(N,\) label arrays"),
])
def test_bad_labels_are_explained(true, predicted, message):
    with pytest.raises(ValueError, match=message):
        confusion_matrix(true, predicted)


def test_mistakes_and_the_most_frequent_ones():
    matrix = confusion_matrix(TRUE, PREDICTED, n_classes=3)
    np.testing.assert_array_equal(mistakes(matrix), [[0, 1, 0], [0, 0, 0], [2, 0, 0]])
    assert most_confused(matrix) == [(2, 0, 2), (0, 1, 1)]
    assert most_confused(matrix, count=1) == [(2, 0, 2)]
    assert most_confused(np.eye(3, dtype=int)) == []


def test_the_picture_colours_the_mistakes_and_writes_every_count_where_it_belongs():
    matrix = np.array([[5, 0, 1], [0, 7, 0], [4, 0, 6]])
    fig = plot_confusion(matrix)
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), mistakes(matrix))
    written = {(round(t.get_position()[1]), round(t.get_position()[0])): t for t in ax.texts}
    assert {key: int(t.get_text()) for key, t in written.items()} == {
        (i, j): int(matrix[i, j]) for i, j in zip(*np.nonzero(matrix), strict=True)}
    # Text readable on its cell: white on the darkest mistake, black on a light one.
    assert to_rgba(written[(2, 0)].get_color()) == to_rgba("white")
    assert to_rgba(written[(0, 2)].get_color()) == to_rgba("black")
    cell = ax.images[0].cmap(ax.images[0].norm(4))
    assert sum(cell[:3]) / 3 < 0.5  # the cell under the white text is dark
    assert ax.get_xlabel() == "predicted" and ax.get_ylabel() == "true"
    plt.close(fig)


def test_history_lines_carry_the_recorded_numbers():
    history = {"loss": [0.9, 0.5, 0.3], "accuracy": [0.8, 0.9, 0.95],
               "val_loss": [1.0, 0.7, 0.8], "val_accuracy": [0.7, 0.85, 0.84]}
    fig = plot_history({"run": history, "train only": {"loss": [2.0, 1.0],
                                                       "accuracy": [0.1, 0.2]}})
    left, right = fig.axes
    lines = {line.get_label(): line for line in left.lines}
    np.testing.assert_array_equal(lines["run: train"].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(lines["run: train"].get_ydata(), history["loss"])
    np.testing.assert_array_equal(lines["run: test"].get_ydata(), history["val_loss"])
    np.testing.assert_array_equal(lines["train only: train"].get_ydata(), [2.0, 1.0])
    assert "train only: test" not in lines
    accuracy = {line.get_label(): line.get_ydata() for line in right.lines}
    np.testing.assert_array_equal(accuracy["run: test"], history["val_accuracy"])
    assert right.get_ylabel() == "accuracy" and left.get_xlabel() == "epoch"
    plt.close(fig)
