"""The MNIST loader: on-board split, Keras' npz, IDX folders, and every way a file is wrong."""

import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest

from helpers import data
from helpers.data import DataError, load_mnist

FASHION = Path("/usr/share/datasets/fashion-mnist")


def test_onboard_split_is_fixed_stratified_and_scaled():
    split = load_mnist("onboard")
    assert split.x_train.shape == (4000, 28, 28, 1)
    assert split.x_test.shape == (1000, 28, 28, 1)
    assert split.x_train.dtype == np.float32 and split.y_train.dtype == np.int64
    assert 0.0 <= split.x_train.min() and split.x_train.max() <= 1.0
    assert np.bincount(split.y_train).tolist() == [400] * 10
    assert np.bincount(split.y_test).tolist() == [100] * 10
    # Shuffled, not sorted by label as the source is.
    assert (np.diff(split.y_train) != 0).mean() > 0.5
    again = load_mnist()
    np.testing.assert_array_equal(split.x_train, again.x_train)
    np.testing.assert_array_equal(split.y_test, again.y_test)


def test_onboard_train_and_test_do_not_overlap():
    split = load_mnist()
    train = {img.tobytes() for img in split.x_train}
    assert not any(img.tobytes() in train for img in split.x_test)


def test_onboard_record_names_source_and_licence():
    record = data.onboard_record()
    assert "CC BY-SA 3.0" in record["licence"]
    assert len(record["sha256"]) == 64


@pytest.fixture
def assets_copy(tmp_path, monkeypatch):
    folder = tmp_path / "assets"
    shutil.copytree(data.ASSETS, folder)
    monkeypatch.setattr(data, "ASSETS", folder)
    monkeypatch.setattr(data, "ONBOARD", folder / "mnist5k.npz")
    return folder


def test_altered_onboard_file_is_refused(assets_copy):
    target = assets_copy / "mnist5k.npz"
    raw = bytearray(target.read_bytes())
    raw[1000] ^= 0xFF
    target.write_bytes(bytes(raw))
    with pytest.raises(DataError, match="altered or damaged.*git checkout"):
        load_mnist()


def test_missing_onboard_file_is_explained(assets_copy):
    (assets_copy / "mnist5k.npz").unlink()
    with pytest.raises(DataError, match="missing.*build_mnist5k"):
        load_mnist()


def fake_arrays(n_train=12, n_test=5, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test, dtype=np.uint8),
    }


def test_keras_npz_is_read_by_argument_and_by_environment(tmp_path, monkeypatch):
    arrays = fake_arrays()
    path = tmp_path / "mnist.npz"
    np.savez(path, **arrays)
    split = load_mnist(path)
    assert split.x_train.shape == (12, 28, 28, 1)
    np.testing.assert_allclose(split.x_test[..., 0] * 255, arrays["x_test"], atol=1e-3)
    monkeypatch.setenv(data.ENV_VAR, str(path))
    assert load_mnist().x_train.shape[0] == 12


def test_keras_npz_without_the_expected_arrays(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, weights=np.zeros(3))
    with pytest.raises(DataError, match="not Keras' mnist.npz: it lacks x_test"):
        load_mnist(path)


def test_truncated_keras_npz(tmp_path):
    path = tmp_path / "mnist.npz"
    np.savez_compressed(path, **fake_arrays())
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(DataError, match="truncated or corrupted"):
        load_mnist(path)


def test_missing_path_says_what_to_give():
    with pytest.raises(DataError, match="does not exist.*IDX files"):
        load_mnist("/no/such/mnist.npz")


def write_idx(folder: Path, arrays: dict, gzipped: bool, magic_images=2051, magic_labels=2049):
    for key, stem in data.IDX_NAMES.items():
        array = arrays[key]
        magic = magic_images if key.startswith("x") else magic_labels
        header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
        suffix = "-idx3-ubyte" if key.startswith("x") else "-idx1-ubyte"
        raw = header + array.tobytes()
        name = stem + suffix + (".gz" if gzipped else "")
        (folder / name).write_bytes(gzip.compress(raw) if gzipped else raw)


@pytest.mark.parametrize("gzipped", [True, False])
def test_idx_folder_is_read(tmp_path, gzipped):
    arrays = fake_arrays()
    write_idx(tmp_path, arrays, gzipped)
    split = load_mnist(tmp_path)
    assert split.x_train.shape == (12, 28, 28, 1)
    np.testing.assert_array_equal(split.y_train, arrays["y_train"])


def test_idx_wrong_magic_number(tmp_path):
    write_idx(tmp_path, fake_arrays(), gzipped=False, magic_images=2049)
    with pytest.raises(DataError, match="magic number 2049, not 2051"):
        load_mnist(tmp_path)


def test_idx_truncated_file(tmp_path):
    write_idx(tmp_path, fake_arrays(), gzipped=False)
    target = tmp_path / "train-images-idx3-ubyte"
    target.write_bytes(target.read_bytes()[:-100])
    with pytest.raises(DataError, match="truncated or corrupted"):
        load_mnist(tmp_path)


def test_idx_corrupted_gzip(tmp_path):
    write_idx(tmp_path, fake_arrays(), gzipped=True)
    target = tmp_path / "t10k-labels-idx1-ubyte.gz"
    target.write_bytes(target.read_bytes()[:20])
    with pytest.raises(DataError, match="cannot be decompressed"):
        load_mnist(tmp_path)


def test_idx_mismatched_image_and_label_counts(tmp_path):
    arrays = fake_arrays()
    arrays["y_test"] = arrays["y_test"][:3]
    write_idx(tmp_path, arrays, gzipped=False)
    with pytest.raises(DataError, match="5 test images but \\(3,\\) labels"):
        load_mnist(tmp_path)


def test_idx_folder_missing_a_file(tmp_path):
    write_idx(tmp_path, fake_arrays(), gzipped=False)
    (tmp_path / "t10k-images-idx3-ubyte").unlink()
    with pytest.raises(DataError, match="no t10k-images IDX file"):
        load_mnist(tmp_path)


@pytest.mark.skipif(not FASHION.is_dir(), reason="Fashion-MNIST's Debian package is not installed")
def test_fashion_mnist_from_its_debian_package():
    split = load_mnist(FASHION)
    assert split.x_train.shape == (60000, 28, 28, 1)
    assert split.x_test.shape == (10000, 28, 28, 1)
    assert np.bincount(split.y_test).tolist() == [1000] * 10
