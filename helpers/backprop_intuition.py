"""Computed illustrations for the four videos: descent on a loss surface, nudges, the chain rule."""

from __future__ import annotations

import html
import operator

import matplotlib.pyplot as plt
import numpy as np

from helpers.autodiff import Value, sigmoid
from helpers.backprop_tables import SHAPES, autodiff_gradients, check_samples
from helpers.checking import ExerciseError, call, differences
from helpers.gradcheck import numerical_gradient

# -- video embeds ----------------------------------------------------------------------------
VIDEOS = {
    1: ("aircAruvnKk", "But what is a Neural Network? | Deep learning, chapter 1"),
    2: ("IHZwWFHWa-w", "Gradient descent, how neural networks learn | Deep learning, chapter 2"),
    3: ("Ilg3gGewQ5U", "What is backpropagation really doing? | Deep learning, chapter 3"),
    4: ("tIeHLnjs5U8", "Backpropagation calculus | Deep learning, chapter 4"),
}


def video_html(number: int) -> str:
    """A link to one of the lesson's four videos and an embedded player (needs a connection)."""
    video_id, title = VIDEOS[number]
    url = f"https://www.youtube.com/watch?v={video_id}"
    return (f'<p>Video {number}: <a href="{url}" target="_blank">{html.escape(title)}</a> '
            "(3Blue1Brown)</p>"
            f'<iframe width="480" height="270" src="https://www.youtube-nocookie.com/embed/'
            f'{video_id}" title="{html.escape(title)}" frameborder="0" allowfullscreen></iframe>')


# -- video 2: gradient descent on a two-parameter loss ---------------------------------------
CENTRE = np.array([1.0, 0.5])
CURVATURE = np.array([1.0, 10.0])  # a long narrow valley: steep across, gentle along
START = np.array([-1.6, 1.6])


def valley_loss(a, b):
    """L(a, b) = ½ (a - 1)² + 5 (b - 0.5)²: one minimum, at (1, 0.5), where L = 0."""
    return 0.5 * CURVATURE[0] * (a - CENTRE[0]) ** 2 + 0.5 * CURVATURE[1] * (b - CENTRE[1]) ** 2


def descend(learning_rate: float, steps: int = 25, start=START) -> np.ndarray:
    """Gradient descent from ``start``: (steps + 1, 2) points. Stable only for lr < 2/10."""
    point = np.array(start, dtype=float)
    path = [point.copy()]
    for _ in range(steps):
        point = point - learning_rate * CURVATURE * (point - CENTRE)
        path.append(point.copy())
    return np.array(path)


def descent_verdict(learning_rate: float, steps: int = 25) -> tuple[str, bool]:
    """(verdict, zigzags) for descent at ``learning_rate``: the verdict is "diverges" (each
    step lands further across the valley than the last), "too slow" (loss still above 0.05
    after ``steps``) or "converges"; zigzags is True if the path crosses the valley floor
    (b = 0.5) from one side to the other.

    In b the step multiplies the distance to the floor by 1 - 10 lr: it changes sign past
    lr = 0.1 and grows past lr = 0.2.
    """
    path = descend(learning_rate, steps)
    final = valley_loss(*path[-1])
    across = path[:, 1] - CENTRE[1]
    zigzags = bool(np.any(across[:-1] * across[1:] < 0))
    verdict = ("diverges" if abs(across[1]) > abs(across[0]) else
               "too slow" if final > 0.05 else "converges")
    return verdict, zigzags


def draw_descent(fig, learning_rate: float) -> None:
    """Contours of the valley and the path gradient descent takes at ``learning_rate``."""
    ax = fig.add_subplot()
    a, b = np.meshgrid(np.linspace(-2, 3, 120), np.linspace(-0.8, 1.8, 120))
    ax.contour(a, b, valley_loss(a, b), levels=np.geomspace(0.02, 30, 12), cmap="Blues_r",
               linewidths=0.8)
    path = descend(learning_rate)
    shown = path[np.all(np.abs(path) < 10, axis=1)]
    ax.plot(shown[:, 0], shown[:, 1], "-o", color="#d2553c", markersize=3, linewidth=1)
    ax.plot(*CENTRE, "k*", markersize=10)
    verdict, zigzags = descent_verdict(learning_rate)
    ax.set_xlim(-2, 3)
    ax.set_ylim(-0.8, 1.8)
    ax.set_xlabel("weight a")
    ax.set_ylabel("weight b")
    ax.set_title(f"learning rate {learning_rate:.3f}: {verdict}"
                 f"{', zigzagging' if zigzags else ''} (loss after 25 steps "
                 f"{valley_loss(*path[-1]):.3g})", fontsize=9)


# -- video 3: the nudges one example asks for ------------------------------------------------
def _labelled(arrays: dict) -> list[tuple[str, float]]:
    """(label, value) for every entry of wh, bh, wout, bout, row-major: "wh[0,1]", ..., "bout"."""
    return [(f"{name}[{i},{j}]" if arrays[name].size > 1 else name, float(value))
            for name in SHAPES for (i, j), value in np.ndenumerate(arrays[name])]


def nudges(params: dict, x, y) -> list[tuple[str, float]]:
    """For one example, x (4,) with target y, the change each weight and bias "wants":
    minus the gradient of that example's loss ½ (y - output)², in the article's network.

    Returns (name, wanted change) pairs, largest first.
    """
    grads = autodiff_gradients(params, x, y)
    wanted = [(label, -value) for label, value in _labelled(grads)]
    return sorted(wanted, key=lambda item: -abs(item[1]))


def plot_nudges(wanted: list[tuple[str, float]], title: str = ""):
    """Horizontal bars: how strongly, and which way, each parameter wants to move."""
    names = [name for name, _ in wanted][::-1]
    values = np.array([value for _, value in wanted][::-1])
    fig, ax = plt.subplots(figsize=(6, 0.22 * len(wanted) + 0.8), layout="constrained")
    ax.barh(names, values, color=np.where(values > 0, "#d2553c", "#5b7fb8"))
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlabel("wanted change  -dL/dparam  (red: up, blue: down)")
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def nudge_table(params: dict, inputs, targets) -> tuple[list[str], np.ndarray]:
    """What every example asks of every parameter: (names, wanted) with wanted of shape
    (n_parameters, n_examples), in the order wh, bh, wout, bout (row-major within each).

    inputs (n_examples, 4), targets (n_examples,) or (n_examples, 1).
    """
    inputs, targets = check_samples(inputs, targets)
    columns = [_labelled(autodiff_gradients(params, x[None], y[None]))
               for x, y in zip(inputs, targets, strict=True)]
    names = [label for label, _ in columns[0]]
    return names, -np.array([[value for _, value in column] for column in columns]).T


def plot_nudge_table(names: list[str], wanted: np.ndarray, title: str = ""):
    """Each example's wishes side by side, and their sum (what one update follows)."""
    shown = np.column_stack([wanted, wanted.sum(axis=1)])
    limit = np.abs(shown).max()
    fig, ax = plt.subplots(figsize=(4.6, 0.2 * len(names) + 1.2), layout="constrained")
    image = ax.imshow(shown, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
    ax.set_yticks(range(len(names)), names, fontsize=7.5)
    samples = [f"sample {i + 1}" for i in range(wanted.shape[1])]
    ax.set_xticks(range(shown.shape[1]), [*samples, "sum"], fontsize=8)
    ax.axvline(wanted.shape[1] - 0.5, color="black", linewidth=1)
    fig.colorbar(image, ax=ax, label="wanted change  -dL/dparam", shrink=0.8)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


# -- video 4: the chain rule on a chain of single neurons ------------------------------------
def chain_cost(w1, b1, w2, b2, x, y):
    """C = (a2 - y)² for a0 = x, a1 = σ(w1 a0 + b1), a2 = σ(w2 a1 + b2). Works on floats
    and on autodiff Values."""
    a2 = sigmoid(w2 * sigmoid(w1 * x + b1) + b2)
    return (a2 - y) ** 2


def chain_dcost_dw1(w1, b1, w2, b2, x, y) -> float:
    """dC/dw1 by the chain rule, written out by hand:

    dC/dw1 = dz1/dw1 · da1/dz1 · dz2/da1 · da2/dz2 · dC/da2
           = x · σ'(z1) · w2 · σ'(z2) · 2(a2 - y),  with σ'(z) = σ(z)(1 - σ(z)).
    """
    z1 = w1 * x + b1
    a1 = sigmoid(z1)
    z2 = w2 * a1 + b2
    a2 = sigmoid(z2)
    return x * a1 * (1 - a1) * w2 * a2 * (1 - a2) * 2 * (a2 - y)


# -- the exercises of notebook 04 ------------------------------------------------------------
# Expressions the product rule is checked on: (label, inputs, expression of (multiply, *inputs)).
# The second uses one input twice, so its gradient must be added (+=), not set (=).
PRODUCT_CASES = (
    ("f = a * b", {"a": 2.0, "b": -3.0}, lambda mul, a, b: mul(a, b)),
    ("f = a * a", {"a": 1.5}, lambda mul, a: mul(a, a)),
    ("f = (a * b) * c + b", {"a": -0.5, "b": 4.0, "c": 2.5},
     lambda mul, a, b, c: mul(mul(a, b), c) + b),
)


def _product_gradients(multiply, inputs: dict, expression) -> tuple[float, np.ndarray]:
    """(f, [df/dinput...]) with the learner's ``multiply`` building the graph."""
    nodes = [Value(v, label=k) for k, v in inputs.items()]
    out = expression(lambda a, b: call("multiply", multiply, a, b), *nodes)
    if not isinstance(out, Value):
        raise ExerciseError(f"✗ multiply should return a Value, got {type(out).__name__}.")
    call("the backward closure of multiply", out.backward)
    return out.data, np.array([node.grad for node in nodes])


def check_product_rule(multiply) -> None:
    """The check of exercise 1: the learner's ``multiply(a, b)`` (two Values -> a Value whose
    ``_backward`` applies the product rule), on expressions whose gradients are compared with
    central differences (``helpers.gradcheck``). Raises ``ExerciseError`` naming the
    expression, the input and the gap."""
    for label, inputs, expression in PRODUCT_CASES:
        values = np.array(list(inputs.values()), dtype=np.float64)
        truth = expression(operator.mul, *values)
        numeric = numerical_gradient(
            lambda f=expression, v=values: f(operator.mul, *v), values)
        data, grads = _product_gradients(multiply, inputs, expression)
        where = ", ".join(f"{k} = {v:g}" for k, v in inputs.items())
        if differences(data, truth):
            raise ExerciseError(f"✗ multiply on {label} at {where}: f is {data:g}, expected "
                                f"{truth:g}: out.data should be a.data * b.data.")
        for name, got, expected in zip(inputs, grads, numeric, strict=True):
            if differences(got, expected, rtol=1e-6, atol=1e-6):
                raise ExerciseError(
                    f"✗ multiply on {label} at {where}: df/d{name} is {got:g}, expected "
                    f"{expected:.6g} by finite differences (off by {got - expected:.6g})."
                    + (" An input used twice gets a gradient from each use: add with +=."
                       if label == "f = a * a" else ""))
    print(f"✓ multiply: values and gradients right on {len(PRODUCT_CASES)} expressions: "
          + "; ".join(label for label, _, _ in PRODUCT_CASES) + ".")


CHAIN_CASES = {
    "the video's numbers (w1 0.7, b1 -0.2, w2 1.3, b2 0.1, a0 0.9, y 1)":
        (0.7, -0.2, 1.3, 0.1, 0.9, 1.0),
    "a negative weight and target 0 (w1 -1.1, b1 0.4, w2 -0.6, b2 0.3, a0 0.5, y 0)":
        (-1.1, 0.4, -0.6, 0.3, 0.5, 0.0),
    "a saturated neuron (w1 3, b1 1, w2 2, b2 -1, a0 1.5, y 1)": (3.0, 1.0, 2.0, -1.0, 1.5, 1.0),
}


def dcost_dw1_by_differences(w1, b1, w2, b2, a0, y) -> float:
    """dC/dw1 of ``chain_cost`` by central differences (``helpers.gradcheck``)."""
    weight = np.array([w1], dtype=np.float64)
    return float(numerical_gradient(lambda: chain_cost(weight[0], b1, w2, b2, a0, y),
                                    weight)[0])


def check_chain_derivative(dcost_dw1) -> None:
    """The check of exercise 2: the learner's ``dcost_dw1(w1, b1, w2, b2, a0, y)`` against
    central differences of the cost, on three chains. Raises ``ExerciseError`` naming the
    chain and the gap."""
    for label, args in CHAIN_CASES.items():
        got = call("dcost_dw1", dcost_dw1, *args)
        expected = dcost_dw1_by_differences(*args)
        problems = differences(got, expected, rtol=1e-5, atol=1e-9)
        if problems:
            if np.shape(got) != () or problems[0].startswith("expected numbers"):
                raise ExerciseError(f"✗ dcost_dw1 on {label}: should return one number; "
                                    + problems[0])
            raise ExerciseError(f"✗ dcost_dw1 on {label}: got {float(got):.6g}, expected "
                                f"{expected:.6g} by finite differences (off by "
                                f"{float(got) - expected:.3g}; yours is "
                                f"{float(got) / expected:.3g} times the right value).")
    print(f"✓ dcost_dw1 agrees with finite differences on {len(CHAIN_CASES)} chains: "
          + "; ".join(CHAIN_CASES) + ".")
