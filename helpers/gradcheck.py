"""Numerical gradients by central differences, and a relative error that means something.

Checking an analytic gradient against ``(f(x + h) - f(x - h)) / 2h``, entry by entry, is
how every backward pass in the course is trusted (as in CS231n's gradient_check.py).
"""

from __future__ import annotations

import numpy as np


def numerical_gradient(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """d f / d x by central differences, for a scalar function f of the array x.

    x is changed in place during the computation and restored afterwards.
    Use float64 arrays: in float32 the differences drown in rounding.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    flat_x, flat_g = x.reshape(-1), grad.reshape(-1)
    for i in range(flat_x.size):
        old = flat_x[i]
        flat_x[i] = old + h
        up = f()
        flat_x[i] = old - h
        down = f()
        flat_x[i] = old
        flat_g[i] = (up - down) / (2 * h)
    return grad


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """||a - n|| / max(||a|| + ||n||, tiny): norm-wise, so entries near zero (where an
    entry-wise ratio explodes) count for what they weigh. Below 1e-7 is a pass in float64."""
    a, n = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    return float(np.linalg.norm(a - n) / max(np.linalg.norm(a) + np.linalg.norm(n), 1e-300))
