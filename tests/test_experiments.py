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
    result = ex.run_final_fit("final", model, quick_data, epochs=2, batch_size=500,
                              callbacks=[CountImages()])
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
