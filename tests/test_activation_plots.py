"""Activation plots draw the closed-form curves."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lecture_nn.activation_plots import (
    plot_activation,
    plot_activation_grid,
    plot_output_activation,
    plot_softmax,
)


def test_sigmoid_curve_and_derivative_are_the_closed_forms():
    _, ax = plt.subplots()
    plot = plot_activation("sigmoid", ax=ax, derivative=True)
    assert plot.ax is ax
    z = plot.lines["function"].get_xdata()
    expected = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(plot.lines["function"].get_ydata(), expected, rtol=1e-12)
    np.testing.assert_allclose(
        plot.lines["derivative"].get_ydata(), expected * (1 - expected), rtol=1e-12
    )


def test_relu_derivative_has_a_gap_at_the_kink():
    plot = plot_activation("relu", derivative=True)
    z = plot.lines["derivative"].get_xdata()
    y = plot.lines["derivative"].get_ydata()
    assert np.isnan(z).sum() == 1
    gap = int(np.flatnonzero(np.isnan(z))[0])
    assert z[gap - 1] == 0.0  # the jump is after the value at the kink, never drawn as a line
    assert y[gap - 1] == 0.0
    assert y[gap + 1] == 1.0
    np.testing.assert_array_equal(y[z < 0], 0.0)
    np.testing.assert_array_equal(y[z > 0], 1.0)


def test_leaky_relu_slope_is_drawn():
    plot = plot_activation("leaky_relu", negative_slope=0.1, z_range=(-4, 4))
    assert plot.lines["function"].get_ydata()[0] == pytest.approx(-0.4)


def test_softmax_curves_sum_to_one_and_match_closed_form():
    plot = plot_softmax(other_logits=(1.0, -1.0))
    z = plot.lines["class 1"].get_xdata()
    curves = np.array([plot.lines[f"class {k}"].get_ydata() for k in (1, 2, 3)])
    np.testing.assert_allclose(curves.sum(axis=0), 1.0)
    expected = np.exp(z) / (np.exp(z) + np.e + np.exp(-1))
    np.testing.assert_allclose(curves[0], expected, rtol=1e-12)


def test_output_activation_and_grid():
    assert set(plot_output_activation("softmax").lines) == {"class 1", "class 2", "class 3"}
    grid = plot_activation_grid(["sigmoid", "softmax", "linear"])
    assert [p.ax.get_title() for p in grid.plots] == ["sigmoid", "softmax", "linear"]
    assert [p.ax for p in grid.plots] == list(grid.axes)
    assert len(plt.get_fignums()) == 2


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: plot_activation("swish"), ValueError, "name must be one of"),
        (lambda: plot_activation("softmax"), ValueError, "plot_softmax"),
        (lambda: plot_activation("relu", z_range=(3, -3)), ValueError, "low < high"),
        (lambda: plot_activation("relu", z_range=5), TypeError, "pair of numbers"),
        (lambda: plot_output_activation("tanh"), ValueError, "name must be one of"),
        (lambda: plot_softmax(other_logits=[]), ValueError, "other_logits"),
        (lambda: plot_activation_grid([]), ValueError, "at least one"),
        (lambda: plot_activation_grid("relu"), TypeError, "names must be a list"),
        (lambda: plot_activation_grid(["relu", "swish"]), ValueError, r"names\[1\]"),
        (lambda: plot_activation_grid(fig="fig"), TypeError, "fig must be a matplotlib Figure"),
        (lambda: plot_activation("relu", num=1), ValueError, "num must be an integer >= 2"),
        (lambda: plot_activation("relu", num=2.5), TypeError, "num must be an integer"),
        (lambda: plot_activation("relu", z_range=(0, np.inf)), ValueError, r"z_range\[1\]"),
        (lambda: plot_activation("relu", negative_slope=-1), ValueError, "negative_slope"),
        (lambda: plot_softmax(other_logits=[1.0, np.nan]), ValueError, "other_logits"),
    ],
)
def test_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


# -- issue 14: one rule per check, keyword-only ax, a description computed from the data --


@pytest.mark.parametrize("bad", ["False", 0, 1, None])
def test_derivative_accepts_only_booleans(bad):
    # Before: derivative="False" drew the derivative (a non-empty string is true).
    with pytest.raises(TypeError, match="derivative must be True or False"):
        plot_activation("relu", derivative=bad)
    with pytest.raises(TypeError, match="derivative must be True or False"):
        plot_activation_grid(["relu"], derivative=bad)


@pytest.mark.parametrize("bad", ["ax", 3, "figure"])
def test_a_bad_ax_is_a_clear_type_error(bad):
    value = plt.figure() if bad == "figure" else bad
    for call in (
        lambda: plot_activation("relu", ax=value),
        lambda: plot_softmax(ax=value),
        lambda: plot_output_activation("sigmoid", ax=value),
    ):
        with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
            call()


def test_ax_is_keyword_only():
    _, ax = plt.subplots()
    with pytest.raises(TypeError):
        plot_activation("relu", ax)  # positional ax: refused
    with pytest.raises(TypeError):
        plot_output_activation("sigmoid", ax)


def test_descriptions_give_the_ranges_of_the_curves():
    sigmoid = plot_activation("sigmoid", derivative=True)
    low, high = 1 / (1 + np.exp(6)), 1 / (1 + np.exp(-6))
    slope_low = low * (1 - low)
    assert sigmoid.description == (
        f"The sigmoid activation for z from -6 to 6: values from {low:.3g} to {high:.3g}; "
        f"its derivative (dashed) from {slope_low:.3g} to 0.25."
    )
    relu = plot_activation("relu", z_range=(-2, 3))
    assert relu.description == "The relu activation for z from -2 to 3: values from 0 to 3."
    softmax = plot_softmax(other_logits=(0.0,), z_range=(-4, 4))
    first, last = 1 / (1 + np.exp(4)), 1 / (1 + np.exp(-4))
    assert softmax.description == (
        "Softmax probabilities of 2 classes as the logit z1 of class 1 goes from -4 to 4 "
        f"(other logits 0): class 1's probability rises from {first:.2g} to {last:.2g}, and "
        "the 2 probabilities add up to 1 everywhere."
    )
    grid = plot_activation_grid(["tanh", "relu"], derivative=True)
    assert grid.description == (
        "2 activations side by side: tanh and relu, each with its derivative (dashed)."
    )
