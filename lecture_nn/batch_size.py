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

from lecture_nn import _plotting
from lecture_nn import _validation as check
from lecture_nn.experiments import MAX_EPOCHS

__all__ = [
    "HIDDEN_UNITS",
    "MAX_DRAWS",
    "BatchSizeRun",
    "GradientNoise",
    "ScheduleRun",
    "batch_size_runs",
    "decay_versus_growth",
    "expected_gradient_spread",
    "gradient_spread",
    "keras_gradient",
    "plot_decay_versus_growth",
    "plot_gradient_spread",
    "small_model",
    "updates_per_epoch",
]

#: Hidden units of the small network the experiments train (one ReLU layer).
HIDDEN_UNITS = 128

#: Most draws :func:`gradient_spread` makes per batch size (each one is a gradient
#: evaluation, so more would run for hours without changing the figure).
MAX_DRAWS = 100_000

#: Most hidden units :func:`small_model` builds: 784 * 100,000 weights are 300 MB of
#: float32, far more than the experiments need; larger requests are refused before Keras
#: allocates anything.
_MAX_HIDDEN_UNITS = 100_000


def _batch_sizes(batch_sizes, n_examples: int | None = None) -> list[int]:
    """Batch sizes: integers >= 1 (at least one), none above ``n_examples`` when given."""
    sizes = check.sizes(batch_sizes, "batch_sizes")
    if n_examples is not None and max(sizes) > n_examples:
        raise ValueError(
            f"batch_sizes entries must be at most n_examples={n_examples}, got {max(sizes)}"
        )
    return sizes


def updates_per_epoch(n_examples: int, batch_size: int) -> int:
    """Return the gradient steps in one epoch: ceil(n_examples / batch_size).

    Parameters
    ----------
    n_examples, batch_size : int
        Training examples and examples per batch (each >= 1); the last batch may be short.

    Returns
    -------
    int
        The number of updates one pass over the data makes.

    Raises
    ------
    TypeError, ValueError
        For an argument that is not an integer >= 1.
    """
    n_examples = check.positive_int(n_examples, "n_examples")
    batch_size = check.positive_int(batch_size, "batch_size")
    return -(-n_examples // batch_size)


def expected_gradient_spread(variance: float, n_examples: int, batch_size: int) -> float:
    """Return the RMS distance of a mini-batch mean gradient from the full-batch gradient.

    For a batch of ``batch_size`` examples drawn without replacement from ``n_examples``,
    whose per-example gradients g_i scatter around their mean g with ``variance`` =
    (1/N) sum_i |g_i - g|^2, the mean squared distance is variance / B · (N - B) / (N - 1):
    the spread falls like 1/sqrt(B) while B is small against N, and is 0 at B = N.

    Parameters
    ----------
    variance : float
        The per-example variance (1/N) sum_i |g_i - g|^2 (>= 0), in squared gradient units.
    n_examples : int
        N, the examples the batch is drawn from (>= 1).
    batch_size : int
        B, in 1 .. N.

    Returns
    -------
    float
        The root-mean-square distance, in gradient units.

    Raises
    ------
    TypeError, ValueError
        For a negative or non-finite ``variance``, or sizes that are not integers with
        1 <= B <= N.
    """
    n_examples = check.positive_int(n_examples, "n_examples")
    batch_size = check.positive_int(batch_size, "batch_size")
    if batch_size > n_examples:
        raise ValueError(f"batch_size must be at most n_examples={n_examples}, got {batch_size}")
    variance = check.non_negative(variance, "variance")
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

    For every batch size, ``draws`` batches are drawn without replacement (seeded); the
    per-example variance for the closed form comes from ``variance_draws`` single examples
    (for B = 1 the closed form is the variance itself).

    Parameters
    ----------
    gradient : callable
        ``gradient(indices)`` returns the mean gradient over the examples ``indices`` (an
        int array) as a flat array.
    n_examples : int
        N, the number of examples (>= 1).
    batch_sizes : sequence of int
        The batch sizes to measure, each in 1 .. N.
    draws, variance_draws : int
        Batches drawn per size, and single examples drawn for the variance (each in
        1 .. :data:`MAX_DRAWS`).
    seed : int
        Seed of the draws.

    Returns
    -------
    GradientNoise
        The measured and the closed-form spread per batch size.

    Raises
    ------
    TypeError, ValueError
        For a ``gradient`` that is not callable, or a bad size, count or seed.
    """
    n_examples = check.positive_int(n_examples, "n_examples")
    sizes = _batch_sizes(batch_sizes, n_examples)
    draws = check.positive_int(draws, "draws", maximum=MAX_DRAWS)
    variance_draws = check.positive_int(variance_draws, "variance_draws", maximum=MAX_DRAWS)
    if not callable(gradient):
        raise TypeError(f"gradient must be a function of an index array, got {gradient!r}")
    rng = np.random.default_rng(check.seed(seed))
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
    """Return a ``gradient(indices)`` function for :func:`gradient_spread` from a Keras model.

    It returns the gradient of the mean sparse categorical cross-entropy over
    ``x[indices]``, ``y[indices]`` with respect to all trainable weights of ``model``,
    flattened into one float64 vector. The model is not changed. Keras 3 has no
    backend-neutral gradient, so this uses the backend's own: a gradient tape (TensorFlow),
    ``jax.grad`` of ``model.stateless_call`` (JAX) or ``torch.autograd.grad`` (PyTorch).

    Parameters
    ----------
    model : keras.Model
        A classifier with softmax outputs (n, n_classes).
    x : array_like, shape (n, features)
        Inputs.
    y : array_like of int, shape (n,)
        Labels.

    Returns
    -------
    callable
        ``gradient(indices) -> numpy.ndarray`` of shape (n_weights,), float64.

    Raises
    ------
    TypeError, ValueError
        For a ``model`` that is not a Keras model, ``x`` and ``y`` that are not finite
        real arrays of matching lengths, or an unsupported Keras backend.
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    x = check.as_array(x, "x", ndim=2, min_size=1, dtype=np.float32)
    # Checked as float64 first: casting NaN to int64 would warn before the check refused it.
    y = check.as_array(y, "y", ndim=1, min_size=1).astype(np.int64)
    if len(y) != len(x):
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
    """Build a fresh, seeded 784-``hidden_units``-10 network (ReLU, He normal; softmax output).

    Parameters
    ----------
    seed : int
        Passed to ``keras.utils.set_random_seed`` before the layers are made.
    hidden_units : int
        Units of the hidden layer (1 .. 100,000).

    Returns
    -------
    keras.Sequential
        The uncompiled model: inputs (batch, 784), outputs (batch, 10).

    Raises
    ------
    TypeError, ValueError
        For a bad ``seed`` or ``hidden_units``, before Keras is imported.
    """
    seed = check.seed(seed)
    hidden_units = check.positive_int(hidden_units, "hidden_units", maximum=_MAX_HIDDEN_UNITS)
    import keras

    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [
            keras.Input(shape=(784,)),
            keras.layers.Dense(hidden_units, activation="relu", kernel_initializer="he_normal"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def _check_training(data, momentum, seed, report) -> tuple[float, int]:
    """Check the arguments the training experiments share; return (momentum, seed)."""
    missing = [a for a in ("x_train", "y_train", "x_val", "y_val") if not hasattr(data, a)]
    if missing:
        raise TypeError(
            f"data must have x_train, y_train, x_val and y_val (as course_data() returns), "
            f"got {type(data).__name__} without {', '.join(missing)}"
        )
    if report is not None and not callable(report):
        raise TypeError(f"report must be None or a function of one str, got {report!r}")
    return check.probability(momentum, "momentum", include_one=False), check.seed(seed)


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

    Parameters
    ----------
    data : object with x_train, y_train, x_val, y_val
        As :func:`lecture_nn.experiments.course_data` returns.
    batch_sizes : sequence of int
        One run per size, each in 1 .. len(x_train).
    epochs : int
        Epochs per run (>= 1).
    learning_rate : float
        SGD's step size (> 0), the same for every batch size.
    momentum : float
        SGD's momentum in [0, 1).
    seed : int
        Seed of :func:`small_model` (the same initial weights for every run).
    report : callable or None
        Receives one line per finished run (a progress display).

    Returns
    -------
    list of BatchSizeRun
        One per batch size, in order.

    Raises
    ------
    TypeError, ValueError
        For a bad argument, before anything is trained.
    """
    momentum, seed = _check_training(data, momentum, seed, report)
    sizes = _batch_sizes(batch_sizes, len(data.x_train))
    epochs = check.positive_int(epochs, "epochs", maximum=MAX_EPOCHS)
    learning_rate = check.positive(learning_rate, "learning_rate")
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
    The optimizer (and its momentum) carries over from phase to phase.

    Parameters
    ----------
    data : object with x_train, y_train, x_val, y_val
        As :func:`lecture_nn.experiments.course_data` returns.
    epochs_per_phase, phases, factor : int
        Each >= 1; the last batch, ``batch_size * factor**(phases - 1)``, must fit the data.
    learning_rate : float
        The first phase's step size (> 0).
    batch_size : int
        The first phase's batch size (>= 1).
    momentum : float
        SGD's momentum in [0, 1).
    seed : int
        Seed of :func:`small_model`.
    report : callable or None
        Receives one line per phase.

    Returns
    -------
    (ScheduleRun, ScheduleRun)
        The decaying-learning-rate run and the growing-batch run.

    Raises
    ------
    TypeError, ValueError
        For a bad argument or a last batch larger than the data, before anything is
        trained.
    """
    momentum, seed = _check_training(data, momentum, seed, report)
    epochs_per_phase = check.positive_int(epochs_per_phase, "epochs_per_phase", maximum=MAX_EPOCHS)
    phases = check.positive_int(phases, "phases", maximum=MAX_EPOCHS)
    factor = check.positive_int(factor, "factor")
    learning_rate = check.positive(learning_rate, "learning_rate")
    batch_size = check.positive_int(batch_size, "batch_size")
    last = batch_size
    for _ in range(phases - 1 if factor > 1 else 0):  # at most log2(n) steps, never factor**huge
        last *= factor
        if last > len(data.x_train):
            break
    if last > len(data.x_train):
        raise ValueError(
            f"the last phase's batch size (batch_size * factor**(phases - 1) >= {last}) exceeds "
            f"the {len(data.x_train)} training examples: lower batch_size, factor or phases"
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


def _gradient_spread_description(noise: GradientNoise) -> str:
    """One sentence of what :func:`plot_gradient_spread` shows, from the measurements."""
    sizes, spread, expected = noise.batch_sizes, noise.spread, noise.expected
    slope = f", slope {noise.slope():.2f} on the log-log axes" if len(sizes) > 1 else ""
    return (
        f"Spread of mini-batch gradients around the full-batch gradient, {len(sizes)} batch "
        f"sizes from {sizes[0]} to {sizes[-1]} of N = {noise.n_examples:,} examples: measured "
        f"RMS distance {spread[0]:.3g} to {spread[-1]:.3g}{slope}; closed form "
        f"{expected[0]:.3g} to {expected[-1]:.3g}."
    )


def plot_gradient_spread(noise: GradientNoise, *, ax=None) -> _plotting.Drawing:
    """Plot the measured spread and the closed form against the batch size (log-log).

    Parameters
    ----------
    noise : GradientNoise
        From :func:`gradient_spread`.
    ax : matplotlib.axes.Axes or None
        Where to draw; None: a new 5 x 3.5 inch figure.

    Returns
    -------
    lecture_nn._plotting.Drawing
        Artists ``measured`` (the dots) and ``expected`` (the closed-form line); the
        description gives the batch sizes, both spreads at the ends and the fitted slope.

    Raises
    ------
    TypeError
        For a ``noise`` that is not a :class:`GradientNoise` or a bad ``ax``.
    """
    if not isinstance(noise, GradientNoise):
        raise TypeError(f"noise must be a GradientNoise (from gradient_spread), got {noise!r}")
    ax = _plotting.axes_or_new(ax, (5, 3.5))
    from matplotlib.ticker import FormatStrFormatter, NullFormatter

    measured = ax.loglog(noise.batch_sizes, noise.spread, "o", label="measured")[0]
    label = r"closed form $\sqrt{\sigma^2/B\,(N-B)/(N-1)}$"
    expected = ax.loglog(noise.batch_sizes, noise.expected, "-", label=label)[0]
    ax.xaxis.set_major_formatter(FormatStrFormatter("%g"))  # plain numbers, not powers of ten
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax.yaxis.set_minor_formatter(FormatStrFormatter("%g"))
    ax.set_xlabel("batch size B")
    ax.set_ylabel(r"RMS $|g_B - g|$")
    ax.legend()
    return _plotting.Drawing(
        (ax,), {"measured": measured, "expected": expected}, _gradient_spread_description(noise)
    )


def _decay_versus_growth_description(runs: Sequence[ScheduleRun]) -> str:
    """One sentence of what :func:`plot_decay_versus_growth` shows, from the runs."""
    ends = "; ".join(
        f"{run.name} ends at {run.history['val_accuracy'][-1]:.3f} after "
        f"{len(run.history['val_accuracy'])} epochs and {run.updates[-1]:,} updates"
        for run in runs
    )
    return (
        f"Validation accuracy of {len(runs)} run(s) against epochs (left) and against "
        f"optimizer updates (right): {ends}."
    )


def plot_decay_versus_growth(runs: Sequence[ScheduleRun], *, axes=None) -> _plotting.Drawing:
    """Plot validation accuracy against epochs (left) and against updates (right) per run.

    Parameters
    ----------
    runs : sequence of ScheduleRun
        From :func:`decay_versus_growth` (at least one, each with ``val_accuracy`` logs).
    axes : pair of matplotlib.axes.Axes, or None
        Left and right axes; None: a new 10 x 3.5 inch figure with a shared y axis.

    Returns
    -------
    lecture_nn._plotting.Drawing
        Artists ``lines``: per run, its line on the left then on the right axes; the
        description gives each run's last validation accuracy, epochs and updates.

    Raises
    ------
    TypeError, ValueError
        For ``runs`` that are not ScheduleRuns with validation accuracy, or bad ``axes``.
    """
    if isinstance(runs, ScheduleRun) or not isinstance(runs, Sequence) or not runs:
        raise TypeError(f"runs must be a non-empty sequence of ScheduleRun, got {runs!r}")
    for i, run in enumerate(runs):
        if not isinstance(run, ScheduleRun):
            raise TypeError(f"runs[{i}] must be a ScheduleRun, got {type(run).__name__}")
        if not run.history.get("val_accuracy"):
            raise ValueError(f"runs[{i}] ({run.name!r}) has no val_accuracy history to plot")
    new = axes is None
    left, right = _plotting.axes_grid_or_new(axes, (1, 2), (10, 3.5))
    if new:
        right.sharey(left)
    lines = []
    for run in runs:
        accuracy = run.history["val_accuracy"]
        epochs = np.arange(1, len(accuracy) + 1)
        lines.append(left.plot(epochs, accuracy, marker=".", label=run.name)[0])
        lines.append(right.plot(run.updates, accuracy, marker=".", label=run.name)[0])
    left.set_xlabel("epoch")
    right.set_xlabel("updates (optimizer steps)")
    left.set_ylabel("validation accuracy")
    left.legend()
    return _plotting.Drawing(
        (left, right), {"lines": lines}, _decay_versus_growth_description(runs)
    )
