"""TrainingPlot against Keras's own History, its figure, and how it shows itself."""

import importlib.util
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import IPython
import keras
import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from keras_fixtures import fit_with_snapshots, separable_data, small_classifier
from matplotlib.figure import Figure

from lecture_nn import keras_callbacks
from lecture_nn.keras_callbacks import TrainingPlot

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def data():
    """256 points with 20 features, 3 classes given by a noisy linear rule; 64 for validation."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(320, 20)).astype("float32")
    y = np.argmax(x @ rng.normal(size=(20, 3)) + 0.5 * rng.normal(size=(320, 3)), axis=1)
    return x[:256], y[:256], x[256:], y[256:]


def tiny_model(metrics=("accuracy",), learning_rate=0.01, seed=0):
    """20 features -> 16 ReLU -> 3 softmax, SGD: the shared small classifier."""
    return small_classifier(
        20, 3, hidden=(16,), learning_rate=learning_rate, metrics=metrics, seed=seed
    )


def fit(model, data, plot, *, epochs=4, validation=True, extra_callbacks=(), **arguments):
    x, y, x_val, y_val = data
    return model.fit(
        x,
        y,
        epochs=epochs,
        batch_size=64,
        verbose=0,
        validation_data=(x_val, y_val) if validation else None,
        callbacks=[plot, *extra_callbacks],
        **arguments,
    )


@pytest.fixture
def no_ipython(monkeypatch):
    """Run as a plain script would: IPython.get_ipython() finds no shell."""
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)


@pytest.fixture
def shell(monkeypatch):
    """An IPython shell (not a kernel), with the headless switch off."""
    monkeypatch.delenv("LECTURE_NN_HEADLESS", raising=False)
    return InteractiveShell.instance()


def axis_lines(plot):
    """{axis y-label: {line label: line}} of the figure's visible axes."""
    return {
        ax.get_ylabel(): {
            line.get_label(): line
            for line in ax.get_lines()
            if not line.get_label().startswith("_")
        }
        for ax in plot.figure.axes
        if ax.get_visible()
    }


def legend_texts(plot):
    """The entries of the figure's one legend."""
    (legend,) = plot.figure.legends
    return [text.get_text() for text in legend.get_texts()]


def images(outputs):
    """The PNG outputs captured by IPython, as (display_id, update) pairs."""
    return [
        (output.transient.get("display_id"), output.update)
        for output in outputs
        if "image/png" in output.data
    ]


def test_history_equals_keras_history(data, no_ipython):
    plot = TrainingPlot()
    history = fit(tiny_model(), data, plot)
    assert plot.history == history.history
    assert list(plot.history) == list(history.history)
    assert plot.epochs == [1, 2, 3, 4]


def test_one_axis_per_quantity_with_training_and_validation_lines(data, no_ipython):
    plot = TrainingPlot()
    history = fit(tiny_model(), data, plot).history
    lines = axis_lines(plot)
    assert list(lines) == ["loss", "accuracy"]
    assert legend_texts(plot) == ["training", "validation", "best epoch"]
    for quantity, on_axis in lines.items():
        train, val = on_axis[f"training {quantity}"], on_axis[f"validation {quantity}"]
        np.testing.assert_array_equal(train.get_xdata(), [1, 2, 3, 4])
        np.testing.assert_array_equal(train.get_ydata(), history[quantity])
        np.testing.assert_array_equal(val.get_ydata(), history[f"val_{quantity}"])
        assert train.get_linestyle() == "-"
        assert val.get_linestyle() == "--"
        assert train.get_color() == val.get_color()
    assert (
        lines["loss"]["training loss"].get_color()
        != lines["accuracy"]["training accuracy"].get_color()
    )


def test_title_names_epoch_and_best_validation_accuracy(data, no_ipython):
    plot = TrainingPlot()
    val_accuracy = fit(tiny_model(), data, plot, epochs=5).history["val_accuracy"]
    best = max(val_accuracy)
    best_epoch = val_accuracy.index(best) + 1
    title = plot.figure.get_suptitle()
    assert title.startswith("Epoch 5:")
    assert f"best validation accuracy {best:.4f} (epoch {best_epoch})" in title
    assert (plot.best_epoch, plot.best_value) == (best_epoch, best)
    marker = axis_lines(plot)["accuracy"]["best epoch"]
    assert list(marker.get_xdata()) == [best_epoch]
    assert list(marker.get_ydata()) == [best]


def test_without_validation_data_reports_best_training_accuracy(data, no_ipython):
    plot = TrainingPlot()
    accuracy = fit(tiny_model(), data, plot, validation=False).history["accuracy"]
    assert sorted(plot.history) == ["accuracy", "loss"]
    lines = axis_lines(plot)
    assert set(lines["loss"]) == {"training loss"}
    assert legend_texts(plot) == ["training", "best epoch"]
    np.testing.assert_array_equal(lines["accuracy"]["training accuracy"].get_ydata(), accuracy)
    title = plot.figure.get_suptitle()
    assert f"best training accuracy {max(accuracy):.4f}" in title
    assert "no validation data" in title


def test_initial_epoch_shifts_the_epoch_axis(data, no_ipython):
    plot = TrainingPlot()
    fit(tiny_model(), data, plot, epochs=5, initial_epoch=2)
    assert plot.epochs == [3, 4, 5]
    np.testing.assert_array_equal(axis_lines(plot)["loss"]["training loss"].get_xdata(), [3, 4, 5])


def test_early_stopping_ends_training_and_the_final_figure_marks_the_best_epoch(data, shell):
    # A learning rate of 1e-9 keeps the validation loss flat: EarlyStopping stops at epoch 2.
    plot = TrainingPlot(monitor="val_loss", live=False)
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=1, min_delta=1e-3)
    with capture_output() as captured:
        history = fit(
            tiny_model(learning_rate=1e-9), data, plot, epochs=20, extra_callbacks=[stop]
        ).history
    assert len(history["loss"]) == 2 < 20
    assert plot.epochs == [1, 2]
    best_epoch = int(np.argmin(history["val_loss"])) + 1
    assert plot.best_epoch == best_epoch
    assert plot.render_count == 1
    assert len(images(captured.outputs)) == 1
    for ax in plot.figure.axes:
        vertical = [line for line in ax.get_lines() if line.get_label() == "_best"]
        assert [list(line.get_xdata()) for line in vertical] == [[best_epoch, best_epoch]]
    assert f"(epoch {best_epoch})" in plot.figure.get_suptitle()


def test_a_second_fit_continues_the_curves(data, no_ipython):
    plot = TrainingPlot()
    model = tiny_model()
    first = fit(model, data, plot, epochs=3).history
    second = fit(model, data, plot, epochs=2).history  # Keras counts from epoch 1 again
    third = fit(model, data, plot, epochs=7, initial_epoch=5).history
    assert plot.epochs == [1, 2, 3, 4, 5, 6, 7]
    for key in first:
        assert plot.history[key] == first[key] + second[key] + third[key]
    np.testing.assert_array_equal(
        axis_lines(plot)["loss"]["validation loss"].get_ydata(), plot.history["val_loss"]
    )
    np.testing.assert_array_equal(
        axis_lines(plot)["loss"]["training loss"].get_xdata(), [1, 2, 3, 4, 5, 6, 7]
    )


def test_any_metric_names_and_a_chosen_subset(data, no_ipython):
    def mean_confidence(y_true, y_pred):
        return keras.ops.mean(keras.ops.max(y_pred, axis=-1))

    plot = TrainingPlot()
    model = tiny_model(metrics=("sparse_categorical_accuracy", mean_confidence))
    history = fit(model, data, plot).history
    # Loss first, then the metrics in the order of the logs; one axis each.
    expected = ["loss"] + [key for key in history if key != "loss" and not key.startswith("val_")]
    assert sorted(expected) == ["loss", "mean_confidence", "sparse_categorical_accuracy"]
    assert list(axis_lines(plot)) == [key.replace("_", " ") for key in expected]
    best = max(history["val_sparse_categorical_accuracy"])
    assert f"best validation sparse categorical accuracy {best:.4f}" in plot.figure.get_suptitle()

    only_loss = TrainingPlot(metrics=["loss"])
    history = fit(tiny_model(), data, only_loss).history
    assert list(axis_lines(only_loss)) == ["loss"]
    assert only_loss.best_value == min(history["val_loss"])
    assert only_loss.history == history


def test_unknown_metric_raises_naming_it_and_the_available_ones(data, no_ipython):
    plot = TrainingPlot(metrics=["loss", "f1"])
    with pytest.raises(ValueError, match=r"\['f1'\] not in the training logs.*'loss', 'accuracy'"):
        fit(tiny_model(), data, plot, epochs=2)
    with pytest.raises(ValueError, match=r"monitor='val_auc'.*val_accuracy"):
        fit(tiny_model(), data, TrainingPlot(monitor="val_auc"), epochs=1)


def test_script_mode_draws_the_final_figure_once_without_rendering(data, no_ipython, monkeypatch):
    monkeypatch.delenv("LECTURE_NN_HEADLESS", raising=False)
    draws = []
    plot = TrainingPlot(min_interval=0, max_overhead=None)
    original = plot._draw
    monkeypatch.setattr(plot, "_draw", lambda: (draws.append(len(plot.epochs)), original()))
    fit(tiny_model(), data, plot)
    assert draws == [4]
    assert plot.render_count == 0
    assert isinstance(plot.figure, Figure)


def test_headless_kernel_shows_one_final_figure(data, shell, monkeypatch):
    # A kernel would make the plot live; LECTURE_NN_HEADLESS=1 (lecture-nn run) must not.
    monkeypatch.setattr(shell, "kernel", object(), raising=False)
    monkeypatch.setenv("LECTURE_NN_HEADLESS", "1")
    plot = TrainingPlot(min_interval=0, max_overhead=None)
    with capture_output() as captured:
        fit(tiny_model(), data, plot)
    assert plot.render_count == 1
    assert images(captured.outputs) == [(None, False)]


def test_live_kernel_updates_one_image_in_place(data, shell, monkeypatch):
    monkeypatch.setattr(shell, "kernel", object(), raising=False)
    plot = TrainingPlot(min_interval=0, max_overhead=None)
    with capture_output() as captured:
        fit(tiny_model(), data, plot)
    shown = images(captured.outputs)
    assert plot.render_count == 4
    assert len(shown) == 4
    display_id = shown[0][0]
    assert display_id
    assert shown == [(display_id, False)] + [(display_id, True)] * 3


def test_live_mode_in_an_ipython_shell_without_stacking(data, shell):
    plot = TrainingPlot(live=True, min_interval=0, max_overhead=None)
    with capture_output() as captured:
        fit(tiny_model(), data, plot, epochs=3)
    shown = images(captured.outputs)
    assert [update for _, update in shown] == [False, True, True]
    assert len({display_id for display_id, _ in shown}) == 1


def test_throttling_renders_the_first_and_the_last_epoch(data, shell):
    plot = TrainingPlot(live=True, min_interval=3600)
    with capture_output() as captured:
        fit(tiny_model(), data, plot, epochs=5)
    assert plot.render_count == 2
    assert [update for _, update in images(captured.outputs)] == [False, True]
    assert plot.figure.get_suptitle().startswith("Epoch 5:")


def test_throttled_live_plot_still_shows_the_epoch_early_stopping_ended_on(data, shell):
    plot = TrainingPlot(live=True, min_interval=3600)
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=1, min_delta=1e-3)
    fit(tiny_model(learning_rate=1e-9), data, plot, epochs=20, extra_callbacks=[stop])
    assert plot.render_count == 2
    assert plot.figure.get_suptitle().startswith("Epoch 2:")


def test_forced_live_mode_renders_without_ipython(data, no_ipython):
    plot = TrainingPlot(live=True, min_interval=0, max_overhead=None)
    fit(tiny_model(), data, plot, epochs=3)
    assert plot.render_count == 3


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"metrics": "loss"}, TypeError, "metrics must be None or a list"),
        ({"metrics": []}, ValueError, "at least one"),
        ({"metrics": ["loss", 3]}, TypeError, "metric names"),
        ({"min_interval": -1}, ValueError, "min_interval must be a number >= 0"),
        ({"min_interval": float("nan")}, ValueError, "min_interval must be a finite number"),
        ({"min_interval": "1s"}, TypeError, "min_interval"),
        ({"max_overhead": 0}, ValueError, "max_overhead"),
        ({"figsize": (0, 3)}, ValueError, r"figsize\[0\] must be a number > 0"),
        ({"figsize": (4, "3")}, TypeError, r"figsize\[1\] must be a real number"),
        ({"max_overhead": 1.5}, ValueError, r"max_overhead must be a number in \[0, 1\]"),
        ({"max_overhead": True}, TypeError, "max_overhead"),
        ({"live": 1}, TypeError, "live must be True or False"),
        ({"figsize": 6}, TypeError, "figsize"),
        ({"mode": "best"}, ValueError, "mode must be"),
        ({"live": "False"}, TypeError, "live must be True or False"),
        ({"monitor": 3}, TypeError, "monitor"),
    ],
)
def test_bad_arguments(arguments, error, message):
    with pytest.raises(error, match=message):
        TrainingPlot(**arguments)


def test_module_is_backend_neutral():
    source = Path(keras_callbacks.__file__).read_text()
    assert "tensorflow" not in source
    assert not re.search(r"\btf\.", source)


BACKEND_SCRIPT = textwrap.dedent(
    """
    import json
    import keras
    import numpy as np
    from lecture_nn.keras_callbacks import TrainingPlot

    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(128, 20)).astype("float32")
    y = (x[:, 0] > 0).astype("int32") + (x[:, 1] > 0).astype("int32")
    model = keras.Sequential([
        keras.Input(shape=(20,)),
        keras.layers.Dense(8, activation="relu"),
        keras.layers.Dense(3, activation="softmax"),
    ])
    model.compile("rmsprop", "sparse_categorical_crossentropy", metrics=["accuracy"])
    plot = TrainingPlot(live=True, min_interval=0, max_overhead=None)
    history = model.fit(x, y, epochs=3, batch_size=32, validation_split=0.25, verbose=0,
                        callbacks=[plot])
    print(json.dumps({
        "backend": keras.backend.backend(),
        "same_history": plot.history == history.history,
        "epochs": plot.epochs,
        "renders": plot.render_count,
        "best": [plot.best_epoch, plot.best_value, max(history.history["val_accuracy"])],
    }))
    """
)


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_other_keras_backends(backend):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"the {backend} backend is not installed")
    env = {**os.environ, "KERAS_BACKEND": backend, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", BACKEND_SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["backend"] == backend
    assert report["same_history"]
    assert report["epochs"] == [1, 2, 3]
    assert report["renders"] == 3
    assert report["best"][1] == report["best"][2]


@pytest.mark.parametrize("monitor", ["val_loss", "val_accuracy"])
def test_keras_early_stopping_restores_the_best_epoch_when_it_never_stops(monitor):
    """Keras 3's EarlyStopping with patience = epochs never stops, yet ends on the best epoch.

    Notebook 07 relies on this instead of a callback of its own (on_train_end of
    keras/src/callbacks/early_stopping.py restores whenever best weights exist).
    """
    x, y = separable_data()
    model = small_classifier(learning_rate=0.5, seed=3)
    epochs = 8
    stop = keras.callbacks.EarlyStopping(
        monitor=monitor, patience=epochs, restore_best_weights=True
    )
    # Validation labels opposite to the training rule: the better the fit, the worse the
    # validation score, so the best epoch comes before the last one.
    history, snapshots = fit_with_snapshots(
        model, x[:80], y[:80], validation_data=(x[80:], 1 - y[80:]), epochs=epochs,
        callbacks=[stop],
    )  # fmt: skip
    values = np.asarray(history[monitor])
    best = int(np.argmin(values) if monitor == "val_loss" else np.argmax(values))
    assert len(values) == epochs
    assert stop.stopped_epoch == 0
    assert best < epochs - 1  # the last epoch is not the best: restoring must change weights
    assert not all(np.array_equal(a, b) for a, b in zip(snapshots[-1], snapshots[best]))
    assert stop.best_epoch == best
    for restored, expected in zip(model.get_weights(), snapshots[best]):
        np.testing.assert_array_equal(restored, expected)


def _inject(values, key="val_loss"):
    """A callback that overwrites logs[key] with values[epoch] (runs before the others)."""

    def on_epoch_end(epoch, logs):
        logs[key] = values[epoch]

    return keras.callbacks.LambdaCallback(on_epoch_end=on_epoch_end)


def _hand_early_stopping(values, patience):
    """(epochs run, 0-based best epoch) of min-mode early stopping with min_delta 0."""
    best, best_epoch, wait = np.inf, 0, 0
    for epoch, value in enumerate(values):
        wait += 1
        if value < best:
            best, best_epoch, wait = value, epoch, 0
        elif wait >= patience and epoch > 0:
            return epoch + 1, best_epoch
    return len(values), best_epoch


def test_smoothed_early_stopping_matches_a_hand_computed_moving_average():
    from lecture_nn.keras_callbacks import SmoothedEarlyStopping

    # A falling curve with one bump at epochs 4-5 (1-based), then overfitting from epoch 8.
    values = [1.0, 0.8, 0.7, 0.78, 0.76, 0.62, 0.6, 0.66, 0.7, 0.75, 0.8, 0.85]
    smoothed = [values[0]]
    for value in values[1:]:
        smoothed.append(0.6 * smoothed[-1] + 0.4 * value)
    # by hand: the plain rule stops in the bump; the smoothed one only after the overfitting
    assert _hand_early_stopping(values, 2) == (5, 2)
    assert _hand_early_stopping(smoothed, 2) == (10, 7)

    x, y = separable_data()
    model = small_classifier(learning_rate=0.1, metrics=(), seed=0)
    for smoothing, series, expected in ((0.0, values, (5, 2)), (0.6, smoothed, (10, 7))):
        stop = SmoothedEarlyStopping(smoothing, patience=2, restore_best_weights=True)
        history, snapshots = fit_with_snapshots(
            model, x[:80], y[:80], validation_data=(x[80:], y[80:]), epochs=len(values),
            callbacks=[_inject(values), stop],
        )  # fmt: skip
        assert (len(history["loss"]), stop.best_epoch) == expected
        assert stop.raw == pytest.approx(values[: expected[0]])
        assert stop.smoothed == pytest.approx(series[: expected[0]])
        for restored, snapshot in zip(model.get_weights(), snapshots[expected[1]]):
            np.testing.assert_array_equal(restored, snapshot)
    with pytest.raises(ValueError, match=r"smoothing must be a number in \[0, 1\)"):
        SmoothedEarlyStopping(1.0)
    with pytest.raises(TypeError, match="smoothing must be a real number"):
        SmoothedEarlyStopping("0.5")


def test_fit_progress_prints_one_line_per_fit_and_survives_deepcopy(capsys):
    import copy

    from lecture_nn.keras_callbacks import FitProgress

    x, y = separable_data()
    model = small_classifier(learning_rate=0.1, seed=0)
    progress = FitProgress("trial", total=2)
    assert copy.deepcopy([progress])[0] is progress  # what KerasTuner does per trial
    history = model.fit(
        x, y, validation_split=0.25, epochs=3, callbacks=copy.deepcopy([progress]), verbose=0
    ).history
    model.fit(x, y, epochs=1, callbacks=[progress], verbose=0)
    printed = capsys.readouterr().out.splitlines()
    assert printed == progress.lines
    assert len(printed) == 2
    assert re.fullmatch(
        rf"trial 1/2: 3 epochs, val_accuracy {history['val_accuracy'][-1]:.4f} \(\d+\.\d s\)",
        printed[0],
    )
    assert re.fullmatch(r"trial 2/2: 1 epoch, accuracy \d\.\d{4} \(\d+\.\d s\)", printed[1])
    with pytest.raises(ValueError, match="total must be an integer >= 1"):
        FitProgress(total=0)
    with pytest.raises(TypeError, match="total must be an integer"):
        FitProgress(total=2.0)
    with pytest.raises(TypeError, match="label must be"):
        FitProgress("")


def test_smoothed_early_stopping_never_takes_a_nan_epoch_as_the_best():
    """A NaN score (a diverged epoch) neither becomes the best nor poisons the average.

    By hand, with smoothing 0 and patience 3 on [nan, 0.9, 0.8, nan, 0.85, 0.7, 0.75, 0.8]:
    the best is 0.7 at epoch 6 (0-based 5) and the wait never reaches 3, so all 8 epochs
    run. Before, the NaN of epoch 1 made every later average NaN (0 * nan is nan): it
    stopped after epoch 4 and restored epoch 1.
    """
    from lecture_nn.keras_callbacks import SmoothedEarlyStopping

    nan = float("nan")
    values = [nan, 0.9, 0.8, nan, 0.85, 0.7, 0.75, 0.8]
    x, y = separable_data()
    model = small_classifier(learning_rate=0.1, metrics=(), seed=0)
    stop = SmoothedEarlyStopping(0.0, patience=3, restore_best_weights=True)
    history, snapshots = fit_with_snapshots(
        model, x[:80], y[:80], validation_data=(x[80:], y[80:]), epochs=len(values),
        callbacks=[_inject(values), stop],
    )  # fmt: skip
    assert len(history["loss"]) == 8
    assert stop.best_epoch == 5
    for restored, snapshot in zip(model.get_weights(), snapshots[5]):
        np.testing.assert_array_equal(restored, snapshot)
    np.testing.assert_array_equal(stop.raw, values)
    np.testing.assert_array_equal(stop.smoothed, values)  # smoothing 0: the values, NaN kept

    # Smoothing 0.5: the average skips the NaN epoch and continues from 0.9.
    stop = SmoothedEarlyStopping(0.5, patience=5)
    fit_with_snapshots(
        model, x[:80], y[:80], validation_data=(x[80:], y[80:]), epochs=3,
        callbacks=[_inject([0.9, nan, 0.7]), stop],
    )  # fmt: skip
    np.testing.assert_allclose(stop.smoothed, [0.9, nan, 0.5 * 0.9 + 0.5 * 0.7])
    assert stop.best_epoch == 2


def test_training_plot_never_marks_a_nan_epoch_as_the_best(data, no_ipython):
    """The title's best validation accuracy skips NaN epochs (a NaN is no score)."""
    nan = float("nan")
    accuracy = [nan, 0.6, nan, 0.5]
    plot = TrainingPlot(live=False)
    x, y, x_val, y_val = data
    tiny_model().fit(
        x, y, validation_data=(x_val, y_val), epochs=4, verbose=0,
        callbacks=[_inject(accuracy, "val_accuracy"), plot],
    )  # fmt: skip
    assert (plot.best_epoch, plot.best_value) == (2, 0.6)
    assert "best validation accuracy 0.6000 (epoch 2)" in plot.title()
