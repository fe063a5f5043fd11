"""First-layer kernels: normalizations for display, amplitude statistics, and an ablation.

Kernels come as the first convolution's weight array, shape (KH, KW, 1, F) (channels-last,
one grey input channel, F kernels), or already as a stack (F, KH, KW). Every normalization
maps a stack to [0, 1] grey values, shape (F, KH, KW), where 0.5 is mid-grey.
"""

from __future__ import annotations

import numpy as np

NORMALIZATIONS = ("shared", "minmax", "equalize", "symmetric", "rank")
QUIET_FRACTION = 1 / 3


class KernelShapeError(ValueError):
    """An array that is not a stack of 2-D kernels; the message says what shape was expected."""


def as_stack(kernels) -> np.ndarray:
    """(KH, KW, 1, F) first-layer weights, or an (F, KH, KW) stack -> (F, KH, KW) float64."""
    array = np.asarray(kernels, dtype=np.float64)
    if array.ndim == 4:
        if array.shape[2] != 1:
            raise KernelShapeError(
                f"expected first-layer weights of shape (KH, KW, 1, F) with one grey input "
                f"channel, got {array.shape}; pass one input channel at a time, w[:, :, c:c+1, :].")
        array = np.moveaxis(array[:, :, 0, :], -1, 0)
    elif array.ndim != 3:
        raise KernelShapeError(
            f"expected kernels as (KH, KW, 1, F) weights or an (F, KH, KW) stack, got an array "
            f"of shape {array.shape}.")
    if 0 in array.shape:
        raise KernelShapeError(f"the kernel stack {array.shape} is empty.")
    if not np.all(np.isfinite(array)):
        raise KernelShapeError("the kernels contain NaN or infinite values.")
    return array


def _per_kernel(stack: np.ndarray, reduce) -> np.ndarray:
    return reduce(stack.reshape(len(stack), -1), axis=1)[:, None, None]


def stretch(values) -> np.ndarray:
    """Per-kernel min-max for kernels of any shape: (F, ...) -> (F, ...) in [0, 1], each
    kernel's entries (all its channels together, so a colour kernel keeps its hues) mapped
    by g = (w - min w) / (max w - min w); a constant kernel becomes 0.5."""
    values = np.asarray(values, dtype=np.float64)
    flat = values.reshape(len(values), -1)
    shape = (len(values),) + (1,) * (values.ndim - 1)
    low, high = flat.min(axis=1).reshape(shape), flat.max(axis=1).reshape(shape)
    span = high - low
    return np.where(span > 0, (values - low) / np.where(span > 0, span, 1.0), 0.5)


def normalize(kernels, method: str = "minmax") -> np.ndarray:
    """Grey values in [0, 1] for each kernel, by one of five rules.

    - ``shared``: one scale for all kernels, symmetric about zero:
      g = 1/2 + w / (2 max|W|) over the whole layer. Zero is mid-grey; a weak kernel looks flat.
    - ``minmax``: each kernel stretched to its own range: g = (w - min w) / (max w - min w).
      CS231n's ``visualize_grid``; zero lands anywhere, sign is lost.
    - ``equalize``: histogram equalization of the whole layer: each weight replaced by its
      rank among all the layer's weights, g = rank / (n - 1). One monotone tone curve for
      every kernel, as the lesson's "normalized" picture is made (measured in
      scripts/measure_lesson_kernels.py): weak contrast is stretched, strong contrast
      saturates, and kernels keep their order of loudness.
    - ``symmetric``: each kernel on its own scale, symmetric about zero:
      g = 1/2 + w / (2 max|w|). Zero stays mid-grey, so sign stays readable.
    - ``rank``: histogram equalization within each kernel: each weight replaced by its
      rank within its kernel, g = rank / (n - 1). Shows order, hides magnitude.

    Ties share their mean rank (``equalize``, ``rank``). A constant kernel (max = min, or all
    zero) becomes mid-grey 0.5, never NaN (``shared`` and ``equalize`` look at the whole layer).

    Returns:
        (F, KH, KW) float64 in [0, 1].
    """
    stack = as_stack(kernels)
    if method == "shared":
        peak = np.abs(stack).max()
        return np.full_like(stack, 0.5) if peak == 0 else 0.5 + stack / (2 * peak)
    if method == "minmax":
        return stretch(stack)
    if method == "symmetric":
        peak = _per_kernel(np.abs(stack), np.max)
        return np.where(peak > 0, 0.5 + stack / (2 * np.where(peak > 0, peak, 1.0)), 0.5)
    if method == "equalize":
        return _equalize(stack)
    if method == "rank":
        return np.stack([_equalize(kernel) for kernel in stack])
    raise ValueError(f"unknown normalization {method!r}; "
                     f"choose one of {', '.join(NORMALIZATIONS)}.")


def _equalize(values: np.ndarray) -> np.ndarray:
    """Each value's rank among all of ``values``, / (n - 1); ties share their mean rank."""
    flat = values.ravel()
    if flat.size == 1 or np.all(flat == flat[0]):
        return np.full_like(values, 0.5)
    _, inverse = np.unique(flat, return_inverse=True)
    order = np.argsort(flat, kind="stable")
    ranks = np.empty(flat.size)
    ranks[order] = np.arange(flat.size)
    mean_rank = np.bincount(inverse, weights=ranks) / np.bincount(inverse)
    return (mean_rank[inverse] / (flat.size - 1)).reshape(values.shape)


def amplitudes(kernels) -> dict:
    """Per-kernel amplitude: L2 norm, peak |w| and range (max - min), each (F,) float64."""
    stack = as_stack(kernels)
    stack = stack.reshape(len(stack), -1)
    return {"l2": np.linalg.norm(stack, axis=1), "peak": np.abs(stack).max(axis=1),
            "range": stack.max(axis=1) - stack.min(axis=1)}


def quiet_kernels(kernels, fraction: float = QUIET_FRACTION) -> np.ndarray:
    """Indices of "quiet" kernels: peak |w| below ``fraction`` of the layer's largest peak.

    On the lesson's shared grey scale such a kernel spans at most ``fraction`` of the
    grey range on either side of mid-grey, so it looks nearly flat.
    """
    peaks = amplitudes(kernels)["peak"]
    return np.flatnonzero(peaks < fraction * peaks.max())


def spread(values) -> dict:
    """How unequal the amplitudes are: max/min ratio and coefficient of variation."""
    values = np.asarray(values, dtype=np.float64)
    return {"max_over_min": float(values.max() / values.min()) if values.min() > 0 else np.inf,
            "cv": float(values.std() / values.mean()) if values.mean() > 0 else 0.0}


def ablation(model, x: np.ndarray, y: np.ndarray) -> dict:
    """Accuracy of ``model`` with each first-layer kernel switched off in turn.

    Switching a kernel off (its weights and bias set to zero) makes its output map zero,
    so the first layer's output is computed once and each channel zeroed in turn; the
    other layers then run as usual (``Sequential.forward`` from layer 1). Works for any
    model whose first layer maps zero weights to a zero map.

    Args:
        model: a Sequential; x: (N, 28, 28, 1); y: (N,).
    Returns:
        dict: "baseline" (accuracy with every kernel), "accuracy" (F,) with kernel f off,
        "drop" (F,) = baseline - accuracy.
    """
    from threadpoolctl import threadpool_limits

    y = np.asarray(y)
    with threadpool_limits(1):
        maps = model.forward(x, stop=1)  # (N, OH, OW, F)

        def accuracy():
            return float((model.forward(maps, start=1).argmax(axis=1) == y).mean())

        baseline, scores = accuracy(), []
        for f in range(maps.shape[-1]):
            kept = maps[..., f].copy()  # zero one channel in place: no copy of the whole map
            maps[..., f] = 0
            scores.append(accuracy())
            maps[..., f] = kept
    scores = np.array(scores)
    return {"baseline": baseline, "accuracy": scores, "drop": baseline - scores}
