"""Byte-reproducible npz files, atomic writes and the SHA-256 check."""

import json

import numpy as np
import pytest

from helpers.data import ASSETS
from helpers.store import ChecksumError, load_npz_checked, save_npz, sha256_of, write_atomic


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



def test_shipped_weights_are_rebuilt_byte_for_byte(tmp_path):
    with np.load(ASSETS / "weights_session1.npz") as archive:
        arrays = {name: archive[name] for name in archive.files}
    recorded = json.loads((ASSETS / "weights_session1.json").read_text())["sha256"]
    assert save_npz(tmp_path / "w.npz", **arrays) == recorded


def test_atomic_write_replaces_whole_files_and_leaves_nothing_behind(tmp_path):
    path = tmp_path / "notes.md"
    write_atomic(path, "first\nversion\n")
    write_atomic(path, "second\n")
    assert path.read_bytes() == b"second\n"
    write_atomic(path, b"\x00\x01")
    assert path.read_bytes() == b"\x00\x01"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.md"]


def test_a_failed_atomic_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "notes.md"
    path.write_text("old\n")
    with pytest.raises(TypeError, match="bytes or str, got int"):
        write_atomic(path, 12345)

    def interrupted(*args):
        raise KeyboardInterrupt
    monkeypatch.setattr("helpers.store.os.replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, "new\n")
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.md"]
