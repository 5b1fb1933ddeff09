"""The model-selection experiments of the Keras notebooks: data, runs, and a results table.

Two modes: *full* (the official 60,000/10,000 split: the first 50,000 training images for
training, the last 10,000 for validation, the 10,000 test images for the final score) and
*quick* (``LECTURE_NN_QUICK=1``: a stratified subset and fewer epochs, for development and
small machines such as Binder's). The notebooks print which mode they run in.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from lecture_nn._validation import env_flag

QUICK_VARIABLE = "LECTURE_NN_QUICK"

#: Sizes used in quick mode: training + validation images, and test images.
QUICK_TRAIN, QUICK_TEST = 6_000, 2_000
VALIDATION_SIZE = {"full": 10_000, "quick": 1_000}


def run_mode() -> str:
    """``"quick"`` when ``LECTURE_NN_QUICK`` is set to yes (1/true/yes/on), else ``"full"``.

    Any other value than the documented yes/no spellings is a ``ValueError`` naming the
    variable (:func:`lecture_nn._validation.env_flag`).
    """
    return "quick" if env_flag(QUICK_VARIABLE) else "full"


def epochs_for(full_epochs: int, mode: str | None = None) -> int:
    """The number of epochs to run: ``full_epochs`` in full mode, a fifth (at least 2) in quick."""
    if isinstance(full_epochs, bool) or not isinstance(full_epochs, int) or full_epochs < 1:
        raise ValueError(f"full_epochs must be a positive integer, got {full_epochs!r}")
    mode = mode or run_mode()
    return full_epochs if mode == "full" else max(2, full_epochs // 5)


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
        """One line: the mode and the sizes of the three parts."""
        return (
            f"{self.mode} mode: {len(self.x_train):,} training, {len(self.x_val):,} validation "
            f"and {len(self.x_test):,} test images (from {self.source})"
        )


def course_data(mode: str | None = None, *, seed: int = 0, **loader_options) -> CourseData:
    """Load Fashion-MNIST for the Keras notebooks in ``mode`` (default: :func:`run_mode`).

    The last images of the (possibly subsampled) training split are held out for
    validation, so the test set is used only for the final evaluation.
    """
    from lecture_nn.datasets.loader import load_fashion_mnist

    mode = mode or run_mode()
    if mode not in ("full", "quick"):
        raise ValueError(f"mode must be 'full' or 'quick', got {mode!r}")
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

    Returns the test accuracy of the model as it is after ``fit`` (with
    ``EarlyStopping(restore_best_weights=True)`` among the callbacks: the best epoch's
    weights).
    """
    history, seconds, test_accuracy = _fit_and_test(
        model,
        data,
        data.x_train,
        data.y_train,
        validation_data=(data.x_val, data.y_val),
        epochs=epochs,
        batch_size=batch_size,
        callbacks=list(callbacks),
        verbose=verbose,
    )
    val_accuracy = history.get("val_accuracy", [float("nan")])
    best = int(np.nanargmax(val_accuracy))
    return ExperimentResult(
        name,
        model.count_params(),
        len(history["loss"]),
        best + 1,
        float(val_accuracy[best]),
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
    set: it has done its job and becomes training data. There is no validation score, so
    ``best_val_accuracy`` is NaN and ``best_epoch`` is the last epoch (the weights kept).
    """
    history, seconds, test_accuracy = _fit_and_test(
        model,
        data,
        np.concatenate([data.x_train, data.x_val]),
        np.concatenate([data.y_train, data.y_val]),
        validation_data=None,
        epochs=epochs,
        batch_size=batch_size,
        callbacks=list(callbacks),
        verbose=verbose,
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
    """Exponential moving average of a curve (the smoothed curve of early stopping).

    ``s_1 = v_1`` and ``s_t = smoothing * s_(t-1) + (1 - smoothing) * v_t``, as
    ``SmoothedEarlyStopping`` computes it. ``values`` has shape (n,); ``smoothing`` in
    [0, 1) is the weight of the past (0: no smoothing). Returns an array of shape (n,).
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"values must be a non-empty 1-D sequence, got shape {values.shape}")
    if isinstance(smoothing, bool) or not isinstance(smoothing, (int, float)):
        raise TypeError(f"smoothing must be a number in [0, 1), got {smoothing!r}")
    if not 0 <= smoothing < 1:
        raise ValueError(f"smoothing must be in [0, 1) (weight of the past), got {smoothing!r}")
    smoothed = np.empty_like(values)
    smoothed[0] = values[0]
    for t in range(1, values.size):
        smoothed[t] = smoothing * smoothed[t - 1] + (1 - smoothing) * values[t]
    return smoothed


def early_stopping_epochs(
    values, patience: int, *, smoothing: float = 0.0, mode: str = "min"
) -> tuple[int, int]:
    """Where early stopping would stop on a recorded curve: ``(stopped_epoch, best_epoch)``.

    The rule of ``keras.callbacks.EarlyStopping(patience=patience)`` (``min_delta`` 0), on
    the moving average of ``values`` (shape (n,), one per epoch) when ``smoothing`` > 0,
    as ``SmoothedEarlyStopping`` applies it while training. Both epochs are counted from 1;
    ``stopped_epoch`` is ``n`` when the rule never stops; ``best_epoch`` is the epoch of the
    best (smoothed) value up to the stop, the weights ``restore_best_weights`` brings back.
    ``mode``: ``"min"`` for a loss, ``"max"`` for an accuracy.
    """
    if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
        raise ValueError(f"patience must be an int >= 0, got {patience!r}")
    if mode not in ("min", "max"):
        raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
    curve = moving_average(values, smoothing)
    sign = 1.0 if mode == "min" else -1.0
    best, best_epoch, wait = np.inf, 1, 0
    for epoch, value in enumerate(sign * curve, start=1):
        if value < best:
            best, best_epoch, wait = value, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch, best_epoch
    return len(curve), best_epoch


def per_class_recall(y_true, y_pred, n_classes: int = 10) -> np.ndarray:
    """Fraction of each class's examples predicted as that class: shape (n_classes,).

    ``y_true`` and ``y_pred`` are integer labels of shape (n,); a class without examples
    gets NaN.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(
            f"y_true and y_pred must be 1-D label arrays of one shape, got {y_true.shape} "
            f"and {y_pred.shape}"
        )
    return np.array(
        [
            np.mean(y_pred[y_true == k] == k) if np.any(y_true == k) else np.nan
            for k in range(n_classes)
        ]
    )


def results_table(results: list[ExperimentResult]) -> str:
    """The experiments as an aligned text table (one row each; "-" where no validation)."""
    header = (
        f"{'experiment':44} {'parameters':>10} {'epochs':>6} {'best epoch':>10} "
        f"{'val acc':>7} {'test acc':>8} {'time':>7}"
    )
    rows = [header, "-" * len(header)]
    for r in results:
        validation = "-" if np.isnan(r.best_val_accuracy) else f"{r.best_val_accuracy:.4f}"
        rows.append(
            f"{r.name:44} {r.parameters:>10,} {r.epochs_run:>6} {r.best_epoch:>10} "
            f"{validation:>7} {r.test_accuracy:>8.4f} {r.seconds:>6.1f}s"
        )
    return "\n".join(rows)
