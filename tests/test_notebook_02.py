"""Notebook 02: every number its prose states, recomputed with the course's functions (the
lesson's pictures through the numbers measured on them, our colour kernels, the MNIST networks);
its exercises' checks, on right and wrong answers; its learner edition, which must fail only
where an exercise is unanswered."""

import io
import re

import numpy as np
import pytest
from exercise_cells import by_grade_id, first_code_cell, printed, prose, read, run
from PIL import Image
from scipy.stats import spearmanr

from helpers.checking import ExerciseError, NotDoneYet
from helpers.colour_kernels import (
    colour_vs_amplitude,
    flat_versus_lively,
    lesson_measurements,
    load_colour_kernels,
    record,
    to_grey,
)
from helpers.data import load_mnist
from helpers.kernels import ablation, amplitudes, normalize, quiet_kernels, spread
from helpers.model import first_layer_kernels, load_pretrained

NAME = "02_kernel_normalization.ipynb"
LESSON_FILES = ("cnnfilter.jpg", "cnnfilter_bnw.png", "cnnfilter_bnw_eql.png")


@pytest.fixture(scope="module")
def notebook():
    return read(NAME)


@pytest.fixture(scope="module")
def text(notebook):
    return prose(notebook)


@pytest.fixture(scope="module")
def colour():
    return load_colour_kernels()


@pytest.fixture(scope="module")
def nets():
    return {"3×3": load_pretrained("session1"), "7×7": load_pretrained("large_kernels")}


def grey_panels(stack):
    return {m: normalize(stack, m) for m in ("shared", "minmax", "equalize", "symmetric", "rank")}


def test_the_lesson_is_named_and_linked_not_copied(notebook, text):
    assert "AlexNet" in text and "Krizhevsky, Sutskever and Hinton 2012" in text
    for name in LESSON_FILES:
        assert f"Session%202/_files/{name}?raw=true" in text
    assert "96 colour kernels of 11×11×3, in a 6×16 grid" in text
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    assert not [p for name in LESSON_FILES for p in root.rglob(name) if ".venv" not in p.parts]


def test_the_lessons_grey_picture_loses_colour(text):
    lesson = lesson_measurements()
    tiles, thirds = lesson["tiles"], lesson["flat_versus_lively"]
    again = flat_versus_lively(tiles["grey_std"], tiles["chroma"])
    assert sorted(again["flattest"].tolist()) == thirds["flattest"]
    assert (f"{again['flattest_chroma']:.1f}", f"{again['liveliest_chroma']:.1f}") == \
        ("35.7", "4.3")
    assert (np.asarray(thirds["flattest"]) >= 48).sum() == 25
    assert f"{spearmanr(tiles['chroma'], tiles['grey_std']).statistic:.2f}" == "-0.73"
    fits = lesson["grey_conversion"]
    assert fits["channel_mean"]["pixel_correlation"] > fits["luminance"]["pixel_correlation"]
    assert fits["channel_mean"]["rms_residual"] < fits["luminance"]["rms_residual"]
    assert "it follows the mean of R, G and B a little more closely than the Rec. 601" in text
    assert ("the flattest third has a mean chroma of 35.7 grey levels against 4.3 for the "
            "liveliest third, and 25 of those 32 sit in the lower three rows") in text
    colourful = np.flatnonzero(np.asarray(tiles["chroma"]) >= 15)
    assert len(colourful) == 31 and np.isin(colourful, thirds["flattest"]).sum() == 25
    assert "(on the lesson's picture, 25 of its 31)" in text


def test_our_colour_kernels_measured_as_the_lesson(text, colour):
    settings = record()["settings"]
    assert (settings["count"], settings["size"], settings["patches"]) == (96, 11, 20000)
    assert colour.shape == (96, 11, 11, 3)
    assert "96 kernels of 11×11×3, as AlexNet's" in text and "20,000 random 11×11 patches" in text
    ours = colour_vs_amplitude(colour)
    assert (f"{ours['flattest_chroma']:.1f}", f"{ours['liveliest_chroma']:.1f}") == ("15.7", "2.9")
    assert f"{spearmanr(ours['chroma'], ours['grey_std']).statistic:.2f}" == "-0.45"
    colourful = np.flatnonzero(ours["chroma"] >= 15)
    assert colourful.tolist() == [75, 83, 84, 86, 87, *range(89, 96)]
    assert np.isin(colourful, ours["flattest"]).all()
    assert (np.sort(ours["chroma"])[::-1][12] < 6)  # "the rest" are grey-ish
    assert "(#75, #83, #84, #86, #87 and #89 to #95)" in text
    assert ("our flattest third in grey has a mean chroma of 15.7 against 2.9 for the liveliest "
            "third, a rank correlation of −0.45 between chroma and grey amplitude (AlexNet's "
            "picture: 35.7 against 4.3, −0.73). Every one of our 12 kernels of chroma 15 or more "
            "is in the flattest third") in text


def test_the_normalized_picture_is_a_whole_picture_equalization(text):
    rule = lesson_measurements()["normalized"]
    low = np.array(lesson_measurements()["tiles"]["normalized_min"])
    high = np.array(lesson_measurements()["tiles"]["normalized_max"])
    assert ((low <= 2) & (high >= 253)).sum() == rule["tiles_reaching_black_and_white"] == 20
    assert ((low >= 40) & (high <= 215)).sum() == rule["tiles_within_40_to_215"] == 20
    rms = {name: fit["rms"] for name, fit in rule["candidate_rules_rms"].items()}
    whole = rms.pop("histogram equalization of the whole picture")
    assert (min(rms.values()), max(rms.values()), whole) == (35.8, 42.6, 3.5)
    assert rule["tone_curve"]["levels_with_more_than_one_output"] == 0
    assert len(rule["tone_curve"]["levels"]) == 255
    assert np.all(np.diff(rule["tone_curve"]["normalized_level"]) >= 0)  # "monotone"
    for claim in ("Only 20 of the 96 tiles reach both black and white, and 20 stay inside grey "
                  "levels 40 to 215", "misses it by 35.8 to 42.6 grey levels (RMS)",
                  "reproduces it to 3.5", "(0 of 255 levels split)", "(RMS error 3.5 grey "
                  "levels), not per-kernel min-max (42.6)"):
        assert claim in text, claim


def test_contrast_under_each_rule(text, colour):
    contrast = {m: p.reshape(96, -1).std(axis=1) for m, p in grey_panels(to_grey(colour)).items()}
    thirds = {m: (f"{v[:32].mean():.3f}", f"{v[-32:].mean():.3f}") for m, v in contrast.items()}
    rho = {m: f"{spearmanr(v, contrast['shared']).statistic:+.2f}" for m, v in contrast.items()}
    assert thirds == {"shared": ("0.087", "0.041"), "minmax": ("0.150", "0.161"),
                      "equalize": ("0.329", "0.246"), "symmetric": ("0.138", "0.143"),
                      "rank": ("0.291", "0.291")}
    assert (rho["minmax"], rho["symmetric"], rho["rank"], rho["equalize"]) == \
        ("-0.09", "-0.05", "+0.01", "+0.76")
    for claim in ("mean contrast of 0.087 and the flattest third 0.041",
                  "(0.150 against 0.161, 0.138 against 0.143; rank correlations with the shared "
                  "contrast −0.09 and −0.05), and so does rank (0.291 both, +0.01)",
                  "Equalize lifts every tile (0.329 and 0.246) and alone keeps the order of "
                  "loudness: rank correlation +0.76"):
        assert claim in text, claim


def test_mnist_kernels_quiet_ones_and_the_explorer(notebook, text, nets):
    k3, k7 = (first_layer_kernels(nets[m]) for m in ("3×3", "7×7"))
    assert quiet_kernels(k3).tolist() == [8, 20] and quiet_kernels(k7).tolist() == [5]
    assert "two kernels of the 3×3 layer (3×3 #8 and #20) and one of the 7×7 layer (7×7 #5)" in text
    sym, eq = normalize(k7, "symmetric")[5], normalize(k7, "equalize")[5]
    assert [f"{sym.min():.2f}", f"{sym.max():.2f}", f"{eq.min():.2f}", f"{eq.max():.2f}"] == \
        ["0.00", "0.83", "0.18", "0.68"]
    assert np.abs(k7[..., 0, 5]).argmax() == k7[..., 0, 5].argmin()  # its largest is negative
    assert "symmetric spans 0.00 to 0.83" in text and "(0.18 to 0.68)" in text
    widget = next(i for i, c in enumerate(notebook.cells) if "live_figure(" in c.source)
    pictures = notebook.cells[widget + 1]
    assert "show_at" in pictures.source
    assert sum("image/png" in o.get("data", {}) for o in pictures.outputs) == 3


def test_the_gif_can_be_read(notebook):
    cell = next(c for c in notebook.cells if "rotating_gif(" in c.source)
    data = next(o["data"]["image/gif"] for o in cell.outputs if "image/gif" in o.get("data", {}))
    import base64
    with Image.open(io.BytesIO(base64.b64decode(data))) as gif:
        assert gif.size[0] >= 500 and gif.size[1] >= 350 and gif.n_frames == 10


def test_the_ablation_read_right(text, nets):
    digits = load_mnist()
    found = {}
    for label, net in nets.items():
        result = ablation(net, digits.x_test, digits.y_test)
        peaks, drop = amplitudes(first_layer_kernels(net))["peak"], result["drop"]
        others = np.arange(32) != drop.argmax()
        found[label] = (int(drop.argmax()), f"{100 * drop.max():.1f}", int((drop <= 0).sum()),
                        f"{spearmanr(peaks, drop).statistic:+.2f}",
                        f"{np.corrcoef(peaks, drop)[0, 1]:+.2f}",
                        f"{np.corrcoef(peaks[others], drop[others])[0, 1]:+.2f}",
                        int(peaks.argmax()), int((100 * drop > 0.55).sum()))
    assert found["3×3"] == (5, "2.0", 11, "-0.01", "+0.28", "-0.17", 5, 2)
    assert found["7×7"][:4] == (27, "0.8", 20, "-0.20")
    assert found["7×7"][7] == 1  # only 7×7 #27 costs more than half a point
    for claim in ("switching off 3×3 #5, the loudest of its layer, costs 2.0 points; no other "
                  "kernel of either model costs more than 0.8 (7×7 #27)",
                  "11 of the 3×3 kernels and 20 of the 7×7 ones cost nothing or even help",
                  "the rank correlation of peak and drop is −0.01 for the 3×3 model and −0.20 for "
                  "the 7×7 one", "Pearson correlation of +0.28 for the 3×3 model rests on 3×3 "
                  "#5 alone (−0.17 without it)"):
        assert claim in text, claim


def test_weight_normalization_numbers(text, nets):
    digits = load_mnist()
    rows = []
    for net in (nets["3×3"], load_pretrained("weightnorm")):
        l2 = amplitudes(first_layer_kernels(net))["l2"]
        rows.append((f"{net.evaluate(digits.x_test, digits.y_test)[1]:.1%}",
                     f"{spread(l2)['max_over_min']:.1f}", f"{spread(l2)['cv']:.2f}",
                     len(quiet_kernels(first_layer_kernels(net)))))
    assert rows == [("96.9%", "5.4", "0.34", 2), ("96.9%", "5.8", "0.30", 2)]
    assert "The same accuracy (96.9% both)" in text
    assert "differ up to 5.4 times in the plain layer and 5.8 times" in text
    assert "(coefficients of variation 0.34 and 0.30), with two quiet kernels each" in text


def test_printed_numbers_match_the_prose(notebook):
    out = printed(notebook)
    for line in ("mean chroma 35.7; liveliest third: 4.3", "rank correlation -0.45",
                 "31 kernels of chroma 15 or more, 25 of them", "12 kernels of chroma 15 or more, "
                 "12 of them", "narrowest tile: 73 to 176", "0 of 255", "3×3 #5, 2.0 points",
                 "7×7 #27, 0.8 points", "Pearson +0.28, -0.17 without 3×3 #5",
                 "7×7 #5 under equalize: grey values from 0.18 to 0.68"):
        assert line in out, line


def test_imports_are_in_the_first_code_cell(notebook):
    later = [c.source for c in notebook.cells if c.cell_type == "code"][1:]
    assert not [s for s in later if re.search(r"^\s*(import|from) \w", s, re.M)]
    assert "import" in first_code_cell(notebook)


def namespace_for(notebook) -> dict:
    namespace = {}
    run(first_code_cell(notebook), namespace)
    return namespace


def test_the_exercises_carry_nbgrader_metadata(notebook):
    cells = by_grade_id(notebook)
    assert set(cells) == {"02-luminance", "02-luminance-check", "02-minmax", "02-minmax-check"}
    for name in ("02-luminance", "02-minmax"):
        assert cells[name].metadata["nbgrader"]["solution"] is True
        assert cells[f"{name}-check"].metadata["nbgrader"]["grade"] is True
        assert "### BEGIN HIDDEN TESTS" in cells[f"{name}-check"].source
    assert [cells[f"{n}-check"].metadata["nbgrader"]["points"]
            for n in ("02-luminance", "02-minmax")] == [1, 2]


def test_the_luminance_check_passes_the_solution_and_names_wrong_weights(notebook):
    cells = by_grade_id(notebook)
    check = cells["02-luminance-check"].source
    namespace = namespace_for(notebook)
    run(cells["02-luminance"].source, namespace)
    assert "✓ luminance is right on 3 inputs" in run(check, namespace)
    for wrong, message in (
            (lambda rgb: np.asarray(rgb, float).mean(axis=-1),
             r"on one orange pixel \[1, 0.5, 0\]: .*\n  the value: got 0.5, expected 0.5925"),
            (lambda rgb: np.asarray(rgb, float) @ np.array([0.114, 0.587, 0.299]),
             r"on one orange pixel [\s\S]*got 0.4075, expected 0.5925"),
            (lambda rgb: np.array([0.299, 0.587, 0.114]) @ np.asarray(rgb, float),
             r"on a \(2, 2, 3\) image of red, green, blue and white|raised ValueError")):
        namespace["luminance"] = wrong
        with pytest.raises(ExerciseError, match=message):
            run(check, namespace)

    def placeholder(rgb):
        raise NotImplementedError()

    namespace["luminance"] = placeholder
    with pytest.raises(NotDoneYet):
        run(check, namespace)


def test_the_minmax_check_passes_the_solution_and_names_the_wrong_stretch(notebook):
    cells = by_grade_id(notebook)
    check = cells["02-minmax-check"].source
    namespace = namespace_for(notebook)
    run(cells["02-minmax"].source, namespace)
    assert "✓ minmax_per_kernel is right on 3 inputs" in run(check, namespace)

    def whole_layer(kernels):  # one min and max for all kernels: that is not per kernel
        kernels = np.asarray(kernels, float)
        return (kernels - kernels.min()) / (kernels.max() - kernels.min())

    def no_guard(kernels):  # divides by a zero range
        kernels = np.asarray(kernels, float)
        axes = tuple(range(1, kernels.ndim))
        low, high = kernels.min(axis=axes, keepdims=True), kernels.max(axis=axes, keepdims=True)
        return (kernels - low) / (high - low)

    def per_channel(kernels):  # stretches R, G and B apart: hues change
        kernels = np.asarray(kernels, float)
        axes = tuple(range(1, kernels.ndim - 1)) if kernels.ndim == 4 else tuple(
            range(1, kernels.ndim))
        low, high = kernels.min(axis=axes, keepdims=True), kernels.max(axis=axes, keepdims=True)
        return np.where(high > low, (kernels - low) / np.where(high > low, high - low, 1), 0.5)

    for wrong, message in (
            (whole_layer, r"on two 2x2 kernels, one 10 times the other: 3 of 8 entries differ:"
                          r"\n  \[0, 0, 1\]: got 0.025, expected 0.25"),
            (no_guard, r"on a constant kernel beside a ramp: .*\n  \[0, 0, 0\]: got nan"),
            (per_channel, r"on our first four colour kernels, \(4, 11, 11, 3\): .* entries "
                          r"differ")):
        namespace["minmax_per_kernel"] = wrong
        with np.errstate(all="ignore"), pytest.raises(ExerciseError, match=message):
            run(check, namespace)
