"""The model-selection experiments of the Keras notebooks: data, runs, and a results table.

Two modes: *full* (the official 60,000/10,000 split: the first 50,000 training images for
training, the last 10,000 for validation, the 10,000 test images for the final score) and
*quick* (``LECTURE_NN_QUICK=1``: a stratified subset and fewer epochs, for development and
small machines such as Binder's). The notebooks print which mode they run in.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from lecture_nn import _validation as check
from lecture_nn._validation import env_flag

__all__ = [
    "MAX_CLASSES",
    "MAX_EPOCHS",
    "MODES",
    "QUICK_TEST",
    "QUICK_TRAIN",
    "QUICK_VARIABLE",
    "VALIDATION_SIZE",
    "CourseData",
    "ExperimentResult",
    "best_epoch",
    "course_data",
    "early_stopping_epochs",
    "epochs_for",
    "moving_average",
    "per_class_recall",
    "results_table",
    "run_experiment",
    "run_final_fit",
    "run_mode",
]

#: Most classes :func:`per_class_recall` counts (Fashion-MNIST has 10).
MAX_CLASSES = 10_000

#: The run modes: the official split and full epochs, or a subset and fewer epochs.
MODES = ("full", "quick")

QUICK_VARIABLE = "LECTURE_NN_QUICK"

#: Most epochs one training run of the course helpers may run. The course's longest run is
#: 50 epochs; a number far above this is a slip (10**12 would train for ever), refused at once.
MAX_EPOCHS = 10_000

#: Sizes used in quick mode: training + validation images, and test images.
QUICK_TRAIN, QUICK_TEST = 6_000, 2_000
VALIDATION_SIZE = {"full": 10_000, "quick": 1_000}


def run_mode() -> str:
    """Return the run mode: ``"quick"`` when ``LECTURE_NN_QUICK`` says yes, else ``"full"``.

    Returns
    -------
    {"full", "quick"}
        ``"quick"`` for 1/true/yes/on (any case), ``"full"`` for 0/false/no/off or unset.

    Raises
    ------
    ValueError
        For any other value of the variable, naming it
        (:func:`lecture_nn._validation.env_flag`).
    """
    return "quick" if env_flag(QUICK_VARIABLE) else "full"


def _mode(mode: str | None) -> str:
    """``mode`` checked against :data:`MODES`; None: :func:`run_mode`."""
    return run_mode() if mode is None else check.choice(mode, "mode", MODES)


def epochs_for(full_epochs: int, mode: str | None = None) -> int:
    """Return the number of epochs to run in ``mode``.

    Parameters
    ----------
    full_epochs : int
        Epochs of the full run (>= 1).
    mode : {"full", "quick"} or None
        None: :func:`run_mode`.

    Returns
    -------
    int
        ``full_epochs`` in full mode, a fifth of it (at least 2) in quick mode.

    Raises
    ------
    TypeError, ValueError
        For ``full_epochs`` not an integer >= 1, or ``mode`` not one of :data:`MODES`
        (``"Full"`` is not ``"full"``).
    """
    full_epochs = check.positive_int(full_epochs, "full_epochs", maximum=MAX_EPOCHS)
    return full_epochs if _mode(mode) == "full" else max(2, full_epochs // 5)


@dataclass
class CourseData:
    """Fashion-MNIST prepared for a dense network: flat float32 images in [0, 1], int labels.

    ``x_*`` have shape (n, 784), ``y_*`` shape (n,) with labels 0-9.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    mode: str
    source: str

    def describe(self) -> str:
        """Return one line: the mode and the sizes of the three parts."""
        return (
            f"{self.mode} mode: {len(self.x_train):,} training, {len(self.x_val):,} validation "
            f"and {len(self.x_test):,} test images (from {self.source})"
        )


def course_data(mode: str | None = None, *, seed: int = 0, **loader_options) -> CourseData:
    """Load Fashion-MNIST for the Keras notebooks in ``mode``.

    The last images of the (possibly subsampled) training split are held out for
    validation, so the test set is used only for the final evaluation.

    Parameters
    ----------
    mode : {"full", "quick"} or None
        None: :func:`run_mode`. Quick mode takes a stratified subset of
        :data:`QUICK_TRAIN` training and :data:`QUICK_TEST` test images.
    seed : int
        Seed of the quick-mode subset.
    **loader_options
        Passed to :func:`lecture_nn.fashion_mnist.load_fashion_mnist` (``data_dir``,
        ``cache_dir``, ...).

    Returns
    -------
    CourseData
        Flat float32 images in [0, 1], shape (n, 784), and int labels (n,).

    Raises
    ------
    TypeError, ValueError
        For an unknown ``mode`` or a bad ``seed`` (and the loader's own errors).
    """
    from lecture_nn.datasets.loader import load_fashion_mnist

    mode = _mode(mode)
    seed = check.seed(seed)
    sizes = {"n_train": QUICK_TRAIN, "n_test": QUICK_TEST} if mode == "quick" else {}
    data = load_fashion_mnist(flatten=True, scale=True, seed=seed, **sizes, **loader_options)
    n_val = VALIDATION_SIZE[mode]
    return CourseData(
        data.x_train[:-n_val],
        data.y_train[:-n_val],
        data.x_train[-n_val:],
        data.y_train[-n_val:],
        data.x_test,
        data.y_test,
        data.class_names,
        mode,
        data.source,
    )


@dataclass
class ExperimentResult:
    """One training run: its settings, how long it ran and how well it did on the test set."""

    name: str
    parameters: int
    epochs_run: int
    best_epoch: int
    best_val_accuracy: float
    test_accuracy: float
    seconds: float
    history: dict[str, list[float]] = field(default_factory=dict)


def _fit_options(epochs, batch_size, callbacks, verbose) -> dict:
    """Check the ``fit`` arguments of :func:`run_experiment` and :func:`run_final_fit`."""
    if isinstance(callbacks, (str, bytes)) or not isinstance(callbacks, Iterable):
        raise TypeError(f"callbacks must be a sequence of Keras callbacks, got {callbacks!r}")
    callbacks = list(callbacks)
    for i, callback in enumerate(callbacks):
        if not callable(getattr(callback, "set_model", None)):
            raise TypeError(
                f"callbacks[{i}] must be a Keras callback, got {type(callback).__name__}"
            )
    return {
        "epochs": check.positive_int(epochs, "epochs", maximum=MAX_EPOCHS),
        "batch_size": check.positive_int(batch_size, "batch_size"),
        "callbacks": list(callbacks),
        "verbose": check.integer(verbose, "verbose", minimum=0, maximum=2),
    }


def _check_run(name, data, model) -> str:
    """Check a run's ``name``, ``data`` (a :class:`CourseData`) and ``model`` (compiled Keras)."""
    name = check.text(name, "name")
    if not all(callable(getattr(model, method, None)) for method in ("fit", "evaluate")):
        raise TypeError(
            f"model must be a compiled Keras model (with fit and evaluate), got "
            f"{type(model).__name__}"
        )
    if not isinstance(data, CourseData):
        raise TypeError(
            f"data must be a CourseData (from course_data()), got {type(data).__name__}"
        )
    return name


def _fit_and_test(model, data: CourseData, x, y, *, validation_data, **fit_options):
    """Fit ``model`` on (x, y), then score it on the test images.

    Returns the history (plain floats), the training time in seconds and the test accuracy.
    """
    start = time.perf_counter()
    history = model.fit(x, y, validation_data=validation_data, **fit_options).history
    seconds = time.perf_counter() - start
    _, test_accuracy = model.evaluate(data.x_test, data.y_test, verbose=0)
    plain = {key: [float(v) for v in values] for key, values in history.items()}
    return plain, seconds, float(test_accuracy)


def best_epoch(values, mode: str = "max") -> int:
    """Return the 1-based epoch of the best value of a per-epoch score; NaN never counts.

    Parameters
    ----------
    values : array_like, shape (n_epochs,)
        One score per epoch; NaN (a diverged or missing score) is never the best.
    mode : {"max", "min"}
        ``"max"`` for an accuracy, ``"min"`` for a loss.

    Returns
    -------
    int
        The first epoch with the best value (ties: the earliest), or ``n_epochs`` (the
        weights ``fit`` ends with) when every value is NaN.

    Raises
    ------
    TypeError, ValueError
        For an empty or non-numeric ``values`` or an unknown ``mode``.
    """
    values = check.as_array(values, "values", ndim=1, min_size=1, finite=False)
    mode = check.choice(mode, "mode", ("max", "min"))
    if np.all(np.isnan(values)):
        return len(values)
    return int(np.nanargmax(values) if mode == "max" else np.nanargmin(values)) + 1


def run_experiment(
    name: str,
    model,
    data: CourseData,
    *,
    epochs: int,
    batch_size: int = 512,
    callbacks=(),
    verbose: int = 0,
) -> ExperimentResult:
    """Fit a compiled ``model`` on the training part, validating each epoch, then test it.

    Parameters
    ----------
    name : str
        The run's name in the results table.
    model : keras.Model
        A model compiled with one metric, accuracy (as :func:`~lecture_nn.keras_models.
        compile_classifier` does).
    data : CourseData
        From :func:`course_data`.
    epochs, batch_size : int
        ``fit``'s epochs and batch size (each >= 1).
    callbacks : sequence of keras.callbacks.Callback
        Passed to ``fit``.
    verbose : {0, 1, 2}
        ``fit``'s verbosity.

    Returns
    -------
    ExperimentResult
        The test accuracy of the model as it is after ``fit`` (with
        ``EarlyStopping(restore_best_weights=True)`` among the callbacks: the best epoch's
        weights); ``best_epoch`` is the epoch of the highest validation accuracy (NaN
        never counts).

    Raises
    ------
    TypeError, ValueError
        For a bad ``name``, ``data``, ``epochs``, ``batch_size`` (0 included) or ``verbose``,
        before anything is trained.
    """
    name = _check_run(name, data, model)
    history, seconds, test_accuracy = _fit_and_test(
        model,
        data,
        data.x_train,
        data.y_train,
        validation_data=(data.x_val, data.y_val),
        **_fit_options(epochs, batch_size, callbacks, verbose),
    )
    val_accuracy = history.get("val_accuracy") or [float("nan")] * len(history["loss"])
    best = best_epoch(val_accuracy, "max")
    return ExperimentResult(
        name,
        model.count_params(),
        len(history["loss"]),
        best,
        float(val_accuracy[best - 1]),
        test_accuracy,
        seconds,
        history,
    )


def run_final_fit(
    name: str,
    model,
    data: CourseData,
    *,
    epochs: int,
    batch_size: int = 512,
    callbacks=(),
    verbose: int = 0,
) -> ExperimentResult:
    """Fit a compiled ``model`` on the training *and* validation images, then test it once.

    For the final model, once the settings (epochs included) were chosen on the validation
    set: it has done its job and becomes training data.

    Parameters
    ----------
    name, model, data, epochs, batch_size, callbacks, verbose
        As for :func:`run_experiment`.

    Returns
    -------
    ExperimentResult
        There is no validation score, so ``best_val_accuracy`` is NaN and ``best_epoch`` is
        the last epoch (the weights kept).

    Raises
    ------
    TypeError, ValueError
        As :func:`run_experiment`, before anything is trained.
    """
    name = _check_run(name, data, model)
    history, seconds, test_accuracy = _fit_and_test(
        model,
        data,
        np.concatenate([data.x_train, data.x_val]),
        np.concatenate([data.y_train, data.y_val]),
        validation_data=None,
        **_fit_options(epochs, batch_size, callbacks, verbose),
    )
    epochs_run = len(history["loss"])
    return ExperimentResult(
        name,
        model.count_params(),
        epochs_run,
        epochs_run,
        float("nan"),
        test_accuracy,
        seconds,
        history,
    )


def moving_average(values, smoothing: float) -> np.ndarray:
    """Return the exponential moving average of a curve (the smoothed curve of early stopping).

    ``s_1 = v_1`` and ``s_t = smoothing * s_(t-1) + (1 - smoothing) * v_t``, as
    ``SmoothedEarlyStopping`` computes it. A NaN value (a diverged epoch) is NaN in the
    result and leaves the average untouched: the next finite value continues it, instead of
    every later value becoming NaN.

    Parameters
    ----------
    values : array_like, shape (n,)
        One value per epoch (n >= 1).
    smoothing : float
        Weight of the past in [0, 1) (0: no smoothing).

    Returns
    -------
    numpy.ndarray, shape (n,)
        The smoothed curve.

    Raises
    ------
    TypeError, ValueError
        For an empty or non-1-D ``values``, or ``smoothing`` outside [0, 1).
    """
    values = check.as_array(values, "values", ndim=1, min_size=1, finite=False)
    smoothing = check.probability(smoothing, "smoothing", include_one=False)
    smoothed = np.full_like(values, np.nan)
    average = None
    for t, value in enumerate(values):
        if np.isnan(value):
            continue
        average = value if average is None else smoothing * average + (1 - smoothing) * value
        smoothed[t] = average
    return smoothed


def early_stopping_epochs(
    values, patience: int, *, smoothing: float = 0.0, mode: str = "min"
) -> tuple[int, int]:
    """Return where early stopping would stop on a recorded curve: ``(stopped_epoch, best_epoch)``.

    The rule of ``keras.callbacks.EarlyStopping(patience=patience)`` (``min_delta`` 0), on
    the moving average of ``values`` when ``smoothing`` > 0, as ``SmoothedEarlyStopping``
    applies it while training. A NaN value is never an improvement (it counts towards the
    patience); as in Keras, the first epoch is the first best, whatever its value.

    Parameters
    ----------
    values : array_like, shape (n,)
        One monitored value per epoch.
    patience : int
        Epochs without improvement before stopping (>= 0).
    smoothing : float
        Weight of the past in [0, 1) of the moving average (0: the raw values).
    mode : {"min", "max"}
        ``"min"`` for a loss, ``"max"`` for an accuracy.

    Returns
    -------
    (int, int)
        Both epochs counted from 1: ``stopped_epoch`` is ``n`` when the rule never stops;
        ``best_epoch`` is the epoch of the best (smoothed) value up to the stop, the weights
        ``restore_best_weights`` brings back (epoch 1, as in Keras, when no value up to the
        stop is a number).

    Raises
    ------
    TypeError, ValueError
        For a bad ``values``, ``patience``, ``smoothing`` or ``mode``.
    """
    patience = check.count(patience, "patience")
    mode = check.choice(mode, "mode", ("min", "max"))
    curve = moving_average(values, smoothing)
    sign = 1.0 if mode == "min" else -1.0
    # Keras's loop (keras/src/callbacks/early_stopping.py, on_epoch_end): the first epoch
    # is the first best; a NaN is the worst value (+inf after the sign), never better.
    best, best_at, wait = None, 1, 0
    for epoch, value in enumerate(np.where(np.isnan(curve), np.inf, sign * curve), start=1):
        wait += 1
        if best is None or value < best:
            best, best_at, wait = value, epoch, 0
        elif wait >= patience and epoch > 1:
            return epoch, best_at
    return len(curve), best_at


def per_class_recall(y_true, y_pred, n_classes: int = 10) -> np.ndarray:
    """Return the fraction of each class's examples predicted as that class.

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (n,)
        True and predicted labels in ``0 .. n_classes - 1``.
    n_classes : int
        Number of classes (1 .. :data:`MAX_CLASSES`).

    Returns
    -------
    numpy.ndarray, shape (n_classes,)
        The recall of each class; NaN for a class without examples.

    Raises
    ------
    TypeError, ValueError
        For label arrays of different shapes or not 1-D, or a bad ``n_classes``.
    """
    n_classes = check.positive_int(n_classes, "n_classes", maximum=MAX_CLASSES)
    y_true = check.as_array(y_true, "y_true", ndim=1)
    y_pred = check.as_array(y_pred, "y_pred", ndim=1)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred must be 1-D label arrays of one shape, got {y_true.shape} "
            f"and {y_pred.shape}"
        )
    known = (y_true >= 0) & (y_true < n_classes) & (y_true == np.round(y_true))
    labels = y_true[known].astype(np.int64)
    examples = np.bincount(labels, minlength=n_classes)
    hits = np.bincount(labels[y_pred[known] == y_true[known]], minlength=n_classes)
    return np.where(examples > 0, hits / np.maximum(examples, 1), np.nan)


def results_table(results: list[ExperimentResult]) -> str:
    """Return the experiments as an aligned text table (one row each; "-" if no validation).

    Parameters
    ----------
    results : list of ExperimentResult
        From :func:`run_experiment` and :func:`run_final_fit`.

    Returns
    -------
    str
        A header, a rule and one row per result: parameters, epochs, best epoch,
        validation and test accuracy, seconds.
    """
    header = (
        f"{'experiment':44} {'parameters':>10} {'epochs':>6} {'best epoch':>10} "
        f"{'val acc':>7} {'test acc':>8} {'time':>7}"
    )
    if isinstance(results, (str, bytes)) or not isinstance(results, Iterable):
        raise TypeError(f"results must be a list of ExperimentResult, got {results!r}")
    results = list(results)
    for i, result in enumerate(results):
        if not isinstance(result, ExperimentResult):
            raise TypeError(
                f"results[{i}] must be an ExperimentResult (from run_experiment), "
                f"got {type(result).__name__}"
            )
    rows = [header, "-" * len(header)]
    for r in results:
        validation = "-" if np.isnan(r.best_val_accuracy) else f"{r.best_val_accuracy:.4f}"
        rows.append(
            f"{r.name:44} {r.parameters:>10,} {r.epochs_run:>6} {r.best_epoch:>10} "
            f"{validation:>7} {r.test_accuracy:>8.4f} {r.seconds:>6.1f}s"
        )
    return "\n".join(rows)
