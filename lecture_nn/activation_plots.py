"""Plots of activation functions and their derivatives.

Each helper draws on the ``ax`` it is given (or a new figure's) and returns a
:class:`lecture_nn._plotting.Drawing` whose artist ``lines`` maps "function",
"derivative" or "class k" to the line drawn, and whose ``description`` says in one
sentence what the plot shows, computed from the curves.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes

from lecture_nn import _plotting, activations, style
from lecture_nn import _validation as check
from lecture_nn._plotting import Drawing

__all__ = [
    "ActivationPlot",
    "plot_activation",
    "plot_activation_grid",
    "plot_output_activation",
    "plot_softmax",
]

#: What the plot helpers return (kept under its former name for readers of old code).
ActivationPlot = Drawing


def _check_range(z_range) -> tuple[float, float]:
    """``z_range`` as (low, high): two finite numbers with low < high."""
    if isinstance(z_range, (str, bytes)) or not isinstance(z_range, Sequence | np.ndarray):
        raise TypeError(f"z_range must be a pair of numbers (low, high), got {z_range!r}")
    if len(z_range) != 2:
        raise TypeError(f"z_range must be a pair of numbers (low, high), got {z_range!r}")
    low = check.finite_real(z_range[0], "z_range[0]")
    high = check.finite_real(z_range[1], "z_range[1]")
    if not low < high:
        raise ValueError(f"z_range must be finite with low < high, got {z_range!r}")
    return low, high


def _with_gap_at_zero(z: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Insert a nan at z = 0 so a jump (ReLU's derivative) is not drawn as a vertical line."""
    position = np.searchsorted(z, 0.0, side="right")  # the value at z = 0 belongs to the left
    return np.insert(z, position, np.nan), np.insert(values, position, np.nan)


def plot_activation(
    name: str,
    *,
    ax: Axes | None = None,
    derivative: bool = False,
    z_range: tuple[float, float] = (-6.0, 6.0),
    num: int = 401,
    negative_slope: float = activations.LEAKY_RELU_SLOPE,
) -> Drawing:
    """Plot an activation function of one input, and optionally its derivative, on one axis.

    Parameters
    ----------
    name : str
        One of sigmoid, tanh, relu, leaky_relu, linear (softmax has its own
        :func:`plot_softmax`).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made only when None.
    derivative : bool
        Also draw the derivative (dashed).
    z_range : (float, float)
        The inputs z shown, low < high.
    num : int
        Number of points of each curve, >= 2.
    negative_slope : float
        Slope of leaky_relu for z < 0 (>= 0; only leaky_relu uses it). A larger slope
        (0.1) makes the leak visible at this scale.

    Returns
    -------
    Drawing
        ``lines``: {"function": Line2D, "derivative": Line2D (with ``derivative``)}.

    Raises
    ------
    TypeError, ValueError
        If an argument breaks the rules above (the message names it).
    """
    activation = activations.get_activation(name)
    if name == "softmax":
        raise ValueError("softmax maps a vector to a vector: use plot_softmax() to plot it")
    derivative = check.boolean(derivative, "derivative")
    low, high = _check_range(z_range)
    num = check.integer(num, "num", minimum=2)
    negative_slope = check.non_negative(negative_slope, "negative_slope")
    ax = _plotting.axes_or_new(ax, (5, 2.5))
    z = np.linspace(low, high, num)
    if name == "leaky_relu":
        value = activations.leaky_relu(z, negative_slope)
        slope = activations.leaky_relu_derivative(z, negative_slope)
    else:
        value, slope = activation.function(z), activation.derivative(z)
    lines = {}
    (lines["function"],) = ax.plot(z, value, color=style.OKABE_ITO[0], label=name)
    description = (
        f"The {name} activation for z from {low:g} to {high:g}: values from "
        f"{value.min():.3g} to {value.max():.3g}"
    )
    if derivative:
        z_d, slope_d = _with_gap_at_zero(z, slope) if name in ("relu", "leaky_relu") else (z, slope)
        (lines["derivative"],) = ax.plot(
            z_d, slope_d, color=style.OKABE_ITO[1], linestyle="--", label="derivative"
        )
        ax.legend(loc="upper left", frameon=False)
        description += f"; its derivative (dashed) from {slope.min():.3g} to {slope.max():.3g}"
    ax.axhline(0, color="0.6", linewidth=0.6, zorder=0)
    ax.axvline(0, color="0.6", linewidth=0.6, zorder=0)
    ax.set_xlabel("z (input of the activation)")
    ax.set_ylabel(name)
    ax.set_xlim(low, high)
    return Drawing(axes=(ax,), artists={"lines": lines}, description=description + ".")


def plot_softmax(
    *,
    ax: Axes | None = None,
    other_logits: Sequence[float] = (1.0, -1.0),
    z_range: tuple[float, float] = (-6.0, 6.0),
    num: int = 201,
) -> Drawing:
    """Plot the softmax probabilities of k classes as the first logit z_1 varies.

    The other logits stay at ``other_logits``; the curves always add up to 1.

    Parameters
    ----------
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made only when None.
    other_logits : sequence of float
        The fixed logits of classes 2 .. k (one or more finite numbers).
    z_range : (float, float)
        The values of z_1 shown, low < high.
    num : int
        Number of points of each curve, >= 2.

    Returns
    -------
    Drawing
        ``lines``: {"class 1": Line2D, ..., "class k": Line2D}.

    Raises
    ------
    TypeError, ValueError
        If an argument breaks the rules above (the message names it).
    """
    low, high = _check_range(z_range)
    num = check.integer(num, "num", minimum=2)
    others = check.as_array(other_logits, "other_logits", ndim=1, min_size=1)
    ax = _plotting.axes_or_new(ax, (5, 2.5))
    z = np.linspace(low, high, num)
    logits = np.column_stack([z, np.broadcast_to(others, (num, others.size))])
    probabilities = activations.softmax(logits)
    lines = {}
    for k in range(probabilities.shape[1]):
        label = "class 1 (logit z₁)" if k == 0 else f"class {k + 1} (logit {others[k - 1]:g})"
        (lines[f"class {k + 1}"],) = ax.plot(
            z, probabilities[:, k], color=style.OKABE_ITO[k % len(style.OKABE_ITO)], label=label
        )
    ax.set_xlabel("z₁ (logit of class 1)")
    ax.set_ylabel("softmax probability")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlim(low, high)
    ax.legend(loc="center left", frameon=False)
    k = probabilities.shape[1]
    description = (
        f"Softmax probabilities of {k} classes as the logit z1 of class 1 goes from {low:g} "
        f"to {high:g} (other logits {', '.join(f'{v:g}' for v in others)}): class 1's "
        f"probability rises from {probabilities[0, 0]:.2g} to {probabilities[-1, 0]:.2g}, and "
        f"the {k} probabilities add up to 1 everywhere."
    )
    return Drawing(axes=(ax,), artists={"lines": lines}, description=description)


def plot_output_activation(name: str, *, ax: Axes | None = None) -> Drawing:
    """Plot an output activation: sigmoid, softmax (probabilities of 3 classes) or linear.

    Parameters
    ----------
    name : {"sigmoid", "softmax", "linear"}
        The output activation.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made only when None.

    Returns
    -------
    Drawing
        What :func:`plot_softmax` or :func:`plot_activation` returns.

    Raises
    ------
    TypeError, ValueError
        If ``name`` is not one of the output activations, or ``ax`` is not an Axes.
    """
    check.choice(name, "name", activations.OUTPUT_ACTIVATIONS)
    if name == "softmax":
        return plot_softmax(ax=ax)
    return plot_activation(name, ax=ax)


def plot_activation_grid(
    names: Sequence[str] = activations.HIDDEN_ACTIVATIONS,
    *,
    derivative: bool = False,
    fig=None,
) -> Drawing:
    """Draw several activations side by side (the static version of the chooser, for print).

    Parameters
    ----------
    names : sequence of str
        One or more activations of :data:`lecture_nn.activations.ACTIVATIONS`.
    derivative : bool
        Also draw each derivative (not for softmax).
    fig : matplotlib.figure.Figure, optional
        The figure to draw into; a new one is made only when None.

    Returns
    -------
    Drawing
        One axes per name; ``plots``: the :class:`Drawing` of each panel, in order.

    Raises
    ------
    TypeError, ValueError
        If an argument breaks the rules above (the message names it).
    """
    if isinstance(names, (str, bytes)) or not isinstance(names, Sequence | np.ndarray):
        raise TypeError(f"names must be a list of activation names, got {names!r}")
    names = [check.choice(n, f"names[{i}]", activations.ACTIVATIONS) for i, n in enumerate(names)]
    if not names:
        raise ValueError("names must list at least one activation")
    derivative = check.boolean(derivative, "derivative")
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=style.figsize(3 * len(names), 2.6), layout="constrained")
    else:
        from matplotlib.figure import FigureBase

        if not isinstance(fig, FigureBase):
            raise TypeError(f"fig must be a matplotlib Figure or None, got {type(fig).__name__}")
    axes = fig.subplots(1, len(names), squeeze=False)[0]
    plots = []
    for name, ax in zip(names, axes):
        if name == "softmax":
            plots.append(plot_softmax(ax=ax))
        else:
            plots.append(plot_activation(name, ax=ax, derivative=derivative))
        ax.set_title(name)
    listed = ", ".join(names[:-1]) + (f" and {names[-1]}" if len(names) > 1 else names[-1])
    description = f"{len(names)} activations side by side: {listed}" + (
        ", each with its derivative (dashed)." if derivative else "."
    )
    return Drawing(axes=tuple(axes), artists={"plots": plots}, description=description)
