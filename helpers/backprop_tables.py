"""Assignment 2, part 1: the step-by-step backpropagation tables, computed, exported and checked.

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
"""

from __future__ import annotations

import csv
import io
import json
import math
import numbers
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

X = np.array([[1, 0, 1, 0], [1, 0, 1, 1], [0, 1, 0, 1]], dtype=np.float64)
Y = np.array([[1], [1], [0]], dtype=np.float64)
LEARNING_RATE = 0.1
SHAPES = {"wh": (4, 3), "bh": (1, 3), "wout": (3, 1), "bout": (1, 1)}
COURSE_SEED = 0

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


def sigmoid(z):
    """1 / (1 + exp(-z)), written so that no value of z overflows."""
    return np.exp(-np.logaddexp(0.0, -z))


@dataclass
class Tables:
    """The quantities after each step: ``snapshots[s][column]`` is a 2-D array, for s in 0..11.

    A column not yet computed at step s is absent from ``snapshots[s]``.
    """

    initial: dict
    lr: float
    snapshots: list = field(default_factory=list)


def compute_tables(initial: dict, lr: float = LEARNING_RATE) -> Tables:
    """Run steps 0 to 11 once, keeping every quantity after every step."""
    init = check_initial_values(initial)
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not math.isfinite(lr):
        raise InitialValuesError(f"the learning rate must be a finite number, got {lr!r}.")
    q: dict = {}
    tables = Tables(init, lr)

    def snap():
        tables.snapshots.append({key: value.copy() for key, value in q.items()})

    q["X"], q["y"] = X.copy(), Y.copy()
    snap()
    for name in ("wh", "bh", "wout", "bout"):
        q[name] = init[name].copy()
    snap()
    q["hidden_layer_input"] = q["X"] @ q["wh"] + q["bh"]
    snap()
    q["hidden_layer_activations"] = sigmoid(q["hidden_layer_input"])
    snap()
    q["output"] = sigmoid(q["hidden_layer_activations"] @ q["wout"] + q["bout"])
    snap()
    q["E"] = q["y"] - q["output"]
    snap()
    q["slope_output_layer"] = q["output"] * (1 - q["output"])
    q["slope_hidden_layer"] = q["hidden_layer_activations"] * (1 - q["hidden_layer_activations"])
    snap()
    q["d_output"] = q["E"] * q["slope_output_layer"]
    snap()
    q["error_at_hidden_layer"] = q["d_output"] @ q["wout"].T
    snap()
    q["d_hiddenlayer"] = q["error_at_hidden_layer"] * q["slope_hidden_layer"]
    snap()
    q["wout"] = q["wout"] + q["hidden_layer_activations"].T @ q["d_output"] * lr
    q["wh"] = q["wh"] + q["X"].T @ q["d_hiddenlayer"] * lr
    snap()
    q["bout"] = q["bout"] + q["d_output"].sum(axis=0, keepdims=True) * lr
    q["bh"] = q["bh"] + q["d_hiddenlayer"].sum(axis=0, keepdims=True) * lr
    snap()
    return tables


# -- the loss these updates descend ------------------------------------------------------
def loss(params: dict) -> float:
    """L = ½ Σ (y - output)² for weights ``params`` (wh, bh, wout, bout)."""
    hidden = sigmoid(X @ params["wh"] + params["bh"])
    output = sigmoid(hidden @ params["wout"] + params["bout"])
    return float(0.5 * ((Y - output) ** 2).sum())


def article_updates(tables: Tables) -> dict:
    """What steps 10 and 11 add to each parameter (final minus initial)."""
    first, last = tables.snapshots[1], tables.snapshots[11]
    return {name: last[name] - first[name] for name in SHAPES}


def numerical_gradients(params: dict, h: float = 1e-6) -> dict:
    """dL/dparam for every parameter, by central differences."""
    grads = {}
    for name in SHAPES:
        grad = np.zeros_like(params[name])
        for index in np.ndindex(grad.shape):
            up = {k: v.copy() for k, v in params.items()}
            down = {k: v.copy() for k, v in params.items()}
            up[name][index] += h
            down[name][index] -= h
            grad[index] = (loss(up) - loss(down)) / (2 * h)
        grads[name] = grad
    return grads


def autodiff_gradients(params: dict) -> dict:
    """dL/dparam for every parameter, by the course's autodiff engine (helpers.autodiff)."""
    from helpers.autodiff import Value

    nodes = {name: [[Value(v, label=f"{name}[{i},{j}]") for j, v in enumerate(row)]
                    for i, row in enumerate(params[name])] for name in SHAPES}
    total = Value(0.0)
    for x_row, y_row in zip(X, Y, strict=True):
        hidden = [(sum((float(x_row[k]) * nodes["wh"][k][j] for k in range(4)), Value(0.0))
                   + nodes["bh"][0][j]).sigmoid() for j in range(3)]
        out = (sum((hidden[j] * nodes["wout"][j][0] for j in range(3)), Value(0.0))
               + nodes["bout"][0][0]).sigmoid()
        total = total + 0.5 * (float(y_row[0]) - out) ** 2
    total.backward()
    return {name: np.array([[v.grad for v in row] for row in nodes[name]]) for name in SHAPES}


def train(initial: dict, epochs: int, lr: float = LEARNING_RATE) -> tuple[list, np.ndarray]:
    """Repeat the one-pass update ``epochs`` times: (loss before each epoch + final, output)."""
    params = check_initial_values(initial)
    losses = []
    for _ in range(epochs):
        losses.append(loss(params))
        params = {name: compute_tables(params, lr).snapshots[11][name] for name in SHAPES}
    losses.append(loss(params))
    output = sigmoid(sigmoid(X @ params["wh"] + params["bh"]) @ params["wout"] + params["bout"])
    return losses, output


# -- rendering: HTML with highlights, Markdown for hand-in, CSV ---------------------------
def _cell(matrix, row: int, decimals: int) -> str:
    if matrix is None or row >= matrix.shape[0]:
        return ""
    return " ".join(str(int(v)) if float(v).is_integer() else f"{v:.{decimals}f}"
                    for v in matrix[row])


def _rows(snapshot: dict) -> int:
    return max(value.shape[0] for value in snapshot.values())


def _check_decimals(decimals) -> None:
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 12:
        raise ValueError(f"decimals must be a whole number from 0 to 12, got {decimals!r}.")


def step_html(tables: Tables, step: int, decimals: int = 3) -> str:
    """One step's wide table as HTML: computed columns orange, columns read blue."""
    if step not in STEPS:
        raise ValueError(f"steps run from 0 to 11, got {step}.")
    _check_decimals(decimals)
    title, formula, computed, read = STEPS[step]
    snapshot = tables.snapshots[step]
    colours = {**{c: "#cfe0f7" for c in read}, **{c: "#ffd9b3" for c in computed}}
    head = "".join(f'<th style="background:{colours.get(c, "#f4f4f4")};padding:2px 6px">{c}</th>'
                   for c in COLUMNS)
    body = ""
    for row in range(_rows(snapshot)):
        cells = "".join(
            f'<td style="background:{colours.get(c, "white")};padding:2px 6px;'
            f'font-family:monospace;white-space:nowrap">'
            f"{_cell(snapshot.get(c), row, decimals)}</td>"
            for c in COLUMNS)
        body += f"<tr>{cells}</tr>"
    legend = ('<span style="background:#ffd9b3;padding:0 6px">computed in this step</span> '
              '<span style="background:#cfe0f7;padding:0 6px">read by this step</span>')
    return (f"<b>Step {step}: {title}</b> &nbsp; <code>{formula}</code><br>{legend}"
            f'<div style="overflow-x:auto"><table style="border-collapse:collapse;font-size:11px">'
            f"<tr>{head}</tr>{body}</table></div>")


def all_steps_html(tables: Tables, decimals: int = 3) -> str:
    return "<br>".join(step_html(tables, step, decimals) for step in STEPS)


HEADER_TAG = "course-initial-values"
MARKDOWN_TITLE = "# Assignment 2, part 1: backpropagation tables"
CSV_HEADER = "step,quantity,row,column,value"


def to_markdown(tables: Tables, initial: dict | None = None, decimals: int = 3) -> str:
    """The hand-in: the initial values (exact, as JSON) then one wide table per step.

    ``initial``, if given, must be the values ``tables`` was computed from.
    """
    _check_decimals(decimals)
    init = check_initial_values(initial if initial is not None else tables.initial)
    if any(not np.array_equal(init[n], tables.initial[n]) for n in SHAPES):
        raise InitialValuesError("these tables were computed from other initial values: "
                                 "pass the values given to compute_tables, or none.")
    record = {name: init[name].tolist() for name in SHAPES}
    record.update({"lr": tables.lr, "decimals": decimals})
    lines = [MARKDOWN_TITLE, "",
             "Initial values (recorded exactly so the tables can be recomputed):", "",
             f"```json {HEADER_TAG}", json.dumps(record), "```", ""]
    lines += ["In each table the columns in **bold** are computed by that step and those in "
              "*italics* are read by it.", ""]
    for step, (title, formula, computed, read) in STEPS.items():
        snapshot = tables.snapshots[step]
        header = [f"**{c}**" if c in computed else f"*{c}*" if c in read else c for c in COLUMNS]
        lines += [f"## Step {step}: {title}", "", f"`{formula}`", "",
                  "| " + " | ".join(header) + " |", "|" + "---|" * len(COLUMNS)]
        for row in range(_rows(snapshot)):
            lines.append("| " + " | ".join(_cell(snapshot.get(c), row, decimals)
                                           for c in COLUMNS) + " |")
        lines.append("")
    return "\n".join(lines)


class HandinFormatError(ValueError):
    """A hand-in that cannot be read as the course's Markdown tables."""


def _first_table(block: str) -> list[str]:
    """The lines of the first Markdown table in ``block`` (consecutive lines starting '|')."""
    lines = block.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("|")), len(lines))
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    return lines[start:end]


def read_handin(text: str) -> tuple[dict, dict, dict]:
    """Read a hand-in back: (initial values, settings {"lr", "decimals"}, tables).

    tables[step][column] is a list of rows, each a list of floats (empty cells skipped).
    Raises ``HandinFormatError`` (or ``InitialValuesError``) naming what cannot be read.
    """
    if not isinstance(text, str):
        raise HandinFormatError(f"a hand-in is Markdown text (str), got {type(text).__name__}.")
    match = re.search(rf"```json {HEADER_TAG}\n(.*?)\n```", text, re.S)
    if not match:
        raise HandinFormatError("no recorded initial values found: the hand-in must start with "
                                f"the ```json {HEADER_TAG} block that write_handin() writes.")
    try:
        record = json.loads(match.group(1))
    except json.JSONDecodeError as error:
        raise HandinFormatError(
            f"the recorded initial values are not valid JSON ({error}).") from None
    if not isinstance(record, dict):
        raise HandinFormatError("the recorded initial values must be a JSON object.")
    try:
        settings = {"lr": float(record.pop("lr", LEARNING_RATE)),
                    "decimals": int(record.pop("decimals", 3))}
    except (TypeError, ValueError):
        raise HandinFormatError("the recorded lr and decimals must be numbers.") from None
    init = check_initial_values(record)
    tables: dict = {}
    for block in re.split(r"^## Step ", text, flags=re.M)[1:]:
        heading = block.split(":", 1)[0].strip()
        if not heading.isdigit():
            raise HandinFormatError(f"a heading '## Step {heading[:20]}' does not give a step "
                                    "number: write '## Step 7: ...'.")
        step = int(heading)
        if step in tables:
            raise HandinFormatError(f"step {step} appears twice.")
        rows = _first_table(block)
        if len(rows) < 2:
            raise HandinFormatError(f"step {step} has no table.")
        header = [h.strip().strip("*") for h in rows[0].strip().strip("|").split("|")]
        columns: dict = {name: [] for name in header}
        for line in rows[2:]:
            for name, cell in zip(header, line.strip().strip("|").split("|"), strict=False):
                if cell.strip():
                    try:
                        columns[name].append([float(v) for v in cell.replace(",", " ").split()])
                    except ValueError:
                        raise HandinFormatError(f"step {step}, column {name}: {cell.strip()!r} "
                                                "is not a row of numbers.") from None
        tables[step] = {name: rows_ for name, rows_ in columns.items() if rows_}
    return init, settings, tables


def parse_markdown(text: str) -> tuple[dict, dict]:
    """Read a hand-in back: (initial values, tables), as ``read_handin`` without the settings."""
    init, _, tables = read_handin(text)
    return init, tables


@dataclass
class HandinCheck:
    """The verdict on a hand-in: ok, the problems found, and the initial values read."""

    ok: bool
    problems: list
    initial: dict | None
    steps_checked: int = 0

    @property
    def initial_values(self) -> dict | None:
        return self.initial


MIN_DECIMALS = 2  # the course's tables are rounded to 2 or 3 places; coarser hides mistakes


def verify_handin(text: str) -> HandinCheck:
    """Recompute every table from the hand-in's own initial values and compare.

    A number passes if it equals the recomputed one to the hand-in's rounding (at least
    ``MIN_DECIMALS`` places). Initial values equal to the course's defaults are a problem:
    the assignment is to change them. So are a learning rate other than the article's, a
    missing step, column or row, and a cell that should still be empty.
    """
    try:
        init, settings, tables = read_handin(text)
    except (HandinFormatError, InitialValuesError) as error:
        return HandinCheck(False, [str(error)], None)
    problems = []
    if all(np.allclose(init[n], COURSE_DEFAULT_INIT[n]) for n in SHAPES):
        problems.append("initial values equal the course defaults: the assignment asks for "
                        "your own (pick another seed or type your values)")
    if not math.isclose(settings["lr"], LEARNING_RATE):
        problems.append(f"learning rate {settings['lr']:g}: the article's is {LEARNING_RATE:g}")
    if not math.isfinite(settings["lr"]):
        return HandinCheck(False, problems, init, 0)
    decimals = settings["decimals"]
    if decimals < MIN_DECIMALS:
        problems.append(f"values rounded to {decimals} places: use at least {MIN_DECIMALS}")
        decimals = MIN_DECIMALS
    expected = compute_tables(init, settings["lr"])
    tolerance = 0.5 * 10 ** -decimals + 1e-9
    missing = sorted(set(STEPS) - set(tables))
    if missing:
        problems.append(f"steps {missing} are missing")
    for step, columns in sorted(tables.items()):
        if step not in STEPS:
            problems.append(f"step {step}: there is no such step (steps run from 0 to 11)")
            continue
        snapshot = expected.snapshots[step]
        absent = [name for name in snapshot if name not in columns]
        if absent:
            problems.append(f"step {step}: no values for {', '.join(absent)}")
        for name, rows in columns.items():
            if name not in snapshot:
                problems.append(f"step {step}: column {name} should be empty at this step")
                continue
            truth = snapshot[name]
            if len(rows) < truth.shape[0]:
                problems.append(f"step {step}, {name}: {len(rows)} rows, expected "
                                f"{truth.shape[0]}")
            for r, row in enumerate(rows):
                if r >= truth.shape[0] or len(row) != truth.shape[1]:
                    problems.append(f"step {step}, {name} row {r}: wrong number of values")
                    continue
                for c, value in enumerate(row):
                    if not abs(value - truth[r, c]) <= tolerance:  # NaN fails too
                        problems.append(f"step {step}, {name} row {r}: {value:g} vs recomputed "
                                        f"{truth[r, c]:.{decimals}f}")
    return HandinCheck(not problems, problems, init, len(tables))


def to_csv(tables: Tables) -> str:
    """Every number of every step, one per line: step, quantity, row, column, value."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER.split(","))
    for step, snapshot in enumerate(tables.snapshots):
        for name in COLUMNS:
            if name in snapshot:
                for (r, c), value in np.ndenumerate(snapshot[name]):
                    writer.writerow([step, name, r, c, repr(float(value))])
    return buffer.getvalue()


class HandinWriteError(ValueError):
    """A hand-in file could not be written without replacing something that is not ours."""


def _ours(path: Path) -> bool:
    """True if ``path`` is a hand-in file this module wrote (so it may be replaced)."""
    try:
        with path.open(encoding="utf-8") as stream:
            start = stream.read(4096)
    except (OSError, UnicodeDecodeError):
        return False
    if path.suffix == ".md":
        return start.startswith(MARKDOWN_TITLE) and f"```json {HEADER_TAG}" in start
    return start.startswith(CSV_HEADER)


def _write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside ``path``, then rename it over ``path`` in one step."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_handin(tables: Tables, folder: str | os.PathLike = "handin", decimals: int = 3,
                 name: str = "backprop_tables") -> list[Path]:
    """Write ``<folder>/<name>.md`` and ``.csv``, each atomically; returns the two paths.

    An existing file is replaced only if this function wrote it (it starts the way a hand-in
    does); anything else at those paths raises ``HandinWriteError`` and is left untouched.
    Paths are returned as given (relative if ``folder`` is relative).
    """
    if not isinstance(tables, Tables):
        raise TypeError("write_handin needs the result of compute_tables(...).")
    _check_decimals(decimals)
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name) or name.startswith("."):
        raise ValueError(f"name {name!r}: use letters, digits, '_', '-' or '.', no folders.")
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise HandinWriteError(f"{folder.as_posix()} exists and is not a folder; "
                               "choose another folder for the hand-in.")
    paths = [folder / f"{name}.md", folder / f"{name}.csv"]
    for path in paths:
        if path.exists() and (not path.is_file() or not _ours(path)):
            raise HandinWriteError(
                f"{path.as_posix()} exists and was not written by write_handin; it was left "
                "as it is. Move it away, or pass another folder= or name=.")
    texts = [to_markdown(tables, decimals=decimals), to_csv(tables)]
    folder.mkdir(parents=True, exist_ok=True)
    for path, text in zip(paths, texts, strict=True):
        _write_atomic(path, text)
    return paths
