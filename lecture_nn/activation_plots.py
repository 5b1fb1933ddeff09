"""Plots of activation functions and their derivatives."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from lecture_nn import activations, style


@dataclass
class ActivationPlot:
    """The axes of an activation plot and its lines, keyed "function", "derivative", or class."""

    ax: Axes
    lines: dict[str, Line2D] = field(default_factory=dict)


def _new_axes(width: float, height: float) -> Axes:
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=style.figsize(width, height))
    return ax


def _check_range(z_range) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in z_range)
    except (TypeError, ValueError):
        raise TypeError(f"z_range must be a pair of numbers (low, high), got {z_range!r}") from None
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"z_range must be finite with low < high, got {z_range!r}")
    return low, high


def _with_gap_at_zero(z: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Insert a nan at z = 0 so a jump (ReLU's derivative) is not drawn as a vertical line."""
    position = np.searchsorted(z, 0.0, side="right")  # the value at z = 0 belongs to the left
    return np.insert(z, position, np.nan), np.insert(values, position, np.nan)


def plot_activation(
    name: str,
    ax: Axes | None = None,
    *,
    derivative: bool = False,
    z_range: tuple[float, float] = (-6.0, 6.0),
    num: int = 401,
    negative_slope: float = activations.LEAKY_RELU_SLOPE,
) -> ActivationPlot:
    """Plot an activation function of one input, and optionally its derivative, on one axis.

    ``name`` is one of sigmoid, tanh, relu, leaky_relu, linear (softmax has its own
    :func:`plot_softmax`). ``negative_slope`` only affects leaky_relu; a larger slope (0.1)
    makes the leak visible at this scale.
    """
    activation = activations.get_activation(name)
    if name == "softmax":
        raise ValueError("softmax maps a vector to a vector: use plot_softmax() to plot it")
    low, high = _check_range(z_range)
    if ax is None:
        ax = _new_axes(5, 2.5)
    z = np.linspace(low, high, num)
    if name == "leaky_relu":
        value = activations.leaky_relu(z, negative_slope)
        slope = activations.leaky_relu_derivative(z, negative_slope)
    else:
        value, slope = activation.function(z), activation.derivative(z)
    plot = ActivationPlot(ax)
    (plot.lines["function"],) = ax.plot(z, value, color=style.OKABE_ITO[0], label=name)
    if derivative:
        z_d, slope_d = _with_gap_at_zero(z, slope) if name in ("relu", "leaky_relu") else (z, slope)
        (plot.lines["derivative"],) = ax.plot(
            z_d, slope_d, color=style.OKABE_ITO[1], linestyle="--", label="derivative"
        )
        ax.legend(loc="upper left", frameon=False)
    ax.axhline(0, color="0.6", linewidth=0.6, zorder=0)
    ax.axvline(0, color="0.6", linewidth=0.6, zorder=0)
    ax.set_xlabel("z (input of the activation)")
    ax.set_ylabel(name)
    ax.set_xlim(low, high)
    return plot


def plot_softmax(
    ax: Axes | None = None,
    *,
    other_logits: Sequence[float] = (1.0, -1.0),
    z_range: tuple[float, float] = (-6.0, 6.0),
    num: int = 201,
) -> ActivationPlot:
    """Plot the softmax probabilities of k classes as the first logit z_1 varies.

    The other logits stay at ``other_logits``; the curves always add up to 1.
    """
    low, high = _check_range(z_range)
    others = np.asarray(other_logits, dtype=float).ravel()
    if others.size < 1 or not np.all(np.isfinite(others)):
        raise ValueError(f"other_logits must be one or more finite numbers, got {other_logits!r}")
    if ax is None:
        ax = _new_axes(5, 2.5)
    z = np.linspace(low, high, num)
    logits = np.column_stack([z, np.broadcast_to(others, (num, others.size))])
    probabilities = activations.softmax(logits)
    plot = ActivationPlot(ax)
    for k in range(probabilities.shape[1]):
        label = "class 1 (logit z₁)" if k == 0 else f"class {k + 1} (logit {others[k - 1]:g})"
        (plot.lines[f"class {k + 1}"],) = ax.plot(
            z, probabilities[:, k], color=style.OKABE_ITO[k % len(style.OKABE_ITO)], label=label
        )
    ax.set_xlabel("z₁ (logit of class 1)")
    ax.set_ylabel("softmax probability")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlim(low, high)
    ax.legend(loc="center left", frameon=False)
    return plot


def plot_output_activation(name: str, ax: Axes | None = None) -> ActivationPlot:
    """Plot an output activation: sigmoid, softmax (probabilities of 3 classes) or linear."""
    if name not in activations.OUTPUT_ACTIVATIONS:
        raise ValueError(
            f"unknown output activation {name!r}; choose one of "
            f"{', '.join(activations.OUTPUT_ACTIVATIONS)}"
        )
    if name == "softmax":
        return plot_softmax(ax)
    return plot_activation(name, ax)


def plot_activation_grid(
    names: Sequence[str] = activations.HIDDEN_ACTIVATIONS,
    *,
    derivative: bool = False,
    fig=None,
) -> list[ActivationPlot]:
    """Draw several activations side by side (the static version of the chooser, for print)."""
    names = list(names)
    if not names:
        raise ValueError("names must list at least one activation")
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=style.figsize(3 * len(names), 2.6), layout="constrained")
    axes = fig.subplots(1, len(names), squeeze=False)[0]
    plots = []
    for name, ax in zip(names, axes):
        if name == "softmax":
            plots.append(plot_softmax(ax))
        else:
            plots.append(plot_activation(name, ax, derivative=derivative))
        ax.set_title(name)
    return plots
