"""The network's layers as pairs of functions, in the manner of CS231n's layers.py.

Each ``*_forward`` returns ``(out, cache)``; each ``*_backward(dout, cache)`` returns the
gradients. Images are channels-last: (N, H, W, C). Convolutions are "valid" (no padding)
with stride 1. Everything is vectorized: a convolution is one matrix product over all
positions (im2col); a kernel as large as its input (the Session 1 model's last layer,
which sees the whole 26x26 map at once) is a dense layer, one product per input channel.

Speed. The arrays keep the logical shape (N, H, W, C), but a convolution's output is laid
out channels-first in memory, (C, N, H, W): the products then run with the long axis of
positions last, which BLAS does fastest, and the next layer reads it without a copy.
"""

from __future__ import annotations

import numpy as np

# OpenBLAS, NumPy's usual BLAS, runs a product through its small-matrix kernels only when it
# has at most 10^6 multiply-adds. For this network's thin shapes (9 or 32 rows against
# tens of thousands of positions) those kernels are about twice as fast as the general path,
# so ``matmul`` cuts long products into pieces of that size (measured: bench/train_speed.py).
# Under another BLAS the pieces cost only a few more calls.
SMALL_PRODUCT = 1_000_000


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b, computed in pieces of at most SMALL_PRODUCT multiply-adds.

    Args:
        a: (M, K); b: (K, N).
    Returns:
        (M, N). The longest of M, K and N is cut: pieces of rows or columns of the result,
        or of the shared axis K (then the partial products are summed).
    """
    m, k = a.shape
    n = b.shape[1]
    size = m * k * n
    if size <= SMALL_PRODUCT:
        return a @ b
    longest = max(m, k, n)
    pieces = -(-size // SMALL_PRODUCT)
    step = -(-longest // pieces)
    if longest == k:
        out = a[:, :step] @ b[:step]
        for s in range(step, k, step):
            out += a[:, s:s + step] @ b[s:s + step]
        return out
    out = np.empty((m, n), dtype=np.result_type(a, b))
    for s in range(0, longest, step):
        if longest == m:
            np.matmul(a[s:s + step], b, out=out[s:s + step])
        else:
            np.matmul(a, b[:, s:s + step], out=out[:, s:s + step])
    return out


def im2col(x: np.ndarray, kh: int, kw: int, ones: bool = False) -> np.ndarray:
    """All kh x kw patches of x, one patch per column.

    Args:
        x: (N, H, W, C).
        ones: append a row of ones (so that a bias can ride along in the product).
    Returns:
        (kh * kw * C [+ 1], N * OH * OW) with OH = H - kh + 1, OW = W - kw + 1; row order
        (di, dj, c), matching w.reshape(kh * kw * C, F); column order (n, i, j).
        For a 1x1 kernel on an input laid out channels-first in memory (as every
        convolution here returns its output) this is a view, not a copy.
    """
    n, h, w, c = x.shape
    if (kh, kw) == (1, 1) and not ones:
        return x.reshape(n * h * w, c).T
    oh, ow = h - kh + 1, w - kw + 1
    cols = np.empty((kh * kw * c + ones, n, oh, ow), dtype=x.dtype)
    # One shifted copy of the input per kernel offset (9 for a 3x3 kernel): each is a
    # plain block copy, much faster than gathering patches element by element.
    for i in range(kh):
        for j in range(kw):
            first = (i * kw + j) * c
            cols[first:first + c] = x[:, i:i + oh, j:j + ow, :].transpose(3, 0, 1, 2)
    if ones:
        cols[-1] = 1
    return cols.reshape(len(cols), -1)


def col2im(cols: np.ndarray, x_shape: tuple, kh: int, kw: int) -> np.ndarray:
    """Adjoint of im2col: add each patch back onto the positions it came from.

    Args:
        cols: (kh * kw * C, N * OH * OW), laid out as im2col returns it.
        x_shape: (N, H, W, C) of the original input.
    Returns:
        (N, H, W, C), channels-first in memory, like every activation.
    """
    n, h, w, c = x_shape
    oh, ow = h - kh + 1, w - kw + 1
    patches = cols.reshape(kh, kw, c, n, oh, ow)
    if (kh, kw) == (1, 1):
        return patches[0, 0].transpose(1, 2, 3, 0)
    dx = np.zeros((c, n, h, w), dtype=cols.dtype)
    for i in range(kh):  # a loop over kernel offsets only, never over pixels or samples
        for j in range(kw):
            dx[:, :, i:i + oh, j:j + ow] += patches[i, j]
    return dx.transpose(1, 2, 3, 0)


def conv2d_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray):
    """Valid, stride-1 convolution (cross-correlation, as in Keras).

    Args:
        x: (N, H, W, C) input.
        w: (KH, KW, C, F) kernels.
        b: (F,) biases.
    Returns:
        out: (N, H - KH + 1, W - KW + 1, F), channels-first in memory.
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
    if (oh, ow) == (1, 1):
        return _dense_forward(x, w, b)
    k = kh * kw * c
    if (kh, kw) == (1, 1):  # the patches are a view of x; add the bias on its own
        cols = im2col(x, 1, 1)
        out = matmul(w.reshape(k, f).T, cols)  # (F, N * OH * OW)
        out += b[:, None]
    else:  # im2col copies anyway, so a row of ones lets the bias ride in the product
        cols = im2col(x, kh, kw, ones=True)
        out = matmul(np.vstack([w.reshape(k, f), b]).T, cols)
    return out.reshape(f, n, oh, ow).transpose(1, 2, 3, 0), (x.shape, cols, w)


def conv2d_backward(dout: np.ndarray, cache, need_dx: bool = True):
    """Gradients of conv2d_forward.

    Args:
        dout: (N, OH, OW, F) upstream gradient.
        cache: from conv2d_forward.
        need_dx: False skips the input gradient (a first layer has no use for it).
    Returns:
        dx: (N, H, W, C), channels-first in memory, or None when need_dx is False.
        dw: (KH, KW, C, F).
        db: (F,).
    """
    x_shape, cols, w = cache
    if cols.ndim == 3:  # a kernel as large as its input
        return _dense_backward(dout, cache, need_dx)
    kh, kw, c, f = w.shape
    k = kh * kw * c
    # (F, positions): a view when dout is laid out like conv2d_forward's output.
    dout_t = np.ascontiguousarray(dout.transpose(3, 0, 1, 2).reshape(f, -1))
    grads = matmul(dout_t, cols.T)  # (F, k), or (F, k + 1) with the bias's row of ones
    dw = grads[:, :k].T.reshape(w.shape)
    db = grads[:, k] if len(cols) > k else dout_t.sum(axis=1)
    dx = col2im(matmul(w.reshape(k, f), dout_t), x_shape, kh, kw) if need_dx else None
    return dx, dw, db


def conv1x1_backward(dout: np.ndarray, x: np.ndarray, w: np.ndarray):
    """Gradients of the 1x1 convolution out = x @ w + b (the same product at every pixel),
    by conv2d_backward: the reference notebook 01's exercise is checked against.

    Args:
        dout: (N, H, W, F) upstream gradient.
        x: (N, H, W, C) input.
        w: (C, F) kernel.
    Returns:
        dx (N, H, W, C), dw (C, F), db (F,).
    """
    _, cache = conv2d_forward(np.ascontiguousarray(x), w[None, None], np.zeros(w.shape[1]))
    dx, dw, db = conv2d_backward(np.asarray(dout), cache)
    return np.ascontiguousarray(dx), dw[0, 0], db


def _dense_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray):
    """A kernel as large as its input: one output position, so a dense layer.

    Computed as one product per input channel (C products of (N, H*W) by (H*W, F),
    summed), which reads a channels-first x in place instead of copying it.
    x: (N, H, W, C); w: (H, W, C, F); b: (F,). Returns out (N, 1, 1, F) and the cache.
    """
    n, h, width, c = x.shape
    f = w.shape[3]
    x_c = x.transpose(3, 0, 1, 2).reshape(c, n, h * width)  # (C, N, H*W)
    w_c = np.ascontiguousarray(w.reshape(h * width, c, f).transpose(1, 2, 0))  # (C, F, H*W)
    out = np.matmul(x_c, w_c.transpose(0, 2, 1)).sum(axis=0) + b
    return out.reshape(n, 1, 1, f), (x.shape, x_c, w_c)


def _dense_backward(dout: np.ndarray, cache, need_dx: bool):
    """Gradients of _dense_forward: dx (N, H, W, C) channels-first in memory, dw, db."""
    (n, h, width, c), x_c, w_c = cache
    f = w_c.shape[1]
    dout2 = dout.reshape(n, f)
    dw = np.matmul(dout2.T, x_c)  # (C, F, H*W)
    dw = dw.transpose(2, 0, 1).reshape(h, width, c, f)
    dx = None
    if need_dx:
        dx = np.matmul(dout2, w_c)  # (C, N, H*W)
        dx = dx.reshape(c, n, h, width).transpose(1, 2, 3, 0)
    return dx, dw, dout2.sum(axis=0)


def weightnorm_forward(v: np.ndarray, g: np.ndarray):
    """Weight normalization: each kernel w = g * v / ||v||, so its length is g, learned alone.

    Salimans and Kingma, "Weight Normalization: A Simple Reparameterization to Accelerate
    Training of Deep Neural Networks" (NeurIPS 2016): instead of learning a kernel directly,
    learn a direction v and a gain g per kernel; the kernel's amplitude is then one number.

    Args:
        v: (KH, KW, C, F) directions.
        g: (F,) gains.
    Returns:
        w: (KH, KW, C, F); cache for weightnorm_backward.
    """
    norms = np.sqrt((v.astype(np.float64) ** 2).sum(axis=(0, 1, 2))).astype(v.dtype)
    return v * (g / norms), (v, g, norms)


def weightnorm_backward(dw: np.ndarray, cache):
    """Gradients of weightnorm_forward.

    dg = sum(dw * v) / ||v||;  dv = (g / ||v||) * (dw - (dg / ||v||) * v).

    Args:
        dw: (KH, KW, C, F) gradient with respect to w.
        cache: from weightnorm_forward.
    Returns:
        dv: (KH, KW, C, F); dg: (F,).
    """
    v, g, norms = cache
    dg = (dw * v).sum(axis=(0, 1, 2)) / norms
    dv = (g / norms) * (dw - (dg / norms) * v)
    return dv, dg


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
