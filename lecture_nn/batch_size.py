"""Batch size and learning rate: updates per epoch, gradient noise, the generalisation gap.

The experiments of notebook 6's section on batch size, on Fashion-MNIST prepared by
``course_data`` (flat float32 images, integer labels):

* :func:`updates_per_epoch`: how many gradient steps one pass over the data takes;
* :func:`gradient_spread`: how far mini-batch gradients of one fixed model scatter around
  the full-batch gradient, for several batch sizes, next to the closed form
  :func:`expected_gradient_spread` for sampling without replacement;
* :func:`batch_size_runs`: the same network trained with several batch sizes, with its
  training and validation accuracy (the generalisation gap);
* :func:`decay_versus_growth`: Smith, Kindermans, Ying & Le (ICLR 2018, "Don't decay the
  learning rate, increase the batch size"): one run divides the learning rate by a factor
  at fixed epochs, the other multiplies the batch size by the same factor instead, so the
  ratio learning rate / batch size follows the same schedule in both.

Keras (and TensorFlow) are imported inside the functions that train or differentiate, so
importing this module stays cheap.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

#: Hidden units of the small network the experiments train (one ReLU layer).
HIDDEN_UNITS = 128


def _positive_int(value, argument: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{argument} must be a positive integer, got {value!r}")
    return int(value)


def _positive_float(value, argument: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{argument} must be a number, got {type(value).__name__}")
    if not value > 0 or not math.isfinite(value):
        raise ValueError(f"{argument} must be a positive finite number, got {value!r}")
    return float(value)


def _batch_sizes(batch_sizes, n_examples: int | None = None) -> list[int]:
    sizes = [_positive_int(size, "batch_sizes entries") for size in batch_sizes]
    if not sizes:
        raise ValueError("batch_sizes must not be empty")
    if n_examples is not None and max(sizes) > n_examples:
        raise ValueError(
            f"batch_sizes entries must be at most n_examples={n_examples}, got {max(sizes)}"
        )
    return sizes


def updates_per_epoch(n_examples: int, batch_size: int) -> int:
    """Gradient steps in one epoch: ceil(n_examples / batch_size); the last batch may be short."""
    n_examples = _positive_int(n_examples, "n_examples")
    batch_size = _positive_int(batch_size, "batch_size")
    return -(-n_examples // batch_size)


def expected_gradient_spread(variance: float, n_examples: int, batch_size: int) -> float:
    """Root-mean-square distance of a mini-batch mean gradient from the full-batch gradient.

    For a batch of ``batch_size`` examples drawn without replacement from ``n_examples``,
    whose per-example gradients g_i scatter around their mean g with ``variance`` =
    (1/N) sum_i |g_i - g|^2, the mean squared distance is variance / B · (N - B) / (N - 1):
    the spread falls like 1/sqrt(B) while B is small against N, and is 0 at B = N.
    """
    n_examples = _positive_int(n_examples, "n_examples")
    batch_size = _positive_int(batch_size, "batch_size")
    if batch_size > n_examples:
        raise ValueError(f"batch_size must be at most n_examples={n_examples}, got {batch_size}")
    if isinstance(variance, bool) or not isinstance(variance, (int, float, np.number)):
        raise TypeError(f"variance must be a number, got {type(variance).__name__}")
    if not variance >= 0:
        raise ValueError(f"variance must be non-negative, got {variance!r}")
    if n_examples == 1:
        return 0.0
    return math.sqrt(variance / batch_size * (n_examples - batch_size) / (n_examples - 1))


@dataclass
class GradientNoise:
    """Measured spread of mini-batch gradients around the full-batch gradient.

    ``batch_sizes`` (k,) and ``spread`` (k,): root-mean-square |g_B - g| over ``draws``
    batches of each size; ``variance`` the per-example variance (1/N) sum |g_i - g|^2,
    estimated from single examples; ``expected`` (k,) the closed form
    :func:`expected_gradient_spread` with that variance; ``full_norm`` |g|.
    """

    batch_sizes: np.ndarray
    spread: np.ndarray
    expected: np.ndarray
    variance: float
    full_norm: float
    n_examples: int
    draws: int

    def slope(self) -> float:
        """Slope of log(spread) against log(batch size), fitted by least squares (about -1/2)."""
        return float(np.polyfit(np.log(self.batch_sizes), np.log(self.spread), 1)[0])

    def table(self) -> str:
        """One line per batch size: measured and expected spread, and spread · sqrt(B)."""
        lines = [f"{'batch':>6} {'measured':>9} {'closed form':>11} {'measured·√B':>12}"]
        for size, measured, expected in zip(self.batch_sizes, self.spread, self.expected):
            lines.append(
                f"{size:>6} {measured:>9.4f} {expected:>11.4f} {measured * np.sqrt(size):>12.4f}"
            )
        return "\n".join(lines)


def gradient_spread(
    gradient: Callable[[np.ndarray], np.ndarray],
    n_examples: int,
    batch_sizes: Sequence[int],
    *,
    draws: int = 32,
    variance_draws: int = 256,
    seed: int = 0,
) -> GradientNoise:
    """Measure how far mini-batch gradients scatter around the full-batch gradient.

    ``gradient(indices)`` returns the mean gradient over the examples ``indices`` (an int
    array) as a flat array. For every batch size, ``draws`` batches are drawn without
    replacement (seeded); the per-example variance for the closed form comes from
    ``variance_draws`` single examples (for B = 1 the closed form is the variance itself).
    """
    n_examples = _positive_int(n_examples, "n_examples")
    sizes = _batch_sizes(batch_sizes, n_examples)
    draws = _positive_int(draws, "draws")
    variance_draws = _positive_int(variance_draws, "variance_draws")
    if not callable(gradient):
        raise TypeError(f"gradient must be a function of an index array, got {gradient!r}")
    rng = np.random.default_rng(seed)
    full = np.asarray(gradient(np.arange(n_examples)), dtype=np.float64).ravel()

    def mean_square(size: int, count: int) -> float:
        total = 0.0
        for _ in range(count):
            indices = np.sort(rng.choice(n_examples, size, replace=False))
            batch = np.asarray(gradient(indices), dtype=np.float64).ravel()
            total += float(np.sum((batch - full) ** 2))
        return total / count

    variance = mean_square(1, variance_draws)
    spread = np.array([math.sqrt(mean_square(size, draws)) for size in sizes])
    expected = np.array([expected_gradient_spread(variance, n_examples, s) for s in sizes])
    return GradientNoise(
        np.array(sizes), spread, expected, variance, float(np.linalg.norm(full)), n_examples, draws
    )


def keras_gradient(model, x: np.ndarray, y: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """A ``gradient(indices)`` function for :func:`gradient_spread` from a Keras model.

    It returns the gradient of the mean sparse categorical cross-entropy over
    ``x[indices]``, ``y[indices]`` with respect to all trainable weights of ``model``,
    flattened into one float64 vector. The model is not changed. Keras 3 has no
    backend-neutral gradient, so this uses the backend's own: a gradient tape (TensorFlow),
    ``jax.grad`` of ``model.stateless_call`` (JAX) or ``torch.autograd.grad`` (PyTorch).
    """
    import keras

    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y)
    if x.ndim != 2 or len(y) != len(x):
        raise ValueError(
            f"x must have shape (n, features) and y shape (n,), got {x.shape} and {y.shape}"
        )
    backend = keras.backend.backend()
    if backend not in _GRADIENTS:
        raise ValueError(
            f"keras_gradient supports the backends {sorted(_GRADIENTS)}, not {backend!r}"
        )
    loss = keras.losses.SparseCategoricalCrossentropy()
    batch_gradient = _GRADIENTS[backend](model, loss, x.shape[1])

    def gradient(indices: np.ndarray) -> np.ndarray:
        grads = batch_gradient(x[indices], y[indices].astype(np.int32))
        return np.concatenate([np.asarray(g, dtype=np.float64).ravel() for g in grads])

    return gradient


def _tensorflow_gradient(model, loss, n_features: int):
    """Batch gradient ``(x, y) -> list of arrays`` through TensorFlow's gradient tape."""
    import tensorflow as tf

    weights = model.trainable_weights

    @tf.function(
        input_signature=[
            tf.TensorSpec([None, n_features], tf.float32),
            tf.TensorSpec([None], tf.int32),
        ],
        reduce_retracing=True,
    )
    def batch_gradient(batch_x, batch_y):
        with tf.GradientTape() as tape:
            value = loss(batch_y, model(batch_x, training=False))
        return tape.gradient(value, weights)

    return lambda batch_x, batch_y: [g.numpy() for g in batch_gradient(batch_x, batch_y)]


def _jax_gradient(model, loss, n_features: int):
    """Batch gradient ``(x, y) -> list of arrays`` through ``jax.grad`` of a stateless call."""
    import jax

    non_trainable = [variable.value for variable in model.non_trainable_variables]

    def value(trainable, batch_x, batch_y):
        predictions, _ = model.stateless_call(trainable, non_trainable, batch_x, training=False)
        return loss(batch_y, predictions)

    grad = jax.jit(jax.grad(value))
    return lambda batch_x, batch_y: grad(
        [variable.value for variable in model.trainable_variables], batch_x, batch_y
    )


def _torch_gradient(model, loss, n_features: int):
    """Batch gradient ``(x, y) -> list of arrays`` through ``torch.autograd.grad``."""
    import torch

    def batch_gradient(batch_x, batch_y):
        weights = [variable.value for variable in model.trainable_variables]
        value = loss(torch.as_tensor(batch_y), model(torch.as_tensor(batch_x), training=False))
        return [g.detach().cpu().numpy() for g in torch.autograd.grad(value, weights)]

    return batch_gradient


_GRADIENTS = {"tensorflow": _tensorflow_gradient, "jax": _jax_gradient, "torch": _torch_gradient}


def small_model(seed: int = 0, hidden_units: int = HIDDEN_UNITS):
    """A fresh, seeded 784-``hidden_units``-10 network (ReLU, He normal; softmax output)."""
    import keras

    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [
            keras.Input(shape=(784,)),
            keras.layers.Dense(hidden_units, activation="relu", kernel_initializer="he_normal"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def _compile(model, learning_rate: float, momentum: float):
    import keras

    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=learning_rate, momentum=momentum),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


@dataclass
class BatchSizeRun:
    """One training run with a fixed batch size and learning rate.

    ``updates`` counts the optimizer's steps (Keras' ``optimizer.iterations``);
    ``train_accuracy`` and ``val_accuracy`` are measured after training on the whole
    training and validation sets; ``gap`` is their difference.
    """

    batch_size: int
    learning_rate: float
    epochs: int
    updates: int
    train_accuracy: float
    val_accuracy: float
    history: dict[str, list[float]] = field(default_factory=dict)

    @property
    def gap(self) -> float:
        """Training accuracy minus validation accuracy (the generalisation gap)."""
        return self.train_accuracy - self.val_accuracy


def batch_size_runs(
    data,
    batch_sizes: Sequence[int],
    *,
    epochs: int,
    learning_rate: float = 0.05,
    momentum: float = 0.0,
    seed: int = 0,
    report: Callable[[str], None] | None = None,
) -> list[BatchSizeRun]:
    """Train :func:`small_model` (same seed) with SGD once per batch size, same learning rate.

    ``data`` has ``x_train``, ``y_train``, ``x_val``, ``y_val`` (as ``course_data()``).
    ``report``, when given, receives one line per finished run (a progress display).
    """
    sizes = _batch_sizes(batch_sizes, len(data.x_train))
    epochs = _positive_int(epochs, "epochs")
    learning_rate = _positive_float(learning_rate, "learning_rate")
    runs = []
    for size in sizes:
        model = _compile(small_model(seed), learning_rate, momentum)
        history = model.fit(
            data.x_train,
            data.y_train,
            validation_data=(data.x_val, data.y_val),
            epochs=epochs,
            batch_size=size,
            verbose=0,
        )
        _, train_accuracy = model.evaluate(data.x_train, data.y_train, batch_size=1024, verbose=0)
        _, val_accuracy = model.evaluate(data.x_val, data.y_val, batch_size=1024, verbose=0)
        run = BatchSizeRun(
            size,
            learning_rate,
            epochs,
            int(model.optimizer.iterations.numpy()),
            float(train_accuracy),
            float(val_accuracy),
            {key: [float(v) for v in values] for key, values in history.history.items()},
        )
        runs.append(run)
        if report is not None:
            report(
                f"batch {size:>5}: {run.updates:>6,} updates, training accuracy "
                f"{run.train_accuracy:.3f}, validation {run.val_accuracy:.3f}, gap {run.gap:+.3f}"
            )
    return runs


@dataclass
class ScheduleRun:
    """One run of :func:`decay_versus_growth`: its per-epoch schedule and curves.

    ``learning_rates`` and ``batch_sizes`` (one entry per epoch) give the schedule;
    ``updates`` (per epoch) the optimizer's step count at the end of each epoch;
    ``history`` Keras' per-epoch logs (loss, accuracy, val_loss, val_accuracy).
    """

    name: str
    learning_rates: list[float]
    batch_sizes: list[int]
    updates: list[int]
    history: dict[str, list[float]]

    @property
    def noise_scale(self) -> np.ndarray:
        """Learning rate / batch size per epoch (the ratio Smith et al. keep on schedule)."""
        return np.array(self.learning_rates) / np.array(self.batch_sizes)


def decay_versus_growth(
    data,
    *,
    epochs_per_phase: int,
    phases: int = 3,
    factor: int = 5,
    learning_rate: float = 0.1,
    batch_size: int = 32,
    momentum: float = 0.9,
    seed: int = 0,
    report: Callable[[str], None] | None = None,
) -> tuple[ScheduleRun, ScheduleRun]:
    """Smith et al. (2018): decay the learning rate, or grow the batch size by the same factor.

    Both runs start from the same weights (:func:`small_model` with ``seed``) and SGD with
    ``momentum``. Phase p (0-based) lasts ``epochs_per_phase`` epochs; the first run uses
    ``learning_rate / factor**p`` with ``batch_size``, the second ``learning_rate`` with
    ``batch_size * factor**p``, so learning rate / batch size is the same in every epoch.
    The optimizer (and its momentum) carries over from phase to phase. Returns the
    (decaying learning rate, growing batch) runs. ``report`` gets one line per phase.
    """
    epochs_per_phase = _positive_int(epochs_per_phase, "epochs_per_phase")
    phases = _positive_int(phases, "phases")
    factor = _positive_int(factor, "factor")
    learning_rate = _positive_float(learning_rate, "learning_rate")
    batch_size = _positive_int(batch_size, "batch_size")
    if batch_size * factor ** (phases - 1) > len(data.x_train):
        raise ValueError(
            f"the last phase's batch size {batch_size * factor ** (phases - 1)} exceeds the "
            f"{len(data.x_train)} training examples: lower batch_size, factor or phases"
        )
    runs = []
    for name, grow in (("decaying learning rate", False), ("growing batch size", True)):
        model = _compile(small_model(seed), learning_rate, momentum)
        learning_rates, sizes, updates = [], [], []
        history: dict[str, list[float]] = {}
        for phase in range(phases):
            rate = learning_rate if grow else learning_rate / factor**phase
            size = batch_size * factor**phase if grow else batch_size
            model.optimizer.learning_rate.assign(rate)
            for _ in range(epochs_per_phase):
                logs = model.fit(
                    data.x_train,
                    data.y_train,
                    validation_data=(data.x_val, data.y_val),
                    epochs=1,
                    batch_size=size,
                    verbose=0,
                ).history
                for key, values in logs.items():
                    history.setdefault(key, []).extend(float(v) for v in values)
                learning_rates.append(rate)
                sizes.append(size)
                updates.append(int(model.optimizer.iterations.numpy()))
            if report is not None:
                report(
                    f"{name}, phase {phase + 1}: learning rate {rate:g}, batch {size}, "
                    f"{updates[-1]:,} updates so far, validation accuracy "
                    f"{history['val_accuracy'][-1]:.3f}"
                )
        runs.append(ScheduleRun(name, learning_rates, sizes, updates, history))
    return runs[0], runs[1]


def plot_gradient_spread(noise: GradientNoise, *, ax=None):
    """Log-log plot of the measured spread and the closed form against the batch size."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5), layout="constrained")
    measured = ax.loglog(noise.batch_sizes, noise.spread, "o", label="measured")[0]
    label = r"closed form $\sqrt{\sigma^2/B\,(N-B)/(N-1)}$"
    expected = ax.loglog(noise.batch_sizes, noise.expected, "-", label=label)[0]
    from matplotlib.ticker import FormatStrFormatter, NullFormatter

    ax.xaxis.set_major_formatter(FormatStrFormatter("%g"))  # plain numbers, not powers of ten
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax.yaxis.set_minor_formatter(FormatStrFormatter("%g"))
    ax.set_xlabel("batch size B")
    ax.set_ylabel(r"RMS $|g_B - g|$")
    ax.legend()
    return ax, measured, expected


def plot_decay_versus_growth(runs: Sequence[ScheduleRun], *, axes=None):
    """Validation accuracy against epochs (left) and against updates (right) for each run."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.5), layout="constrained", sharey=True)
    lines = []
    for run in runs:
        accuracy = run.history["val_accuracy"]
        epochs = np.arange(1, len(accuracy) + 1)
        lines.append(axes[0].plot(epochs, accuracy, marker=".", label=run.name)[0])
        lines.append(axes[1].plot(run.updates, accuracy, marker=".", label=run.name)[0])
    axes[0].set_xlabel("epoch")
    axes[1].set_xlabel("updates (optimizer steps)")
    axes[0].set_ylabel("validation accuracy")
    axes[0].legend()
    return axes, lines
