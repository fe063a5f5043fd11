"""The non-digit images: right shape and range, and the same on every run."""

import numpy as np
import pytest

from helpers import ood_images


@pytest.mark.parametrize("images", [
    ood_images.noise(3), ood_images.blanks(), ood_images.shapes(), ood_images.letters("AB"),
    ood_images.inverted(np.zeros((2, 28, 28, 1))), ood_images.rotated(np.zeros((2, 28, 28, 1))),
])
def test_shape_dtype_and_range(images):
    assert images.shape[1:] == (28, 28, 1) and images.dtype == np.float32
    assert 0.0 <= images.min() and images.max() <= 1.0


def test_drawn_images_have_ink_and_repeat_exactly():
    for make in (ood_images.shapes, ood_images.letters):
        first, second = make(), make()
        np.testing.assert_array_equal(first, second)
        assert (first.reshape(len(first), -1).max(axis=1) > 0.9).all()
    np.testing.assert_array_equal(ood_images.noise(2, seed=5), ood_images.noise(2, seed=5))


def test_rotation_by_two_quarter_turns_is_upside_down():
    digit = np.zeros((1, 28, 28, 1), dtype=np.float32)
    digit[0, 0, 0, 0] = 1.0
    assert ood_images.rotated(digit)[0, 27, 27, 0] == 1.0


def test_no_letters_is_explained():
    with pytest.raises(ValueError, match="at least one character"):
        ood_images.letters("")
