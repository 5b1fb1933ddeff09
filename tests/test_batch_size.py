"""Tests of lecture_nn.batch_size against closed forms and against Keras itself."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from lecture_nn import batch_size

# --- updates per epoch ------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "size", "updates"), [(100, 10, 10), (101, 10, 11), (5, 32, 1)])
def test_updates_per_epoch_is_the_ceiling(n, size, updates):
    assert batch_size.updates_per_epoch(n, size) == updates


@pytest.mark.parametrize(
    ("n", "size", "error", "message"),
    [
        (0, 1, ValueError, "n_examples must be an integer >= 1"),
        (10, 0, ValueError, "batch_size must be an integer >= 1"),
        (10, 2.5, TypeError, "batch_size must be an integer"),
        (True, 3, TypeError, "n_examples must be an integer"),
    ],
)
def test_updates_per_epoch_rejects_bad_input(n, size, error, message):
    with pytest.raises(error, match=message):
        batch_size.updates_per_epoch(n, size)
    assert batch_size.updates_per_epoch(np.int64(10), np.int32(3)) == 4


def test_keras_makes_updates_per_epoch_steps():
    """Keras' fit makes ceil(N/B) optimizer steps per epoch (the notebook's claim)."""
    import keras

    x = np.random.default_rng(0).normal(size=(103, 784)).astype("float32")
    y = np.arange(103) % 10
    for size in (8, 50, 103, 200):
        model = batch_size.small_model(seed=0, hidden_units=4)
        model.compile(optimizer=keras.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy")
        model.fit(x, y, epochs=2, batch_size=size, verbose=0)
        assert int(model.optimizer.iterations.numpy()) == 2 * math.ceil(103 / size)
        assert batch_size.updates_per_epoch(103, size) == math.ceil(103 / size)


# --- gradient noise ---------------------------------------------------------------------------


def _least_squares(n=400, d=6, seed=1):
    """Per-example gradients of 1/2 (x·w - y)^2 at a fixed w, known exactly."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    y = rng.normal(size=n)
    w = rng.normal(size=d)
    per_example = x * (x @ w - y)[:, None]  # gradient of example i: x_i (x_i·w - y_i)
    return per_example, (lambda indices: per_example[indices].mean(axis=0))


def test_expected_spread_matches_the_variance_of_a_sample_mean_by_enumeration():
    """Closed form against the exact mean over all batches of size 2 and 3 of 6 examples."""
    from itertools import combinations

    per_example, _ = _least_squares(n=6, d=3)
    full = per_example.mean(axis=0)
    variance = np.mean(np.sum((per_example - full) ** 2, axis=1))
    for size in (1, 2, 3, 6):
        squares = [
            np.sum((per_example[list(c)].mean(axis=0) - full) ** 2)
            for c in combinations(range(6), size)
        ]
        expected = batch_size.expected_gradient_spread(variance, 6, size)
        assert expected == pytest.approx(math.sqrt(np.mean(squares)), rel=1e-12, abs=1e-15)


def test_measured_spread_follows_the_closed_form_on_synthetic_data():
    per_example, gradient = _least_squares()
    n = len(per_example)
    full = per_example.mean(axis=0)
    variance = np.mean(np.sum((per_example - full) ** 2, axis=1))
    sizes = [1, 4, 16, 64, 256]
    noise = batch_size.gradient_spread(gradient, n, sizes, draws=2000, variance_draws=4000, seed=3)
    exact = np.array([batch_size.expected_gradient_spread(variance, n, s) for s in sizes])
    np.testing.assert_allclose(noise.spread, exact, rtol=0.05)
    assert noise.variance == pytest.approx(variance, rel=0.05)
    np.testing.assert_allclose(noise.expected, exact, rtol=0.03)
    assert noise.full_norm == pytest.approx(np.linalg.norm(full))
    # 1/sqrt(B) while B << N: the spread times sqrt(B) is nearly constant for B <= 16
    scaled = noise.spread[:3] * np.sqrt(sizes[:3])
    assert scaled.max() / scaled.min() < 1.1


def test_full_batch_has_no_spread():
    _, gradient = _least_squares(n=50)
    noise = batch_size.gradient_spread(gradient, 50, [50], draws=3)
    assert noise.spread[0] == pytest.approx(0.0, abs=1e-12)
    assert noise.expected[0] == 0.0


def test_gradient_spread_rejects_bad_input():
    _, gradient = _least_squares(n=10)
    with pytest.raises(ValueError, match="at most n_examples=10"):
        batch_size.gradient_spread(gradient, 10, [20])
    with pytest.raises(ValueError, match=r"batch_sizes must hold at least 1 size"):
        batch_size.gradient_spread(gradient, 10, [])
    with pytest.raises(ValueError, match=r"batch_sizes\[1\] must be an integer >= 1"):
        batch_size.gradient_spread(gradient, 10, [2, 0])
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        batch_size.gradient_spread(gradient, 10, [2], seed=-1)
    with pytest.raises(ValueError, match="draws must be an integer <= 100000"):
        batch_size.gradient_spread(gradient, 10, [2], draws=10**12)  # a hang before
    with pytest.raises(ValueError, match="variance_draws must be an integer <= 100000"):
        batch_size.gradient_spread(gradient, 10, [2], variance_draws=10**12)
    with pytest.raises(TypeError, match="gradient must be a function"):
        batch_size.gradient_spread("grad", 10, [2])
    with pytest.raises(ValueError, match="variance must be a number >= 0"):
        batch_size.expected_gradient_spread(-1.0, 10, 2)


def test_keras_gradient_matches_finite_differences():
    """The flat gradient of the mean cross-entropy, against central differences in float64."""
    import keras

    assert keras.backend.backend() == os.environ.get("KERAS_BACKEND", "tensorflow")

    model = batch_size.small_model(seed=0, hidden_units=3)
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(7, 784)).astype("float32")
    y = rng.integers(0, 10, size=7)
    indices = np.array([1, 4, 5])
    gradient = batch_size.keras_gradient(model, x, y)(indices)
    weights = model.get_weights()
    assert gradient.shape == (sum(w.size for w in weights),)

    def loss(flat):
        parts, start = [], 0
        for w in weights:
            parts.append(flat[start : start + w.size].reshape(w.shape))
            start += w.size
        hidden = np.maximum(x[indices].astype(np.float64) @ parts[0] + parts[1], 0)
        logits = hidden @ parts[2] + parts[3]
        logits -= logits.max(axis=1, keepdims=True)
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        return -np.mean(log_p[np.arange(len(indices)), y[indices]])

    flat = np.concatenate([w.ravel().astype(np.float64) for w in weights])
    reference_loss = keras.losses.SparseCategoricalCrossentropy()(y[indices], model(x[indices]))
    assert loss(flat) == pytest.approx(float(reference_loss), rel=1e-5)
    check = rng.choice(len(flat), 40, replace=False)
    check = np.union1d(check, np.arange(len(flat) - 33, len(flat)))  # output layer too
    step = 1e-5
    for k in check:
        up, down = flat.copy(), flat.copy()
        up[k] += step
        down[k] -= step
        numeric = (loss(up) - loss(down)) / (2 * step)
        assert gradient[k] == pytest.approx(numeric, rel=1e-3, abs=1e-5)


# --- training runs ----------------------------------------------------------------------------


def _tiny_data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=(n, 784)).astype("float32")
    y = (x[:, :10].argmax(axis=1)).astype(np.int64)
    return SimpleNamespace(x_train=x[:100], y_train=y[:100], x_val=x[100:], y_val=y[100:])


def test_batch_size_runs_count_updates_and_measure_accuracy_with_keras():
    data = _tiny_data()
    lines = []
    runs = batch_size.batch_size_runs(data, [10, 100], epochs=2, report=lines.append)
    assert [run.updates for run in runs] == [20, 2]
    assert len(lines) == 2
    for run in runs:
        assert 0 <= run.train_accuracy <= 1
        assert 0 <= run.val_accuracy <= 1
        assert run.gap == pytest.approx(run.train_accuracy - run.val_accuracy)
        assert len(run.history["val_accuracy"]) == 2


def test_decay_versus_growth_keeps_the_noise_scale_schedule():
    data = _tiny_data()
    decay, growth = batch_size.decay_versus_growth(
        data, epochs_per_phase=1, phases=3, factor=2, learning_rate=0.1, batch_size=10
    )
    assert decay.learning_rates == [0.1, 0.05, 0.025]
    assert decay.batch_sizes == [10, 10, 10]
    assert growth.learning_rates == [0.1, 0.1, 0.1]
    assert growth.batch_sizes == [10, 20, 40]
    np.testing.assert_allclose(decay.noise_scale, growth.noise_scale)
    # optimizer steps counted by Keras: ceil(100 / B) per epoch
    assert decay.updates == [10, 20, 30]
    assert growth.updates == [10, 15, 18]
    assert len(growth.history["val_accuracy"]) == 3


def test_decay_versus_growth_rejects_a_batch_larger_than_the_data():
    with pytest.raises(ValueError, match="exceeds the 100 training examples"):
        batch_size.decay_versus_growth(_tiny_data(), epochs_per_phase=1, batch_size=32, factor=5)


def test_plots_draw_what_they_return_and_describe_it():
    import matplotlib.pyplot as plt

    _, gradient = _least_squares(n=64)
    noise = batch_size.gradient_spread(gradient, 64, [1, 4, 16], draws=4)
    drawing = batch_size.plot_gradient_spread(noise)
    np.testing.assert_array_equal(drawing.measured.get_ydata(), noise.spread)
    np.testing.assert_array_equal(drawing["expected"].get_ydata(), noise.expected)
    assert drawing.ax.get_xscale() == "log"
    # The description's numbers, from the data: sizes, both spreads at the ends, the slope.
    slope = np.polyfit(np.log([1, 4, 16]), np.log(noise.spread), 1)[0]
    assert drawing.description == (
        "Spread of mini-batch gradients around the full-batch gradient, 3 batch sizes from "
        f"1 to 16 of N = 64 examples: measured RMS distance {noise.spread[0]:.3g} to "
        f"{noise.spread[-1]:.3g}, slope {slope:.2f} on the log-log axes; closed form "
        f"{noise.expected[0]:.3g} to {noise.expected[-1]:.3g}."
    )
    plt.close("all")
    _, axes = plt.subplots(1, 2)
    runs = [
        batch_size.ScheduleRun("a", [0.1, 0.1], [8, 8], [5, 10], {"val_accuracy": [0.5, 0.625]}),
        batch_size.ScheduleRun("b", [0.1, 0.1], [8, 16], [5, 8], {"val_accuracy": [0.5, 0.75]}),
    ]
    drawing = batch_size.plot_decay_versus_growth(runs, axes=axes)
    assert drawing.axes == tuple(axes)
    assert len(plt.get_fignums()) == 1
    assert list(drawing.lines[1].get_xdata()) == [5, 10]
    assert list(drawing.lines[3].get_xdata()) == [5, 8]
    assert drawing.description == (
        "Validation accuracy of 2 run(s) against epochs (left) and against optimizer updates "
        "(right): a ends at 0.625 after 2 epochs and 10 updates; b ends at 0.750 after 2 "
        "epochs and 8 updates."
    )
    plt.close("all")


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: batch_size.plot_gradient_spread([1, 2]), TypeError, "noise must be"),
        (lambda: batch_size.plot_gradient_spread(None, ax="left"), TypeError, "noise must be"),
        (lambda: batch_size.plot_decay_versus_growth([]), TypeError, "runs must be"),
        (
            lambda: batch_size.plot_decay_versus_growth(
                [batch_size.ScheduleRun("a", [0.1], [8], [5], {})]
            ),
            ValueError,
            r"runs\[0\] \('a'\) has no val_accuracy",
        ),
    ],
)
def test_plots_refuse_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_plot_axes_are_keyword_only_and_checked():
    import inspect

    import matplotlib.pyplot as plt

    for function, name in (
        (batch_size.plot_gradient_spread, "ax"),
        (batch_size.plot_decay_versus_growth, "axes"),
    ):
        parameter = inspect.signature(function).parameters[name]
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
    _, gradient = _least_squares(n=16)
    noise = batch_size.gradient_spread(gradient, 16, [1, 4], draws=2)
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        batch_size.plot_gradient_spread(noise, ax="left")
    run = batch_size.ScheduleRun("a", [0.1], [8], [5], {"val_accuracy": [0.5]})
    _, one = plt.subplots()
    with pytest.raises(ValueError, match="axes must hold 2 Axes"):
        batch_size.plot_decay_versus_growth([run], axes=[one])
    closed_figure, closed = plt.subplots()
    plt.close(closed_figure)
    with pytest.raises(ValueError, match="ax belongs to a figure that was closed"):
        batch_size.plot_gradient_spread(noise, ax=closed)
    with pytest.raises(ValueError, match=r"axes\[1\] belongs to a figure that was closed"):
        batch_size.plot_decay_versus_growth([run], axes=[one, closed])
    plt.close("all")


def test_decay_versus_growth_refuses_huge_phases_at_once():
    """``phases=10**9`` computed factor**(10**9) before (a hang); now quick ValueErrors.

    A count of phases over the epoch cap is refused by name; one under the cap whose last
    batch (``factor**(phases - 1)``) cannot fit the data is refused without computing it.
    """
    import time

    start = time.perf_counter()
    with pytest.raises(ValueError, match="phases must be an integer <= 10000"):
        batch_size.decay_versus_growth(_tiny_data(), epochs_per_phase=1, phases=10**9, factor=5)
    with pytest.raises(ValueError, match="exceeds the 100 training examples"):
        batch_size.decay_versus_growth(_tiny_data(), epochs_per_phase=1, phases=9_999, factor=5)
    assert time.perf_counter() - start < 1


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"momentum": 1.0}, ValueError, r"momentum must be a number in \[0, 1\)"),
        ({"momentum": "0.9"}, TypeError, "momentum must be a real number"),
        ({"seed": -1}, ValueError, "seed must be an integer >= 0"),
        ({"report": "print"}, TypeError, "report must be None or a function"),
        ({"data": object()}, TypeError, "data must have x_train"),
        ({"learning_rate": float("nan")}, ValueError, "learning_rate must be a finite number"),
    ],
)
def test_training_experiments_refuse_bad_settings(arguments, error, message):
    settings = {"data": _tiny_data(), "batch_sizes": [10], "epochs": 1}
    with pytest.raises(error, match=message):
        batch_size.batch_size_runs(**{**settings, **arguments})
    settings = {"data": _tiny_data(), "epochs_per_phase": 1, "phases": 1}
    with pytest.raises(error, match=message):
        batch_size.decay_versus_growth(**{**settings, **arguments})


def test_importing_the_module_does_not_load_keras():
    import subprocess
    import sys

    code = "import sys, lecture_nn.batch_size; print('keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("backend", ["jax"])
def test_keras_gradient_matches_finite_differences_on_another_backend(backend):
    """The same check in a fresh process under ``KERAS_BACKEND=backend`` (notebook 6 runs there)."""
    pytest.importorskip(backend, reason=f"{backend} is not installed (.ci/run installs JAX)")
    test = f"{__file__}::test_keras_gradient_matches_finite_differences"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", test],
        env={**os.environ, "KERAS_BACKEND": backend},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_keras_gradient_refuses_bad_input():
    import keras

    model = batch_size.small_model(0, hidden_units=4)
    x, y = np.zeros((4, 784), np.float32), np.zeros(4, np.int64)
    with pytest.raises(TypeError, match="model must be a keras.Model"):
        batch_size.keras_gradient("model", x, y)
    with pytest.raises(TypeError, match="x must hold real numbers"):
        batch_size.keras_gradient(model, x + 1j, y)
    with pytest.raises(ValueError, match="y must hold finite numbers"):
        batch_size.keras_gradient(model, x, np.full(4, np.nan))
    with pytest.raises(ValueError, match="y must be a 1-d array"):
        batch_size.keras_gradient(model, x, np.float64(1.0))
    assert isinstance(model, keras.Model)
