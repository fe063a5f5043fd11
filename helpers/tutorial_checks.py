"""Check cells for the "try it" exercises of notebook 06 (the Python/NumPy tutorial).

Each check calls the learner's function on named inputs and compares with the answer worked
out here. It prints one line with a tick, or raises ``ExerciseError`` (so nbgrader scores the
cell 0) saying on which input and how the result differs, without giving the code away.
A function still holding the placeholder gives ``NotDoneYet``.
"""

from __future__ import annotations

import math

import numpy as np

from helpers.checking import ExerciseError, call, differences

RELU_CASES = (-2.5, 0.0, 3.0, 0.5)


def check_relu(relu, values=RELU_CASES) -> None:
    """Exercise 1: ``relu(value)`` is the value if it is positive, else 0, for one number."""
    for value in values:
        got = call("relu", relu, value)
        expected = max(value, 0.0)
        if differences(got, expected, rtol=0, atol=0):
            raise ExerciseError(f"✗ relu({value:g}) returned {got!r}, expected {expected:g}.")
    print(f"✓ relu is right on {', '.join(f'{v:g}' for v in values)}.")


def check_count_digits(count_digits, labels) -> None:
    """Exercise 2: ``count_digits(labels)`` is a dict digit -> how many times it occurs in
    ``labels`` (a 1-D array of ints), with only the digits that occur as keys."""
    labels = np.asarray(labels)
    got = call("count_digits", count_digits, labels.copy())
    if not isinstance(got, dict):
        raise ExerciseError(f"✗ count_digits should return a dict, got {type(got).__name__}.")
    digits, counts = np.unique(labels, return_counts=True)
    expected = {int(d): int(c) for d, c in zip(digits, counts, strict=True)}
    where = f"the {len(labels)} labels {labels[:8].tolist()}{'...' if len(labels) > 8 else ''}"
    for digit, count in expected.items():
        if digit not in got:
            raise ExerciseError(f"✗ count_digits on {where}: digit {digit} occurs {count} "
                                "times but is not a key of your dict.")
        if got[digit] != count:
            raise ExerciseError(f"✗ count_digits on {where}: digit {digit} occurs {count} "
                                f"times, your dict says {got[digit]!r}.")
    extra = [key for key in got if key not in expected]
    if extra:
        raise ExerciseError(f"✗ count_digits on {where}: key {extra[0]!r} is not a digit "
                            "that occurs in the labels; leave it out.")
    print(f"✓ count_digits: all {len(expected)} digits of {where} counted right.")


def check_neuron(neuron_class, weights=(0.5, -1.0), bias=0.25, inputs=(2.0, 1.0)) -> None:
    """Exercise 3: ``neuron_class(weights, bias).fire(inputs)`` is
    sigmoid(weights · inputs + bias), for lists of numbers."""
    unit = call("Neuron(weights, bias)", neuron_class, list(weights), bias)
    fired = call("fire", getattr(unit, "fire", None), list(inputs))
    total = sum(w * x for w, x in zip(weights, inputs, strict=True)) + bias
    expected = 1 / (1 + math.exp(-total))
    where = f"weights {tuple(weights)}, bias {bias:g}, inputs {tuple(inputs)}"
    if differences(fired, expected, rtol=1e-9, atol=1e-12):
        raise ExerciseError(f"✗ fire() with {where} gave {fired!r}, expected {expected:.6f} "
                            f"(the weighted sum plus the bias is {total:g}).")
    print(f"✓ fire() gives {expected:.4f} for {where}.")


def check_sevens(select_sevens, images, labels) -> None:
    """Exercise 4: ``select_sevens(images, labels)`` is every image whose label is 7, in
    order. images (n, 28, 28, 1), labels (n,)."""
    got = np.asarray(call("select_sevens", select_sevens, images.copy(), labels.copy()))
    expected = images[labels == 7]
    if got.shape != expected.shape:
        raise ExerciseError(f"✗ select_sevens on {len(images)} images: shape {got.shape}, "
                            f"expected {expected.shape} (there are {len(expected)} sevens).")
    same = np.all(got.reshape(len(got), -1) == expected.reshape(len(expected), -1), axis=1)
    if not same.all():
        first = int(np.argmin(same))
        raise ExerciseError(f"✗ select_sevens on {len(images)} images: {int((~same).sum())} "
                            f"of {len(expected)} images differ; the first is number {first} "
                            "of your selection. Keep the images in their order.")
    print(f"✓ select_sevens: {len(expected)} sevens of {len(images)} images, in order.")


def check_centred(centre_each, images) -> None:
    """Exercise 5: ``centre_each(images)`` subtracts from each image its own mean pixel value
    (one mean per image). images (n, 28, 28, 1); the result has the same shape."""
    got = np.asarray(call("centre_each", centre_each, images.copy()))
    expected = images - images.mean(axis=(1, 2, 3), keepdims=True)
    problems = differences(got, expected, rtol=1e-5, atol=1e-6)
    if problems:
        means = (got.reshape(len(got), -1).mean(axis=1) if got.shape == expected.shape
                 else None)
        after = (f"\nAfter yours, image 0 has mean {means[0]:.4g} and image 1 {means[1]:.4g}; "
                 "each should be 0." if means is not None else "")
        raise ExerciseError(f"✗ centre_each on {len(images)} images: " + "\n".join(problems)
                            + after)
    print(f"✓ centre_each: each of the {len(images)} images now has mean 0.")
