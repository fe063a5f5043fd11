"""The network's layers as pairs of functions, in the manner of CS231n's layers.py.

Each ``*_forward`` returns ``(out, cache)``; each ``*_backward(dout, cache)`` returns the
gradients. Images are channels-last: (N, H, W, C). Convolutions are "valid" (no padding)
with stride 1. Everything is vectorized: a convolution is one matrix product over all
positions (im2col), so the 26x26 kernel of the Session 1 model's last layer, which sees
the whole map at one position, is a single dense product.
"""

from __future__ import annotations

import numpy as np


def im2col(x: np.ndarray, kh: int, kw: int) -> np.ndarray:
    """All kh x kw patches of x, one patch per column.

    Args:
        x: (N, H, W, C).
    Returns:
        (kh * kw * C, N * OH * OW) with OH = H - kh + 1, OW = W - kw + 1; row order
        (di, dj, c), matching w.reshape(kh * kw * C, F); column order (n, i, j).
        For a 1x1 kernel, or one as large as the input, this is a transposed view of x
        (no copy).
    """
    n, h, w, c = x.shape
    if (kh, kw) == (1, 1):
        return x.reshape(n * h * w, c).T
    if (kh, kw) == (h, w):
        return x.reshape(n, h * w * c).T
    oh, ow = h - kh + 1, w - kw + 1
    cols = np.empty((kh * kw * c, n, oh, ow), dtype=x.dtype)
    # One shifted copy of the input per kernel offset (9 for a 3x3 kernel): each is a
    # plain block copy, much faster than gathering patches element by element.
    for i in range(kh):
        for j in range(kw):
            first = (i * kw + j) * c
            cols[first:first + c] = np.moveaxis(x[:, i:i + oh, j:j + ow, :], 3, 0)
    return cols.reshape(kh * kw * c, -1)


def col2im(cols: np.ndarray, x_shape: tuple, kh: int, kw: int) -> np.ndarray:
    """Adjoint of im2col: add each patch back onto the positions it came from.

    Args:
        cols: (N * OH * OW, kh * kw * C), one patch per row.
        x_shape: (N, H, W, C) of the original input.
    Returns:
        (N, H, W, C).
    """
    n, h, w, c = x_shape
    if (kh, kw) == (1, 1) or (kh, kw) == (h, w):
        return cols.reshape(x_shape)
    oh, ow = h - kh + 1, w - kw + 1
    patches = cols.reshape(n, oh, ow, kh, kw, c)
    dx = np.zeros(x_shape, dtype=cols.dtype)
    for i in range(kh):  # a loop over kernel offsets only, never over pixels or samples
        for j in range(kw):
            dx[:, i:i + oh, j:j + ow, :] += patches[:, :, :, i, j, :]
    return dx


def conv2d_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray):
    """Valid, stride-1 convolution (cross-correlation, as in Keras).

    Args:
        x: (N, H, W, C) input.
        w: (KH, KW, C, F) kernels.
        b: (F,) biases.
    Returns:
        out: (N, H - KH + 1, W - KW + 1, F).
        cache: what conv2d_backward needs.
    """
    kh, kw, c, f = w.shape
    if x.ndim != 4 or x.shape[3] != c:
        raise ValueError(f"conv2d: input of shape {x.shape} does not fit kernels {w.shape}; "
                         f"expected (N, H, W, {c}).")
    n, h, width, _ = x.shape
    oh, ow = h - kh + 1, width - kw + 1
    if oh < 1 or ow < 1:
        raise ValueError(f"conv2d: a {kh}x{kw} kernel does not fit a {h}x{width} input.")
    cols = im2col(x, kh, kw)
    out = cols.T @ w.reshape(kh * kw * c, f)
    out += b  # in place: no second (positions x F) array
    return out.reshape(n, oh, ow, f), (x.shape, cols, w)


def conv2d_backward(dout: np.ndarray, cache, need_dx: bool = True):
    """Gradients of conv2d_forward.

    Args:
        dout: (N, OH, OW, F) upstream gradient.
        cache: from conv2d_forward.
        need_dx: False skips the input gradient (a first layer has no use for it).
    Returns:
        dx: (N, H, W, C), or None when need_dx is False.
        dw: (KH, KW, C, F).
        db: (F,).
    """
    x_shape, cols, w = cache
    kh, kw, c, f = w.shape
    dout2 = dout.reshape(-1, f)
    dw = (cols @ dout2).reshape(w.shape)
    # A sum over rows as a product with a vector of ones: BLAS does it faster than a reduction.
    db = np.ones(len(dout2), dtype=dout2.dtype) @ dout2
    dx = col2im(dout2 @ w.reshape(-1, f).T, x_shape, kh, kw) if need_dx else None
    return dx, dw, db


def relu_forward(x: np.ndarray):
    """max(0, x), elementwise. Returns (out, cache) with the mask of positive inputs."""
    mask = x > 0
    return np.multiply(x, mask, out=np.empty_like(x)), mask


def relu_backward(dout: np.ndarray, cache) -> np.ndarray:
    """Gradient of ReLU: dout where the input was positive, else 0 (multiply by the mask)."""
    return dout * cache


def relu_inplace_forward(x: np.ndarray):
    """ReLU that overwrites x (a fresh array nobody else holds); the cache is the output,
    whose positive entries are exactly where the input was positive."""
    np.maximum(x, 0, out=x)
    return x, x


def relu_inplace_backward(dout: np.ndarray, cache) -> np.ndarray:
    """Gradient of relu_inplace_forward; overwrites dout (a fresh upstream gradient)."""
    dout *= cache > 0
    return dout


def flatten_forward(x: np.ndarray):
    """(N, ...) -> (N, D). Returns (out, cache) with the original shape."""
    return x.reshape(len(x), -1), x.shape


def flatten_backward(dout: np.ndarray, cache) -> np.ndarray:
    """(N, D) -> the shape flatten_forward was given."""
    return dout.reshape(cache)


def softmax_cross_entropy(logits: np.ndarray, y: np.ndarray):
    """Mean cross-entropy of softmax(logits) against integer labels, and its gradient.

    Args:
        logits: (N, K) scores.
        y: (N,) integer labels in 0..K-1.
    Returns:
        loss: float, mean over the batch.
        dlogits: (N, K), d loss / d logits = (softmax - onehot) / N.
    """
    shifted = logits - logits.max(axis=1, keepdims=True)
    exps = np.exp(shifted)
    sums = exps.sum(axis=1, keepdims=True)
    n = len(y)
    log_p = shifted[np.arange(n), y] - np.log(sums[:, 0])
    dlogits = exps / sums
    dlogits[np.arange(n), y] -= 1
    return float(-log_p.mean()), dlogits / n
