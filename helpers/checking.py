"""Checks for the learner's exercises: they say at once, in words, what is wrong.

A check compares what the learner's code gives with the course's reference on named inputs.
When everything matches it prints one line starting with a tick. Otherwise it raises
``ExerciseError`` (an ``AssertionError``, so nbgrader scores the check cell 0) whose message
names the input, the shape, and the first entries that differ, with both values and the gap,
as makemore's ``cmp`` and CS231n's check cells do. Code that still raises
``NotImplementedError`` (the learner edition's placeholder) gives ``NotDoneYet``, itself a
``NotImplementedError``: in an unfinished learner notebook every error is one of those.

    from helpers.checking import check_function, compare
    check_function("softmax", softmax, reference.softmax,
                   {"the lesson's first row": (np.array([5.0, 4.0, 2.0]),)})
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

SHOW = 5  # differing entries listed in a message


class NotDoneYet(NotImplementedError):
    """The exercise is still the placeholder: write it in the cell above the check."""


class ExerciseError(AssertionError):
    """The exercise gives a wrong answer; the message says where and by how much."""


def _fmt(value) -> str:
    return np.format_float_positional(float(value), precision=6, unique=True, trim="-") \
        if np.isfinite(value) else str(float(value))


def differences(got, expected, rtol: float = 1e-6, atol: float = 1e-8) -> list[str]:
    """Why ``got`` is not ``expected``, as sentences; an empty list when they match.

    Both are array-likes of any shape (scalars too). Shapes must agree exactly (no
    broadcasting: a (3,) answer for a (3, 1) question is a mistake worth naming); entries
    must agree to ``atol + rtol * |expected|``, and NaN never agrees.
    """
    try:
        got_array = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return [f"expected numbers, got {type(got).__name__}: {str(got)[:80]}"]
    expected_array = np.asarray(expected, dtype=np.float64)
    if got_array.shape != expected_array.shape:
        return [f"shape {got_array.shape}, expected {expected_array.shape}"]
    close = np.isclose(got_array, expected_array, rtol=rtol, atol=atol)
    if close.all():
        return []
    wrong = np.argwhere(~close) if got_array.ndim else [()]
    lines = [f"{len(wrong)} of {expected_array.size} entries differ"
             + (f"; the first {SHOW}:" if len(wrong) > SHOW else ":")]
    for index in wrong[:SHOW]:
        index = tuple(int(i) for i in index)
        g, e = got_array[index], expected_array[index]
        where = f"[{', '.join(map(str, index))}]" if index else "the value"
        lines.append(f"  {where}: got {_fmt(g)}, expected {_fmt(e)} (off by {_fmt(g - e)})")
    return lines


def compare(name: str, got, expected, on: str = "", rtol: float = 1e-6,
            atol: float = 1e-8) -> None:
    """Print a tick if ``got`` matches ``expected`` (see ``differences``), else raise
    ``ExerciseError`` saying what differs. ``on`` names the input, e.g. "scores [5, 4, 2]"."""
    problems = differences(got, expected, rtol, atol)
    where = f" on {on}" if on else ""
    if problems:
        raise ExerciseError(f"✗ {name}{where}: " + "\n".join(problems))
    size = np.asarray(expected).size
    print(f"✓ {name}{where}: all {size} entries match." if size > 1
          else f"✓ {name}{where}: matches.")


def call(name: str, function: Callable, *args, **kwargs):
    """``function(*args, **kwargs)``, with the learner's exceptions turned into sentences:
    ``NotDoneYet`` for the placeholder, ``ExerciseError`` naming any other exception."""
    if not callable(function):
        raise ExerciseError(f"✗ {name} should be a function, but it is "
                            f"{type(function).__name__}.")
    try:
        return function(*args, **kwargs)
    except NotImplementedError as error:
        raise NotDoneYet(f"{name} is not written yet: replace `raise NotImplementedError()` "
                         "in the cell above with your code, run that cell, then this one.") \
            from error
    except Exception as error:  # the learner's code may raise anything; say what it was
        raise ExerciseError(f"✗ {name} raised {type(error).__name__}: {error}") from error


def check_function(name: str, function: Callable, reference: Callable,
                   cases: Mapping[str, tuple], rtol: float = 1e-6, atol: float = 1e-8,
                   quiet: bool = False) -> None:
    """Run ``function`` and ``reference`` on every case (label -> positional arguments) and
    compare their results. Arguments are copied first, so a function that changes its input
    in place cannot change what the reference sees. Prints one tick line for all cases."""
    for label, args in cases.items():
        expected = reference(*[np.copy(a) if isinstance(a, np.ndarray) else a for a in args])
        got = call(name, function, *[np.copy(a) if isinstance(a, np.ndarray) else a
                                     for a in args])
        problems = differences(got, expected, rtol, atol)
        if problems:
            raise ExerciseError(f"✗ {name} on {label}: " + "\n".join(problems))
    if not quiet:
        print(f"✓ {name} is right on {len(cases)} input{'s' if len(cases) != 1 else ''}: "
              + ", ".join(cases) + ".")


def require(names: Mapping[str, object], wanted: list[str], exercise: str) -> list:
    """The values of ``wanted`` from ``names`` (a notebook's ``globals()``), or ``NotDoneYet``
    naming the first one that is missing: for exercises that bind variables, not functions."""
    missing = [n for n in wanted if n not in names]
    if missing:
        raise NotDoneYet(f"{exercise} is not done yet: {missing[0]} is not defined. Write it in "
                         "the cell above and run that cell.")
    return [names[n] for n in wanted]
