"""Claims register of notebook 07 (model selection): one test per claim of its text.

Each test is named after a claim and quotes the sentence in its docstring. Claims about
training results are read from the notebook as executed in quick mode (the session's
``executed_course`` fixture, or, to check one notebook quickly, the executed copy named by
``LECTURE_NN_EXECUTED_07``, e.g. from ``LECTURE_NN_QUICK=1 lecture-nn run 07``). Claims about
Keras are checked against Keras itself on small models; mathematical claims by computation.
"""

import itertools
import json
import os
import re
from pathlib import Path

import keras
import numpy as np
import pytest
from keras_fixtures import fit_with_snapshots, separable_data, small_classifier

from lecture_nn import experiments as ex
from lecture_nn.keras_callbacks import SmoothedEarlyStopping
from lecture_nn.keras_models import lecture_model

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "07_model_selection.ipynb"


def _source(cell):
    return "".join(cell["source"])


def _markdown():
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    return " ".join(
        " ".join(_source(c).split()) for c in notebook["cells"] if c["cell_type"] == "markdown"
    )


def _claim_in_text(sentence):
    """The quoted sentence (whitespace-normalised) is in the notebook's markdown."""
    assert " ".join(sentence.split()) in _markdown(), sentence


@pytest.fixture(scope="module")
def executed(request):
    """The quick-mode executed notebook 07 (a dict loaded from the .ipynb)."""
    path = os.environ.get("LECTURE_NN_EXECUTED_07")
    if not path:
        result = request.getfixturevalue("executed_course")["07_model_selection"]
        assert result.ok, "notebook 07 failed to run"
        path = result.output_path
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    assert "quick mode" in printed(notebook, "print(data.describe())")
    return notebook


def printed(notebook, marker):
    """The stdout of the one code cell whose source contains ``marker``."""
    cells = [c for c in notebook["cells"] if c["cell_type"] == "code" and marker in _source(c)]
    assert len(cells) == 1, marker
    return "".join("".join(o["text"]) for o in cells[0]["outputs"] if o.get("name") == "stdout")


def _tiny_fit(callback, *, flip_validation=True, epochs=8, seed=3):
    """A logistic regression on 8 features; validation labels flipped: it gets worse."""
    x, y = separable_data(seed=seed)
    model = small_classifier(8, learning_rate=0.5, seed=seed)
    y_val = 1 - y[80:] if flip_validation else y[80:]
    history, snapshots = fit_with_snapshots(
        model, x[:80], y[:80], validation_data=(x[80:], y_val), epochs=epochs, callbacks=[callback]
    )
    return model, history, snapshots


def test_early_stopping_restores_the_best_weights_whether_or_not_it_stopped_early():
    """ "with `restore_best_weights=True` it keeps a copy of the weights of the best epoch and
    puts them back when training ends, whether or not it stopped early" (and "With a patience
    as long as the whole run it never stops")."""
    _claim_in_text("puts them back when training ends, whether or not it stopped early")
    stop = keras.callbacks.EarlyStopping(
        monitor="val_accuracy", patience=8, restore_best_weights=True
    )
    model, history, snapshots = _tiny_fit(stop, epochs=8)
    assert len(history["loss"]) == 8  # never stopped
    best = int(np.argmax(history["val_accuracy"]))
    assert best < 7
    for restored, expected in zip(model.get_weights(), snapshots[best]):
        np.testing.assert_array_equal(restored, expected)


def test_after_an_early_stop_the_last_epoch_is_patience_epochs_past_the_best():
    """ "without it, it keeps those of the last epoch run, which after an early stop is
    `patience` epochs past the best one"."""
    _claim_in_text("which after an early stop is `patience` epochs past the best one")
    for patience in (1, 2, 3):
        stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience)
        model, history, snapshots = _tiny_fit(stop, epochs=20)
        assert stop.stopped_epoch > 0
        last, best = len(history["loss"]) - 1, int(np.argmin(history["val_loss"]))
        assert last - best == patience
        for kept, expected in zip(model.get_weights(), snapshots[last]):
            np.testing.assert_array_equal(kept, expected)


def test_baseline_keeps_the_weights_of_its_best_validation_epoch(executed):
    """ "The weights scored on the test set should be those of the best validation epoch ...
    Keras' own `EarlyStopping` does that" (the run's kept epoch = the table's best epoch)."""
    kept = int(re.search(r"weights kept: epoch (\d+)", printed(executed, "keep_best =")).group(1))
    table = printed(executed, "print(results_table(results))")
    row = next(line for line in table.splitlines() if line.startswith("baseline 512-512"))
    assert int(row.split()[4]) == kept  # parameters, epochs, best epoch columns


def test_each_epochs_weight_in_the_moving_average_shrinks_by_beta():
    """ "each epoch's weight shrinks by the factor $\\beta$ with every later epoch"."""
    _claim_in_text("each epoch's weight shrinks by the factor $\\beta$ with every later epoch")
    beta, n = 0.6, 8
    base = np.linspace(1.0, 0.5, n)
    # d s_n / d v_t by finite differences: (1 - beta) * beta ** (n - t) for t >= 2
    weights = []
    for t in range(n):
        bumped = base.copy()
        bumped[t] += 1e-6
        weights.append(
            (ex.moving_average(bumped, beta)[-1] - ex.moving_average(base, beta)[-1]) / 1e-6
        )
    ratios = np.array(weights[2:]) / np.array(weights[1:-1])
    np.testing.assert_allclose(ratios, 1 / beta, rtol=1e-5)  # one epoch later: beta times less


def test_smoothed_early_stopping_is_keras_early_stopping_on_the_moving_average():
    """ "`lecture_nn.keras_callbacks.SmoothedEarlyStopping` is Keras' `EarlyStopping` with that
    one change"."""
    _claim_in_text("is Keras' `EarlyStopping` with that one change")
    curve = [1.0, 0.8, 0.7, 0.78, 0.76, 0.62, 0.6, 0.66, 0.7, 0.75, 0.8, 0.85]
    smoothed = ex.moving_average(curve, 0.6)

    def run(values, callback):
        def inject(epoch, logs):
            logs["val_loss"] = float(values[epoch])

        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        x = np.ones((8, 2), "float32")
        history = model.fit(
            x, np.zeros(8), validation_data=(x, np.zeros(8)), epochs=len(values), verbose=0,
            callbacks=[keras.callbacks.LambdaCallback(on_epoch_end=inject), callback],
        ).history  # fmt: skip
        return len(history["loss"]), callback.best_epoch

    plain_on_smoothed = run(smoothed, keras.callbacks.EarlyStopping(patience=2))
    ours_on_raw = run(curve, SmoothedEarlyStopping(0.6, patience=2))
    assert ours_on_raw == plain_on_smoothed
    assert run(curve, keras.callbacks.EarlyStopping(patience=2)) != plain_on_smoothed


def _dense_parameters(sizes):
    return sum(a * b + b for a, b in itertools.pairwise(sizes))


def test_small_network_has_about_a_third_of_the_baseline_parameters():
    """ "A 256-32-10 network has about a third of the baseline's parameters"."""
    _claim_in_text("A 256-32-10 network has about a third of the baseline's parameters")
    small, baseline = _dense_parameters([784, 256, 32, 10]), _dense_parameters([784, 512, 512, 10])
    assert small == lecture_model("small").count_params()
    assert baseline == lecture_model("baseline").count_params()
    assert 0.28 < small / baseline < 0.37


def test_bottleneck_training_loss_stays_well_above_the_small_network(executed):
    """ "its training loss stays well above that of the 256-32 network"."""
    _claim_in_text("its training loss stays well above that of the 256-32 network")
    text = printed(executed, "encoder = keras.Model")
    bottleneck, small = map(
        float, re.search(r"bottleneck ([\d.]+), 256-32 network ([\d.]+)", text).groups()
    )
    assert bottleneck > 1.5 * small


def test_relu_bottleneck_dies_with_seed_0_in_quick_mode():
    """ "with `keras.utils.set_random_seed(0)` in quick mode both died within two epochs"."""
    _claim_in_text(
        "with `keras.utils.set_random_seed(0)` in quick mode both died within two epochs"
    )
    data = ex.course_data("quick")
    keras.utils.set_random_seed(0)
    model = lecture_model("bottleneck", activation="relu")
    from lecture_nn.keras_models import compile_classifier

    compile_classifier(model, steps_per_execution=8)
    history = model.fit(
        data.x_train, data.y_train, validation_data=(data.x_val, data.y_val), epochs=2,
        batch_size=512, verbose=0,
    ).history  # fmt: skip
    encoder = keras.Model(model.inputs[0], model.layers[1].output)
    codes = encoder.predict(data.x_train, verbose=0)
    assert not (codes > 0).any()  # both units output 0 for every training image: dead
    assert history["val_accuracy"][-1] < 0.15  # chance is 0.1


def test_each_class_owns_one_convex_region_of_the_code_plane():
    """ "its prediction is the largest of ten affine functions, and each class owns one convex
    region of the plane (possibly none)"."""
    _claim_in_text("each class owns one convex region of the plane (possibly none)")
    rng = np.random.default_rng(0)
    layer = keras.layers.Dense(10, activation="softmax")
    layer.build((None, 2))
    points = rng.uniform(-5, 5, size=(4000, 2)).astype("float32")
    classes = keras.ops.convert_to_numpy(layer(points)).argmax(axis=1)
    for k in np.unique(classes):
        inside = points[classes == k]
        pairs = rng.integers(0, len(inside), size=(300, 2))
        lam = rng.uniform(size=(300, 1)).astype("float32")  # points between two of class k
        between = lam * inside[pairs[:, 0]] + (1 - lam) * inside[pairs[:, 1]]
        assert (keras.ops.convert_to_numpy(layer(between)).argmax(axis=1) == k).all()


def _recall(executed):
    text = printed(executed, "recall = per_class_recall")
    return {line[:12].strip(): float(line[12:]) for line in text.splitlines() if line.strip()}


def test_trousers_and_bags_land_in_their_own_regions_shirts_rarely(executed):
    """ "In quick mode ... trousers and bags mostly land in their own regions, while shirts,
    which look like T-shirts, pullovers and coats, rarely do"."""
    _claim_in_text("trousers and bags mostly land in their own regions, while shirts")
    recall = _recall(executed)
    assert len(recall) == 10
    assert recall["Trouser"] >= 0.7
    assert recall["Bag"] >= 0.7
    assert recall["Shirt"] <= 0.3


def test_l1_leaves_many_weights_near_zero_but_almost_none_exactly(executed):
    """ "RMSprop ... steps over zero instead: the cell under the histogram counts the weights
    that are exactly 0, almost none" (and L1, unlike L2, leaves many weights near zero)."""
    _claim_in_text("counts the weights that are exactly 0, almost none")
    text = printed(executed, 'exactly 0")')
    shares = dict(
        (name, (float(near), int(size.replace(",", "")), int(zeros)))
        for name, near, size, zeros in re.findall(
            r"(L\d): ([\d.]+)% of the first layer's ([\d,]+) weights below 0.001 in magnitude, "
            r"(\d+) exactly 0",
            text,
        )
    )
    assert set(shares) == {"L1", "L2"}
    assert shares["L1"][0] >= 10 * shares["L2"][0]  # many near zero under L1, few under L2
    assert shares["L1"][2] <= 0.01 * shares["L1"][1]  # at most 1% exactly zero


def test_l1_pull_is_constant_and_l2_pull_fades():
    """ "The L1 penalty pulls every weight towards zero with the same force $\\lambda$ ... the
    pull of the L2 penalty, $2\\lambda w$, fades as the weight shrinks" (Keras' regularizers)."""
    _claim_in_text("the pull of the L2 penalty, $2\\lambda w$, fades as the weight shrinks")
    lam, h = 0.01, 1e-3
    w = np.array([-0.5, -0.01, 0.02, 0.3, 2.0])
    for regularizer, expected in (
        (keras.regularizers.L1(lam), lam * np.sign(w)),
        (keras.regularizers.L2(lam), 2 * lam * w),
    ):
        gradient = []
        for i in range(len(w)):
            up, down = w.copy(), w.copy()
            up[i] += h
            down[i] -= h
            penalty = [float(regularizer(keras.ops.convert_to_tensor(v))) for v in (up, down)]
            gradient.append((penalty[0] - penalty[1]) / (2 * h))
        np.testing.assert_allclose(gradient, expected, rtol=1e-3, atol=1e-6)


def test_batch_norm_model_is_dense_batch_norm_relu_then_dropout():
    """ "Here each hidden layer is Dense → BatchNormalization → ReLU, followed by dropout 0.5"."""
    _claim_in_text("Dense → BatchNormalization → ReLU, followed by dropout 0.5")
    model = lecture_model("batchnorm_dropout")
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Dense", "BatchNormalization", "Activation", "Dropout"] * 3 + ["Dense"]
    assert {layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)} == {
        0.5
    }
    activations = [layer for layer in model.layers if isinstance(layer, keras.layers.Activation)]
    assert {layer.get_config()["activation"] for layer in activations} == {"relu"}


def test_hyperband_gives_its_trials_different_numbers_of_epochs(executed):
    """ "it starts many configurations with few epochs and, round by round, trains only the
    best $1/\\text{factor}$ of them further"."""
    _claim_in_text("it starts many configurations with few epochs")
    text = printed(executed, "keras_tuner.Hyperband")
    trials, counts = re.search(r"Hyperband: (\d+) trials; .*?: \[([\d, ]+)\]", text).groups()
    counts = [int(c) for c in counts.split(",")]
    assert sum(counts) == int(trials)
    assert len(counts) >= 2
    assert counts[0] >= 1
    assert len(re.findall(r"^hyperband trial \d+:", text, re.MULTILINE)) == int(trials)


def test_every_search_fit_prints_a_line_and_the_grid_fits_thirteen_times(executed):
    """ "Each fit prints a line as it finishes." ... "4 candidates × 3 folds plus one refit of
    the best on all search images"."""
    _claim_in_text("4 candidates × 3 folds plus one refit of the best on all search images")
    text = printed(executed, "keras_tuner.Hyperband")
    assert re.findall(r"^random search trial (\d+)/6:", text, re.MULTILINE) == [
        str(i) for i in range(1, 7)
    ]
    assert re.findall(r"^grid search fit (\d+)/13:", text, re.MULTILINE) == [
        str(i) for i in range(1, 14)
    ]


def test_the_searches_never_tried_a_schedule_batch_128_or_40_epochs():
    """ "not found by the searches above, which never tried a learning-rate schedule, batches
    of 128 or 40 epochs"."""
    _claim_in_text("which never tried a learning-rate schedule, batches of 128 or 40 epochs")
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    search = next(_source(c) for c in notebook["cells"] if "keras_tuner.Hyperband" in _source(c))
    assert "schedule" not in search.lower()
    assert "Decay" not in search
    assert re.findall(r"batch_size\W+(\d+)", search) == ["256", "256"]
    assert "epochs_for(5)" in search
    assert ex.epochs_for(5, "full") == 5


def test_quick_mode_has_a_tenth_of_the_training_images_and_about_a_fifth_of_the_epochs():
    """ "quick mode (a tenth of the training images, about a fifth of the epochs)"."""
    _claim_in_text("quick mode (a tenth of the training images, about a fifth of the epochs)")
    quick_train = ex.QUICK_TRAIN - ex.VALIDATION_SIZE["quick"]
    assert quick_train / 50_000 == 0.1
    for full in (25, 30, 40, 50):  # the training runs' epochs
        assert ex.epochs_for(full, "quick") == full / 5
