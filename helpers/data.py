"""MNIST for the course: the on-board 5,000-digit subset, or a full copy the user has.

``load_mnist()`` returns the same split on every machine:

- no argument and no ``COURSE_MNIST`` variable: the 5,000 real MNIST digits that ship
  in ``helpers/assets/mnist5k.npz`` (500 per digit), split 4,000 train / 1,000 test,
  stratified (400 / 100 per digit), in a fixed shuffled order stored in the file;
- a path to Keras' cache file ``mnist.npz`` (arrays ``x_train``, ``y_train``,
  ``x_test``, ``y_test``), e.g. ``~/.keras/datasets/mnist.npz``;
- a path to a folder with the four IDX files (``train-images-idx3-ubyte``,
  ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``,
  each optionally gzipped). Fashion-MNIST ships in this form too.

The source can also be set with the environment variable ``COURSE_MNIST``.
Anything wrong with a file raises ``DataError`` saying what and what to do.
"""

from __future__ import annotations

import gzip
import json
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers.store import ChecksumError, load_npz_checked

ENV_VAR = "COURSE_MNIST"
ASSETS = Path(__file__).resolve().parent / "assets"
ONBOARD = ASSETS / "mnist5k.npz"
_REBUILD = ("Restore it with `git checkout helpers/assets` or rebuild it with "
            "`python scripts/build_mnist5k.py`.")

IDX_NAMES = {
    "x_train": "train-images",
    "y_train": "train-labels",
    "x_test": "t10k-images",
    "y_test": "t10k-labels",
}
_IDX_MAGIC = {"images": 2051, "labels": 2049}


class DataError(ValueError):
    """A data source that cannot be read; the message says what is wrong and what to do."""


@dataclass(frozen=True)
class Split:
    """A train/test split of 28x28 grey images.

    Attributes:
        x_train: (N, 28, 28, 1) float32 in [0, 1], channels last.
        y_train: (N,) int64 class labels 0..9.
        x_test: (M, 28, 28, 1) float32 in [0, 1].
        y_test: (M,) int64.
        source: a short description of where the data came from.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str

    def __repr__(self) -> str:
        return (f"Split(train={self.x_train.shape[0]}, test={self.x_test.shape[0]}, "
                f"image={self.x_train.shape[1:]}, source={self.source!r})")


def onboard_record() -> dict:
    """The provenance record stored beside the on-board file (SHA-256, source, licence)."""
    return json.loads((ASSETS / "mnist5k.json").read_text(encoding="utf-8"))


def load_mnist(source: str | os.PathLike | None = None) -> Split:
    """Load MNIST (or an MNIST-format set) as a fixed train/test split.

    Args:
        source: ``None`` (use ``$COURSE_MNIST`` if set, else the on-board subset),
            ``"onboard"``, a path to a Keras ``mnist.npz`` file, or a path to a
            folder holding the four IDX files.

    Returns:
        A ``Split`` with images (N, 28, 28, 1) float32 in [0, 1] and int64 labels.
    """
    if source is None:
        source = os.environ.get(ENV_VAR, "").strip() or "onboard"
    if str(source) == "onboard":
        return _load_onboard()
    path = Path(source).expanduser()
    if path.is_dir():
        return _load_idx_folder(path)
    if path.is_file():
        return _load_keras_npz(path)
    raise DataError(
        f"MNIST source {str(source)!r} does not exist. Give the path of Keras' mnist.npz "
        f"(usually ~/.keras/datasets/mnist.npz), a folder with the four IDX files, or "
        f"'onboard' (also via ${ENV_VAR})."
    )


def _to_split(x_train, y_train, x_test, y_test, source: str) -> Split:
    def images(x):
        return (x.astype(np.float32) / np.float32(255.0))[..., np.newaxis]

    return Split(images(x_train), y_train.astype(np.int64), images(x_test),
                 y_test.astype(np.int64), source)


def _load_onboard() -> Split:
    record = onboard_record()
    try:
        arrays = load_npz_checked(ONBOARD, record["sha256"], "The on-board MNIST subset", _REBUILD)
    except (FileNotFoundError, ChecksumError) as error:
        raise DataError(str(error)) from None
    images, labels = arrays["images"], arrays["labels"]
    train, test = arrays["train_idx"], arrays["test_idx"]
    return _to_split(images[train], labels[train], images[test], labels[test],
                     "on-board MNIST subset (5,000 digits)")


def _check_pairs(arrays: dict, where: str) -> None:
    for part in ("train", "test"):
        x, y = arrays[f"x_{part}"], arrays[f"y_{part}"]
        if x.ndim != 3 or x.shape[1:] != (28, 28):
            raise DataError(f"{where}: x_{part} has shape {x.shape}, expected (N, 28, 28).")
        if y.ndim != 1 or len(y) != len(x):
            raise DataError(
                f"{where}: {len(x)} {part} images but {y.shape} labels; the image and label "
                "files do not belong together. Use the matching pair from the same download."
            )
        if len(y) and (y.min() < 0 or y.max() > 9):
            raise DataError(f"{where}: {part} labels run from {y.min()} to {y.max()}, "
                            "expected 0..9.")


def _load_keras_npz(path: Path) -> Split:
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = sorted(set(IDX_NAMES) - set(archive.files))
            if missing:
                raise DataError(f"{path} is not Keras' mnist.npz: it lacks {', '.join(missing)} "
                                f"(it has {', '.join(archive.files) or 'no arrays'}).")
            arrays = {name: archive[name] for name in IDX_NAMES}
    except DataError:
        raise
    except (OSError, ValueError, EOFError, zlib.error, zipfile.BadZipFile) as error:
        raise DataError(f"{path} cannot be read as an .npz file ({error}); it is truncated or "
                        "corrupted. Download it again (delete it and let Keras fetch it).",
                        ) from None
    _check_pairs(arrays, str(path))
    return _to_split(**arrays, source=f"Keras npz {path.name}")


def _find_idx(folder: Path, stem: str) -> Path:
    matches = sorted(p for p in folder.iterdir()
                     if p.name.startswith(stem) and ("idx" in p.name) and p.is_file())
    if not matches:
        raise DataError(f"{folder} has no {stem} IDX file; expected {stem}-idx?-ubyte "
                        "(or .gz). Put the four MNIST IDX files in one folder.")
    return matches[0]


def read_idx(path: str | Path, kind: str) -> np.ndarray:
    """Read one IDX file (gzipped or not).

    Args:
        path: the file.
        kind: ``"images"`` (magic 2051, result (N, rows, cols) uint8) or ``"labels"``
            (magic 2049, result (N,) uint8).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(f"{path} cannot be decompressed ({error}); the download is truncated or "
                        "corrupted. Download it again.") from None
    header_len = 16 if kind == "images" else 8
    if len(raw) < header_len:
        raise DataError(f"{path} is {len(raw)} bytes, too short to be an IDX {kind} file. "
                        "Download it again.")
    magic = int.from_bytes(raw[0:4], "big")
    if magic != _IDX_MAGIC[kind]:
        raise DataError(f"{path} starts with magic number {magic}, not {_IDX_MAGIC[kind]} "
                        f"for IDX {kind}: it is not an IDX {kind} file, or the image and label "
                        "files were swapped.")
    ndims = (header_len - 4) // 4
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndims)]
    expected = int(np.prod(dims))
    body = raw[header_len:]
    if len(body) != expected:
        raise DataError(f"{path} holds {len(body)} bytes of data but its header announces "
                        f"{dims} = {expected}: the file is truncated or corrupted. "
                        "Download it again.")
    return np.frombuffer(body, dtype=np.uint8).reshape(dims)


def _load_idx_folder(folder: Path) -> Split:
    arrays = {}
    for name, stem in IDX_NAMES.items():
        arrays[name] = read_idx(_find_idx(folder, stem), "images" if name[0] == "x" else "labels")
    _check_pairs(arrays, str(folder))
    return _to_split(**arrays, source=f"IDX folder {folder.name}")
