"""Check cells for the "try it" exercises of notebook 06 (the Python/NumPy tutorial).

Each check prints one friendly line: a tick and what was right, or a cross and a hint. They
return nothing, so a check cell shows only that line.
"""

from __future__ import annotations

import numpy as np


def _say(ok: bool, good: str, hint: str) -> None:
    print(("✓ " + good) if ok else ("✗ " + hint))


def check_relu(function) -> None:
    """Exercise 1: a function returning max(0, value) for one number."""
    cases = {-2.5: 0.0, 0.0: 0.0, 3.0: 3.0, 0.5: 0.5}
    try:
        results = {value: function(value) for value in cases}
    except Exception as error:  # the learner's code may raise anything
        return _say(False, "", f"your function raised {type(error).__name__}: {error}")
    wrong = [value for value, expected in cases.items() if results[value] != expected]
    if wrong:
        return _say(False, "", f"relu({wrong[0]}) should be {cases[wrong[0]]}, "
                               f"got {results[wrong[0]]}.")
    return _say(True, "relu is right on negative, zero and positive inputs.", "")


def check_digit_counts(counts, labels) -> None:
    """Exercise 2: a dict digit -> how many times it occurs in ``labels``."""
    expected = {int(k): int(v) for k, v in zip(*np.unique(labels, return_counts=True),
                                               strict=True)}
    if not isinstance(counts, dict):
        return _say(False, "", f"expected a dict, got {type(counts).__name__}.")
    given = {int(k): int(v) for k, v in counts.items()}
    missing = sorted(set(expected) - set(given))
    wrong = sorted(k for k in expected if k in given and given[k] != expected[k])
    return _say(not missing and not wrong and len(given) == len(expected),
                f"all {len(expected)} digits counted correctly.",
                f"missing digits {missing}" if missing else
                f"digit {wrong[0]}: you counted {given[wrong[0]]}, there are {expected[wrong[0]]}."
                if wrong else "there are keys that are not digits in the labels.")


def check_neuron(cls) -> None:
    """Exercise 3: a class built with (weights, bias) whose fire(inputs) returns
    sigmoid(weights · inputs + bias)."""
    try:
        unit = cls([0.5, -1.0], 0.25)
        fired = unit.fire([2.0, 1.0])
    except Exception as error:
        return _say(False, "", f"building or firing your neuron raised "
                               f"{type(error).__name__}: {error}")
    expected = 1 / (1 + np.exp(-(0.5 * 2.0 - 1.0 * 1.0 + 0.25)))
    return _say(bool(np.isclose(fired, expected)),
                f"fire() gives {expected:.4f} for weights (0.5, -1), bias 0.25, inputs (2, 1).",
                f"fire() gave {fired}, expected {expected:.4f}: did you apply the sigmoid?")


def check_sevens(selection, images, labels) -> None:
    """Exercise 4: every image whose label is 7, in order, by boolean indexing."""
    expected = images[labels == 7]
    selection = np.asarray(selection)
    return _say(selection.shape == expected.shape and np.array_equal(selection, expected),
                f"{len(expected)} sevens selected, in order.",
                f"expected shape {expected.shape}, got {selection.shape}: index with "
                "a boolean array, labels == 7.")


def check_centred(centred, images) -> None:
    """Exercise 5: each image minus its own mean pixel value, by broadcasting."""
    centred = np.asarray(centred)
    expected = images - images.mean(axis=(1, 2, 3), keepdims=True)
    ok = centred.shape == expected.shape and np.allclose(centred, expected, atol=1e-6)
    return _say(ok, "every image now has mean 0.",
                "subtract images.mean(axis=(1, 2, 3), keepdims=True): one mean per image.")
