"""Weight initialisation experiments: how the signal and the gradients travel through depth.

:func:`signal_propagation` builds a deep, narrow-enough network (e.g. 10 hidden layers of 100
units), initialises it with a given scheme, sends a batch of standard-normal inputs through
it and backpropagates once, and returns the activations and weight gradients of every
layer. :func:`plot_signal_propagation` draws their distributions layer by layer, so that
vanishing (everything collapses to 0) and exploding (everything grows) are plain to see.
"""

from __future__ import annotations

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
        left.text(high, layer + 0.45, f"std {a_std:.2g}", ha="right", fontsize="x-small")
        right.text(2, layer + 0.45, f"std {g_std:.1e}", ha="right", fontsize="x-small")
    return axes
