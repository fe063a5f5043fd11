"""Byte-reproducible npz files and the SHA-256 check."""

import numpy as np
import pytest

from helpers.store import ChecksumError, load_npz_checked, save_npz, sha256_of


def test_same_arrays_give_the_same_bytes(tmp_path):
    arrays = {"b": np.arange(6).reshape(2, 3), "a": np.linspace(0, 1, 5, dtype=np.float32)}
    first = save_npz(tmp_path / "one.npz", **arrays)
    second = save_npz(tmp_path / "two.npz", **arrays)
    assert first == second == sha256_of(tmp_path / "one.npz")
    assert not list(tmp_path.glob("*.part"))


def test_checked_load_round_trips_and_refuses_changes(tmp_path):
    path = tmp_path / "w.npz"
    digest = save_npz(path, w=np.ones((2, 2)))
    loaded = load_npz_checked(path, digest, "the weights", "Rebuild them.")
    np.testing.assert_array_equal(loaded["w"], np.ones((2, 2)))
    with pytest.raises(ChecksumError, match="the weights .* altered or damaged. Rebuild them."):
        load_npz_checked(path, "0" * 64, "the weights", "Rebuild them.")
    with pytest.raises(FileNotFoundError, match="missing"):
        load_npz_checked(tmp_path / "none.npz", digest, "the weights", "Rebuild them.")
