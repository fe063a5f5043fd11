"""Colour first-layer kernels: our own, learned from a colour photograph; the lesson's, measured.

Our MNIST network sees one grey channel, so it cannot show what the lesson's picture shows:
AlexNet's first layer (96 kernels of 11x11x3) holds colour kernels that go flat when the
picture is turned grey. Here a colour first layer is learned from real colour patches by
independent component analysis (ICA), which gives oriented edges and colour-opponent blobs as
AlexNet's first layer has (Hoyer and Hyvärinen 2000, "Independent component analysis applied to
feature extraction from colour and stereo images"). The photograph is the one Matplotlib ships
(``grace_hopper.jpg``, Grace Hopper's portrait, with the US flag behind her).

Shapes: a colour stack is (F, KH, KW, 3), channels R, G, B; a grey stack is (F, KH, KW).
``helpers/assets/colour_kernels.npz`` holds the learned stack; ``python
scripts/build_colour_kernels.py`` rebuilds it (about 3 s).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from helpers.store import load_npz_checked

ASSETS = Path(__file__).resolve().parent / "assets"
LUMA = (0.299, 0.587, 0.114)  # Rec. 601 luminance weights for R, G, B
PHOTO = "grace_hopper.jpg"
SETTINGS = {"size": 11, "count": 96, "patches": 20000, "dimensions": 100, "seed": 0,
            "iterations": 300, "tolerance": 1e-4}
_REBUILD = "Rebuild it with `python scripts/build_colour_kernels.py`."


def to_grey(rgb, weights=LUMA) -> np.ndarray:
    """(..., 3) colour values -> (...) grey: the weighted sum of R, G and B (Rec. 601 luminance
    by default). Linear, so the grey of a kernel's picture is the picture of its grey kernel."""
    rgb = np.asarray(rgb, dtype=np.float64)
    if rgb.ndim < 1 or rgb.shape[-1] != 3:
        raise ValueError(f"expected colour values with R, G, B on the last axis, got shape "
                         f"{rgb.shape}.")
    return rgb @ np.asarray(weights, dtype=np.float64)


def colour_shared(rgb) -> np.ndarray:
    """(F, KH, KW, 3) weights -> colour picture values in [0, 1], one scale for the layer:
    1/2 + w / (2 max|W|), so zero is mid-grey in every channel (as the lesson's picture)."""
    rgb = np.asarray(rgb, dtype=np.float64)
    peak = np.abs(rgb).max()
    return np.full_like(rgb, 0.5) if peak == 0 else 0.5 + rgb / (2 * peak)


def chroma(picture) -> np.ndarray:
    """(F, KH, KW, 3) colour picture values in [0, 1] -> (F,) mean over pixels of
    max(R, G, B) - min(R, G, B), in grey levels 0-255 (0 for a grey kernel)."""
    picture = np.asarray(picture, dtype=np.float64)
    return 255 * np.ptp(picture, axis=-1).reshape(len(picture), -1).mean(axis=1)


def flat_versus_lively(grey_std, tile_chroma) -> dict:
    """Mean chroma of the flattest and of the liveliest third of the kernels, ranked by their
    grey amplitude (std of the grey picture); (F,) each. Also the kernels of each third."""
    grey_std, tile_chroma = np.asarray(grey_std), np.asarray(tile_chroma)
    third = len(grey_std) // 3
    order = np.argsort(grey_std, kind="stable")
    return {"flattest": order[:third], "liveliest": order[-third:],
            "flattest_chroma": float(tile_chroma[order[:third]].mean()),
            "liveliest_chroma": float(tile_chroma[order[-third:]].mean())}


def colour_vs_amplitude(rgb, convert=to_grey) -> dict:
    """The lesson's measurement on a colour layer: each kernel's chroma in the colour picture
    and its amplitude (std, grey levels 0-255) in the grey picture on the same shared scale,
    made by ``convert`` ((..., 3) -> (...)).
    (F, KH, KW, 3) weights -> {"chroma": (F,), "grey_std": (F,)} and the thirds."""
    picture = colour_shared(rgb)
    grey = 255 * np.asarray(convert(picture), dtype=np.float64)
    grey_std = grey.reshape(len(grey), -1).std(axis=1)
    tile_chroma = chroma(picture)
    return {"chroma": tile_chroma, "grey_std": grey_std,
            **flat_versus_lively(grey_std, tile_chroma)}


def photo(name: str = PHOTO) -> np.ndarray:
    """A colour photograph Matplotlib ships, as (H, W, 3) float64 in [0, 1]."""
    import matplotlib.cbook
    from PIL import Image

    with Image.open(matplotlib.cbook.get_sample_data(name)) as image:
        return np.asarray(image.convert("RGB"), dtype=np.float64) / 255


def random_patches(image: np.ndarray, size: int, count: int, rng) -> np.ndarray:
    """(count, size * size * 3) patches cut at random places from an (H, W, 3) image."""
    height, width, _ = image.shape
    top = rng.integers(0, height - size + 1, count)
    left = rng.integers(0, width - size + 1, count)
    offsets = np.arange(size)
    patches = image[top[:, None, None] + offsets[None, :, None],
                    left[:, None, None] + offsets[None, None, :]]
    return patches.reshape(count, -1)


def _orthonormal(rows: np.ndarray) -> np.ndarray:
    u, _, vt = np.linalg.svd(rows, full_matrices=False)
    return u @ vt


def ica_filters(patches: np.ndarray, count: int, dimensions: int, rng, iterations: int = 300,
                tolerance: float = 1e-4) -> tuple[np.ndarray, int]:
    """Independent components of ``patches`` (N, D) as filters (count, D), and the iterations run.

    Whitening by principal components (keeping ``dimensions`` of them), then symmetric
    FastICA with the tanh contrast (Hyvärinen 1999): each filter's response to the whitened
    patches has unit variance and is as far from Gaussian as the filters can make it.
    """
    centred = patches - patches.mean(axis=0)
    variances, axes = np.linalg.eigh(centred.T @ centred / len(centred))
    keep = np.argsort(variances)[::-1][:dimensions]
    whitening = (axes[:, keep] / np.sqrt(variances[keep])).T          # (dimensions, D)
    white = centred @ whitening.T                                      # (N, dimensions)
    unmixing = _orthonormal(rng.normal(size=(count, dimensions)))
    for step in range(1, iterations + 1):
        response = np.tanh(white @ unmixing.T)                         # (N, count)
        updated = _orthonormal(response.T @ white / len(white)
                               - (1 - response ** 2).mean(axis=0)[:, None] * unmixing)
        change = np.abs(np.abs(np.sum(updated * unmixing, axis=1)) - 1).max()
        unmixing = updated
        if change < tolerance:
            return unmixing @ whitening, step
    return unmixing @ whitening, iterations


def learn_colour_kernels(image: np.ndarray | None = None, **settings) -> tuple[np.ndarray, dict]:
    """A colour first layer learned from ``image`` (default: Matplotlib's colour photograph).

    Returns (F, KH, KW, 3) float64 kernels, ordered loudest first in grey (std of the
    luminance on the layer's shared scale), each signed so its largest weight is positive;
    and a record of the settings and the iterations run.
    """
    chosen = {**SETTINGS, **settings}
    rng = np.random.default_rng(chosen["seed"])
    image = photo() if image is None else image
    patches = random_patches(image, chosen["size"], chosen["patches"], rng)
    filters, steps = ica_filters(patches, chosen["count"], chosen["dimensions"], rng,
                                 chosen["iterations"], chosen["tolerance"])
    size = chosen["size"]
    kernels = filters.reshape(chosen["count"], size, size, 3)
    peaks = np.abs(kernels).reshape(len(kernels), -1).argmax(axis=1)
    signs = np.sign(kernels.reshape(len(kernels), -1)[np.arange(len(kernels)), peaks])
    kernels = kernels * signs[:, None, None, None]
    order = np.argsort(-colour_vs_amplitude(kernels)["grey_std"], kind="stable")
    return kernels[order], {"settings": chosen, "iterations_run": steps}


def record() -> dict:
    """The provenance record of the shipped colour kernels."""
    return json.loads((ASSETS / "colour_kernels.json").read_text(encoding="utf-8"))


def load_colour_kernels() -> np.ndarray:
    """The shipped colour kernels, (96, 11, 11, 3) float64, checked against their SHA-256."""
    arrays = load_npz_checked(ASSETS / "colour_kernels.npz", record()["sha256"],
                              "The course's colour kernels", _REBUILD)
    return arrays["kernels"].astype(np.float64)


def lesson_measurements() -> dict:
    """Numbers measured on the lesson's three pictures of AlexNet's first layer (see
    scripts/measure_lesson_kernels.py); per-tile lists under "tiles", 96 entries each."""
    return json.loads((ASSETS / "lesson_kernels.json").read_text(encoding="utf-8"))
