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
    from lecture_nn.initializers import initialize
    from lecture_nn.network import Network

    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {', '.join(SCHEMES)}, got {scheme!r}")
    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)) or depth < 1:
        raise ValueError(f"depth must be an integer >= 1, got {depth!r}")
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


def _ridgeline(ax, samples: list[np.ndarray], bins: np.ndarray, color) -> None:
    """One histogram per layer, stacked upwards (layer 1 at the bottom)."""
    for layer, sample in enumerate(samples):
        counts, _ = np.histogram(np.clip(sample, bins[0], bins[-1]), bins=bins)
        height = counts / max(counts.max(), 1) * 0.9
        ax.stairs(height + layer, bins, baseline=layer, fill=True, color=color, alpha=0.6)
    ax.set_yticks(np.arange(len(samples)) + 0.3, [str(i + 1) for i in range(len(samples))])
    ax.set_ylabel("hidden layer")
    ax.set_ylim(-0.1, len(samples))


def plot_signal_propagation(stats: SignalStatistics, axes=None):
    """Histograms of the activations and of log10 |weight gradient| per layer, side by side."""
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, 2, figsize=style.figsize(10, 4.5))
    left, right = axes
    low, high = (-1.05, 1.05) if stats.activation in ("tanh", "sigmoid") else (-0.5, 5.0)
    if stats.activation == "sigmoid":
        low = -0.05
    _ridgeline(left, stats.activations, np.linspace(low, high, 61), style.OKABE_ITO[0])
    left.set_xlabel("activation value")
    left.set_title(f"activations ({stats.activation}, {stats.scheme})", fontsize="small")
    magnitudes = [np.log10(np.abs(g) + 1e-30) for g in stats.gradients]
    _ridgeline(right, magnitudes, np.linspace(-12, 2, 71), style.OKABE_ITO[1])
    right.set_xlabel("log10 |gradient of a weight|")
    right.set_title("weight gradients", fontsize="small")
    for layer, (a_std, g_std) in enumerate(zip(stats.activation_std, stats.gradient_std)):
        # "small" (8.3 pt on screen) is the smallest size legible at the figure's own size.
        left.text(high, layer + 0.45, f"std {a_std:.2g}", ha="right", fontsize="small")
        right.text(2, layer + 0.45, f"std {g_std:.1e}", ha="right", fontsize="small")
    return axes


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
    """A Keras callback that shows "Training 2 of 3 (transferred): epoch 40 of 100"."""
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

    from lecture_nn.widgets import StatusLine

    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__}")
    if isinstance(n_labelled, bool) or not isinstance(n_labelled, (int, np.integer)) or not (
        4 <= n_labelled <= 400
    ):
        raise ValueError(f"n_labelled must be an integer from 4 to 400, got {n_labelled!r}")
    keras.utils.set_random_seed(int(seed))
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
