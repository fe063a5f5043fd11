"""Notebook 01: every number its prose states, recomputed; its exercises' checks, on right and
wrong answers; its learner edition, which must fail only where an exercise is unanswered."""

import json
import math
import re

import numpy as np
import pytest
from exercise_cells import by_grade_id, first_code_cell, printed, prose, read, run

from helpers.checking import ExerciseError, NotDoneYet
from helpers.data import load_mnist
from helpers.evaluation import confusion_matrix, most_confused
from helpers.model import load_pretrained, pretrained_record, session1_model

NAME = "01_session1_model.ipynb"
# Session 1's Keras run (the course's facts about Session 1; not recomputable here).
KERAS = {"train_images": 60_000, "test_images": 10_000, "epochs": 10, "test_accuracy": 0.9829,
         "test_loss": 0.0764}


@pytest.fixture(scope="module")
def notebook():
    return read(NAME)


@pytest.fixture(scope="module")
def shipped():
    digits = load_mnist()
    model = load_pretrained("session1")
    predicted = model.predict_logits(digits.x_test).argmax(axis=1)
    return digits, model, predicted, confusion_matrix(digits.y_test, predicted)


def test_the_model_and_training_numbers(notebook):
    text, out = prose(notebook), printed(notebook)
    counts = [sum(p.size for p in layer.params.values()) for layer in session1_model().layers]
    assert counts[:3] == [3 * 3 * 1 * 32 + 32, 1 * 1 * 32 * 10 + 10, 26 * 26 * 10 * 10 + 10]
    assert "3·3·1·32 + 32 = 320, 1·1·32·10 + 10 = 330, and 26·26·10·10 + 10 = 67,610" in text
    assert f"{sum(counts):,} parameters" in text and f"Total params: {sum(counts):,}" in out
    assert f"{counts[2] / sum(counts):.0%}" == "99%" and "parameters, 99%, sit in its last" in text
    # "more than nine digits in ten" after three epochs of the live run (printed above it)
    accuracies = [float(a) for a in re.findall(r"test accuracy (\d+\.\d)%", out)[:3]]
    assert len(accuracies) == 3 and accuracies[-1] > 90
    # The batches an epoch: "125 times an epoch".
    assert math.ceil(len(load_mnist().x_train) / 32) == 125 and "125 times an epoch" in text


def test_the_progress_bars_show_the_printed_epoch_losses(notebook):
    """The saved bars' last loss is the epoch's mean loss the next cell prints."""
    printed_losses = re.findall(r"epoch \d: training loss (\d\.\d{3})", printed(notebook))
    state = json.dumps(notebook.metadata["widgets"])
    bar_losses = re.findall(r"loss=(\d\.\d{3})", state)
    assert len(printed_losses) == 3 and sorted(bar_losses) == sorted(printed_losses)


def test_the_session1_and_shipped_numbers(notebook, shipped):
    text, out = prose(notebook), printed(notebook)
    digits, model, _, matrix = shipped
    loss, accuracy = model.evaluate(digits.x_test, digits.y_test)
    assert f"test accuracy {accuracy:.1%}, test loss {loss:.3f}" in out
    record = pretrained_record("session1")
    assert record["settings"]["epochs"] == KERAS["epochs"]  # "ten epochs, as Session 1 trained"
    assert "trained for ten epochs on all 60,000" in text and "reached 98.29%" in text
    assert "(test loss 0.0764)" in text and "10,000 test digits" in text
    assert KERAS["train_images"] // len(digits.x_train) == 15 and "fifteen times fewer" in text
    # "got 1.71% of its test digits wrong, about half of our 3.1%"
    ours = 1 - accuracy
    assert f"{1 - KERAS['test_accuracy']:.2%}" == "1.71%" and f"{ours:.1%}" == "3.1%"
    assert 0.45 < (1 - KERAS["test_accuracy"]) / ours < 0.6
    assert "got 1.71% of its 10,000 test digits wrong, about half of our 3.1% of 1,000" in text


def test_the_overfitting_paragraph(notebook):
    text = prose(notebook)
    record = pretrained_record("session1")
    plain, shifted = record["history_without_shift"], record["history"]
    lowest = int(np.argmin(plain["val_loss"]))
    assert f"from {plain['loss'][0]:.3f} after the first epoch to {plain['loss'][-1]:.3f}" in text
    assert 3 <= lowest <= 5 and min(plain["val_loss"][3:6]) == plain["val_loss"][lowest]
    assert f"(its lowest, {plain['val_loss'][lowest]:.3f}, is at epoch {lowest + 1})" in text
    assert f"drifts up to {plain['val_loss'][-1]:.3f}" in text
    assert plain["accuracy"][-1] >= 0.99 and "digits almost perfectly" in text
    assert all(round(a, 2) in (0.92, 0.93, 0.94) for a in plain["val_accuracy"][2:])
    assert "stalls around 94%" in text and round(plain["val_accuracy"][-1], 2) == 0.94
    assert f"stays higher ({shifted['loss'][-1]:.3f} after ten epochs)" in text
    assert int(np.argmin(shifted["val_loss"])) == 8
    assert (f"to {shifted['val_loss'][8]:.3f} at epoch 9 and {shifted['val_loss'][9]:.3f} at "
            "epoch 10") in text
    assert f"{sum(p.size for layer in session1_model().layers for p in layer.params.values()):,}" \
        " parameters are plenty to memorise 4,000 images" in text


def test_what_the_prose_says_about_the_mistakes(notebook, shipped):
    text, out = prose(notebook), printed(notebook)
    *_, matrix = shipped
    wrong = matrix.sum() - np.trace(matrix)
    by_answer = matrix.sum(axis=0) - np.diag(matrix)
    pairs = most_confused(matrix, count=100)
    twice = [(t, p) for t, p, n in pairs if n == 2]
    assert wrong == 31 and f"{wrong} of 1000 test digits misclassified" in out
    assert max(n for *_, n in pairs) == 2 and len(twice) == 6  # "no more than twice", "six pairs"
    assert {(2, 8), (5, 8), (9, 8)} <= set(twice)
    assert by_answer[8] == 9 and np.count_nonzero(matrix[:, 8]) - 1 == 6  # six true digits
    assert sorted(by_answer)[-2] == 4  # "no other answer is given wrongly more than four times"
    for claim in ("31 of 1,000", "no single confusion happens more than twice",
                  "six pairs happen twice, among them 2 → 8, 5 → 8 and 9 → 8",
                  "9 of the 31 mistakes are answers of 8, coming from six different true digits",
                  "No other answer is given wrongly more than four times"):
        assert claim in text
    assert "the 9 digits wrongly read as 8 were: 1 (1), 2 (2), 5 (2), 6 (1), 7 (1), 9 (2)" in out


def namespace_for(notebook, **names) -> dict:
    namespace = {}
    run(first_code_cell(notebook), namespace)
    namespace.update(names)
    return namespace


def test_the_backward_check_passes_the_solution_and_names_what_is_wrong(notebook):
    cells = by_grade_id(notebook)
    check = cells["01-conv1x1-backward-check"].source
    namespace = namespace_for(notebook)
    run(cells["01-conv1x1-backward"].source, namespace)
    said = run(check, namespace)
    assert said.count("✓") == 9 and "agrees with central differences" in said
    right = namespace["conv1x1_backward"]

    def transposed_dw(dout, x, w):
        dx, dw, db = right(dout, x, w)
        return dx, dw.T, db

    def mean_db(dout, x, w):
        dx, dw, _ = right(dout, x, w)
        return dx, dw, dout.reshape(-1, w.shape[1]).mean(axis=0)

    def no_transpose(dout, x, w):
        return dout @ w, *right(dout, x, w)[1:]

    def two_results(dout, x, w):
        return right(dout, x, w)[:2]

    def placeholder(dout, x, w):
        raise NotImplementedError()

    for wrong, message in (
            (transposed_dw, r"dw on a random input.*shape \(5, 4\), expected \(4, 5\)"),
            (mean_db, r"db on a random input.*5 of 5 entries differ:\n  \[0\]: got"),
            (no_transpose, r"conv1x1_backward raised ValueError"),
            (two_results, "should return three arrays")):
        namespace["conv1x1_backward"] = wrong
        with pytest.raises(ExerciseError, match=message):
            run(check, namespace)
    namespace["conv1x1_backward"] = placeholder
    with pytest.raises(NotDoneYet, match="not written yet"):
        run(check, namespace)


def test_the_confusion_check_passes_the_solution_and_catches_a_transposed_matrix(notebook,
                                                                                shipped):
    cells = by_grade_id(notebook)
    check = cells["01-confusion-check"].source
    digits, _, predicted, _ = shipped
    namespace = namespace_for(notebook, digits=digits, predicted=predicted)
    run(cells["01-confusion"].source, namespace)
    assert "✓ confusion_matrix is right on 2 inputs" in run(check, namespace)
    right = namespace["confusion_matrix"]
    namespace["confusion_matrix"] = lambda true, predicted, n_classes=10: right(
        true, predicted, n_classes).T
    with pytest.raises(ExerciseError, match=r"on true \[0, 1, 2\].*\n  \[0, 1\]: got 0, "
                                            r"expected 1 \(off by -1\)"):
        run(check, namespace)
    namespace["confusion_matrix"] = lambda true, predicted, n_classes=10: right(
        true, predicted, 10)  # ignores n_classes
    with pytest.raises(ExerciseError, match=r"shape \(10, 10\), expected \(3, 3\)"):
        run(check, namespace)
