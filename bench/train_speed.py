"""Training speed: the course's NumPy network against the same network in PyTorch, on the CPU.

Epochs of the 4,000 on-board training images, 32-image batches, Adam, one thread as the course
trains; medians over several epochs. Always: the NumPy epoch with its products cut into
small-matrix pieces (helpers/layers.py, SMALL_PRODUCT) beside the same epochs with each
product whole, run alternately; NumPy's own single-thread matrix-product rate and the
network's achieved rate as a fraction of it; where NumPy's time goes (a profile of one epoch).
With PyTorch (a bench-only extra: `pip install torch==2.13.0`): the same network, initial
weights and batches in PyTorch, on one thread and on its default threads. Without it those
rows are skipped, with a line saying so.

Prints a Markdown table and writes it to bench/results/train_speed.md.
"""

from __future__ import annotations

import contextlib
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from _report import publish  # noqa: E402  (bench/_report.py, beside this script)

from helpers import layers  # noqa: E402
from helpers.data import load_mnist  # noqa: E402
from helpers.model import Adam, session1_model  # noqa: E402

EPOCHS = 5


def matmul_rate(size: int = 1024, repeats: int = 5) -> float:
    """Single-thread float32 matrix-product rate, GFLOP/s (best of ``repeats``)."""
    rng = np.random.default_rng(0)
    left, right = rng.random((size, size), np.float32), rng.random((size, size), np.float32)
    with threadpool_limits(1):
        best = min(_timed(lambda: left @ right) for _ in range(repeats))
    return 2 * size ** 3 / best / 1e9


def _timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def flops_per_image(kernel: int = 3, side: int = 28) -> float:
    """Multiply-adds x 2 of one forward pass; training costs about 3 forward passes
    (forward, and two products per layer backward), less the first layer's input gradient."""
    out = side - kernel + 1
    conv1 = out * out * 32 * kernel * kernel * 2
    conv2 = out * out * 10 * 32 * 2
    conv3 = out * out * 10 * 10 * 2
    return 3 * (conv1 + conv2 + conv3) - conv1


@contextlib.contextmanager
def _products_in_one_piece():
    saved = layers.SMALL_PRODUCT
    layers.SMALL_PRODUCT = 10 ** 18
    try:
        yield
    finally:
        layers.SMALL_PRODUCT = saved


def torch_model(numpy_model):
    import torch

    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.Conv2d(32, 10, 1), torch.nn.ReLU(),
        torch.nn.Conv2d(10, 10, 26), torch.nn.Flatten())
    convs = [m for m in net if isinstance(m, torch.nn.Conv2d)]
    with torch.no_grad():
        for conv, layer in zip(convs, numpy_model.layers[:3], strict=True):
            conv.weight.copy_(torch.from_numpy(layer.params["w"].transpose(3, 2, 0, 1).copy()))
            conv.bias.copy_(torch.from_numpy(layer.params["b"]))
    return net


def numpy_epoch(model, optimizer, images, labels, order):
    with threadpool_limits(1):
        for start in range(0, len(order), 32):
            index = order[start:start + 32]
            model.loss_and_grads(images[index], labels[index])
            optimizer.step(model.layers)


def torch_epoch(net, optimizer, images, labels, order):
    import torch

    loss_function = torch.nn.CrossEntropyLoss()
    for start in range(0, len(order), 32):
        index = torch.from_numpy(order[start:start + 32])
        optimizer.zero_grad()
        loss = loss_function(net(images[index]), labels[index])
        loss.backward()
        optimizer.step()


def profile_epoch(images, labels, order) -> list[tuple[str, float]]:
    model = session1_model(seed=0)
    profiler = cProfile.Profile()
    profiler.enable()
    numpy_epoch(model, Adam(), images, labels, order)
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    total = sum(entry[2] for entry in stats.values())
    rows = sorted(((f"{Path(key[0]).name}:{key[2]}", entry[2] / total)
                   for key, entry in stats.items()), key=lambda item: -item[1])
    return rows[:6]


def numpy_rows(images, labels) -> tuple[list, float]:
    """Epochs with products in pieces (layers.SMALL_PRODUCT) and whole, alternately on one
    model; returns the table rows and the median epoch time in pieces."""
    model, optimizer = session1_model(seed=0), Adam()
    rng = np.random.default_rng(0)
    pieces, whole = [], []
    for _ in range(EPOCHS):
        order = rng.permutation(len(images))
        pieces.append(_timed(numpy_epoch, model, optimizer, images, labels, order))
        with _products_in_one_piece():
            whole.append(_timed(numpy_epoch, model, optimizer, images, labels, order))
    pieces_time, whole_time = statistics.median(pieces), statistics.median(whole)
    rows = [
        (f"NumPy epoch (4,000 images, batch 32, 1 thread), products in pieces of at most "
         f"{layers.SMALL_PRODUCT:,} multiply-adds (as the course trains), median of {EPOCHS}",
         f"{pieces_time:.2f} s", ""),
        ("the same epochs with each product whole (no small-matrix kernels)",
         f"{whole_time:.2f} s", ""),
        ("whole / pieces", f"{whole_time / pieces_time:.2f}x", "> 1x keeps the cut"),
    ]
    return rows, pieces_time


def torch_rows(images, labels, numpy_time: float) -> list:
    """The same network and batches in PyTorch, on one thread and on its default threads."""
    import torch

    default_threads = torch.get_num_threads()
    torch_images = torch.from_numpy(images.transpose(0, 3, 1, 2).copy())
    torch_labels = torch.from_numpy(labels)
    times = {}
    for threads in (1, default_threads):
        torch.set_num_threads(threads)
        net = torch_model(session1_model(seed=0))
        optimizer = torch.optim.Adam(net.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
        rng = np.random.default_rng(0)
        times[threads] = statistics.median(
            _timed(torch_epoch, net, optimizer, torch_images, torch_labels,
                   rng.permutation(len(images))) for _ in range(EPOCHS))
    torch.set_num_threads(default_threads)
    one, default = times[1], times[default_threads]
    return [
        (f"PyTorch {torch.__version__} CPU epoch, same model and batches, 1 thread",
         f"{one:.2f} s", ""),
        ("NumPy time / PyTorch time (both 1 thread)", f"{numpy_time / one:.2f}x", "<= 0.4x"),
        (f"PyTorch epoch with its default {default_threads} threads", f"{default:.2f} s", ""),
        ("NumPy (1 thread) / PyTorch (default threads)", f"{numpy_time / default:.2f}x",
         "<= 0.4x"),
    ]


def main() -> None:
    data = load_mnist()
    images, labels = data.x_train, data.y_train
    rows, numpy_time = numpy_rows(images, labels)
    notes = []
    try:
        rows += torch_rows(images, labels, numpy_time)
    except ImportError:
        notes.append("PyTorch is not installed: its rows are skipped "
                     "(install with `pip install torch==2.13.0`).")
    rate = matmul_rate()
    achieved = flops_per_image() * len(images) / numpy_time / 1e9
    rows += [
        ("NumPy single-thread float32 matmul (1024x1024)", f"{rate:.1f} GFLOP/s", ""),
        ("network's achieved rate in training", f"{achieved:.1f} GFLOP/s", ""),
        ("achieved / matmul rate", f"{achieved / rate:.0%}", ">= 25%"),
    ]
    lines = ["| what | measured | target |", "|---|---|---|"]
    lines += [f"| {what} | {value} | {target} |" for what, value, target in rows]
    lines += [""] + notes + ["", "Where NumPy's epoch goes (share of profiled time):", ""]
    lines += [f"- {name}: {share:.0%}" for name, share in
              profile_epoch(images, labels, np.random.default_rng(1).permutation(len(images)))]
    publish(__file__, "Training speed", "\n".join(lines))


if __name__ == "__main__":
    main()
