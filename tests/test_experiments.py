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
    with pytest.raises(ValueError, match="full_epochs must be a positive integer"):
        ex.epochs_for(0)


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
    with pytest.raises(ValueError, match="mode must be 'full' or 'quick'"):
        ex.course_data("medium")


def test_moving_average_by_hand():
    # s1 = 1; s2 = 0.5 * 1 + 0.5 * 3 = 2; s3 = 0.5 * 2 + 0.5 * 0 = 1; s4 = 0.5 * 1 + 0.5 * 5 = 3
    np.testing.assert_allclose(ex.moving_average([1, 3, 0, 5], 0.5), [1, 2, 1, 3])
    np.testing.assert_array_equal(ex.moving_average([4.0, 1.0, 7.0], 0), [4.0, 1.0, 7.0])
    with pytest.raises(ValueError, match=r"smoothing must be in \[0, 1\)"):
        ex.moving_average([1.0], 1.0)
    with pytest.raises(ValueError, match="non-empty 1-D"):
        ex.moving_average([], 0.5)


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

    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    for trial in range(4):
        curve = list(1.0 / np.arange(1, 16) + 0.08 * rng.random(15))
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
