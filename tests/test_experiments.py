"""The Keras notebooks' data preparation, modes, runs and results table."""

import numpy as np
import pytest
from fashion_data import official_idx_folder

from lecture_nn import experiments as ex


def test_mode_from_environment(monkeypatch):
    monkeypatch.delenv("LECTURE_NN_QUICK", raising=False)
    assert ex.run_mode() == "full"
    assert ex.epochs_for(25) == 25
    monkeypatch.setenv("LECTURE_NN_QUICK", "1")
    assert ex.run_mode() == "quick"
    assert ex.epochs_for(25) == 5
    assert ex.epochs_for(5) == 2
    with pytest.raises(ValueError, match="full_epochs must be an integer >= 1"):
        ex.epochs_for(0)


@pytest.mark.parametrize("mode", ["Full", "QUICK", "fast", ""])
def test_epochs_for_refuses_an_unknown_mode(mode):
    """``epochs_for(10, mode="Full")`` returned 2 before (any unknown mode meant quick)."""
    with pytest.raises(ValueError, match=r"mode must be one of \['full', 'quick'\], got"):
        ex.epochs_for(10, mode=mode)
    assert ex.epochs_for(10, mode="full") == 10
    assert ex.epochs_for(10, mode="quick") == 2
    assert ex.epochs_for(np.int64(25), mode="quick") == 5
    with pytest.raises(TypeError, match="full_epochs must be an integer"):
        ex.epochs_for(10.0, mode="full")


@pytest.fixture(scope="module")
def quick_data(tmp_path_factory):
    folder = official_idx_folder()
    return ex.course_data("quick", data_dir=folder, cache_dir=tmp_path_factory.mktemp("c"))


def test_quick_data_is_a_prepared_stratified_subset(quick_data):
    data = quick_data
    assert data.x_train.shape == (ex.QUICK_TRAIN - 1000, 784)
    assert data.x_val.shape == (1000, 784)
    assert data.x_test.shape == (ex.QUICK_TEST, 784)
    assert data.x_train.dtype == np.float32
    assert data.x_train.min() >= 0.0
    assert data.x_train.max() <= 1.0
    # no validation image is also a training image
    train_rows = {row.tobytes() for row in data.x_train}
    assert not any(row.tobytes() in train_rows for row in data.x_val[:200])
    np.testing.assert_array_equal(np.bincount(data.y_test), [ex.QUICK_TEST // 10] * 10)
    assert data.describe().startswith("quick mode: 5,000 training, 1,000 validation and 2,000 test")


def test_run_experiment_reports_the_models_own_numbers(quick_data):
    keras = pytest.importorskip("keras")
    from lecture_nn.keras_models import build_dense, compile_classifier

    keras.utils.set_random_seed(0)
    model = compile_classifier(build_dense((16,)))
    result = ex.run_experiment("tiny", model, quick_data, epochs=2, batch_size=256)
    _, accuracy = model.evaluate(quick_data.x_test, quick_data.y_test, verbose=0)
    assert result.test_accuracy == pytest.approx(accuracy)
    assert result.parameters == 784 * 16 + 16 + 16 * 10 + 10
    assert result.epochs_run == 2
    assert result.best_val_accuracy == max(result.history["val_accuracy"])
    table = ex.results_table([result])
    assert "tiny" in table
    assert f"{accuracy:.4f}" in table
    assert "12,730" in table


def test_final_fit_trains_on_training_and_validation_images(quick_data):
    keras = pytest.importorskip("keras")
    from lecture_nn.keras_models import build_dense, compile_classifier

    seen = []

    class CountImages(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(batch)

    keras.utils.set_random_seed(0)
    model = compile_classifier(build_dense((16,)))
    result = ex.run_final_fit(
        "final", model, quick_data, epochs=2, batch_size=500, callbacks=[CountImages()]
    )
    n_images = len(quick_data.x_train) + len(quick_data.x_val)
    assert len(seen) == 2 * int(np.ceil(n_images / 500))  # every image, every epoch
    _, accuracy = model.evaluate(quick_data.x_test, quick_data.y_test, verbose=0)
    assert result.test_accuracy == pytest.approx(accuracy)
    assert (result.epochs_run, result.best_epoch) == (2, 2)
    assert np.isnan(result.best_val_accuracy)
    assert "val_accuracy" not in result.history
    row = ex.results_table([result]).splitlines()[-1]
    assert row.split()[4] == "-"
    assert f"{accuracy:.4f}" in row


def test_bad_mode():
    with pytest.raises(ValueError, match=r"mode must be one of \['full', 'quick'\]"):
        ex.course_data("medium")


def _synthetic_data():
    """A CourseData of random images (40 training, 20 validation, 20 test)."""
    rng = np.random.default_rng(0)

    def split(n):
        return rng.random((n, 784), dtype=np.float32), np.arange(n) % 10

    (xt, yt), (xv, yv), (xs, ys) = split(40), split(20), split(20)
    return ex.CourseData(xt, yt, xv, yv, xs, ys, tuple("0123456789"), "quick", "synthetic")


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"batch_size": 0}, ValueError, "batch_size must be an integer >= 1"),
        ({"batch_size": -5}, ValueError, "batch_size must be an integer >= 1"),
        ({"batch_size": 32.0}, TypeError, "batch_size must be an integer"),
        ({"epochs": 0}, ValueError, "epochs must be an integer >= 1"),
        ({"epochs": True}, TypeError, "epochs must be an integer"),
        ({"verbose": 3}, ValueError, "verbose must be an integer <= 2"),
        ({"callbacks": "early"}, TypeError, "callbacks must be a sequence"),
        ({"callbacks": [3]}, TypeError, r"callbacks\[0\] must be a Keras callback"),
        ({"name": ""}, ValueError, "name must be a non-empty string"),
        ({"name": 3}, TypeError, "name must be a string"),
        ({"data": "data"}, TypeError, "data must be a CourseData"),
        ({"model": "x"}, TypeError, "model must be a compiled Keras model"),
    ],
)
@pytest.mark.parametrize("run", [ex.run_experiment, ex.run_final_fit])
def test_runs_refuse_bad_settings_before_training(run, arguments, error, message):
    """``run_experiment(batch_size=0)`` trained before; now nothing is fitted."""

    class Model:  # a fit would be recorded; none may happen
        fitted = False

        def fit(self, *args, **kwargs):
            Model.fitted = True
            raise AssertionError("fit was called")

        def evaluate(self, *args, **kwargs):
            raise AssertionError("evaluate was called")

    settings = {"name": "tiny", "model": Model(), "data": _synthetic_data(), "epochs": 1}
    with pytest.raises(error, match=message):
        run(**{**settings, **arguments})
    assert not Model.fitted


def test_moving_average_by_hand():
    # s1 = 1; s2 = 0.5 * 1 + 0.5 * 3 = 2; s3 = 0.5 * 2 + 0.5 * 0 = 1; s4 = 0.5 * 1 + 0.5 * 5 = 3
    np.testing.assert_allclose(ex.moving_average([1, 3, 0, 5], 0.5), [1, 2, 1, 3])
    np.testing.assert_array_equal(ex.moving_average([4.0, 1.0, 7.0], 0), [4.0, 1.0, 7.0])
    with pytest.raises(ValueError, match=r"smoothing must be a number in \[0, 1\)"):
        ex.moving_average([1.0], 1.0)
    with pytest.raises(ValueError, match="values must hold at least 1 value"):
        ex.moving_average([], 0.5)
    with pytest.raises(ValueError, match="values must be a 1-d array"):
        ex.moving_average([[1.0]], 0.5)


def test_nan_epochs_never_count_as_best_and_do_not_poison_the_average():
    """A NaN score is skipped: before, 0 * nan made every later average NaN.

    By hand, patience 2 on [nan, 1, 0.5, nan, nan]: epoch 1 is the first best (as in
    Keras), epochs 2 and 3 improve, epochs 4 and 5 bring nothing: stop after 5, best
    epoch 3. The old code returned (2, 1): every average was NaN, so nothing improved.
    """
    nan = float("nan")
    np.testing.assert_allclose(ex.moving_average([nan, 1, nan, 3], 0.5), [nan, 1, nan, 2])
    np.testing.assert_allclose(ex.moving_average([2, nan, 4], 0), [2, nan, 4])
    assert ex.early_stopping_epochs([nan, 1.0, 0.5, nan, nan], 2) == (5, 3)
    assert ex.early_stopping_epochs([nan, 0.6, 0.7], 5, mode="max") == (3, 3)
    assert ex.best_epoch([nan, 0.6, nan, 0.5]) == 2
    assert ex.best_epoch([nan, 0.6, nan, 0.5], "min") == 4
    assert ex.best_epoch([nan, nan]) == 2  # no score at all: the weights fit ends with
    # all NaN: Keras keeps epoch 1 and stops once the patience is used up
    assert ex.early_stopping_epochs([nan, nan, nan, nan], 2) == (3, 1)
    with pytest.raises(ValueError, match="mode must be one of"):
        ex.best_epoch([0.5], "Max")


def test_early_stopping_epochs_by_hand_and_against_keras():
    """The rule on a recorded curve agrees with Keras' EarlyStopping fed the same values."""
    import keras

    from lecture_nn.keras_callbacks import SmoothedEarlyStopping

    # patience 2: 0.8 at epoch 2 is best, epochs 3 and 4 bring nothing -> stop after 4
    assert ex.early_stopping_epochs([1.0, 0.8, 0.9, 0.85, 0.7], 2) == (4, 2)
    assert ex.early_stopping_epochs([1.0, 0.8, 0.9, 0.85, 0.7], 3) == (5, 5)
    assert ex.early_stopping_epochs([0.5, 0.6, 0.7, 0.6], 2, mode="max") == (4, 3)
    # smoothed with 0.5: 1, 0.9, 0.9, 0.875, 0.7875 -> 0.9 is a tie, no improvement once
    assert ex.early_stopping_epochs([1.0, 0.8, 0.9, 0.85, 0.7], 2, smoothing=0.5) == (5, 5)

    from keras_fixtures import small_classifier

    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    model = small_classifier(4, learning_rate=0.01, metrics=(), seed=0)
    for trial in range(6):
        curve = list(1.0 / np.arange(1, 16) + 0.08 * rng.random(15))
        if trial >= 4:  # diverged epochs: NaN is never an improvement, in both
            for epoch in (0, 3, 4, 9)[trial - 4 :]:
                curve[epoch] = float("nan")
        for smoothing in (0.0, 0.5, 0.8):

            def inject(epoch, logs, curve=curve):
                logs["val_loss"] = curve[epoch]

            stop = SmoothedEarlyStopping(smoothing, patience=2 + trial % 2)
            history = model.fit(
                x, y, validation_data=(x, y), epochs=len(curve), verbose=0,
                callbacks=[keras.callbacks.LambdaCallback(on_epoch_end=inject), stop],
            ).history  # fmt: skip
            expected = (len(history["loss"]), stop.best_epoch + 1)
            assert ex.early_stopping_epochs(curve, stop.patience, smoothing=smoothing) == expected
            np.testing.assert_allclose(
                ex.moving_average(curve, smoothing)[: expected[0]], stop.smoothed
            )


def test_per_class_recall_against_scikit_learn():
    from sklearn.metrics import recall_score

    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 10, 500)
    y_pred = np.where(rng.random(500) < 0.6, y_true, rng.integers(0, 10, 500))
    np.testing.assert_allclose(
        ex.per_class_recall(y_true, y_pred),
        recall_score(y_true, y_pred, average=None, labels=range(10)),
    )
    assert np.isnan(ex.per_class_recall([0, 0], [0, 1], n_classes=3)[1:]).all()
    with pytest.raises(ValueError, match="1-D label arrays"):
        ex.per_class_recall([0, 1], [0])
    with pytest.raises(ValueError, match="y_true must be a 1-d array"):
        ex.per_class_recall([[0, 1]], [[0, 1]])
    with pytest.raises(TypeError, match="y_pred must hold real numbers"):
        ex.per_class_recall([0, 1], [0, 1j])
    with pytest.raises(ValueError, match="n_classes must be an integer >= 1"):
        ex.per_class_recall([0, 1], [0, 1], n_classes=0)
    with pytest.raises(ValueError, match="n_classes must be an integer <= 10000"):
        ex.per_class_recall([0, 1], [0, 1], n_classes=10**12)  # looped for hours before


def test_results_table_refuses_what_is_not_a_result():
    with pytest.raises(TypeError, match="results must be a list of ExperimentResult"):
        ex.results_table("x")
    with pytest.raises(TypeError, match=r"results\[0\] must be an ExperimentResult"):
        ex.results_table(["x"])
