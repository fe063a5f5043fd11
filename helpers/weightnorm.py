"""Weight normalization of a convolution: each kernel = gain x direction / |direction|.

Salimans and Kingma, "Weight Normalization: A Simple Reparameterization to Accelerate
Training of Deep Neural Networks" (NeurIPS 2016). Instead of learning the kernel w
directly, the layer learns a direction v and a gain g per kernel:

    w[..., f] = g[f] * v[..., f] / ||v[..., f]||

so a kernel's length (its amplitude) is one number, learned on its own. This is
"normalization inside the network", where the lesson's normalization is only in the picture.
"""

from __future__ import annotations

import numpy as np

from helpers.model import LAYER_TYPES, Conv2D, Sequential, session1_model


def weightnorm_forward(v: np.ndarray, g: np.ndarray):
    """w = g * v / ||v|| per kernel.

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
    Returns:
        dv: (KH, KW, C, F); dg: (F,).
    """
    v, g, norms = cache
    dg = (dw * v).sum(axis=(0, 1, 2)) / norms
    dv = (g / norms) * (dw - (dg / norms) * v)
    return dv, dg


class WNConv2D(Conv2D):
    """A Conv2D whose kernels are weight-normalized. params: v (KH,KW,C,F), g (F,), b (F,).

    ``kernels()`` gives the effective w, the array the plain layer would hold; the forward and
    backward passes are the plain layer's, with the gradient passed on to v and g.
    """

    def __init__(self, filters, kernel_size, in_channels, activation=None, rng=None,
                 first=False):
        super().__init__(filters, kernel_size, in_channels, activation, rng, first)
        v = self.params.pop("w")
        self.params = {"v": v, "g": np.sqrt((v ** 2).sum(axis=(0, 1, 2))).astype(np.float32),
                       "b": self.params["b"]}
        self.config["type"] = "WNConv2D"

    def kernels(self) -> np.ndarray:
        w, self._wn_cache = weightnorm_forward(self.params["v"], self.params["g"])
        return w

    def kernel_gradients(self, dw: np.ndarray) -> None:
        self.grads["v"], self.grads["g"] = weightnorm_backward(dw, self._wn_cache)

    def describe(self):
        return "WN" + super().describe()


def weightnorm_model(kernel_size: int = 3, seed: int = 0, image_size: int = 28) -> Sequential:
    """The Session 1 network with a weight-normalized first layer; starts from the very same
    kernels as ``session1_model(kernel_size, seed)`` (g = ||v|| at the start)."""
    return session1_model(kernel_size, seed, image_size, first_layer=WNConv2D)


LAYER_TYPES["WNConv2D"] = WNConv2D
