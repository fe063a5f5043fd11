"""The exercise checks: silent-free ticks when right, sentences that locate the error when not."""

import numpy as np
import pytest

from helpers.checking import (
    ExerciseError,
    NotDoneYet,
    call,
    check_function,
    compare,
    differences,
    require,
)


def test_matching_arrays_print_a_tick(capsys):
    compare("softmax", [0.5, 0.5], np.array([0.5, 0.5]), on="scores [1, 1]")
    assert capsys.readouterr().out == "✓ softmax on scores [1, 1]: all 2 entries match.\n"


def test_a_wrong_entry_is_named_with_both_values_and_the_gap():
    with pytest.raises(ExerciseError) as raised:
        compare("dx", np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 2.0], [3.0, 4.5]]))
    message = str(raised.value)
    assert "1 of 4 entries differ" in message
    assert "[1, 1]: got 4, expected 4.5 (off by -0.5)" in message


def test_only_the_first_entries_are_listed():
    lines = differences(np.zeros(20), np.ones(20))
    assert lines[0] == "20 of 20 entries differ; the first 5:"
    assert len(lines) == 6


def test_shapes_must_agree_without_broadcasting():
    assert differences(np.zeros(3), np.zeros((3, 1))) == ["shape (3,), expected (3, 1)"]


def test_nan_never_matches_and_scalars_work():
    assert differences(float("nan"), 1.0)[1].startswith("  the value: got nan")
    assert differences(2.0, 2.0 + 1e-12) == []


def test_not_numbers_is_said():
    assert differences("cat", 1.0)[0].startswith("expected numbers, got str")


def test_the_placeholder_is_not_done_yet_and_other_errors_are_named():
    def placeholder(x):
        raise NotImplementedError()

    with pytest.raises(NotDoneYet, match="not written yet"):
        call("softmax", placeholder, 1)
    assert issubclass(NotDoneYet, NotImplementedError)
    with pytest.raises(ExerciseError, match="raised ZeroDivisionError"):
        call("ratio", lambda x: x / 0, 1)
    with pytest.raises(ExerciseError, match="should be a function"):
        call("softmax", 3)


def test_check_function_names_the_failing_case_and_protects_inputs(capsys):
    def doubles_in_place(x):
        x *= 2
        return x

    check_function("double", doubles_in_place, lambda x: x * 2,
                   {"ones": (np.ones(3),), "a range": (np.arange(4.0),)})
    assert "right on 2 inputs: ones, a range" in capsys.readouterr().out
    with pytest.raises(ExerciseError, match="on a range"):
        check_function("double", lambda x: x + x if x.size < 4 else x, lambda x: 2 * x,
                       {"ones": (np.ones(3),), "a range": (np.arange(4.0),)})


def test_require_names_the_missing_variable():
    assert require({"a": 1, "b": 2}, ["b", "a"], "step 2") == [2, 1]
    with pytest.raises(NotDoneYet, match="step 2 is not done yet: c is not defined"):
        require({"a": 1}, ["a", "c"], "step 2")
