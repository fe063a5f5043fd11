"""Rebuild helpers/assets/colour_kernels.npz: a colour first layer learned from a photograph.

96 kernels of 11x11x3, learned by independent component analysis of 20,000 random 11x11 patches
of the colour photograph Matplotlib ships (``grace_hopper.jpg``), as helpers.colour_kernels
describes. Seeded; takes about 3 s. The record (settings, source, SHA-256) goes beside it in
colour_kernels.json.

Usage:
    python scripts/build_colour_kernels.py           # write the asset and its record
    python scripts/build_colour_kernels.py --check   # rebuild in memory and compare
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import matplotlib  # noqa: E402
import matplotlib.cbook  # noqa: E402

from helpers import colour_kernels  # noqa: E402
from helpers.store import save_npz, sha256_of, write_atomic  # noqa: E402

OUT = ROOT / "helpers" / "assets" / "colour_kernels.npz"


def build(folder: Path) -> tuple[Path, dict]:
    kernels, run = colour_kernels.learn_colour_kernels()
    path = folder / OUT.name
    digest = save_npz(path, kernels=kernels.astype(np.float32))
    source = Path(matplotlib.cbook.get_sample_data(colour_kernels.PHOTO, asfileobj=False))
    record = {
        "file": OUT.name, "sha256": digest, "bytes": path.stat().st_size,
        "arrays": {"kernels": f"{'x'.join(map(str, kernels.shape))} float32, (F, KH, KW, RGB), "
                              "loudest first in grey, largest weight of each positive"},
        "method": "symmetric FastICA (tanh) on PCA-whitened random patches; the kernels are "
                  "the ICA filters (unmixing rows times the whitening)",
        "source": f"matplotlib {matplotlib.__version__} sample data: "
                  f"mpl-data/sample_data/{colour_kernels.PHOTO} "
                  f"(sha256 {sha256_of(source)})",
        "photograph": "portrait of Grace Hopper, as Matplotlib ships it for its examples",
        **run,
        "rebuild": "python scripts/build_colour_kernels.py",
    }
    return path, record


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path, record = build(Path(folder))
        if args.check:
            shipped = np.load(OUT)["kernels"]
            fresh = np.load(path)["kernels"]
            gap = float(np.abs(shipped - fresh).max())
            print(f"largest gap to the shipped kernels: {gap:.2e} (peak |w| "
                  f"{np.abs(shipped).max():.3g})")
            return 0 if np.allclose(shipped, fresh, rtol=1e-4, atol=1e-4 * np.abs(shipped).max()) \
                else 1
        write_atomic(OUT, path.read_bytes())
    write_atomic(OUT.with_suffix(".json"), json.dumps(record, indent=2) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)} ({record['bytes']:,} bytes, "
          f"{record['iterations_run']} iterations)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
