"""Byte-reproducible ``.npz`` files and their SHA-256 check.

NumPy's own ``np.savez`` stamps each member with the current time, so saving the
same arrays twice gives two different files and a recorded checksum could never be
reproduced. ``save_npz`` writes the same format with a fixed timestamp, so a file
rebuilt from the same arrays has the same SHA-256.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


class ChecksumError(RuntimeError):
    """A file's SHA-256 is not the one recorded for it."""


def sha256_of(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_atomic(path: str | Path, data: bytes | str) -> None:
    """Write ``data`` (bytes, or str as UTF-8 with "\\n" line ends) to ``path`` all at once.

    The bytes go to a temporary file beside ``path`` that is then renamed over it in one
    step, so a reader never sees a half-written file, and a failed write (full disc,
    interrupted kernel) leaves whatever was at ``path`` as it was.
    """
    if not isinstance(data, (bytes, str)):
        raise TypeError(f"write_atomic writes bytes or str, got {type(data).__name__}.")
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save_npz(path: str | Path, **arrays: np.ndarray) -> str:
    """Write ``arrays`` as a compressed ``.npz`` whose bytes depend only on the arrays.

    Members are written in sorted name order with a fixed timestamp. Returns the
    file's SHA-256. The file is written by ``write_atomic``, so a failed save never
    leaves a half-written file in place.
    """
    path = Path(path)
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, buffer.getvalue())
    write_atomic(path, zipped.getvalue())
    return sha256_of(path)


def load_npz_checked(path: str | Path, sha256: str, what: str, rebuild_hint: str) -> dict:
    """Load every array of an ``.npz`` after checking its SHA-256.

    ``what`` names the file for the reader ("the on-board MNIST subset") and
    ``rebuild_hint`` says how to get a good copy back. Raises ``FileNotFoundError``
    or ``ChecksumError`` with both in the message.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{what} is missing: expected {path}. {rebuild_hint}")
    actual = sha256_of(path)
    if actual != sha256:
        raise ChecksumError(
            f"{what} at {path} has SHA-256 {actual[:12]}..., not the recorded "
            f"{sha256[:12]}...: the file was altered or damaged. {rebuild_hint}"
        )
    with np.load(path, allow_pickle=False) as archive:
        return {name: archive[name] for name in archive.files}
