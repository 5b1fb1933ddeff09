"""Weight initialisation experiments: how the signal and the gradients travel through depth.

:func:`signal_propagation` builds a deep, narrow-enough network (e.g. 10 hidden layers of 100
units), initialises it with a given scheme, sends a batch of standard-normal inputs through
it and backpropagates once, and returns the activations and weight gradients of every
layer. :func:`plot_signal_propagation` draws their distributions layer by layer, so that
vanishing (everything collapses to 0) and exploding (everything grows) are plain to see.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from lecture_nn import style
from lecture_nn._plotting import Drawing, axes_grid_or_new

__all__ = [
    "GRADIENT_BINS",
    "MAX_DEPTH",
    "MAX_SAMPLES",
    "MAX_WIDTH",
    "PREPARED_ROWS",
    "SCHEMES",
    "TRANSFER_TRAININGS",
    "SignalPropagationExplorer",
    "SignalStatistics",
    "TransferResult",
    "describe_signal",
    "plot_signal_propagation",
    "signal_propagation",
    "transfer_learning",
]

#: Largest depth, width (units) and batch (inputs) the experiment accepts.
MAX_DEPTH, MAX_WIDTH, MAX_SAMPLES = 100, 2000, 100_000

#: Initialisation schemes of the experiment: a name shown to students -> (initializer, stddev).
SCHEMES = {
    "too small (normal, std 0.01)": ("random_normal", 0.01),
    "too large (normal, std 1)": ("random_normal", 1.0),
    "Glorot (normal)": ("glorot_normal", None),
    "He (normal)": ("he_normal", None),
}


@dataclass
class SignalStatistics:
    """Activations and weight gradients of each hidden layer after one forward/backward pass.

    ``activations[l]`` and ``gradients[l]`` are 1-D samples for hidden layer ``l + 1``;
    ``activation_std`` and ``gradient_std`` have one entry per hidden layer.
    """

    activation: str
    scheme: str
    activations: list[np.ndarray]
    gradients: list[np.ndarray]
    activation_std: np.ndarray
    gradient_std: np.ndarray


def signal_propagation(
    activation: str = "tanh",
    scheme: str = "Glorot (normal)",
    *,
    depth: int = 10,
    width: int = 100,
    n_samples: int = 256,
    seed: int = 0,
) -> SignalStatistics:
    """Run one forward and backward pass through a deep network initialised by ``scheme``.

    The network has ``depth`` hidden layers of ``width`` units with ``activation`` and one
    linear output; the loss is the mean squared error against random targets. Inputs are
    standard normal, shape (n_samples, width). Biases start at 0, as in Keras.
    """
    from lecture_nn.activations import HIDDEN_ACTIVATIONS
    from lecture_nn.initializers import initialize
    from lecture_nn.network import Network

    if not isinstance(activation, str) or activation not in HIDDEN_ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {', '.join(HIDDEN_ACTIVATIONS)}, got {activation!r}"
        )
    if not isinstance(scheme, str) or scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {', '.join(SCHEMES)}, got {scheme!r}")
    depth, width, n_samples, seed = _sizes(depth, width, n_samples, seed)
    sizes = [width] * (depth + 1) + [1]
    network = Network(
        sizes, [activation] * depth + ["linear"], loss="mean_squared_error", seed=seed
    )
    initializer, stddev = SCHEMES[scheme]
    rng = np.random.default_rng(seed)
    for layer in network.layers:
        n_in, n_out = layer.weights.shape
        options = {"stddev": stddev} if stddev is not None else {}
        layer.weights = initialize(initializer, n_in, n_out, rng=rng, **options)
        layer.bias = np.zeros(n_out)
    X = rng.standard_normal((n_samples, width))
    y = rng.standard_normal((n_samples, 1))
    forward = network.forward(X)
    gradients = network.backward(forward, y)
    activations = [a.ravel() for a in forward.a[1:-1]]
    weight_gradients = [g.ravel() for g in gradients.weights[:-1]]
    return SignalStatistics(
        activation,
        scheme,
        activations,
        weight_gradients,
        np.array([a.std() for a in activations]),
        np.array([g.std() for g in weight_gradients]),
    )


def _sizes(depth, width, n_samples, seed) -> tuple[int, int, int, int]:
    """Check the experiment's sizes and seed; return them as Python ints."""
    from lecture_nn import _validation as check

    if isinstance(depth, (int, np.integer)) and not isinstance(depth, bool) and depth < 1:
        raise ValueError(f"depth must be an integer >= 1, got {depth!r}")
    return (
        check.positive_int(depth, "depth", maximum=MAX_DEPTH),
        check.positive_int(width, "width", maximum=MAX_WIDTH),
        check.positive_int(n_samples, "n_samples", maximum=MAX_SAMPLES),
        check.seed(seed),
    )


def _activation_range(activation: str) -> tuple[float, float]:
    """Return the activations shown: tanh -1.05..1.05, sigmoid -0.05..1.05, else -0.5..5."""
    if activation == "sigmoid":
        return -0.05, 1.05
    if activation == "tanh":
        return -1.05, 1.05
    return -0.5, 5.0


#: Rows a widget's panels make on its first draw (notebook 04's depth slider goes to 20).
PREPARED_ROWS = 20

#: Bins of the gradient panel: log10 |gradient| from -12 to 2.
GRADIENT_BINS = np.linspace(-12, 2, 71)


def _layer_heights(samples: list[np.ndarray], bins: np.ndarray) -> list[np.ndarray]:
    """One histogram per layer, scaled so that its highest bar is 0.9 (the rows do not touch)."""
    heights = []
    for sample in samples:
        counts, _ = np.histogram(np.clip(sample, bins[0], bins[-1]), bins=bins)
        heights.append(counts / max(counts.max(), 1) * 0.9)
    return heights


class _Ridgeline:
    """One panel of stacked histograms (layer 1 at the bottom) whose data can be replaced.

    The artists are kept: a new setting changes the stairs' data, the "std" labels' text and
    position, and adds or removes rows, so a widget's redraw does not rebuild the axes.
    """

    def __init__(self, ax, color, xlabel: str):
        self.ax = ax
        self.color = color
        self.stairs: list = []  # one per layer drawn so far; those beyond ``depth`` hidden
        self.labels: list = []
        self.depth = 0
        ax.set_xlabel(xlabel)
        ax.set_ylabel("hidden layer")

    def update(self, heights, bins, stds, label_x: float, label_format: str) -> None:
        ax = self.ax
        depth = len(heights)
        # Rows beyond the depth are hidden, not removed: a deeper setting shows them again
        # instead of making new artists (a third of a redraw's time at depth 20).
        for layer in range(depth, len(self.stairs)):
            self.stairs[layer].set_visible(False)
            self.labels[layer].set_visible(False)
        self.reserve(depth, bins)
        for layer, (height, std) in enumerate(zip(heights, stds)):
            self.stairs[layer].set_data(height + layer, bins, baseline=layer)
            self.labels[layer].set_x(label_x)
            self.labels[layer].set_text(f"std {std:{label_format}}")
            self.stairs[layer].set_visible(True)
            self.labels[layer].set_visible(True)
        self.depth = depth
        ax.set_yticks(np.arange(depth) + 0.3, [str(i + 1) for i in range(depth)])
        # The x limits autoscaling gives the stairs (their edges plus the axes' margin),
        # computed here: relim() walks every segment of every stairs' path in Python.
        margin = ax.margins()[0] * (bins[-1] - bins[0])
        ax.set_xlim(bins[0] - margin, bins[-1] + margin)
        ax.set_ylim(-0.1, depth)

    def reserve(self, rows: int, bins) -> None:
        """Make the artists of ``rows`` rows now, hidden, so a deeper setting only shows them."""
        for layer in range(len(self.stairs), rows):
            empty = np.zeros(len(bins) - 1)
            self.stairs.append(
                self.ax.stairs(
                    empty + layer, bins, baseline=layer, fill=True, color=self.color, alpha=0.6
                )
            )
            # "small" (8.3 pt on screen) is the smallest size legible at the figure's size.
            self.labels.append(self.ax.text(0, layer + 0.45, "", ha="right", fontsize="small"))
            self.stairs[-1].set_visible(False)
            self.labels[-1].set_visible(False)


class _SignalPanels:
    """The two panels of :func:`plot_signal_propagation`, updatable with new statistics."""

    def __init__(self, left, right):
        self.activations = _Ridgeline(left, style.OKABE_ITO[0], "activation value")
        self.gradients = _Ridgeline(right, style.OKABE_ITO[1], "log10 |gradient of a weight|")
        # The rows of both panels are the same layers: numbered once, on the left.
        right.set_ylabel("")
        right.tick_params(axis="y", labelleft=False)

    def update(self, stats: SignalStatistics, heights=None) -> None:
        low, high = _activation_range(stats.activation)
        bins = np.linspace(low, high, 61)
        if heights is None:
            heights = _histograms(stats)
        activation_heights, gradient_heights = heights
        self.activations.update(activation_heights, bins, stats.activation_std, high, ".2g")
        self.gradients.update(gradient_heights, GRADIENT_BINS, stats.gradient_std, 2, ".1e")
        # y=1: the titles sit on the top edge, where nothing else is; the automatic position
        # would measure every tick label again at each draw to find the same place.
        self.activations.ax.set_title(
            f"activations ({stats.activation}, {stats.scheme})", fontsize="small", y=1.0
        )
        self.gradients.ax.set_title("weight gradients", fontsize="small", y=1.0)

    def drawing(self, stats: SignalStatistics) -> Drawing:
        return Drawing(
            (self.activations.ax, self.gradients.ax),
            {
                "activation_stairs": tuple(self.activations.stairs[: self.activations.depth]),
                "gradient_stairs": tuple(self.gradients.stairs[: self.gradients.depth]),
                "activation_labels": tuple(self.activations.labels[: self.activations.depth]),
                "gradient_labels": tuple(self.gradients.labels[: self.gradients.depth]),
            },
            describe_signal(stats),
        )


def _histograms(stats: SignalStatistics) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Return the rows of both panels: histograms of the activations and of log10 |gradient|."""
    low, high = _activation_range(stats.activation)
    magnitudes = [np.log10(np.abs(g) + 1e-30) for g in stats.gradients]
    return (
        _layer_heights(stats.activations, np.linspace(low, high, 61)),
        _layer_heights(magnitudes, GRADIENT_BINS),
    )


def describe_signal(stats: SignalStatistics) -> str:
    """Say in one sentence what :func:`plot_signal_propagation` shows for ``stats``.

    Parameters
    ----------
    stats : SignalStatistics
        The result of :func:`signal_propagation`.

    Returns
    -------
    str
        E.g. "Activations and weight gradients of 10 hidden layers (tanh, Glorot (normal)):
        the activations' std goes from 0.63 in layer 1 to 0.22 in layer 10, the gradients'
        from 3.1e-03 to 2.0e-03."
    """
    if not isinstance(stats, SignalStatistics):
        raise TypeError(
            "stats must be the SignalStatistics of signal_propagation(), "
            f"got {type(stats).__name__}"
        )
    depth = len(stats.activation_std)
    layers = "1 hidden layer" if depth == 1 else f"{depth} hidden layers"
    return (
        f"Activations and weight gradients of {layers} ({stats.activation}, {stats.scheme}): "
        f"the activations' std goes from {stats.activation_std[0]:.2g} in layer 1 to "
        f"{stats.activation_std[-1]:.2g} in layer {depth}, the gradients' from "
        f"{stats.gradient_std[0]:.1e} to {stats.gradient_std[-1]:.1e}."
    )


def plot_signal_propagation(stats: SignalStatistics, *, axes=None) -> Drawing:
    """Draw histograms of the activations and of log10 |weight gradient|, layer by layer.

    One row per hidden layer (layer 1 at the bottom), each histogram scaled to the same
    height, with the layer's standard deviation written at its right end.

    Parameters
    ----------
    stats : SignalStatistics
        The result of :func:`signal_propagation`.
    axes : pair of matplotlib.axes.Axes, optional
        Where to draw the activations (first) and the gradients (second); a new figure's
        when None.

    Returns
    -------
    Drawing
        Both axes, the stairs and "std" labels of each panel (``activation_stairs``,
        ``gradient_stairs``, ``activation_labels``, ``gradient_labels``: one per layer) and
        a description of what the figure shows.
    """
    if not isinstance(stats, SignalStatistics):
        raise TypeError(
            "stats must be the SignalStatistics of signal_propagation(), "
            f"got {type(stats).__name__}"
        )
    left, right = axes_grid_or_new(axes, (1, 2), (10, 4.5))
    panels = _SignalPanels(left, right)
    panels.update(stats)
    return panels.drawing(stats)


class SignalPropagationExplorer:
    """The initialisation experiment as a widget: statistics computed once per setting.

    ``draw(fig, activation=..., scheme=..., depth=...)`` is meant for
    :func:`lecture_nn.widgets.interactive_figure` with ``clear=False``: the first call
    lays the two panels out (constrained layout), later calls replace their data in place
    and lay the figure out again only when the space the tick labels need changes (the
    number of digits of the depth, the activation's range). The figure is the one
    :func:`plot_signal_propagation` draws for the same statistics.

    Parameters
    ----------
    width, n_samples, seed : int
        Passed to :func:`signal_propagation` (units per layer, inputs, seed).
    """

    def __init__(self, *, width: int = 100, n_samples: int = 256, seed: int = 0):
        _, self.width, self.n_samples, self.seed = _sizes(1, width, n_samples, seed)
        self._statistics: dict = {}
        self._figure = None
        self._panels: _SignalPanels | None = None
        self._layout = None  # the constrained-layout engine, run only when needed
        self._layout_key = None
        self._positions: dict = {}  # the axes' positions it found, by what they depend on

    def statistics(
        self, activation: str = "tanh", scheme: str = "Glorot (normal)", depth: int = 10
    ):
        """Return the :class:`SignalStatistics` of a setting, computed on its first use.

        Parameters
        ----------
        activation : str
            Activation of the hidden layers.
        scheme : str
            One of :data:`SCHEMES`.
        depth : int
            Number of hidden layers.

        Returns
        -------
        tuple of (SignalStatistics, histograms)
            The statistics and the rows of both panels.
        """
        key = (activation, scheme, depth)
        if key not in self._statistics:
            stats = signal_propagation(
                activation,
                scheme,
                depth=depth,
                width=self.width,
                n_samples=self.n_samples,
                seed=self.seed,
            )
            self._statistics[key] = (stats, _histograms(stats))
        return self._statistics[key]

    def draw(self, fig, activation: str = "tanh", scheme: str = "Glorot (normal)", depth: int = 10):
        """Draw (or update) the experiment's two panels in ``fig`` for one setting.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The widget's figure.
        activation, scheme, depth
            The setting, as in :meth:`statistics`.

        Returns
        -------
        Drawing
            As :func:`plot_signal_propagation`.
        """
        from matplotlib.layout_engine import ConstrainedLayoutEngine

        stats, heights = self.statistics(activation, scheme, depth)
        if (
            self._figure is not fig
            or self._panels is None
            or self._panels.activations.ax not in fig.axes
        ):
            fig.clear()
            left, right = fig.subplots(1, 2)
            self._panels = _SignalPanels(left, right)
            self._figure = fig
            engine = fig.get_layout_engine()
            self._layout = engine if isinstance(engine, ConstrainedLayoutEngine) else None
            self._layout_key = None
            self._positions = {}
            fig.set_layout_engine("none")  # laid out below, only when the margins change
            if self._layout is not None:
                self._lay_out_every_margin(fig, scheme)
        self._panels.update(stats, heights)
        self._place_panels(fig, _layout_key(activation, depth))
        return self._panels.drawing(stats)

    def _lay_out_every_margin(self, fig, scheme: str) -> None:
        """Find the panels' positions for every margin a setting can need, on the first draw.

        A layout pass measures every tick label (a fifth of a second); done here once for
        the three activation ranges and one- and two-digit depths, no later change of
        setting waits for one.
        """
        for activation in ("tanh", "sigmoid", "relu"):
            for depth in (9, 10):
                stats, heights = self.statistics(activation, scheme, depth)
                self._panels.update(stats, heights)
                self._place_panels(fig, _layout_key(activation, depth))
        # The rows of the deepest setting the course's slider offers, made ahead (hidden).
        self._panels.activations.reserve(PREPARED_ROWS, np.linspace(-1, 1, 61))
        self._panels.gradients.reserve(PREPARED_ROWS, GRADIENT_BINS)

    def _place_panels(self, fig, key) -> None:
        """Put the panels where the constrained layout puts them for margins ``key``."""
        if self._layout is None or key == self._layout_key:
            return
        axes = (self._panels.activations.ax, self._panels.gradients.ax)
        if key not in self._positions:
            # From the subplots' own positions, as in a new figure: the layout's result
            # depends (by a fraction of a pixel) on where it starts.
            for ax in axes:
                ax.set_position(ax.get_subplotspec().get_position(fig))
                ax.set_in_layout(True)
            self._layout.execute(fig)
            self._positions[key] = [ax.get_position(original=True) for ax in axes]
        else:
            for ax, position in zip(axes, self._positions[key]):
                ax.set_position(position)
                ax.set_in_layout(True)  # set_position takes it out of layouts
        self._layout_key = key


def _layout_key(activation: str, depth: int) -> tuple:
    """Return what the panels' margins depend on: the depth's digits, the activation's range."""
    return len(str(depth)), _activation_range(activation)


@dataclass
class TransferResult:
    """Test accuracies (fractions) of the odd-or-even task, with and without transfer."""

    seed: int
    transferred_accuracy: float
    scratch_accuracy: float
    n_labelled: int
    n_test: int


#: The three trainings of :func:`transfer_learning`: name shown in the progress line, epochs.
TRANSFER_TRAININGS = {"digit network": 30, "transferred": 100, "from scratch": 100}


def _progress_callback(status, name: str, index: int, epochs: int):
    """Return a Keras callback that shows "Training 2 of 3 (transferred): epoch 40 of 100"."""
    import keras

    class EpochProgress(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.last = 0.0

        def on_epoch_end(self, epoch, logs=None):
            now = time.perf_counter()
            if now - self.last > 0.2 or epoch + 1 == epochs:  # at most 5 updates a second
                self.last = now
                status.update(
                    f"Training {index} of {len(TRANSFER_TRAININGS)} ({name}): "
                    f"epoch {epoch + 1} of {epochs}"
                )

    return EpochProgress()


def transfer_learning(seed: int = 0, *, n_labelled: int = 20, progress: bool = True):
    """Odd or even from ``n_labelled`` digit images, with a frozen first layer learned on digits.

    scikit-learn's 8 x 8 digits (pixels scaled to [0, 1]) are split in half (stratified,
    fixed split). A network 64-64-10 (ReLU, softmax; Adam 0.01) learns the ten digits from
    the first half for 30 epochs. The new task, odd (1) or even (0), uses the second half:
    ``n_labelled`` images to train on, the rest to test. Two 64-64-2 networks train on the
    labelled images for 100 epochs: one reuses the digit network's first layer, frozen
    (``layer.trainable = False``), the other starts from scratch. ``seed`` seeds Keras
    (weights, shuffling); with ``progress`` a notebook shows one line counting the epochs.
    """
    import keras
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    from lecture_nn import _validation as check
    from lecture_nn.widgets import StatusLine

    seed = check.seed(seed)
    n_labelled = check.integer(n_labelled, "n_labelled", minimum=4, maximum=400)
    progress = check.boolean(progress, "progress")
    keras.utils.set_random_seed(seed)
    digits = load_digits()
    X_a, X_b, y_a, y_b = train_test_split(
        digits.data / 16.0, digits.target, train_size=0.5, stratify=digits.target, random_state=0
    )
    parity = y_b % 2  # the new task: 0 = even, 1 = odd
    X_small, X_test, y_small, y_test = train_test_split(
        X_b, parity, train_size=int(n_labelled), stratify=parity, random_state=0
    )

    def dense_model(n_classes, first_layer=None):
        first_layer = first_layer or keras.layers.Dense(64, activation="relu")
        output_layer = keras.layers.Dense(n_classes, activation="softmax")
        model = keras.Sequential([keras.Input(shape=(64,)), first_layer, output_layer])
        model.compile(
            optimizer=keras.optimizers.Adam(0.01),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        return model

    status = StatusLine("Training ...") if progress else None
    start = time.perf_counter()

    def fit(model, X, y, name, batch_size):
        index = list(TRANSFER_TRAININGS).index(name) + 1
        epochs = TRANSFER_TRAININGS[name]
        callbacks = [_progress_callback(status, name, index, epochs)] if status else []
        model.fit(X, y, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=callbacks)

    digit_network = dense_model(10)
    fit(digit_network, X_a, y_a, "digit network", 32)
    features = digit_network.layers[0]
    features.trainable = False  # frozen: the new task trains only the new output layer
    transferred = dense_model(2, features)
    fit(transferred, X_small, y_small, "transferred", 16)
    scratch = dense_model(2)
    fit(scratch, X_small, y_small, "from scratch", 16)
    result = TransferResult(
        int(seed),
        float(transferred.evaluate(X_test, y_test, verbose=0)[1]),
        float(scratch.evaluate(X_test, y_test, verbose=0)[1]),
        int(n_labelled),
        len(y_test),
    )
    if status is not None:
        status.update(
            f"Trained {len(TRANSFER_TRAININGS)} networks "
            f"({', '.join(f'{n}: {e} epochs' for n, e in TRANSFER_TRAININGS.items())}) "
            f"in {time.perf_counter() - start:.0f} s."
        )
    return result
