"""Assignment 2, part 1: the step-by-step backpropagation tables, and the maths behind them.

The network of the "neural network from scratch in Python and R" article (Analytics Vidhya,
2017): 3 samples of 4 features, one hidden layer of 3 sigmoid neurons, one sigmoid output,
learning rate 0.1. Steps 0 to 11 walk one forward and one backward pass:

    0  read X and y                       6  slopes: a * (1 - a) for output and hidden
    1  initialise wh, bh, wout, bout      7  d_output = E * slope_output_layer
    2  hidden_layer_input = X.wh + bh     8  error_at_hidden_layer = d_output . wout^T
    3  hidden_layer_activations = sigmoid 9  d_hiddenlayer = error_at_hidden * slope_hidden
    4  output = sigmoid(H.wout + bout)    10 wout += H^T.d_output.lr; wh += X^T.d_hidden.lr
    5  E = y - output                     11 bout += sum(d_output).lr; bh += sum(d_hidden).lr

Array shapes: X (3, 4), y (3, 1), wh (4, 3), bh (1, 3), wout (3, 1), bout (1, 1).
The network's forward pass is written once, in ``forward``; the loss, the tables, the autodiff
gradients and training all call it. Writing, reading and checking a hand-in is in
``helpers.tables_handin``.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np

from helpers.autodiff import Value, sigmoid
from helpers.checking import ExerciseError, differences, require

X = np.array([[1, 0, 1, 0], [1, 0, 1, 1], [0, 1, 0, 1]], dtype=np.float64)
Y = np.array([[1], [1], [0]], dtype=np.float64)
LEARNING_RATE = 0.1
SHAPES = {"wh": (4, 3), "bh": (1, 3), "wout": (3, 1), "bout": (1, 1)}
COURSE_SEED = 0
N_ENTRIES = sum(rows * cols for rows, cols in SHAPES.values())  # 19 initial values

# The wide table's columns, in the article's order, then the slopes and deltas.
COLUMNS = ("X", "wh", "bh", "hidden_layer_input", "hidden_layer_activations", "wout", "bout",
           "output", "y", "E", "slope_output_layer", "slope_hidden_layer", "d_output",
           "error_at_hidden_layer", "d_hiddenlayer")

# step -> (title, formula, columns it computes, columns it reads)
STEPS = {
    0: ("Read input and output", "X, y", ("X", "y"), ()),
    1: ("Initialise weights and biases", "wh, bh, wout, bout drawn from [0, 1)",
        ("wh", "bh", "wout", "bout"), ()),
    2: ("Hidden layer input", "hidden_layer_input = X · wh + bh", ("hidden_layer_input",),
        ("X", "wh", "bh")),
    3: ("Hidden activations", "hidden_layer_activations = sigmoid(hidden_layer_input)",
        ("hidden_layer_activations",), ("hidden_layer_input",)),
    4: ("Output", "output = sigmoid(hidden_layer_activations · wout + bout)", ("output",),
        ("hidden_layer_activations", "wout", "bout")),
    5: ("Error", "E = y - output", ("E",), ("y", "output")),
    6: ("Slopes", "slope = a · (1 - a) for the output and the hidden activations",
        ("slope_output_layer", "slope_hidden_layer"), ("output", "hidden_layer_activations")),
    7: ("Delta at the output", "d_output = E * slope_output_layer", ("d_output",),
        ("E", "slope_output_layer")),
    8: ("Error at the hidden layer", "error_at_hidden_layer = d_output · woutᵀ",
        ("error_at_hidden_layer",), ("d_output", "wout")),
    9: ("Delta at the hidden layer", "d_hiddenlayer = error_at_hidden_layer * slope_hidden_layer",
        ("d_hiddenlayer",), ("error_at_hidden_layer", "slope_hidden_layer")),
    10: ("Update the weights", "wout += hidden_layer_activationsᵀ · d_output · lr;  "
         "wh += Xᵀ · d_hiddenlayer · lr", ("wout", "wh"),
         ("hidden_layer_activations", "d_output", "X", "d_hiddenlayer")),
    11: ("Update the biases", "bout += Σ d_output · lr;  bh += Σ d_hiddenlayer · lr",
         ("bout", "bh"), ("d_output", "d_hiddenlayer")),
}


class InitialValuesError(ValueError):
    """Initial weights that the network cannot use; the message says which and why."""


def initial_values(seed: int) -> dict:
    """Weights and biases drawn uniformly from [0, 1), as the article does, from ``seed``."""
    rng = np.random.default_rng(seed)
    return {name: rng.random(shape) for name, shape in SHAPES.items()}


COURSE_DEFAULT_INIT = initial_values(COURSE_SEED)

# The article's own initial values, from its picture walk-through (step 1). The article's
# pictures are not stored here; these numbers are transcribed in many public re-implementations.
ARTICLE_INIT = {
    "wh": np.array([[0.42, 0.88, 0.55], [0.10, 0.73, 0.68], [0.60, 0.18, 0.47],
                    [0.92, 0.11, 0.52]]),
    "bh": np.array([[0.46, 0.72, 0.08]]),
    "wout": np.array([[0.30], [0.25], [0.23]]),
    "bout": np.array([[0.69]]),
}
SAME_WITHIN = 5e-4  # "the same value": equal at the 3 decimal places the notebook prints


_ALL_NUMBERS = object()


def _first_non_number(value):
    """The first entry of a nested list/array that is not a real number (or _ALL_NUMBERS)."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "iuf":
            return _ALL_NUMBERS
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        for item in value:
            odd = _first_non_number(item)
            if odd is not _ALL_NUMBERS:
                return odd
        return _ALL_NUMBERS
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return value
    return _ALL_NUMBERS


def check_initial_values(values) -> dict:
    """Validate a learner's initial values; returns float64 copies.

    Each of wh (4, 3), bh (1, 3), wout (3, 1), bout (1, 1) must be there, numeric, finite
    and of that shape (a flat list of the right length is reshaped).
    """
    if not isinstance(values, dict):
        raise InitialValuesError("give the initial values as a dict with keys "
                                 f"{', '.join(SHAPES)}, e.g. {{'wh': [[...], ...], ...}}.")
    missing = [name for name in SHAPES if name not in values]
    if missing:
        raise InitialValuesError(f"missing initial values for {', '.join(missing)}; "
                                 f"all of {', '.join(SHAPES)} are needed.")
    extra = sorted(set(values) - set(SHAPES))
    if extra:
        raise InitialValuesError(f"unknown names {', '.join(extra)}; use {', '.join(SHAPES)}.")
    checked = {}
    for name, shape in SHAPES.items():
        odd = _first_non_number(values[name])
        if odd is not _ALL_NUMBERS:
            raise InitialValuesError(f"{name} must hold numbers only; found {odd!r} "
                                     f"in {values[name]!r}.")
        try:
            array = np.array(values[name], dtype=np.float64)
        except (TypeError, ValueError):  # rows of different lengths
            raise InitialValuesError(f"{name} must be {shape[0]} rows of {shape[1]} numbers "
                                     f"each; got {values[name]!r}.") from None
        if array.ndim <= 1 and array.size == int(np.prod(shape)):
            array = array.reshape(shape)  # a flat list or a single number, in row order
        if array.shape != shape:
            raise InitialValuesError(f"{name} must have shape {shape} ({shape[0]} rows of "
                                     f"{shape[1]}), got shape {array.shape}.")
        if not np.all(np.isfinite(array)):
            raise InitialValuesError(f"{name} contains NaN or infinity; use finite numbers.")
        checked[name] = array
    return checked


def _entry(name: str, index: tuple) -> str:
    return f"{name}[{index[0]},{index[1]}]" if np.prod(SHAPES[name]) > 1 else name


def reused_entries(values: dict) -> list[str]:
    """The entries of ``values`` (checked as by ``check_initial_values``) that equal, to 3
    decimal places, the course default or the article's published value in the same place:
    one sentence each, e.g. "wh[0,0] = 0.42 is the article's value"."""
    values = check_initial_values(values)
    found = []
    for name in SHAPES:
        for index, value in np.ndenumerate(values[name]):
            for source, reference in (("the course default", COURSE_DEFAULT_INIT),
                                      ("the article's value", ARTICLE_INIT)):
                if abs(value - reference[name][index]) < SAME_WITHIN:
                    found.append(f"{_entry(name, index)} = {value:.4g} is {source}")
                    break
    return found


def check_own_values(values: dict) -> None:
    """The check after step 1: every one of the 19 entries must be the learner's own.

    Raises ``ExerciseError`` naming each entry equal to the course default or the article's
    value in the same place; prints a tick otherwise."""
    try:
        reused = reused_entries(values)
    except InitialValuesError as error:
        raise ExerciseError(f"✗ initial values: {error}") from None
    if reused:
        raise ExerciseError(f"✗ {len(reused)} of {N_ENTRIES} initial values are not your own: "
                            + "; ".join(reused)
                            + ". Pick another seed, or change those entries in my_values.")
    print(f"✓ initial values: all {N_ENTRIES} entries are your own (none equals the course "
          "default or the article's value in its place).")


@dataclass
class Tables:
    """The quantities after each step: ``snapshots[s][column]`` is a 2-D array, for s in 0..11.

    A column not yet computed at step s is absent from ``snapshots[s]``.
    """

    initial: dict
    lr: float
    snapshots: list = field(default_factory=list)


def forward(params: dict, x: np.ndarray = X) -> dict:
    """The network's forward pass (steps 2 to 4) for inputs x (n, 4).

    Returns hidden_layer_input (n, 3), hidden_layer_activations (n, 3) and output (n, 1).
    ``params`` may hold float arrays, or object arrays of autodiff ``Value``s.
    """
    hidden_input = x @ params["wh"] + params["bh"]
    hidden = sigmoid(hidden_input)
    return {"hidden_layer_input": hidden_input, "hidden_layer_activations": hidden,
            "output": sigmoid(hidden @ params["wout"] + params["bout"])}


def loss(params: dict, x: np.ndarray = X, y: np.ndarray = Y):
    """L = ½ Σ (y - output)² over the samples x (n, 4) with targets y (n, 1).

    A float; a ``Value`` (ready for ``backward()``) when ``params`` hold Values.
    """
    total = 0.5 * ((y - forward(params, x)["output"]) ** 2).sum()
    return total if isinstance(total, Value) else float(total)


def _one_pass(init: dict, lr: float) -> tuple[dict, dict]:
    """Steps 2 to 11: (every quantity before the updates, the updated weights and biases)."""
    q = {"X": X, "y": Y, **init, **forward(init)}
    q["E"] = q["y"] - q["output"]
    q["slope_output_layer"] = q["output"] * (1 - q["output"])
    q["slope_hidden_layer"] = q["hidden_layer_activations"] * (1 - q["hidden_layer_activations"])
    q["d_output"] = q["E"] * q["slope_output_layer"]
    q["error_at_hidden_layer"] = q["d_output"] @ q["wout"].T
    q["d_hiddenlayer"] = q["error_at_hidden_layer"] * q["slope_hidden_layer"]
    updated = {"wout": q["wout"] + q["hidden_layer_activations"].T @ q["d_output"] * lr,
               "wh": q["wh"] + q["X"].T @ q["d_hiddenlayer"] * lr,
               "bout": q["bout"] + q["d_output"].sum(axis=0, keepdims=True) * lr,
               "bh": q["bh"] + q["d_hiddenlayer"].sum(axis=0, keepdims=True) * lr}
    return q, updated


def check_samples(x, y) -> tuple[np.ndarray, np.ndarray]:
    """Inputs x as (n, 4) and targets y as (n, 1) float arrays; one sample may be given flat
    (x of 4 numbers, y a number). Raises ``InitialValuesError`` saying what does not fit."""
    try:
        x, y = np.array(x, dtype=np.float64), np.array(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise InitialValuesError("inputs and targets must be numbers.") from None
    x = x.reshape(1, -1) if x.ndim == 1 else x
    if x.ndim != 2 or x.shape[1] != 4:
        raise InitialValuesError(f"inputs must be rows of 4 numbers (shape (n, 4)), got shape "
                                 f"{x.shape}.")
    if y.size != x.shape[0]:
        raise InitialValuesError(f"{x.shape[0]} input rows need {x.shape[0]} targets, got "
                                 f"{y.size}.")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise InitialValuesError("inputs and targets contain NaN or infinity.")
    return x, y.reshape(-1, 1)


def _check_learning_rate(lr) -> None:
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not math.isfinite(lr):
        raise InitialValuesError(f"the learning rate must be a finite number, got {lr!r}.")


def compute_tables(initial: dict, lr: float = LEARNING_RATE) -> Tables:
    """Run steps 0 to 11 once, keeping every quantity after every step."""
    init = check_initial_values(initial)
    _check_learning_rate(lr)
    return _tables(init, *_one_pass(init, lr), lr)


def _tables(init: dict, before: dict, updated: dict, lr: float) -> Tables:
    """Snapshots after every step, from the quantities of one pass (see ``_one_pass``)."""
    tables = Tables(init, lr)
    state: dict = {}
    for step, (_, _, computed, _) in STEPS.items():
        source = updated if step >= 10 else before
        state.update({name: source[name] for name in computed})
        tables.snapshots.append({name: value.copy() for name, value in state.items()})
    return tables


def article_updates(tables: Tables) -> dict:
    """What steps 10 and 11 add to each parameter (final minus initial)."""
    first, last = tables.snapshots[1], tables.snapshots[11]
    return {name: last[name] - first[name] for name in SHAPES}


def autodiff_gradients(params: dict, x: np.ndarray = X, y: np.ndarray = Y) -> dict:
    """dL/dparam for every parameter (each of its shape in SHAPES), by the course's autodiff
    engine, for the samples x (n, 4) with targets y (n, 1)."""
    params = check_initial_values(params)
    x, y = check_samples(x, y)
    nodes = {name: np.vectorize(Value, otypes=[object])(params[name]) for name in SHAPES}
    loss(nodes, x, y).backward()
    return {name: np.vectorize(lambda node: node.grad, otypes=[np.float64])(nodes[name])
            for name in SHAPES}


def train(initial: dict, epochs: int, lr: float = LEARNING_RATE) -> tuple[list, np.ndarray]:
    """Repeat the one-pass update ``epochs`` times.

    Returns (the loss before each epoch and after the last, the final output (3, 1)).
    """
    params = check_initial_values(initial)
    _check_learning_rate(lr)
    losses = []
    for _ in range(epochs):
        losses.append(loss(params))
        params = _one_pass(params, lr)[1]
    losses.append(loss(params))
    return losses, forward(params)["output"]


# -- the learner's own steps (notebook 05) ---------------------------------------------------
# step -> the variables the learner binds in it, with the article's names. The updates get a
# suffix so that the old weights, which steps 2 to 9 read, stay as they were.
STEP_VARIABLES = {
    2: ("hidden_layer_input",), 3: ("hidden_layer_activations",), 4: ("output",), 5: ("E",),
    6: ("slope_output_layer", "slope_hidden_layer"), 7: ("d_output",),
    8: ("error_at_hidden_layer",), 9: ("d_hiddenlayer",),
    10: ("wout_updated", "wh_updated"), 11: ("bout_updated", "bh_updated"),
}


def _column(variable: str) -> str:
    return variable.removesuffix("_updated")


def _learner_init(names: dict) -> dict:
    """The learner's initial wh, bh, wout, bout (step 1), from their notebook's globals()."""
    try:
        return check_initial_values(dict(zip(SHAPES, require(names, list(SHAPES), "step 1"),
                                             strict=True)))
    except InitialValuesError as error:
        raise ExerciseError(f"✗ step 1: {error}") from None


def _wrong(step: int, names: dict, init: dict, expected: tuple[dict, dict]) -> list[str]:
    """Sentences on what differs in ``step``'s variables (which must all be bound)."""
    problems = []
    for variable in STEP_VARIABLES[step]:
        truth = expected[1 if step >= 10 else 0][_column(variable)]
        gaps = differences(names[variable], truth, rtol=1e-9, atol=1e-12)
        if gaps:
            problems.append(f"{variable} " + "\n".join(gaps))
    return problems


def check_step(step: int, names: dict) -> None:
    """The check after step ``step`` (1 to 11; step 1 is ``check_own_values``): the learner's
    arrays, from ``names`` (their
    notebook's globals()), against the reference computed from their own initial values.

    Prints a tick, raises ``NotDoneYet`` if a variable is not bound yet, or ``ExerciseError``
    saying which entries differ (and which earlier step to fix first, if one is wrong)."""
    if step != 1 and step not in STEP_VARIABLES:
        raise ValueError(f"the learner writes steps 1 to 11, got {step}.")
    init = _learner_init(names)
    if step == 1:
        return check_own_values(init)
    require(names, list(STEP_VARIABLES[step]), f"step {step}")
    first = names.get("initial")  # the notebook's step 1 copies wh, ... from it
    for name in SHAPES if isinstance(first, dict) else ():
        if not np.array_equal(np.asarray(first.get(name), dtype=float), init[name]):
            raise ExerciseError(f"✗ {name} changed after step 1: steps 2 to 9 read the old "
                                f"weights. Write {name}_updated = {name} + ..., not {name} += "
                                "..., then run the notebook again from step 1.")
    expected = _one_pass(init, LEARNING_RATE)
    problems = _wrong(step, names, init, expected)
    if problems:
        earlier = [s for s in range(2, step)
                   if all(v in names for v in STEP_VARIABLES[s])
                   and _wrong(s, names, init, expected)]
        hint = (f"\n(step {earlier[0]} is wrong too, and this step reads it: fix step "
                f"{earlier[0]} first.)" if earlier else "")
        raise ExerciseError(f"✗ step {step}, for your initial values: "
                            + "\n".join(problems) + hint)
    shapes = ", ".join(f"{v} {np.shape(names[v])}" for v in STEP_VARIABLES[step])
    print(f"✓ step {step}: {shapes} match the reference for your initial values.")


def learner_tables(names: dict, lr: float = LEARNING_RATE) -> Tables:
    """The tables of steps 0 to 11 built from the learner's own arrays (from ``names``, their
    notebook's globals()); ``NotDoneYet`` names the first step not written yet."""
    init = _learner_init(names)
    before = {"X": X, "y": Y, **init}
    updated = {}
    for step, variables in STEP_VARIABLES.items():
        values = require(names, list(variables), f"step {step}")
        target = updated if step >= 10 else before
        for variable, value in zip(variables, values, strict=True):
            target[_column(variable)] = np.asarray(value, dtype=np.float64)
    return _tables(init, before, updated, lr)
