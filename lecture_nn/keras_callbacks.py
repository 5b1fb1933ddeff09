"""Keras callbacks of the course (imports Keras on import).

:class:`TrainingPlot` draws live learning curves; :class:`SmoothedEarlyStopping` is
Keras's ``EarlyStopping`` on an exponential moving average of the monitored value;
:class:`FitProgress` prints one line per finished ``fit`` (progress of a search).

Pass ``TrainingPlot()`` in ``model.fit(..., callbacks=[...])``. It draws the loss and every
metric on its own axis, training solid and validation dashed in the same colour, against
the epoch number, with the best epoch so far marked and named in the title.

How it shows the figure depends on where ``fit`` runs:

* live in Jupyter (an IPython kernel with a front-end): one PNG shown through an IPython
  display handle and updated in place, at most every ``min_interval`` seconds, plus always
  after the last epoch: no growing stack of figures, no ``clear_output`` flicker;
* headless (``lecture-nn run``, ``LECTURE_NN_HEADLESS=1``), or outside a kernel (a script,
  a test, a terminal IPython): nothing is rendered per epoch; the final figure is drawn once
  when training ends, displayed once if IPython is running, and kept in ``figure``.

The figure is a :class:`matplotlib.figure.Figure`, not a pyplot figure, so nothing shows it
a second time. Only ``keras.callbacks.Callback`` and plain floats are used: the callback
works on every Keras backend.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence

import keras
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from lecture_nn import _validation as check
from lecture_nn import style
from lecture_nn._descriptions import record_description
from lecture_nn._rendering import is_headless, render_png

__all__ = ["FitProgress", "SmoothedEarlyStopping", "TrainingPlot"]

VALIDATION_PREFIX = "val_"

#: Parts of a metric name that mean "lower is better" (for ``mode="auto"``).
_LOWER_IS_BETTER = ("loss", "error", "crossentropy", "mse", "mae", "mape", "msle", "hinge")

#: Axes per row of the figure before it wraps onto another row.
_MAX_COLUMNS = 3


def _quantity_of(key: str) -> str:
    """Return the quantity a log key belongs to: ``"val_loss"`` -> ``"loss"``."""
    return key[len(VALIDATION_PREFIX) :] if key.startswith(VALIDATION_PREFIX) else key


def _label(key: str) -> str:
    """Return a readable name for a log key: ``"val_loss"`` -> ``"validation loss"``."""
    kind = "validation" if key.startswith(VALIDATION_PREFIX) else "training"
    return f"{kind} {_quantity_of(key).replace('_', ' ')}"


def _auto_mode(key: str) -> str:
    """Return ``"min"`` for losses and errors, ``"max"`` for everything else (accuracy, AUC)."""
    name = _quantity_of(key).lower()
    return "min" if any(part in name for part in _LOWER_IS_BETTER) else "max"


def _is_scalar(value) -> bool:
    """Tell whether a log value is one number (Python, numpy or a backend's 0-d tensor)."""
    try:
        return np.ndim(value) == 0 and not isinstance(value, (str, bytes))
    except (TypeError, ValueError):
        return False


def _check_metrics(metrics) -> list[str] | None:
    """Validate the ``metrics`` argument; return the quantity names (no ``val_`` prefix)."""
    if metrics is None:
        return None
    if isinstance(metrics, str) or not isinstance(metrics, Sequence):
        raise TypeError(
            f"metrics must be None or a list of names such as ['loss', 'accuracy'], got {metrics!r}"
        )
    names = []
    for name in metrics:
        if not isinstance(name, str) or not name:
            raise TypeError(f"metrics must hold non-empty metric names (str), got {name!r}")
        quantity = _quantity_of(name)
        if quantity not in names:
            names.append(quantity)
    if not names:
        raise ValueError("metrics must name at least one quantity, e.g. ['loss'], or be None")
    return names


def _check_figsize(figsize) -> tuple[float, float] | None:
    """Validate ``figsize``: None or (width, height) in inches, both positive."""
    if figsize is None:
        return None
    if isinstance(figsize, (str, bytes)) or not isinstance(figsize, Sequence) or len(figsize) != 2:
        raise TypeError(f"figsize must be None or (width, height) in inches, got {figsize!r}")
    return check.positive(figsize[0], "figsize[0]"), check.positive(figsize[1], "figsize[1]")


def _check_overhead(max_overhead) -> float:
    """Validate ``max_overhead``: a fraction of the training time in (0, 1]."""
    max_overhead = check.probability(max_overhead, "max_overhead")
    if max_overhead == 0:
        raise ValueError("max_overhead must be None or a number in (0, 1], got 0")
    return max_overhead


def _ipython_shell():
    """Return the running IPython shell, or None outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:  # IPython is a dependency, but the callback does not need it
        return None
    return get_ipython()


def _has_live_frontend() -> bool:
    """Tell whether this runs in an IPython kernel (Jupyter, Colab, VS Code), not headless."""
    shell = _ipython_shell()
    return (not is_headless()) and getattr(shell, "kernel", None) is not None


class TrainingPlot(keras.callbacks.Callback):
    """Learning curves of a Keras ``fit``, drawn live in Jupyter and once at the end elsewhere.

    Parameters
    ----------
    metrics : sequence of str or None
        Quantities to plot, one axis each, e.g. ``["loss", "accuracy"]``; each axis shows
        the training value and, when present, the validation value (``val_`` + name).
        None: every quantity in the logs of the first epoch, loss first. A name missing from
        those logs raises ValueError at the end of the first epoch, naming the ones there.
    monitor : str or None
        Log key whose best value is marked and shown in the title, e.g. ``"val_loss"``.
        None: the validation accuracy (any ``val_*acc*`` key), else the first plotted
        validation quantity, else the same on the training logs (the title then says that
        there is no validation data).
    mode : {"auto", "min", "max"}
        ``"auto"``: lower is better for losses and errors, higher for the rest.
    figsize : (float, float) or None
        (width, height) in inches of the whole figure before the course style's scaling;
        None: 4 x 3 inches per axis, at most three axes per row.
    min_interval : float
        Seconds (>= 0) between two live renders at least (throttling; the last epoch is always
        rendered).
    max_overhead : float or None
        Fraction in (0, 1] of the training time that live rendering may take: the wait between live
        renders grows to ``last render time / max_overhead`` when rendering is slow (with
        the default 0.02 and a 50 ms render: 2.5 s). None: only ``min_interval`` counts;
        ``min_interval=0, max_overhead=None`` renders every epoch.
    live : bool or None
        None: render each epoch only in a Jupyter kernel that is not run headless. True:
        render live anyway (the PNG is still made without IPython: benchmarks, tests).
        False: never; draw the final figure once at the end.

    Raises
    ------
    TypeError, ValueError
        For an argument of the wrong type or value, naming it; at the end of the first
        epoch, for a ``metrics`` name or ``monitor`` key that is not in the logs.

    Attributes
    ----------
    history : dict[str, list[float]]
        Every scalar log value by key, one entry per epoch of ``epochs`` (NaN where a later
        ``fit`` did not log that key); for one ``fit`` this equals its ``History.history``.
    epochs : list[int]
        1-based epoch numbers (``initial_epoch`` honoured; a later ``fit`` that counts
        from the start again continues after the last epoch shown).
    figure : matplotlib.figure.Figure or None
        The figure, created when first drawn (first live render or end of training). Its
        axes are chosen from the logs of the first epoch and kept for later ``fit`` calls.
    best_epoch, best_value : int or None, float or None
        Epoch number and value of the best ``monitor`` value so far.
    render_count : int
        How many times the figure was rendered to PNG.
    """

    def __init__(
        self,
        metrics: Sequence[str] | None = None,
        *,
        monitor: str | None = None,
        mode: str = "auto",
        figsize: tuple[float, float] | None = None,
        min_interval: float = 1.0,
        max_overhead: float | None = 0.02,
        live: bool | None = None,
    ):
        super().__init__()
        self.metrics = _check_metrics(metrics)
        if monitor is not None and (not isinstance(monitor, str) or not monitor):
            raise TypeError(
                f"monitor must be None or a log key such as 'val_loss', got {monitor!r}"
            )
        self.monitor = monitor
        self.mode = check.choice(mode, "mode", ("auto", "min", "max"))
        self.figsize = _check_figsize(figsize)
        self.min_interval = check.non_negative(min_interval, "min_interval")
        self.max_overhead = None if max_overhead is None else _check_overhead(max_overhead)
        self.live = None if live is None else check.boolean(live, "live")
        self.history: dict[str, list[float]] = {}
        self.epochs: list[int] = []
        self.figure: Figure | None = None
        self.best_epoch: int | None = None
        self.best_value: float | None = None
        self.render_count = 0
        self._quantities: list[str] = []
        self._monitor_key: str | None = None
        self._monitor_mode = "max"
        self._lines: dict[str, object] = {}
        self._best_lines: list = []
        self._best_marker = None
        self._title = None
        self._live_now = False
        self._handle = None
        self._epoch_offset: int | None = None
        self._drawn_epochs = 0
        self._last_render_end = -math.inf
        self._last_render_seconds = 0.0

    # Keras hooks -------------------------------------------------------------------------

    def on_train_begin(self, logs=None):
        """Start a run: decide live or final-only; a new run gets its own displayed image."""
        self._live_now = _has_live_frontend() if self.live is None else self.live
        self._handle = None
        self._epoch_offset = None
        self._last_render_end = -math.inf

    def on_epoch_end(self, epoch, logs=None):
        """Record the epoch's logs; in live mode refresh the figure when it is due."""
        logs = {key: value for key, value in (logs or {}).items() if _is_scalar(value)}
        if not self._quantities:
            self._choose_quantities(logs)
        self._record(self._epoch_number(epoch), logs)
        self._update_best()
        if self._live_now and self._render_due():
            self._refresh()

    def on_train_end(self, logs=None):
        """Draw the final figure: live, update the image if stale; else show it once."""
        if not self.epochs:
            return
        if self._live_now:
            if self._drawn_epochs != len(self.epochs):
                self._refresh()
            return
        self._draw()
        if _ipython_shell() is not None:
            from IPython.display import Image, display

            display(Image(data=self._render(), format="png", metadata=self._alt()))

    # Bookkeeping (no drawing) -------------------------------------------------------------

    def _choose_quantities(self, logs: Mapping) -> None:
        """Pick the plotted quantities and the monitored key from the first epoch's logs."""
        available = []
        for key in logs:
            quantity = _quantity_of(key)
            if quantity not in available:
                available.append(quantity)
        if "loss" in available:
            available.insert(0, available.pop(available.index("loss")))
        if self.metrics is None:
            quantities = available
        else:
            missing = [name for name in self.metrics if name not in available]
            if missing:
                raise ValueError(
                    f"TrainingPlot(metrics=...): {missing} not in the training logs; "
                    f"available: {available} (validation values are paired automatically)"
                )
            quantities = list(self.metrics)
        if not quantities:
            raise ValueError("TrainingPlot found no scalar values in the logs of the first epoch")
        self._monitor_key = self._choose_monitor(logs, quantities)
        mode = self.mode if self.mode != "auto" else _auto_mode(self._monitor_key)
        self._monitor_mode = mode
        self._quantities = quantities

    def _choose_monitor(self, logs: Mapping, quantities: list[str]) -> str:
        """Return the log key whose best value the title reports."""
        if self.monitor is not None:
            if self.monitor not in logs:
                raise ValueError(
                    f"TrainingPlot(monitor={self.monitor!r}): not in the training logs; "
                    f"available: {list(logs)}"
                )
            return self.monitor
        validation = [VALIDATION_PREFIX + q for q in quantities if VALIDATION_PREFIX + q in logs]
        keys = validation or [q for q in quantities if q in logs]
        accuracies = [key for key in keys if "acc" in _quantity_of(key).lower()]
        not_losses = [key for key in keys if _auto_mode(key) == "max"]
        return (accuracies or not_losses or keys)[0]

    def _epoch_number(self, epoch: int) -> int:
        """1-based epoch number; a fit that restarts its count continues after the last one."""
        if self._epoch_offset is None:
            last = self.epochs[-1] if self.epochs else 0
            self._epoch_offset = last - epoch if epoch + 1 <= last else 0
        return int(epoch) + 1 + self._epoch_offset

    def _record(self, number: int, logs: Mapping) -> None:
        """Append one epoch; keys missing on either side are padded with NaN."""
        for key, value in logs.items():
            self.history.setdefault(key, [math.nan] * len(self.epochs)).append(float(value))
        for key, values in self.history.items():
            if key not in logs:
                values.append(math.nan)
        self.epochs.append(number)

    def _update_best(self) -> None:
        """Find the best value of the monitored key so far (first epoch wins ties)."""
        values = np.asarray(self.history.get(self._monitor_key, []), dtype=float)
        if values.size == 0 or np.all(np.isnan(values)):
            return
        index = int(np.nanargmin(values) if self._monitor_mode == "min" else np.nanargmax(values))
        self.best_epoch = self.epochs[index]
        self.best_value = float(values[index])

    def _render_due(self) -> bool:
        """Tell whether the last live render is long enough ago (``min_interval``, overhead).

        The last epoch needs no check here: ``on_train_end`` renders it if it was skipped.
        """
        wait = self.min_interval
        if self.max_overhead is not None:
            wait = max(wait, self._last_render_seconds / self.max_overhead)
        return time.perf_counter() - self._last_render_end >= wait

    # Drawing ------------------------------------------------------------------------------

    def title(self) -> str:
        """Return the figure title: the epoch and the best monitored value so far."""
        if not self.epochs:
            return "TrainingPlot: no epoch yet"
        text = f"Epoch {self.epochs[-1]}"
        if self.best_value is not None:
            text += (
                f": best {_label(self._monitor_key)} {self.best_value:.4f} "
                f"(epoch {self.best_epoch})"
            )
            if not self._monitor_key.startswith(VALIDATION_PREFIX):
                text += ", no validation data"
        return text

    def description(self) -> str:
        """Return what the figure shows, in words (its alternative text), from the history.

        Returns
        -------
        str
            E.g. "Learning curves over epochs 1 to 12: training loss from 0.62 to 0.31
            (lowest 0.31, epoch 12), validation loss from 0.55 to 0.36 (lowest 0.35, epoch
            10); ...; best validation accuracy 0.8712 at epoch 10."
        """
        if not self.epochs:
            return "Learning curves: no epoch yet."
        parts = []
        for quantity in self._quantities:
            curves = []
            for key in (quantity, VALIDATION_PREFIX + quantity):
                values = np.asarray(self.history.get(key, []), dtype=float)
                finite = np.flatnonzero(np.isfinite(values))
                if finite.size == 0:
                    continue
                best = (np.nanargmin if _auto_mode(key) == "min" else np.nanargmax)(values)
                which = "lowest" if _auto_mode(key) == "min" else "highest"
                curves.append(
                    f"{_label(key)} from {values[finite[0]]:.3g} to {values[finite[-1]]:.3g} "
                    f"({which} {values[best]:.3g}, epoch {self.epochs[best]})"
                )
            if curves:
                parts.append(", ".join(curves))
        first, last = self.epochs[0], self.epochs[-1]
        span = f"epoch {first}" if first == last else f"epochs {first} to {last}"
        text = f"Learning curves over {span}: {'; '.join(parts)}"
        if self.best_value is not None:
            text += (
                f"; best {_label(self._monitor_key)} {self.best_value:.4f} at epoch "
                f"{self.best_epoch}"
            )
        return text + "."

    def _create_figure(self) -> None:
        """Make the figure: one axis per quantity, a training and a validation line each."""
        n_axes = len(self._quantities)
        n_columns = min(n_axes, _MAX_COLUMNS)
        n_rows = math.ceil(n_axes / n_columns)
        width, height = style.figsize(
            *(self.figsize or (max(4.0 * n_columns, 6.0), 3.0 * n_rows + 0.6))
        )
        with style.course_style():
            figure = Figure(figsize=(width, height))
            axes = figure.subplots(n_rows, n_columns, squeeze=False).ravel()
            for ax in axes[n_axes:]:
                ax.set_visible(False)
            for index, (quantity, ax) in enumerate(zip(self._quantities, axes)):
                self._create_axis(ax, quantity, style.OKABE_ITO[index % len(style.OKABE_ITO)])
            self._title = figure.suptitle(self.title(), y=1 - 0.08 / height, va="top")
            self._add_legend(figure, height)
            # Margins in inches and no layout engine: constrained layout would double the
            # time of every render.
            figure.subplots_adjust(
                left=0.7 / width,
                right=1 - 0.15 / width,
                bottom=0.5 / height,
                top=1 - 0.8 / height,
                wspace=0.35,
                hspace=0.6,
            )
        self.figure = figure

    def _add_legend(self, figure: Figure, height: float) -> None:
        """One legend for all axes, under the title: line styles, not colours, carry it.

        (One figure legend renders faster than a legend in every axis.)
        """
        grey = "0.3"
        entries = {"training": Line2D([], [], color=grey, linestyle="-", marker=".")}
        if any(key.startswith(VALIDATION_PREFIX) for key in self._lines):
            entries["validation"] = Line2D([], [], color=grey, linestyle="--", marker=".")
        entries["best epoch"] = Line2D(
            [], [], color="0.45", linestyle=":", marker="o", markerfacecolor="none"
        )
        figure.legend(
            list(entries.values()),
            list(entries),
            loc="upper center",
            bbox_to_anchor=(0.5, 1 - 0.38 / height),
            ncols=len(entries),
            frameon=False,
        )

    def _create_axis(self, ax, quantity: str, colour: str) -> None:
        """Add the (still empty) training and validation lines of ``quantity`` to ``ax``."""
        for key, linestyle in ((quantity, "-"), (VALIDATION_PREFIX + quantity, "--")):
            if key in self.history:
                (line,) = ax.plot([], [], linestyle, marker=".", color=colour, label=_label(key))
                self._lines[key] = line
        best_line = ax.axvline(np.nan, color="0.45", linestyle=":", linewidth=1.2, label="_best")
        self._best_lines.append(best_line)
        if _quantity_of(self._monitor_key) == quantity:
            (self._best_marker,) = ax.plot(
                [], [], "o", markersize=9, markerfacecolor="none", color="0.2", label="best epoch"
            )
        ax.set_xlabel("epoch")
        ax.set_ylabel(quantity.replace("_", " "))
        # Fewer ticks than matplotlib's default: tick labels are most of the render time.
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5))

    def _draw(self) -> None:
        """Put the current history into the figure's lines (creating the figure once)."""
        if self.figure is None:
            self._create_figure()
        epochs = np.asarray(self.epochs)
        for key, line in self._lines.items():
            values = np.asarray(self.history.get(key, [math.nan] * len(epochs)), dtype=float)
            line.set_data(epochs, values)
        for line in self._best_lines:
            best = np.nan if self.best_epoch is None else self.best_epoch
            line.set_xdata([best, best])
        if self._best_marker is not None and self.best_epoch is not None:
            self._best_marker.set_data([self.best_epoch], [self.best_value])
        for ax in self.figure.axes:
            if ax.get_visible():
                ax.relim()
                ax.autoscale_view()
        self._title.set_text(self.title())
        record_description([ax for ax in self.figure.axes if ax.get_visible()], self.description())
        self._drawn_epochs = len(self.epochs)

    def _alt(self) -> dict:
        """Return the displayed image's metadata: the figure's description as ``alt``."""
        return {"alt": self.description()}

    def _render(self) -> bytes:
        """Render the figure to PNG bytes (the one place that does; counted)."""
        self.render_count += 1
        return render_png(self.figure)

    def _refresh(self) -> None:
        """Live mode: redraw, render and show the figure in place through a display handle."""
        start = time.perf_counter()
        self._draw()
        png = self._render()
        if _ipython_shell() is not None:
            from IPython.display import Image, display

            image = Image(data=png, format="png", metadata=self._alt())
            if self._handle is None:
                self._handle = display(image, display_id=True)
            else:
                self._handle.update(image)
        self._last_render_end = time.perf_counter()
        self._last_render_seconds = self._last_render_end - start


class SmoothedEarlyStopping(keras.callbacks.EarlyStopping):
    """``keras.callbacks.EarlyStopping`` on an exponential moving average of ``monitor``.

    A noisy validation curve can look worse for ``patience`` epochs by chance; its moving
    average ``s_1 = v_1``, ``s_t = smoothing * s_(t-1) + (1 - smoothing) * v_t`` wobbles
    less. Everything else (``patience``, ``min_delta``, ``restore_best_weights``, which
    restores the epoch with the best *smoothed* value, ``start_from_epoch``) is Keras's.

    A NaN value (a diverged epoch) never counts as an improvement, and the average goes
    on from the last finite value after it (see :meth:`get_monitor_value`).

    Parameters
    ----------
    smoothing : float
        Weight of the past in [0, 1): 0 is plain ``EarlyStopping``; 0.5 halves the weight
        of an epoch with every later epoch.
    **options
        ``EarlyStopping``'s arguments (``monitor``, ``patience``, ...).

    Raises
    ------
    TypeError, ValueError
        For a ``smoothing`` that is not a number in [0, 1) (and Keras's own errors).

    Attributes
    ----------
    raw, smoothed : list[float]
        The monitored values and their moving average, one per epoch of the last ``fit``.
    """

    def __init__(self, smoothing: float = 0.5, **options):
        smoothing = check.probability(smoothing, "smoothing", include_one=False)
        super().__init__(**options)
        self.smoothing = smoothing
        self.raw: list[float] = []
        self.smoothed: list[float] = []
        self._average: float | None = None

    def on_train_begin(self, logs=None):
        """Start a new average (EarlyStopping resets its own state too)."""
        super().on_train_begin(logs)
        self.raw, self.smoothed, self._average = [], [], None

    def get_monitor_value(self, logs):
        """Return the moving average including this epoch's value (None if it is missing).

        A NaN value (a diverged epoch) is never an improvement: it is recorded as NaN in
        ``raw`` and ``smoothed``, leaves the average as it was (so a later finite value
        continues it, as :func:`lecture_nn.experiments.moving_average` does), and Keras is
        given the worst value for the mode (+inf when lower is better), which counts
        towards the patience. Keras's own ``EarlyStopping`` takes a NaN first value as its
        best and then finds no later value better, whatever follows.
        """
        value = super().get_monitor_value(logs)
        if value is None:
            return None
        value = float(value)
        self.raw.append(value)
        if math.isnan(value):
            self.smoothed.append(math.nan)
            lower_is_better = bool(self.monitor_op(0.0, 1.0))
            return math.inf if lower_is_better else -math.inf
        previous = value if self._average is None else self._average
        self._average = self.smoothing * previous + (1 - self.smoothing) * value
        self.smoothed.append(self._average)
        return self._average


class FitProgress(keras.callbacks.Callback):
    """Print one line when each ``fit`` ends: its number, a logged value and its duration.

    For searches that call ``fit`` many times (KerasTuner, scikit-learn's ``GridSearchCV``
    on a wrapped model) and would otherwise stay silent: pass the same instance to every
    fit (``tuner.search(..., callbacks=[progress])``, ``grid.fit(..., callbacks=[progress])``).
    KerasTuner deep-copies the callbacks of each trial; a copy of this one is itself, so
    the count goes on. Plain text on stdout: it reads the same in a terminal, a notebook
    and a headless run.

    It prints a log, one line per fit, where ``lecture_nn.widgets.StatusLine`` replaces
    one line in place: a search's lines stay readable after it (and in a headless run).

    Parameters
    ----------
    label : str
        What a fit is called in the line, e.g. ``"trial"``.
    total : int or None
        Number of fits expected (shown as ``3/13``, >= 1), or None when not known in
        advance.
    monitor : str or None
        Log key printed for each fit (its last value); None: ``val_accuracy`` if logged,
        else ``accuracy``, else ``loss``.
    """

    def __init__(self, label: str = "fit", *, total: int | None = None, monitor: str | None = None):
        super().__init__()
        if not isinstance(label, str) or not label:
            raise TypeError(f"label must be a non-empty str, got {label!r}")
        if total is not None:
            total = check.positive_int(total, "total")
        if monitor is not None and (not isinstance(monitor, str) or not monitor):
            raise TypeError(
                f"monitor must be None or a log key such as 'val_loss', got {monitor!r}"
            )
        self.label, self.total, self.monitor = label, total, monitor
        self.count = 0
        self.lines: list[str] = []
        self._start = 0.0
        self._epochs = 0
        self._logs: dict = {}

    def __deepcopy__(self, memo):
        """Return this instance itself: one counter across KerasTuner's per-trial copies."""
        return self  # one counter across KerasTuner's per-trial copies

    def on_train_begin(self, logs=None):
        """Start timing a fit."""
        self._start, self._epochs, self._logs = time.perf_counter(), 0, {}

    def on_epoch_end(self, epoch, logs=None):
        """Remember the epoch's logs."""
        self._epochs += 1
        self._logs = dict(logs or {})

    def on_train_end(self, logs=None):
        """Print the fit's line."""
        self.count += 1
        seconds = time.perf_counter() - self._start
        keys = [self.monitor] if self.monitor else ["val_accuracy", "accuracy", "loss"]
        key = next((k for k in keys if k in self._logs), None)
        number = f"{self.count}/{self.total}" if self.total else f"{self.count}"
        value = f", {key} {float(self._logs[key]):.4f}" if key is not None else ""
        epochs = "epoch" if self._epochs == 1 else "epochs"
        line = f"{self.label} {number}: {self._epochs} {epochs}{value} ({seconds:.1f} s)"
        self.lines.append(line)
        print(line, flush=True)
