"""The Session 1 model: summary, whole-model gradients, determinism, files, shipped weights."""

import re

import numpy as np
import pytest

from helpers import model as model_module
from helpers.data import load_mnist
from helpers.gradcheck import numerical_gradient, relative_error
from helpers.model import ModelFileError, Sequential, load, load_pretrained, session1_model


def test_summary_has_the_keras_parameter_counts():
    text = session1_model().summary()
    for count in ("320", "330", "67,610", "Total params: 68,260"):
        assert count in text
    assert "(None, 26, 26, 32)" in text and "(None, 1, 1, 10)" in text


def test_whole_model_gradients_in_float64():
    net = session1_model(kernel_size=5, seed=3, image_size=9)
    for layer in net.layers:
        for name in layer.params:
            layer.params[name] = layer.params[name].astype(np.float64)
            layer.params[name] += np.random.default_rng(0).normal(0, 0.1, layer.params[name].shape)
    rng = np.random.default_rng(1)
    x, y = rng.random((3, 9, 9, 1)), np.array([1, 7, 3])
    net.loss_and_grads(x, y)
    for layer in net.layers:
        for name, param in layer.params.items():
            numeric = numerical_gradient(lambda: net.loss_and_grads(x, y), param)
            net.loss_and_grads(x, y)
            assert relative_error(layer.grads[name], numeric) < 1e-6, (layer.describe(), name)


def small_run(seed=0):
    data = load_mnist()
    net = session1_model(seed=seed)
    history = net.fit(data.x_train[:256], data.y_train[:256], epochs=1, seed=seed, progress=False,
                      shift=1)
    return net, history


def test_same_seed_gives_bit_identical_weights():
    first, _ = small_run()
    second, _ = small_run()
    for a, b in zip(first.layers, second.layers, strict=True):
        for name in a.params:
            np.testing.assert_array_equal(a.params[name], b.params[name])


def test_save_and_load_round_trip(tmp_path):
    net, _ = small_run()
    net.save(tmp_path / "m.npz")
    again = load(tmp_path / "m.npz", expected=session1_model())
    x = load_mnist().x_test[:20]
    np.testing.assert_array_equal(net.predict_logits(x), again.predict_logits(x))


def test_wrong_model_files_are_refused(tmp_path):
    session1_model(kernel_size=7).save(tmp_path / "big.npz")
    with pytest.raises(ModelFileError, match="different model"):
        load(tmp_path / "big.npz", expected=session1_model())
    np.savez(tmp_path / "other.npz", weights=np.zeros(3))
    with pytest.raises(ModelFileError, match="no architecture record"):
        load(tmp_path / "other.npz")
    arrays = dict(np.load(tmp_path / "big.npz"))
    arrays["layer0_w"] = np.zeros((3, 3, 1, 32), dtype=np.float32)
    np.savez(tmp_path / "bent.npz", **arrays)
    with pytest.raises(ModelFileError, match=r"layer0_w should have shape \(7, 7, 1, 32\)"):
        load(tmp_path / "bent.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(ModelFileError, match="not a readable"):
        load(tmp_path / "junk.npz")


def test_wrong_input_shape_is_explained():
    with pytest.raises(ValueError, match=r"images of shape \(N, 28, 28, 1\)"):
        session1_model().predict_logits(np.zeros((2, 28, 28)))


@pytest.mark.parametrize("name", model_module.PRETRAINED)
def test_shipped_weights_load_and_score_as_recorded(name):
    net = load_pretrained(name)
    record = model_module.pretrained_record(name)
    data = load_mnist()
    _, accuracy = net.evaluate(data.x_test, data.y_test)
    assert accuracy == pytest.approx(record["test_accuracy"], abs=1e-3)
    # small_data sees a quarter of the digits, over-trained on purpose (notebook 03).
    assert record["test_accuracy"] >= (0.88 if name == "small_data" else 0.945)


def test_retraining_reproduces_the_shipped_first_epoch():
    """Retrain one epoch with the recorded settings; its loss must match the record."""
    record = model_module.pretrained_record("session1")
    settings = record["settings"]
    data = load_mnist()
    net = session1_model(kernel_size=settings["kernel_size"], seed=settings["seed"])
    history = net.fit(data.x_train, data.y_train, epochs=1, batch_size=settings["batch_size"],
                      seed=settings["seed"], progress=False, shift=settings["shift"])
    assert history["loss"][0] == pytest.approx(record["history"]["loss"][0], abs=1e-3)


def test_altered_weights_are_refused(tmp_path, monkeypatch):
    import shutil
    for suffix in ("npz", "json"):
        shutil.copy(model_module.ASSETS / f"weights_session1.{suffix}", tmp_path)
    shipped = load_pretrained("session1")
    monkeypatch.setattr(model_module, "ASSETS", tmp_path)
    x = load_mnist().x_test[:10]
    np.testing.assert_array_equal(load_pretrained("session1").predict_logits(x),
                                  shipped.predict_logits(x))  # the intact copy loads
    raw = bytearray((tmp_path / "weights_session1.npz").read_bytes())
    raw[500] ^= 1
    (tmp_path / "weights_session1.npz").write_bytes(bytes(raw))
    with pytest.raises(ModelFileError, match="altered or damaged"):
        load_pretrained("session1")
    with pytest.raises(ValueError, match="choose one of session1"):
        load_pretrained("vgg")


def test_forward_in_two_parts_equals_the_whole_model():
    net, x = load_pretrained("session1"), load_mnist().x_test[:50]
    maps = net.forward(x, stop=1)
    assert maps.shape == (50, 26, 26, 32)
    np.testing.assert_array_equal(net.forward(maps, start=1), net.predict_logits(x))
    with pytest.raises(ValueError, match=r"images of shape \(N, 28, 28, 1\)"):
        net.forward(maps)


def test_predict_proba_is_the_softmax_of_the_scores():
    net, x = load_pretrained("session1"), load_mnist().x_test[:50]
    logits = net.predict_logits(x).astype(np.float64)
    by_hand = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    proba = net.predict_proba(x)
    np.testing.assert_allclose(proba, by_hand, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)


def test_sequential_marks_its_first_layer_by_position():
    conv = [model_module.Conv2D(4, 3, 1, "relu"), model_module.Conv2D(2, 6, 4)]
    net = Sequential(conv + [model_module.Flatten()], (8, 8, 1))
    assert [layer.first for layer in net.layers] == [True, False, False]
    rng = np.random.default_rng(0)
    net.loss_and_grads(rng.random((3, 8, 8, 1)), np.array([0, 1, 1]))
    assert conv[0].backward(np.ones((3, 6, 6, 4), dtype=np.float32)) is None
    assert conv[1].backward(np.ones((3, 1, 1, 2), dtype=np.float32)).shape == (3, 6, 6, 4)


def test_the_progress_bar_ends_on_the_epochs_mean_loss(capsys):
    data = load_mnist()
    history = session1_model().fit(data.x_train[:320], data.y_train[:320], epochs=2,
                                   progress=True)
    states = re.split(r"[\r\n]", capsys.readouterr().err)  # each redraw of a bar
    final = [re.findall(r"loss=([0-9.]+)", [s for s in states if f"epoch {e}/2" in s][-1])[0]
             for e in (1, 2)]
    assert final == [f"{loss:.3f}" for loss in history["loss"]]


def test_adam_follows_the_textbook_update_for_every_parameter():
    """Keras' form of Kingma and Ba's update (bias corrections folded into the step size),
    parameter by parameter, in float64, over three steps of a real model."""
    from helpers.model import Adam

    data = load_mnist()
    net = session1_model(kernel_size=5, seed=3, image_size=12)
    for layer in net.layers:
        layer.params = {k: v.astype(np.float64) for k, v in layer.params.items()}
    x, y = data.x_train[:8, 8:20, 8:20].astype(np.float64), data.y_train[:8]
    start = [{k: v.copy() for k, v in layer.params.items()} for layer in net.layers]
    optimizer, grads = Adam(lr=0.01), []
    for _ in range(3):
        net.loss_and_grads(x, y)
        grads.append([{k: g.copy() for k, g in layer.grads.items()} for layer in net.layers])
        optimizer.step(net.layers)
    for index, layer in enumerate(net.layers):
        for name, param in layer.params.items():
            p, m, v = start[index][name].copy(), 0.0, 0.0
            for t, step_grads in enumerate(grads, start=1):
                g = step_grads[index][name]
                m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
                step_size = 0.01 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
                p -= step_size * m / (np.sqrt(v) + 1e-7)
            np.testing.assert_allclose(param, p, rtol=1e-10, atol=1e-12)


def test_adams_first_step_moves_each_weight_by_lr_against_its_gradient():
    """At t = 1 the bias-corrected m / sqrt(v) is g / |g|: every weight moves by lr."""
    from helpers.model import Adam

    layer = model_module.Flatten()
    rng = np.random.default_rng(0)
    layer.params = {"w": rng.normal(size=(5, 4)).astype(np.float32)}
    layer.grads = {"w": rng.choice([-1, 1], size=(5, 4)) * rng.uniform(0.1, 10, (5, 4))
                   .astype(np.float32)}
    before = layer.params["w"].copy()
    Adam(lr=0.01).step([layer])
    np.testing.assert_allclose(layer.params["w"] - before, -0.01 * np.sign(layer.grads["w"]),
                               rtol=1e-4)
    assert layer.params["w"].dtype == np.float32  # float32 stays float32


def test_one_adam_cannot_drive_two_different_models():
    from helpers.model import Adam

    data, optimizer = load_mnist(), Adam()
    small, large = session1_model(kernel_size=3), session1_model(kernel_size=7)
    small.loss_and_grads(data.x_train[:4], data.y_train[:4])
    optimizer.step(small.layers)
    large.loss_and_grads(data.x_train[:4], data.y_train[:4])
    with pytest.raises(ValueError, match="use a new Adam"):
        optimizer.step(large.layers)


def test_the_shipped_record_backs_what_notebook_01_says():
    record = model_module.pretrained_record("session1")
    shifted, plain = record["history"], record["history_without_shift"]
    # Without shifts: training loss falls towards zero, test loss turns up, accuracy ~94%.
    assert plain["loss"][-1] < 0.1 * plain["loss"][0]
    assert plain["val_loss"][-1] > min(plain["val_loss"][3:6])
    assert 0.93 <= plain["val_accuracy"][-1] <= 0.955
    # With shifts: test loss keeps falling; after 3 epochs, more than nine digits in ten.
    assert shifted["val_loss"][-1] < shifted["val_loss"][4]
    assert shifted["val_accuracy"][2] > 0.9 and record["test_accuracy"] >= 0.945
