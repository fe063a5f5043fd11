"""The full-size training command: runs on Fashion-MNIST's IDX folder; bad data is explained."""

from pathlib import Path

import pytest

from helpers.train import main

FASHION = Path("/usr/share/datasets/fashion-mnist")


@pytest.mark.skipif(not FASHION.is_dir(), reason="Fashion-MNIST's Debian package is not installed")
def test_training_command_runs_on_fashion_mnist(capsys, tmp_path):
    assert main(["--data", str(FASHION), "--epochs", "1", "--limit", "256", "--quiet",
                 "--save", str(tmp_path / "fm.npz")]) == 0
    out = capsys.readouterr().out
    assert "training on 256 images, testing on 10,000" in out
    assert "epoch 1/1" in out and (tmp_path / "fm.npz").exists()


def test_missing_data_is_a_clear_error(capsys):
    assert main(["--data", "/no/such/folder", "--quiet"]) == 2
    assert "does not exist" in capsys.readouterr().err
