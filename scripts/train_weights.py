"""Train the course's shipped models, deterministically, and record how.

    python scripts/train_weights.py                 # all four
    python scripts/train_weights.py session1        # or one: session1, large_kernels,
                                                    # weightnorm, small_data
    python scripts/train_weights.py --check         # retrain, compare SHA-256s, write nothing

Each run writes helpers/assets/weights_<name>.npz and weights_<name>.json (SHA-256,
settings, per-epoch history, test accuracy). One BLAS thread and a fixed seed make the
weights the same bit for bit on every run on the same machine.
"""

from __future__ import annotations

import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from helpers.data import load_mnist  # noqa: E402
from helpers.model import ASSETS, Adam, WNConv2D, session1_model  # noqa: E402

SETTINGS = {
    "session1": {"kernel_size": 3, "epochs": 10, "batch_size": 32, "shift": 1, "seed": 0},
    "large_kernels": {"kernel_size": 7, "epochs": 10, "batch_size": 32, "shift": 1, "seed": 0},
    # The session1 model with a weight-normalized first layer (WNConv2D, helpers/model.py).
    "weightnorm": {"kernel_size": 3, "epochs": 10, "batch_size": 32, "shift": 1, "seed": 0,
                   "weight_norm": True},
    # Trained longer on a quarter of the digits, without shifts: an over-confident network,
    # for notebook 03's calibration section (its softmax values are not frequencies).
    "small_data": {"kernel_size": 3, "epochs": 30, "batch_size": 32, "shift": 0, "seed": 0,
                   "train_images": 1000},
}


def train(name: str, settings: dict, progress: bool = True):
    """Train one model as ``settings`` say; returns (model, history, seconds)."""
    data = load_mnist("onboard")
    model = session1_model(kernel_size=settings["kernel_size"], seed=settings["seed"],
                           first_layer=WNConv2D if settings.get("weight_norm") else None)
    count = settings.get("train_images", len(data.x_train))  # the first ones of the split
    start = time.perf_counter()
    history = model.fit(data.x_train[:count], data.y_train[:count], epochs=settings["epochs"],
                        batch_size=settings["batch_size"], optimizer=Adam(),
                        seed=settings["seed"], progress=progress, shift=settings["shift"],
                        validation_data=(data.x_test, data.y_test))
    return model, history, time.perf_counter() - start


def main(names: list[str]) -> None:
    for name in names or list(SETTINGS):
        settings = SETTINGS[name]
        model, history, seconds = train(name, settings)
        path = ASSETS / f"weights_{name}.npz"
        digest = model.save(path)
        record = {
            "file": path.name,
            "sha256": digest,
            "settings": {**settings, "optimizer": "Adam (lr 1e-3, beta1 0.9, beta2 0.999, "
                         "eps 1e-7)", "data": "on-board MNIST split, "
                         f"{settings.get('train_images', 4000):,} train / 1,000 test",
                         "blas_threads": 1},
            "test_accuracy": round(history["val_accuracy"][-1], 4),
            "test_loss": round(history["val_loss"][-1], 4),
            "history": {key: [round(v, 5) for v in values] for key, values in history.items()},
            "train_seconds": round(seconds, 1),
            "trained_on": f"{platform.machine()}, Python {platform.python_version()}, "
                          f"NumPy {np.__version__}",
            "rebuild": f"python scripts/train_weights.py {name}",
        }
        if name == "session1":
            # The same run without the shifts, kept for its history only: it shows the
            # training loss falling towards zero while the test loss turns up (overfitting).
            _, plain, _ = train(name, {**settings, "shift": 0}, progress=False)
            record["history_without_shift"] = {key: [round(v, 5) for v in values]
                                               for key, values in plain.items()}
        (ASSETS / f"weights_{name}.json").write_text(json.dumps(record, indent=2) + "\n")
        print(f"{name}: test accuracy {record['test_accuracy']:.2%} after {seconds:.1f} s; "
              f"wrote {path.name} ({path.stat().st_size:,} bytes)")


def check(names: list[str]) -> int:
    """Retrain each model into a temporary folder; 0 if every SHA-256 equals its record's."""
    failed = 0
    for name in names or list(SETTINGS):
        model, _, seconds = train(name, SETTINGS[name], progress=False)
        with tempfile.TemporaryDirectory() as folder:
            digest = model.save(Path(folder) / f"weights_{name}.npz")
        recorded = json.loads((ASSETS / f"weights_{name}.json").read_text())["sha256"]
        same = digest == recorded
        failed += not same
        print(f"{name}: {'same' if same else 'DIFFERENT'} weights, SHA-256 {digest[:16]}... "
              f"(recorded {recorded[:16]}...), {seconds:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    arguments = sys.argv[1:]
    unknown = [a for a in arguments if a not in SETTINGS and a != "--check"]
    if unknown:
        sys.exit(f"unknown model {unknown[0]!r}; choose from {', '.join(SETTINGS)} (or --check).")
    if "--check" in arguments:
        sys.exit(check([a for a in arguments if a != "--check"]))
    main(arguments)
