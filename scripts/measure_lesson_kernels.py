"""Measure the lesson's three kernel pictures and write helpers/assets/lesson_kernels.json.

The lesson (Session 2, "Kernel Normalization") shows AlexNet's 96 first-layer kernels
(11x11x3; Krizhevsky, Sutskever and Hinton 2012, "ImageNet Classification with Deep
Convolutional Neural Networks") three times: in colour, in grey on one shared scale, and
"normalized". The pictures are not copied into the course; this script reads them where you
have them and writes only numbers measured on them, so the notebook can show the lesson's
numbers and a test can recompute every one.

Usage:
    python scripts/measure_lesson_kernels.py COLOUR.png GREY_SHARED.png GREY_NORMALIZED.png
    python scripts/measure_lesson_kernels.py --check COLOUR.png GREY.png NORMALIZED.png

The pictures are those the lesson links (URLS below). Each is a 6x16 grid of tiles on white;
a tile is one kernel drawn about 94 pixels wide, with a one-pixel dark frame. We find the
tiles from the white gaps, keep each tile's inside (INSET pixels in from its frame), and
measure, per tile: its mean colour, its chroma (mean over pixels of max(R,G,B) - min(R,G,B),
in grey levels 0-255), its grey amplitude in the shared picture (standard deviation of the
grey levels), the standard deviations of two grey conversions of the colour tile (Rec. 601
luminance and the plain channel mean), and the range of the normalized tile. Then, for the
whole picture: how well each grey conversion predicts the grey picture, how colourful the
flattest and the liveliest third of the tiles are, and how well candidate rules turn the
shared grey picture into the "normalized" one.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "helpers" / "assets" / "lesson_kernels.json"
BASE = ("https://github.com/sin2akshay/External-Internship-Program-2.0-Machine-Learning-for-"
        "Deep-Neural-Networks/blob/master/Session%202/_files/")
URLS = {"colour": BASE + "cnnfilter.jpg?raw=true",
        "grey_shared": BASE + "cnnfilter_bnw.png?raw=true",
        "grey_normalized": BASE + "cnnfilter_bnw_eql.png?raw=true"}
ROWS, COLS = 6, 16
INSET = 4            # pixels from a tile's outer edge to the part we measure (frame excluded)
WHITE = 245          # a column or row is a gap when 90% of it is at least this light
LUMA = (0.299, 0.587, 0.114)
MEAN = (1 / 3, 1 / 3, 1 / 3)
STANDARDIZE_CONTRASTS = np.arange(8, 129, 1.0)     # grey levels per standard deviation
PERCENTILES = np.arange(0.0, 20.01, 0.5)           # clipped on each side


class PictureError(ValueError):
    """A picture that is not the lesson's 6x16 grid of kernels."""


def read_rgb(path) -> np.ndarray:
    """A picture as (H, W, 3) float64 grey levels 0-255."""
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.float64)


def _runs(is_content: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each run of True."""
    index = np.flatnonzero(is_content)
    if index.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(index) > 1)
    return list(zip(np.r_[index[0], index[breaks + 1]].tolist(),
                    np.r_[index[breaks], index[-1]].tolist(), strict=True))


def find_tiles(picture: np.ndarray) -> list[tuple[int, int, int, int]]:
    """The 96 tiles' boxes (top, bottom, left, right; inclusive), row by row.

    Raises PictureError when the white gaps do not make a 6x16 grid."""
    light = picture.mean(axis=2) >= WHITE
    rows, cols = _runs(light.mean(axis=1) < 0.9), _runs(light.mean(axis=0) < 0.9)
    if (len(rows), len(cols)) != (ROWS, COLS):
        raise PictureError(f"expected a grid of {ROWS}x{COLS} kernel tiles, found "
                           f"{len(rows)}x{len(cols)}: is this one of the lesson's pictures?")
    return [(top, bottom, left, right) for top, bottom in rows for left, right in cols]


def tiles_of(picture: np.ndarray, boxes) -> np.ndarray:
    """(96, h, w, 3) insides of the tiles, all cropped to the smallest tile's size."""
    height = min(b - t + 1 for t, b, _, _ in boxes) - 2 * INSET
    width = min(r - left + 1 for _, _, left, r in boxes) - 2 * INSET
    return np.stack([picture[t + INSET:t + INSET + height, left + INSET:left + INSET + width]
                     for t, _, left, _ in boxes])


def chroma(rgb: np.ndarray) -> np.ndarray:
    """(F, h, w, 3) grey levels -> (F,) mean over pixels of max - min of the three channels."""
    return np.ptp(rgb, axis=-1).reshape(len(rgb), -1).mean(axis=1)


def _correlation(a, b) -> float:
    return float(np.corrcoef(np.ravel(a), np.ravel(b))[0, 1])


def grey_fits(colour: np.ndarray, grey: np.ndarray) -> dict:
    """How well each grey conversion of the colour tiles predicts the grey tiles (all pixels):
    correlation, and the RMS residual (grey levels) of the best line a*conversion + b."""
    fits = {}
    for name, weights in (("luminance", LUMA), ("channel_mean", MEAN)):
        converted = colour @ np.asarray(weights)
        slope, intercept = np.polyfit(converted.ravel(), grey.ravel(), 1)
        residual = grey.ravel() - (slope * converted.ravel() + intercept)
        per_tile = [_correlation(c, g) for c, g in zip(converted, grey, strict=True)]
        fits[name] = {"weights": [round(w, 4) for w in weights],
                      "pixel_correlation": round(_correlation(converted, grey), 3),
                      "tile_correlation_median": round(float(np.median(per_tile)), 3),
                      "rms_residual": round(float(np.sqrt(np.mean(residual ** 2))), 2)}
    design = np.c_[colour.reshape(-1, 3), np.ones(grey.size)]
    coefficients = np.linalg.lstsq(design, grey.ravel(), rcond=None)[0]
    fits["least_squares_weights"] = [round(float(c), 3) for c in coefficients[:3]]
    return fits


def flat_versus_lively(grey_std: np.ndarray, tile_chroma: np.ndarray) -> dict:
    """Mean chroma of the flattest and the liveliest third of the tiles (by grey std), and
    how many of the flattest third sit in the lower half of the grid (rows 4 to 6)."""
    third = len(grey_std) // 3
    order = np.argsort(grey_std, kind="stable")
    flattest, liveliest = order[:third], order[-third:]
    return {"third": int(third),
            "flattest": sorted(flattest.tolist()), "liveliest": sorted(liveliest.tolist()),
            "flattest_mean_chroma": round(float(tile_chroma[flattest].mean()), 1),
            "liveliest_mean_chroma": round(float(tile_chroma[liveliest].mean()), 1),
            "flattest_in_lower_half": int((flattest >= len(grey_std) // 2).sum()),
            "chroma_grey_std_spearman": round(_spearman(tile_chroma, grey_std), 2)}


def _spearman(a, b) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(a, b).statistic)


def _rms(a, b) -> float:
    return float(np.sqrt(np.mean((np.asarray(a, float) - np.asarray(b, float)) ** 2)))


def _per_tile_minmax(grey):
    flat = grey.reshape(len(grey), -1)
    low, high = flat.min(axis=1)[:, None, None], flat.max(axis=1)[:, None, None]
    return 255 * (grey - low) / np.maximum(high - low, 1e-9)


def _per_tile_rank(grey):
    flat = grey.reshape(len(grey), -1)
    ranks = np.argsort(np.argsort(flat, axis=1, kind="stable"), axis=1, kind="stable")
    return (255 * ranks / (flat.shape[1] - 1)).reshape(grey.shape)


def _standardize(grey, contrast):
    flat = grey.reshape(len(grey), -1)
    mean, std = flat.mean(axis=1)[:, None, None], flat.std(axis=1)[:, None, None]
    return np.clip(127.5 + contrast * (grey - mean) / np.maximum(std, 1e-9), 0, 255)


def _percentile_stretch(grey, percent):
    flat = grey.reshape(len(grey), -1)
    low = np.percentile(flat, percent, axis=1)[:, None, None]
    high = np.percentile(flat, 100 - percent, axis=1)[:, None, None]
    return np.clip(255 * (grey - low) / np.maximum(high - low, 1e-9), 0, 255)


def candidate_rules(shared_picture: np.ndarray, boxes, normalized: np.ndarray) -> dict:
    """RMS error (grey levels, over every measured pixel) of each candidate rule that turns the
    shared grey picture into the normalized one; rules with a free constant get the best one."""
    shared = tiles_of(shared_picture, boxes)[..., 0]
    rules = {"per-kernel min-max": {"rms": _rms(_per_tile_minmax(shared), normalized)},
             "per-kernel rank (histogram equalization of each tile)":
                 {"rms": _rms(_per_tile_rank(shared), normalized)}}
    errors = [_rms(_standardize(shared, c), normalized) for c in STANDARDIZE_CONTRASTS]
    best = int(np.argmin(errors))
    rules["per-kernel standardization, clipped"] = {
        "rms": errors[best], "grey_levels_per_std": float(STANDARDIZE_CONTRASTS[best])}
    errors = [_rms(_percentile_stretch(shared, p), normalized) for p in PERCENTILES]
    best = int(np.argmin(errors))
    rules["per-kernel percentile stretch, clipped"] = {
        "rms": errors[best], "percent_clipped_each_side": float(PERCENTILES[best])}
    grey_image = Image.fromarray(shared_picture[..., 0].astype(np.uint8), mode="L")
    equalized = np.asarray(ImageOps.equalize(grey_image), dtype=np.float64)
    rules["histogram equalization of the whole picture"] = {
        "rms": _rms(tiles_of(equalized[..., None], boxes)[..., 0], normalized)}
    for rule in rules.values():
        rule["rms"] = round(rule["rms"], 1)
    return rules


def tone_curve(shared_picture: np.ndarray, normalized_picture: np.ndarray) -> dict:
    """For each grey level of the shared picture, the levels the normalized picture has at the
    same pixels. One level each means one tone curve made the whole normalized picture."""
    shared = shared_picture[..., 0].astype(int).ravel()
    normalized = normalized_picture[..., 0].astype(int).ravel()
    levels = np.unique(shared)
    outputs = [np.unique(normalized[shared == level]) for level in levels]
    return {"levels": levels.tolist(),
            "normalized_level": [int(o[0]) for o in outputs],
            "levels_with_more_than_one_output": int(sum(len(o) > 1 for o in outputs))}


def measure(colour_path, shared_path, normalized_path) -> dict:
    """Every number of the asset, from the three pictures."""
    pictures = [read_rgb(p) for p in (colour_path, shared_path, normalized_path)]
    if not pictures[0].shape == pictures[1].shape == pictures[2].shape:
        raise PictureError(f"the three pictures differ in size: "
                           f"{[p.shape[:2] for p in pictures]}; give the lesson's three.")
    boxes = find_tiles(pictures[0])
    for picture in pictures[1:]:
        if np.abs(np.subtract(find_tiles(picture), boxes)).max() > 2:
            raise PictureError("the three pictures' tiles are not in the same places.")
    colour, shared, normalized = (tiles_of(p, boxes) for p in pictures)
    shared, normalized = shared.mean(axis=-1), normalized.mean(axis=-1)
    tile_chroma, grey_std = chroma(colour), shared.reshape(96, -1).std(axis=1)
    flat_normalized = normalized.reshape(96, -1)
    per_tile = {
        "mean_rgb": np.round(colour.reshape(96, -1, 3).mean(axis=1), 1).tolist(),
        "chroma": np.round(tile_chroma, 2).tolist(),
        "grey_std": np.round(grey_std, 2).tolist(),
        "luminance_std": np.round((colour @ np.asarray(LUMA)).reshape(96, -1).std(axis=1),
                                  2).tolist(),
        "channel_mean_std": np.round((colour @ np.asarray(MEAN)).reshape(96, -1).std(axis=1),
                                     2).tolist(),
        "normalized_min": flat_normalized.min(axis=1).astype(int).tolist(),
        "normalized_max": flat_normalized.max(axis=1).astype(int).tolist(),
    }
    low, high = np.array(per_tile["normalized_min"]), np.array(per_tile["normalized_max"])
    return {
        "what": "Numbers measured on the lesson's three pictures of AlexNet's 96 first-layer "
                "kernels (11x11x3); no picture is stored. Tiles are numbered 0-95 row by row "
                "(6 rows of 16). Grey levels are 0-255.",
        "source": "Krizhevsky, Sutskever and Hinton (2012), ImageNet Classification with Deep "
                  "Convolutional Neural Networks, figure 3; as shown by the lesson",
        "urls": URLS,
        "script": "python scripts/measure_lesson_kernels.py COLOUR GREY_SHARED GREY_NORMALIZED",
        "grid": {"rows": ROWS, "cols": COLS, "tile_px": [int(s) for s in colour.shape[1:3]],
                 "inset_px": INSET},
        "tiles": per_tile,
        "grey_conversion": grey_fits(colour, shared),
        "flat_versus_lively": flat_versus_lively(grey_std, tile_chroma),
        "normalized": {
            "tiles_reaching_black_and_white": int(((low <= 2) & (high >= 253)).sum()),
            "tiles_within_40_to_215": int(((low >= 40) & (high <= 215)).sum()),
            "candidate_rules_rms": candidate_rules(pictures[1], boxes, normalized),
            "tone_curve": tone_curve(pictures[1], pictures[2]),
        },
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pictures", nargs=3, type=Path,
                        help="the colour, shared-grey and normalized pictures, in that order")
    parser.add_argument("--check", action="store_true",
                        help="compare with the shipped asset instead of writing it")
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.pictures if not p.is_file()]
    if missing:
        parser.error(f"no such picture: {', '.join(missing)}")
    text = json.dumps(measure(*args.pictures), indent=1) + "\n"
    if args.check:
        same = OUT.read_text(encoding="utf-8") == text
        print("the asset matches the pictures" if same else "the asset differs: rebuild it")
        return 0 if same else 1
    sys.path.insert(0, str(ROOT))
    from helpers.store import write_atomic

    write_atomic(OUT, text)
    print(f"wrote {OUT.relative_to(ROOT)} ({len(text):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
