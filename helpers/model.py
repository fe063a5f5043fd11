"""A small sequential network for the course, on the layers of ``helpers.layers``.

Layer protocol (what any layer, including one you write, must offer):

- ``forward(x, training) -> out``: computes and keeps what backward needs;
- ``backward(dout) -> dx``: fills ``grads`` (same keys and shapes as ``params``) and
  returns the gradient with respect to its input; a layer whose ``first`` attribute is True
  (``Sequential`` sets it on its first layer) may skip it and return None;
- ``params``: dict name -> array, updated in place by the optimizer;
- ``grads``: dict name -> array, after backward;
- ``output_shape(input_shape) -> shape`` (without the batch axis) and ``describe()`` ->
  a name for ``summary()``.

``Sequential`` chains layers and ends in softmax cross-entropy, like the Keras model of
Session 1 (whose last layers are Flatten and Activation('softmax')).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from helpers import layers
from helpers.softmax import softmax
from helpers.store import ChecksumError, load_npz_checked, save_npz

ASSETS = Path(__file__).resolve().parent / "assets"


class ModelFileError(ValueError):
    """A weights file that does not belong to this model; the message says what differs."""


class Conv2D:
    """Valid, stride-1 convolution with an optional fused ReLU (Keras' ``activation='relu'``).

    params: w (KH, KW, C, F), b (F,).
    """

    def __init__(self, filters: int, kernel_size: int, in_channels: int, activation=None,
                 rng=None):
        rng = rng or np.random.default_rng(0)
        fan_in, fan_out = kernel_size * kernel_size * in_channels, kernel_size ** 2 * filters
        limit = np.sqrt(6.0 / (fan_in + fan_out))  # Glorot uniform, Keras' default
        self.params = {
            "w": rng.uniform(-limit, limit, (kernel_size, kernel_size, in_channels, filters))
            .astype(np.float32),
            "b": np.zeros(filters, dtype=np.float32),
        }
        self.grads = {}
        self.activation = activation
        self.first = False  # Sequential sets it on its first layer
        self.config = {"type": "Conv2D", "filters": filters, "kernel_size": kernel_size,
                       "in_channels": in_channels, "activation": activation}

    def kernels(self) -> np.ndarray:
        """The kernels the convolution uses, (KH, KW, C, F). WNConv2D computes them from
        its own parameters."""
        return self.params["w"]

    def kernel_gradients(self, dw: np.ndarray) -> None:
        """Turn d loss / d kernels, (KH, KW, C, F), into the gradients of the parameters."""
        self.grads["w"] = dw

    def forward(self, x, training=False):
        out, self._cache = layers.conv2d_forward(x, self.kernels(), self.params["b"])
        if self.activation == "relu":
            # The convolution's output is a fresh array, so ReLU may overwrite it.
            out, self._mask = layers.relu_inplace_forward(out)
        return out

    def backward(self, dout):
        if self.activation == "relu":
            # dout is always a fresh gradient from the layer above, so it may be overwritten.
            dout = layers.relu_inplace_backward(dout, self._mask)
        dx, dw, self.grads["b"] = layers.conv2d_backward(dout, self._cache,
                                                         need_dx=not self.first)
        self.kernel_gradients(dw)
        return dx

    def output_shape(self, shape):
        k = self.config["kernel_size"]
        return (shape[0] - k + 1, shape[1] - k + 1, self.config["filters"])

    def describe(self):
        k = self.config["kernel_size"]
        act = f", {self.activation}" if self.activation else ""
        return f"Conv2D {self.config['filters']} {k}x{k}{act}"


class WNConv2D(Conv2D):
    """A Conv2D whose kernels are weight-normalized (layers.weightnorm_forward): each kernel is
    g * v / ||v||. params: v (KH, KW, C, F), g (F,), b (F,).

    It starts from the very kernels a Conv2D would (g = ||v||); ``kernels()`` gives the
    effective w, and the convolution's gradient is passed on to v and g.
    """

    def __init__(self, filters, kernel_size, in_channels, activation=None, rng=None):
        super().__init__(filters, kernel_size, in_channels, activation, rng)
        v = self.params.pop("w")
        self.params = {"v": v, "g": np.sqrt((v ** 2).sum(axis=(0, 1, 2))).astype(np.float32),
                       "b": self.params["b"]}
        self.config["type"] = "WNConv2D"

    def kernels(self) -> np.ndarray:
        w, self._wn_cache = layers.weightnorm_forward(self.params["v"], self.params["g"])
        return w

    def kernel_gradients(self, dw: np.ndarray) -> None:
        self.grads["v"], self.grads["g"] = layers.weightnorm_backward(dw, self._wn_cache)

    def describe(self):
        return "WN" + super().describe()


class Flatten:
    """(N, H, W, C) -> (N, H*W*C). No parameters."""

    def __init__(self):
        self.params, self.grads, self.config = {}, {}, {"type": "Flatten"}

    def forward(self, x, training=False):
        out, self._shape = layers.flatten_forward(x)
        return out

    def backward(self, dout):
        return layers.flatten_backward(dout, self._shape)

    def output_shape(self, shape):
        return (int(np.prod(shape)),)

    def describe(self):
        return "Flatten"


class Adam:
    """Adam (Kingma and Ba, 2015) with Keras' defaults: lr 1e-3, beta1 0.9, beta2 0.999,
    epsilon 1e-7, and Keras' form of the update, bias corrections folded into the step size.

    Each parameter array p, with gradient g, has its own moments m and v (same shape).
    """

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-7):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.t, self.m, self.v = 0, {}, {}

    def step(self, layer_list):
        """One update of every parameter of ``layer_list`` from the gradients in its grads."""
        named = {(i, name): (p, layer.grads[name]) for i, layer in enumerate(layer_list)
                 for name, p in layer.params.items()}
        self._check_same_model(named)
        self.t += 1
        # A Python float: a NumPy float64 scalar would drag float32 arrays through float64.
        lr_t = self.lr * (1 - self.beta2 ** self.t) ** 0.5 / (1 - self.beta1 ** self.t)
        for key, (p, g) in named.items():
            m = self.beta1 * self.m.get(key, 0.0) + (1 - self.beta1) * g
            v = self.beta2 * self.v.get(key, 0.0) + (1 - self.beta2) * g ** 2
            # Divide first, then scale: the float32 rounding the shipped weights were trained with.
            p -= lr_t * (m / (np.sqrt(v) + self.eps))
            self.m[key], self.v[key] = m, v

    def _check_same_model(self, named: dict) -> None:
        if not self.m:
            return
        shapes = {key: p.shape for key, (p, _) in named.items()}
        if shapes != {key: m.shape for key, m in self.m.items()}:
            raise ValueError(f"this Adam optimizer holds moments for another model "
                             f"({sum(m.size for m in self.m.values()):,} parameters; this one "
                             f"has {sum(p.size for p, _ in named.values()):,}); use a new Adam() "
                             "per model.")


LAYER_TYPES = {"Conv2D": Conv2D, "WNConv2D": WNConv2D, "Flatten": Flatten}


class Sequential:
    """Layers in a row, then softmax cross-entropy on the last layer's (N, K) output.

    The first layer is marked (``first`` True): its input is the images, so its backward
    pass skips the input gradient nobody needs.
    """

    def __init__(self, layer_list, input_shape=(28, 28, 1)):
        self.layers = list(layer_list)
        self.input_shape = tuple(input_shape)
        for index, layer in enumerate(self.layers):
            layer.first = index == 0

    # -- forward and backward -------------------------------------------------------
    def forward(self, x, start: int = 0, stop: int | None = None, training: bool = False):
        """x through layers[start:stop]. From the first layer (start 0), x must be images
        (N, 28, 28, 1); from another, what the layer before it returns. Returns the last
        of those layers' output, (N, K) for the whole model."""
        if start == 0:
            x = self._check_input(x)
        for layer in self.layers[start:stop]:
            x = layer.forward(x, training)
        return x

    def predict_logits(self, x, batch_size: int = 500) -> np.ndarray:
        """Scores before softmax: x (N, 28, 28, 1) -> (N, K) float32."""
        x = self._check_input(x)
        with threadpool_limits(1):
            return np.concatenate([self.forward(x[i:i + batch_size])
                                   for i in range(0, len(x), batch_size)])

    def predict_proba(self, x, batch_size: int = 500) -> np.ndarray:
        """Softmax of the scores: (N, K) float64, rows sum to one."""
        return softmax(self.predict_logits(x, batch_size))

    def evaluate(self, x, y) -> tuple[float, float]:
        """(mean cross-entropy, accuracy) on x (N, 28, 28, 1), y (N,)."""
        logits = self.predict_logits(x).astype(np.float64)
        loss, _ = layers.softmax_cross_entropy(logits, np.asarray(y))
        return loss, float((logits.argmax(axis=1) == y).mean())

    def loss_and_grads(self, x, y) -> float:
        """Forward and backward on one batch; leaves gradients in each layer's ``grads``."""
        loss, dout = layers.softmax_cross_entropy(self.forward(x, training=True), y)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return loss

    def _check_input(self, x):
        x = np.asarray(x)
        if x.ndim != 4 or x.shape[1:] != self.input_shape:
            wanted = ", ".join(map(str, self.input_shape))
            raise ValueError(f"the model takes images of shape (N, {wanted}), got {x.shape}.")
        return x.astype(np.float32, copy=False)

    # -- training -------------------------------------------------------------------
    def fit(self, x, y, epochs: int = 1, batch_size: int = 32, optimizer=None, seed: int = 0,
            progress: bool = True, validation_data=None, shift: int = 0) -> dict:
        """Train with mini-batches in a seeded random order; returns the per-epoch history.

        Args:
            x: (N, 28, 28, 1) float32 images; y: (N,) integer labels.
            optimizer: Adam() by default.
            seed: fixes the batch order (and the shifts), so a run is repeatable bit for bit.
            progress: a tqdm bar per epoch (a widget in JupyterLab, text in a terminal),
                showing the mean loss of the epoch's batches so far.
            validation_data: optional (x_val, y_val), evaluated after each epoch.
            shift: if > 0, each training image is moved by up to ``shift`` pixels in each
                direction (light augmentation).
        Returns:
            dict with lists "loss" (mean over the epoch's batches: the bar's last value),
            "accuracy" (on 1,000 training images after the epoch) and, with validation
            data, "val_loss", "val_accuracy".
        """
        from tqdm.auto import tqdm

        x, y = self._check_input(x), np.asarray(y)
        self.optimizer = optimizer or getattr(self, "optimizer", None) or Adam()
        rng = np.random.default_rng(seed)
        history = {"loss": [], "accuracy": []}
        with threadpool_limits(1):
            for epoch in range(epochs):
                order = rng.permutation(len(x))
                bar = tqdm(total=-(-len(x) // batch_size), desc=f"epoch {epoch + 1}/{epochs}",
                           disable=not progress, leave=True)
                history["loss"].append(self._train_epoch(x, y, order, batch_size, shift, rng, bar))
                bar.close()
                train_logits = self.forward(x[order[:1000]])
                correct = (train_logits.argmax(axis=1) == y[order[:1000]]).mean()
                history["accuracy"].append(float(correct))
                if validation_data is not None:
                    val_loss, val_acc = self.evaluate(*validation_data)
                    history.setdefault("val_loss", []).append(val_loss)
                    history.setdefault("val_accuracy", []).append(val_acc)
        return history

    def _train_epoch(self, x, y, order, batch_size, shift, rng, bar) -> float:
        """One pass over x in the given order; returns the mean loss over the images."""
        total_loss, seen = 0.0, 0
        for start in range(0, len(x), batch_size):
            index = order[start:start + batch_size]
            xb = shift_images(x[index], shift, rng) if shift else x[index]
            loss = self.loss_and_grads(xb, y[index])
            self.optimizer.step(self.layers)
            total_loss += loss * len(index)
            seen += len(index)
            bar.update(1)
            bar.set_postfix(loss=f"{total_loss / seen:.3f}", refresh=False)
        return total_loss / seen

    # -- description and files --------------------------------------------------------
    def summary(self) -> str:
        """A Keras-style table: each layer's output shape and parameter count."""
        rows, shape, total = [], self.input_shape, 0
        for layer in self.layers:
            shape = layer.output_shape(shape)
            count = sum(p.size for p in layer.params.values())
            total += count
            rows.append((layer.describe(), "(None, " + ", ".join(map(str, shape)) + ")", count))
        rows.append(("Activation softmax", "(None, " + ", ".join(map(str, shape)) + ")", 0))
        width = max(len(r[0]) for r in rows) + 2
        line = "-" * (width + 36)
        text = [f"{'Layer':<{width}}{'Output shape':<24}{'Param #':>12}", line]
        text += [f"{name:<{width}}{out:<24}{count:>12,}" for name, out, count in rows]
        text += [line, f"Total params: {total:,}"]
        return "\n".join(text)

    def config(self) -> dict:
        return {"input_shape": list(self.input_shape),
                "layers": [layer.config for layer in self.layers]}

    def save(self, path) -> str:
        """Write the architecture and weights to an .npz; returns its SHA-256."""
        arrays = {f"layer{i}_{name}": p for i, layer in enumerate(self.layers)
                  for name, p in layer.params.items()}
        arrays["config"] = np.frombuffer(json.dumps(self.config()).encode(), dtype=np.uint8)
        return save_npz(path, **arrays)


def _build(config: dict) -> Sequential:
    built = []
    for spec in config["layers"]:
        spec = dict(spec)
        kind = spec.pop("type")
        if kind not in LAYER_TYPES:
            raise ModelFileError(f"unknown layer type {kind!r} in the model file.")
        built.append(LAYER_TYPES[kind](**spec))
    return Sequential(built, tuple(config["input_shape"]))


def from_arrays(arrays: dict, where: str, expected_config: dict | None = None) -> Sequential:
    """Rebuild a model from the arrays of a saved file, checking every shape."""
    if "config" not in arrays:
        raise ModelFileError(f"{where} is not a course model file: it has no architecture "
                             "record. Save models with Sequential.save().")
    config = json.loads(arrays["config"].tobytes().decode())
    if expected_config is not None and config != expected_config:
        raise ModelFileError(f"{where} holds a different model: {config['layers']} instead of "
                             f"{expected_config['layers']}.")
    model = _build(config)
    for i, layer in enumerate(model.layers):
        for name, param in layer.params.items():
            key = f"layer{i}_{name}"
            if key not in arrays or arrays[key].shape != param.shape:
                found = arrays[key].shape if key in arrays else "nothing"
                raise ModelFileError(f"{where}: {key} should have shape {param.shape}, found "
                                     f"{found}. The file is damaged or from another model.")
            layer.params[name] = arrays[key].astype(np.float32)
    return model


def load(path, expected: Sequential | None = None) -> Sequential:
    """Load a model saved with ``Sequential.save``.

    Args:
        path: the .npz file.
        expected: optionally a model whose architecture the file must match.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no model file at {path}.")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (OSError, ValueError) as error:
        raise ModelFileError(f"{path} is not a readable .npz model file ({error}).") from None
    return from_arrays(arrays, str(path), expected.config() if expected else None)


def session1_model(kernel_size: int = 3, seed: int = 0, image_size: int = 28,
                   first_layer=None) -> Sequential:
    """The Session 1 network: Conv 32 kxk ReLU -> Conv 10 1x1 ReLU -> Conv 10 over the whole
    remaining map (26x26 for k=3) -> Flatten -> softmax. 68,260 parameters for k=3.

    ``first_layer`` is the class of the first convolution: Conv2D unless given, WNConv2D for
    the weight-normalized model; the same seed gives the same starting kernels either way.
    """
    rng = np.random.default_rng(seed)
    side = image_size - kernel_size + 1
    return Sequential([
        (first_layer or Conv2D)(32, kernel_size, 1, "relu", rng),
        Conv2D(10, 1, 32, "relu", rng),
        Conv2D(10, side, 10, None, rng),
        Flatten(),
    ], (image_size, image_size, 1))


def shift_images(x: np.ndarray, max_shift: int, rng) -> np.ndarray:
    """Move each image by a random whole number of pixels in [-max_shift, max_shift] on each
    axis, filling with zeros. x: (N, H, W, C) -> same shape."""
    n, h, w, _ = x.shape
    padded = np.pad(x, ((0, 0), (max_shift, max_shift), (max_shift, max_shift), (0, 0)))
    dy = rng.integers(0, 2 * max_shift + 1, n)
    dx = rng.integers(0, 2 * max_shift + 1, n)
    rows = dy[:, None] + np.arange(h)[None, :]
    cols = dx[:, None] + np.arange(w)[None, :]
    return padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]


PRETRAINED = ("session1", "large_kernels", "weightnorm", "small_data")


def pretrained_record(name: str) -> dict:
    """The JSON record shipped beside a pretrained model (settings, accuracy, history)."""
    if name not in PRETRAINED:
        raise ValueError(f"no pretrained model {name!r}; choose one of {', '.join(PRETRAINED)}.")
    return json.loads((ASSETS / f"weights_{name}.json").read_text(encoding="utf-8"))


def load_pretrained(name: str = "session1") -> Sequential:
    """A model the course trained, from helpers/assets, its SHA-256 checked."""
    record = pretrained_record(name)
    hint = (f"Restore it with `git checkout helpers/assets` or run "
            f"`python scripts/train_weights.py {name}`.")
    try:
        arrays = load_npz_checked(ASSETS / f"weights_{name}.npz", record["sha256"],
                                  f"The {name} weights", hint)
    except (FileNotFoundError, ChecksumError) as error:
        raise ModelFileError(str(error)) from None
    return from_arrays(arrays, f"weights_{name}.npz")


def first_layer_kernels(model: Sequential) -> np.ndarray:
    """The first layer's effective kernels (KH, KW, 1, F), weight-normalized or not."""
    return model.layers[0].kernels()
