"""Notebook 03: every number its prose states, recomputed with the course's reference functions;
its exercises' checks, on right and wrong answers; its learner edition, which must fail only
where an exercise is unanswered."""


import numpy as np
import pytest
from exercise_cells import by_grade_id, first_code_cell, printed, prose, read, run

from helpers import ood_images
from helpers.calibration import calibration_report, fit_temperature, reliability
from helpers.checking import ExerciseError, NotDoneYet
from helpers.data import load_mnist
from helpers.model import load_pretrained, pretrained_record
from helpers.softmax import softmax

NAME = "03_softmax_is_not_probability.ipynb"
THRESHOLD = 0.95


@pytest.fixture(scope="module")
def notebook():
    return read(NAME)


@pytest.fixture(scope="module")
def measured():
    """What the notebook computes, with the course's own functions."""
    digits = load_mnist()
    model = load_pretrained("session1")
    groups = {"noise": ood_images.noise(200, seed=1), "letters": ood_images.letters("AKXHW"),
              "inverted": ood_images.inverted(digits.x_test[:200]),
              "upside down": ood_images.rotated(digits.x_test[:200], quarter_turns=2)}
    logits = {"shipped": model.predict_logits(digits.x_test),
              "small_data": load_pretrained("small_data").predict_logits(digits.x_test)}
    order = np.random.default_rng(0).permutation(len(digits.y_test))
    fit, report = order[:500], order[500:]
    temperatures = {name: fit_temperature(z[fit], digits.y_test[fit]) for name, z in logits.items()}
    return {"digits": digits, "model": model, "groups": groups, "logits": logits,
            "fit": fit, "report": report, "labels": digits.y_test[report],
            "temperatures": temperatures,
            "ood": {name: model.predict_logits(images) for name, images in groups.items()}}


def test_the_lessons_table_said_precisely(notebook):
    text, out = prose(notebook), printed(notebook)
    cat, dog = 5.0, 4.0
    assert f"{(cat - dog) / cat:.0%}" == "20%" and f"{(cat - dog) / dog:.0%}" == "25%"
    assert "Dog's score is 20% below cat's" in text and "cat's is 25% above dog's" in text
    assert "20% above" not in text
    p = softmax([5.0, 4.0, 2.0])
    assert np.round(p, 2).tolist() == [0.71, 0.26, 0.04] and "yet cat gets 71%" in text
    assert f"{p[0] / p[1]:.3f}" == f"{np.e:.3f}" == "2.718" and "2.718 times as much" in out
    assert round(np.exp(4)) == 55 and "a factor $e^4 \\approx 55$" in text
    assert f"{round(np.exp(10)):,}" == "22,026" and "22{,}026" in text
    assert f"{softmax([50.0, 40.0, 20.0])[0]:.2f}" == "1.00" and "cat takes 1.00" in text


def test_score_over_sum_is_shown_not_to_be_an_answer(notebook):
    text = prose(notebook)
    for offset, shares in ((0, "0.45, 0.36, 0.18"), (100, "0.34, 0.33, 0.33"),
                           (-4, "-1.00, 0.00, 2.00")):
        row = np.array([5.0, 4.0, 2.0]) + offset
        assert ", ".join(f"{v + 0.0:.2f}" for v in row / row.sum()) == shares
        assert f"softmax 0.71, 0.26, 0.04   score / sum {shares}" in printed(notebook)
    assert "0.45, 0.36, 0.18 to an almost even 0.34, 0.33, 0.33" in text
    assert "which sum to −1: \"shares\" of −1.00, 0.00 and 2.00" in text
    assert "score / sum" not in notebook.cells[6].source  # the table has no such column


def test_temperature_numbers(notebook):
    text = prose(notebook)
    values = [f"{softmax([5.0, 4.0, 2.0], temperature=t)[0]:.2f}" for t in (0.5, 1.0, 4.0)]
    assert values == ["0.88", "0.71", "0.44"]
    assert "At $T = 0.5$ cat gets 0.88, at $T = 1$ 0.71, at $T = 4$ 0.44" in text
    widget = next(i for i, c in enumerate(notebook.cells) if "live_figure(" in c.source)
    pictures = notebook.cells[widget + 1]
    assert "show_at" in pictures.source
    assert sum("image/png" in o.get("data", {}) for o in pictures.outputs) == 3


def test_out_of_distribution_rates(notebook, measured):
    text, out = prose(notebook), printed(notebook)
    test_top = softmax(measured["logits"]["shipped"]).max(axis=1)
    assert f"{(test_top >= THRESHOLD).mean():.1%}" == "86.6%"
    rates = {name: softmax(z).max(axis=1) >= THRESHOLD for name, z in measured["ood"].items()}
    assert [f"{rates[n].mean():.1%}" for n in ("noise", "inverted", "upside down")] == \
        ["15.5%", "35.5%", "40.5%"]
    assert rates["noise"].sum() == 31
    votes = np.bincount(measured["ood"]["noise"].argmax(axis=1), minlength=10)
    assert votes.argmax() == 2 and votes.max() == 171
    for claim in ("86.6% of the test digits pass and 15.5% of the noise images do (31 of 200)",
                  "lets through 15.5% of the noise, 35.5% of the inverted digits and 40.5% of "
                  "the upside-down ones", "171 of the 200 noise images are called \"2\"",
                  "86.6% of the test digits are piled in the last bin"):
        assert claim in text
    assert "'2' (171 of 200)" in out and "86.6% (866)" in out
    # "spread from about 0.35 to 1"
    lowest = min(softmax(measured["ood"][n]).max(axis=1).min()
                 for n in ("noise", "inverted", "upside down"))
    assert 0.3 <= lowest < 0.4 and "spread from about 0.35 to 1" in text


def test_calibration_numbers(notebook, measured):
    text = prose(notebook)
    report, labels, temps = measured["report"], measured["labels"], measured["temperatures"]
    rows = {}
    for name, z in measured["logits"].items():
        rows[name] = [calibration_report(z[report], labels, t) for t in (1.0, temps[name])]
    shipped, small = rows["shipped"], rows["small_data"]
    assert f"{temps['shipped']:.2f}" == "0.86" and f"{temps['small_data']:.2f}" == "3.02"
    assert [f"{shipped[0].accuracy:.1%}", f"{shipped[0].mean_confidence:.1%}",
            f"{shipped[0].ece:.3f}", f"{shipped[1].ece:.3f}"] == \
        ["96.4%", "95.9%", "0.028", "0.015"]
    assert [f"{small[0].accuracy:.1%}", f"{small[0].mean_confidence:.1%}", f"{small[0].ece:.3f}",
            f"{small[1].mean_confidence:.1%}", f"{small[1].ece:.3f}", f"{small[0].nll:.3f}",
            f"{small[1].nll:.3f}"] == ["88.4%", "96.3%", "0.085", "86.2%", "0.031", "0.570",
                                       "0.351"]
    assert round(100 * (small[0].mean_confidence - small[0].accuracy)) == 8  # "eight points"
    for claim in ("right on 96.4% of the report digits and gives a mean top value of 95.9%, "
                  "ECE 0.028", "The temperature fitted for it is 0.86", "ECE to 0.015",
                  "Its mean top value is 96.3% and it is right on 88.4%: it claims eight points "
                  "more than it delivers, ECE 0.085", "Its fitted temperature is 3.02",
                  "the mean top value falls to 86.2%, ECE to 0.031 and NLL from 0.570 to 0.351",
                  "None of its 18 mistakes", "15 of its 58 mistakes",
                  "$T$ = 3.02 takes ECE from 0.085 to 0.031", "(ECE 0.028, fitted $T$ = 0.86)",
                  "claims 96.3% and delivers 88.4% (ECE 0.085)"):
        assert claim in text, claim
    for name, (mistakes, sure) in (("shipped", (18, 0)), ("small_data", (58, 15))):
        p = softmax(measured["logits"][name][report])
        wrong = p.argmax(axis=1) != labels
        assert (wrong.sum(), (wrong & (p.max(axis=1) >= 0.99)).sum()) == (mistakes, sure)
    record = pretrained_record("small_data")["settings"]
    assert (record["epochs"], record["train_images"], record["shift"]) == (30, 1000, 0)
    assert record["epochs"] == 3 * pretrained_record("session1")["settings"]["epochs"]
    assert "trained three times as long on a quarter of the digits, without shifts" in text
    assert "It saw each of its 1,000 digits 30 times and was right on all of them" in text
    assert pretrained_record("small_data")["history"]["accuracy"][-1] == 1.0


def test_reliability_diagram_reading(notebook, measured):
    text = prose(notebook)
    report, labels, t = measured["report"], measured["labels"], measured["temperatures"]
    before, after = (reliability(softmax(measured["logits"]["shipped"][report], temperature=x),
                                 labels) for x in (1.0, t["shipped"]))
    assert before.counts[-1] == 434 and after.counts[-1] == 445
    for bins, (low, high) in ((before, (6, 22)), (after, (3, 15))):
        others = bins.counts[:-1][bins.counts[:-1] > 0]
        assert (others.min(), others.max()) == (low, high)
    assert "434 of the 500 report digits sit in the top bin (confidence above 0.933)" in text
    assert "each other bin holds 6 to 22" in text and "the other bins hold 3 to 15" in text
    assert f"{before.edges[-2]:.3f}" == "0.933"
    lower = slice(7, 14)  # the seven filled bins below the top one
    assert (before.counts[:7] == 0).all() and (after.counts[:7] == 0).all()
    below_after = (after.accuracy[lower] < after.confidence[lower]).sum()
    below_before = (before.accuracy[lower] < before.confidence[lower]).sum()
    assert below_after == 6 and 0 < below_before < 7  # "straddled" / "six of the seven"
    assert "six of the seven stand below it" in text

    def adds(bins):
        return np.where(bins.counts > 0, bins.counts / bins.counts.sum()
                        * np.abs(np.nan_to_num(bins.accuracy - bins.confidence)), 0.0)

    assert [f"{adds(b)[-2:].sum():.4f}" for b in (before, after)] == ["0.0101", "0.0042"]
    assert [f"{adds(b)[:-2].sum():.4f}" for b in (before, after)] == ["0.0175", "0.0110"]
    assert [before.counts[-2:].sum(), after.counts[-2:].sum()] == [456, 460]
    assert "with 456 of the 500 digits before and 460 after" in text
    assert "they add 0.0101 to ECE before and 0.0042 after" in text
    assert "together 0.0175 before, 0.0110 after" in text
    assert [f"{before.accuracy[-1]:.2f}", f"{before.accuracy[-2]:.2f}"] == ["1.00", "1.00"]
    assert [f"{before.confidence[-1]:.3f}", f"{before.confidence[-2]:.3f}"] == ["0.991", "0.898"]
    assert "(accuracy 1.00 against mean confidences of 0.991 and 0.898)" in text
    pairs = [(f"{before.accuracy[b]:.2f}", f"{before.confidence[b]:.2f}") for b in (7, 11, 12)]
    assert pairs == [("0.17", "0.51"), ("1.00", "0.76"), ("0.50", "0.82")]
    assert "(0.17 against 0.51, 1.00 against 0.76, 0.50 against 0.82)" in text
    assert "in a bin of 3 to 15 digits one digit moves the bar by a fifteenth to a third" in text
    assert 2 / 500 == 0.004 and "at most 2/500 = 0.004" in text
    small = reliability(softmax(measured["logits"]["small_data"][report]), labels)
    cooled = reliability(softmax(measured["logits"]["small_data"][report],
                                 temperature=t["small_data"]), labels)
    assert (small.counts[-1], f"{small.accuracy[-1]:.1%}", f"{small.confidence[-1]:.3f}") == \
        (431, "94.9%", "0.997")
    assert (small.counts[-2], f"{small.accuracy[-2]:.1%}", f"{small.confidence[-2]:.3f}") == \
        (27, "48.1%", "0.906")
    assert (cooled.counts[-1], f"{cooled.accuracy[-1]:.1%}", f"{cooled.confidence[-1]:.3f}") == \
        (270, "99.6%", "0.980")
    assert ("the 431 digits of its top bin are right on 94.9% at a mean confidence of 0.997, "
            "the 27 of the bin below on 48.1% at 0.906") in text
    assert "(270 stay in the top one, right on 99.6% at 0.980)" in text


def test_temperature_scaling_raises_the_confidence_on_non_digits(notebook, measured):
    text = prose(notebook)
    t = measured["temperatures"]["shipped"]
    for logits in measured["ood"].values():
        cooled, plain = softmax(logits, temperature=t), softmax(logits)
        assert cooled.max(axis=1).mean() > plain.max(axis=1).mean()
    after = {name: f"{(softmax(z, temperature=t).max(axis=1) >= THRESHOLD).mean():.1%}"
             for name, z in measured["ood"].items()}
    assert (after["noise"], after["upside down"]) == ("25.0%", "48.5%")
    assert "(25.0% and 48.5% after temperature scaling)" in text


def namespace_for(notebook, **names) -> dict:
    namespace = {}
    run(first_code_cell(notebook), namespace)
    namespace.update(names)
    return namespace


def test_the_softmax_check_passes_the_solution_and_catches_overflow(notebook):
    cells = by_grade_id(notebook)
    check = cells["03-softmax-check"].source
    namespace = namespace_for(notebook)
    run(cells["03-softmax"].source, namespace)
    assert "✓ softmax is right on 5 inputs" in run(check, namespace)

    def unshifted(scores, temperature=1.0):
        exps = np.exp(np.asarray(scores, dtype=float) / temperature)
        return exps / exps.sum(axis=-1, keepdims=True)

    def whole_array(scores, temperature=1.0):  # normalises over all entries, not each row
        z = np.asarray(scores, dtype=float) / temperature
        exps = np.exp(z - z.max())
        return exps / exps.sum()

    def no_temperature(scores, temperature=1.0):
        z = np.asarray(scores, dtype=float)
        exps = np.exp(z - z.max(axis=-1, keepdims=True))
        return exps / exps.sum(axis=-1, keepdims=True)

    for wrong, message in (
            (unshifted, r"on \[1000, 999, 0\], where exp\(1000\) overflows: .*\n  \[0\]: got nan"),
            (whole_array, r"on the lesson's three rows as one \(3, 3\) batch: .*entries differ"),
            (no_temperature, r"on \[5, 4, 2\] at temperature 2: 3 of 3 entries differ")):
        namespace["softmax"] = wrong
        with np.errstate(all="ignore"), pytest.raises(ExerciseError, match=message):
            run(check, namespace)

    def placeholder(scores, temperature=1.0):
        raise NotImplementedError()

    namespace["softmax"] = placeholder
    with pytest.raises(NotDoneYet):
        run(check, namespace)


def test_the_ece_check_passes_the_solution_and_names_a_wrong_weighting(notebook, measured):
    cells = by_grade_id(notebook)
    check = cells["03-ece-check"].source
    namespace = namespace_for(notebook, networks=measured["logits"], report_part=measured["report"],
                              labels=measured["labels"])
    run(cells["03-ece"].source, namespace)
    assert "✓ expected_calibration_error is right on 3 inputs" in run(check, namespace)

    def unweighted(probabilities, labels, n_bins=15):  # the mean gap over the bins used
        bins = reliability(probabilities, labels, n_bins)
        used = bins.counts > 0
        return float(np.abs(bins.accuracy[used] - bins.confidence[used]).mean())

    def gap_of_means(probabilities, labels, n_bins=15):  # one bin: |accuracy - confidence|
        correct = probabilities.argmax(axis=1) == labels
        return float(abs(correct.mean() - probabilities.max(axis=1).mean()))

    for wrong in (unweighted, gap_of_means):
        namespace["expected_calibration_error"] = wrong
        with pytest.raises(ExerciseError, match=r"on 3 predictions in 2 bins.*\n  the value: got"):
            run(check, namespace)
